//! `GET /api/stream` over a real socket on 127.0.0.1: the bus envelope as
//! SSE, channel filters, tenant rooms, keep-alive, `lagged`, bad input and
//! the end of the stream at shutdown.

use crate::common::*;

use std::time::Duration;

use axum::Router;
use monitor_axum::RouterConfig;
use monitor_core::Monitor;
use monitor_core::bus::MessageEvent;
use monitor_core::errors::ErrorEvent;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::time::timeout;

/// Serves the monitor's router on 127.0.0.1 and returns its base URL.
async fn serve(monitor: Monitor) -> String {
    let routes = RouterConfig::new()
        .sse_keep_alive(Duration::from_millis(200))
        .router(monitor, auth());
    let app: Router = Router::new().nest("/monitor", routes);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/monitor")
}

/// An open SSE response and what has been read of it.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    async fn open(url: &str, token: &str) -> Stream {
        let response = http_client()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .expect("connects");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/event-stream",
            "SSE content type"
        );
        Stream {
            response,
            buffer: String::new(),
        }
    }

    /// The next complete SSE message block (up to a blank line), or
    /// `None` when the stream ended.
    async fn block(&mut self) -> Option<String> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block = self.buffer[..end].to_owned();
                self.buffer.drain(..end + 2);
                return Some(block);
            }
            let chunk = timeout(Duration::from_secs(5), self.response.chunk())
                .await
                .expect("an SSE message within 5 s")
                .expect("reads")?;
            self.buffer
                .push_str(std::str::from_utf8(&chunk).expect("utf-8"));
        }
    }

    /// The next event's JSON, skipping keep-alive comments.
    async fn event(&mut self) -> Value {
        loop {
            let block = self.block().await.expect("stream open");
            if let Some(data) = block.strip_prefix("data: ") {
                return serde_json::from_str(data).expect("each data line is JSON");
            }
            assert!(block.starts_with(':'), "a comment or data: {block:?}");
        }
    }
}

#[tokio::test]
async fn events_arrive_in_the_bus_envelope_filtered_by_channel() {
    let monitor = Monitor::builder().start().expect("runtime");
    let base = serve(monitor.clone()).await;
    let mut errors = Stream::open(&format!("{base}/api/stream?channels=errors"), ADMIN).await;
    let mut messages = Stream::open(&format!("{base}/api/stream?channels=messages"), MONITOR).await;

    monitor.publish_message(
        Some("acme"),
        MessageEvent::new("u1", Some("Ann"), Some("hello there"), 12.5),
    );
    let logged =
        monitor.log_error(ErrorEvent::new("db", "query", "Timeout", "took 31 s").client("acme"));

    let event = errors.event().await;
    assert_eq!(event["type"], "error:logged", "{event}");
    assert_eq!(event["client_id"], "acme");
    assert_eq!(event["data"]["id"], logged.id);
    assert!(
        event["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{event}"
    );

    let event = messages.event().await;
    assert_eq!(event["type"], "message:new", "{event}");
    assert_eq!(
        event["data"]["text"], "hello there",
        "operators get the text"
    );
}

#[tokio::test]
async fn a_tenant_stream_carries_only_its_own_events() {
    let monitor = Monitor::builder().start().expect("runtime");
    let base = serve(monitor.clone()).await;
    // Asking for every channel, and for another tenant, widens nothing.
    let mut acme = Stream::open(&format!("{base}/api/stream"), ACME).await;

    monitor.publish_message(
        Some("globex"),
        MessageEvent::new("g", None, Some("globex secret"), 1.0),
    );
    monitor.log_error(ErrorEvent::new("db", "q", "Timeout", "globex's").client("globex"));
    monitor.publish_message(
        Some("acme"),
        MessageEvent::new("a", None, Some("acme text"), 1.0),
    );
    monitor.log_error(ErrorEvent::new("db", "q", "Timeout", "acme's").client("acme"));

    let first = acme.event().await;
    assert_eq!(first["type"], "message:new", "{first}");
    assert_eq!(first["client_id"], "acme");
    assert!(
        first["data"].get("text").is_none_or(Value::is_null),
        "no text for tenants: {first}"
    );
    let second = acme.event().await;
    assert_eq!(second["type"], "error:logged");
    assert_eq!(second["client_id"], "acme", "{second}");
}

#[tokio::test]
async fn idle_streams_get_keep_alives_and_end_at_shutdown() {
    let monitor = Monitor::builder().start().expect("runtime");
    let base = serve(monitor.clone()).await;
    let mut stream = Stream::open(&format!("{base}/api/stream?channels=alerts"), ADMIN).await;
    let block = stream.block().await.expect("open");
    assert!(block.starts_with(':'), "a keep-alive comment: {block:?}");
    monitor.shutdown().await.expect("shuts down");
    loop {
        match stream.block().await {
            None => break,
            Some(block) => assert!(block.starts_with(':'), "{block:?}"),
        }
    }
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_is_told_how_much_it_lost() {
    // A 4-event queue, and 50 events published while the stream task
    // cannot run (this test's runtime has one thread).
    let monitor = Monitor::builder()
        .bus_limits(4, 10)
        .start()
        .expect("runtime");
    let base = serve(monitor.clone()).await;
    let mut stream = Stream::open(&format!("{base}/api/stream?channels=errors"), ADMIN).await;
    for i in 0..50 {
        monitor.log_error(ErrorEvent::new("db", "q", "Timeout", format!("burst {i}")));
    }
    let mut lagged = None;
    let mut delivered = 0;
    while delivered + lagged.unwrap_or(0) < 50 {
        let event = stream.event().await;
        match event["type"].as_str() {
            Some("lagged") => lagged = Some(event["data"]["dropped"].as_u64().expect("dropped")),
            Some("error:logged") => delivered += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        delivered + lagged.expect("told it lagged"),
        50,
        "every event delivered or counted"
    );
    assert!(delivered >= 4, "the queue's worth arrived");
}

#[tokio::test]
async fn bad_requests_are_refused_before_streaming() {
    let monitor = Monitor::builder()
        .bus_limits(16, 1)
        .start()
        .expect("runtime");
    let base = serve(monitor.clone()).await;
    let client = http_client();
    let get = |query: &str, token: Option<&str>| {
        let mut req = client.get(format!("{base}/api/stream{query}"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move {
            let res = req.send().await.expect("answers");
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.expect("json"))
        }
    };
    let (status, body) = get("", None).await;
    assert_eq!(status, 401);
    assert_error(&body, "unauthorized");
    for (query, field) in [
        ("?channels=errors,bogus", "channels"),
        ("?channels=", "channels"),
        ("?channel=errors", "channel"),
    ] {
        let (status, body) = get(query, Some(ADMIN)).await;
        assert_eq!(status, 400, "{query}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(field)),
            "{body}"
        );
    }
    // The bus takes one subscriber here: the second stream is a 503.
    let _first = Stream::open(&format!("{base}/api/stream"), ADMIN).await;
    let (status, body) = get("", Some(ADMIN)).await;
    assert_eq!(status, 503);
    assert_error(&body, "unavailable");
}
