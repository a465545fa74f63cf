//! The HTTP sinks against local stand-in servers on 127.0.0.1: what Slack
//! and webhooks receive, retries, Retry-After, hangs, refusals, rejections.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::routing::post;
use monitor_core::alerts::{AlertHandle, AlertRouter, RetryPolicy, Route, SlackSink, WebhookSink};
use monitor_core::errors::{ErrorEvent, ErrorLog, Severity};

use crate::support::until;
use serde_json::Value;

/// How the stand-in answers its n-th request (0-based).
#[derive(Clone, Copy, Debug)]
enum Answer {
    Ok,
    Status(u16),
    RetryAfter(u64),
    Hang,
}

#[derive(Clone)]
struct StandIn {
    url: String,
    received: Arc<Mutex<Vec<(Instant, Value)>>>,
}

impl StandIn {
    async fn start(answers: Vec<Answer>) -> Self {
        let received: Arc<Mutex<Vec<(Instant, Value)>>> = Arc::default();
        let state = (Arc::clone(&received), Arc::new(answers));
        let app = axum::Router::new()
            .route("/hook", post(handle))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        StandIn { url, received }
    }

    fn bodies(&self) -> Vec<Value> {
        self.received
            .lock()
            .expect("not poisoned")
            .iter()
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn times(&self) -> Vec<Instant> {
        self.received
            .lock()
            .expect("not poisoned")
            .iter()
            .map(|(t, _)| *t)
            .collect()
    }

    async fn wait_for(&self, n: usize) -> Vec<Value> {
        until(|| self.bodies().len() >= n).await;
        self.bodies()
    }
}

type Shared = (Arc<Mutex<Vec<(Instant, Value)>>>, Arc<Vec<Answer>>);

async fn handle(
    State((received, answers)): State<Shared>,
    body: String,
) -> (StatusCode, HeaderMap, &'static str) {
    let n = {
        let mut r = received.lock().expect("not poisoned");
        r.push((
            Instant::now(),
            serde_json::from_str(&body).unwrap_or(Value::Null),
        ));
        r.len() - 1
    };
    let mut headers = HeaderMap::new();
    match answers.get(n).copied().unwrap_or(Answer::Ok) {
        Answer::Ok => (StatusCode::OK, headers, "ok"),
        Answer::Status(code) => (
            StatusCode::from_u16(code).expect("valid code"),
            headers,
            "nope",
        ),
        Answer::RetryAfter(seconds) => {
            headers.insert("retry-after", HeaderValue::from(seconds));
            (StatusCode::TOO_MANY_REQUESTS, headers, "slow down")
        }
        Answer::Hang => std::future::pending().await,
    }
}

fn quick_retry(attempts: u32, timeout: Duration) -> RetryPolicy {
    RetryPolicy {
        attempts,
        timeout,
        base: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        max_retry_after: Duration::from_secs(5),
    }
}

fn now_route(name: &str) -> Route {
    Route::new(name)
        .group_wait(Duration::ZERO)
        .group_interval(Duration::from_millis(50))
}

fn wired(router: &AlertHandle) -> ErrorLog {
    ErrorLog::builder().listener(router.listener()).build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_gets_colour_readable_text_and_no_links() {
    let slack = StandIn::start(vec![]).await;
    let router = AlertRouter::new()
        .route(now_route("slack").sink(SlackSink::new(&slack.url)))
        .spawn()
        .expect("runtime");
    let log = wired(&router);
    let hostile = "<!channel> see <https://evil.example|click> & https://evil.example/x";
    let id = log
        .log(
            ErrorEvent::new("db", "query", "Down", hostile)
                .client("acme")
                .severity(Severity::Critical),
        )
        .id;
    let body = slack.wait_for(1).await.remove(0);
    let attachment = &body["attachments"][0];
    assert_eq!(attachment["color"], "#d7263d");
    assert_eq!(body["text"], "[CRITICAL] db: Down in query");
    let text = attachment["text"].as_str().expect("text");
    assert!(
        text.starts_with("&lt;!channel&gt; see &lt;https:\u{200b}//evil.example|click&gt; &amp; "),
        "{text}"
    );
    assert!(
        !body.to_string().contains('<'),
        "no Slack markup survives: {body}"
    );
    assert!(
        !body.to_string().contains("https://"),
        "no clickable URL: {body}"
    );
    assert_eq!(body["unfurl_links"], false);
    let fields = attachment["fields"].as_array().expect("fields");
    assert!(
        fields
            .iter()
            .any(|f| f["title"] == "Client" && f["value"] == "acme")
    );

    log.resolve(id).expect("in the log");
    let resolved = slack.wait_for(2).await.remove(1);
    assert_eq!(resolved["attachments"][0]["color"], "#2eb67d");
    assert!(
        resolved["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("[RESOLVED]"))
    );
    until(|| router.stats().sinks[0].sent == 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_failing_twice_is_retried_until_it_succeeds() {
    let hook = StandIn::start(vec![Answer::Status(500), Answer::Status(503), Answer::Ok]).await;
    let router = AlertRouter::new()
        .retry(quick_retry(4, Duration::from_secs(5)))
        .route(now_route("hook").sink(WebhookSink::new(&hook.url)))
        .spawn()
        .expect("runtime");
    wired(&router).log(ErrorEvent::new("db", "query", "Down", "refused").client("acme"));
    let bodies = hook.wait_for(3).await;
    until(|| router.stats().sinks[0].sent == 1).await;
    let s = &router.stats().sinks[0];
    assert_eq!((s.sent, s.retried, s.failed), (1, 2, 0));
    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "the same alert each time"
    );
    assert_eq!(bodies[0]["status"], "firing");
    assert_eq!(bodies[0]["service"], "db");
    assert_eq!(bodies[0]["client_id"], "acme");
    assert_eq!(bodies[0]["count"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured() {
    let hook = StandIn::start(vec![Answer::RetryAfter(1), Answer::Ok]).await;
    let router = AlertRouter::new()
        .retry(quick_retry(3, Duration::from_secs(5)))
        .route(now_route("hook").sink(WebhookSink::new(&hook.url)))
        .spawn()
        .expect("runtime");
    wired(&router).log(ErrorEvent::new("whatsapp", "send", "RateLimited", "429"));
    hook.wait_for(2).await;
    let times = hook.times();
    assert!(
        times[1] - times[0] >= Duration::from_secs(1),
        "retried after {:?}",
        times[1] - times[0]
    );
    until(|| router.stats().sinks[0].sent == 1).await;
    assert_eq!(router.stats().sinks[0].retried, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_sink_times_out_while_the_others_carry_on() {
    let hanging = StandIn::start(vec![Answer::Hang; 100]).await;
    let healthy = StandIn::start(vec![]).await;
    let router = AlertRouter::new()
        .retry(quick_retry(2, Duration::from_millis(500)))
        .route(
            now_route("both")
                .sink(WebhookSink::new(&hanging.url).named("hanging"))
                .sink(WebhookSink::new(&healthy.url).named("healthy")),
        )
        .spawn()
        .expect("runtime");
    let log = wired(&router);
    let started = Instant::now();
    for i in 0..1_000 {
        log.log(ErrorEvent::new("db", "query", "Down", format!("#{i}")));
    }
    let logging = started.elapsed();
    healthy.wait_for(1).await;
    assert_eq!(
        router.stats().sinks[0].failed,
        0,
        "the healthy sink did not wait for the hanging one"
    );
    until(|| router.stats().sinks[0].failed >= 1).await;
    let hanging_stats = &router.stats().sinks[0];
    assert_eq!(hanging_stats.sent, 0);
    assert!(hanging_stats.retried >= 1, "{hanging_stats:?}");
    assert!(
        hanging_stats
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("no answer")),
        "{hanging_stats:?}"
    );
    assert!(
        hanging.bodies().len() >= 2,
        "each attempt reached the server"
    );
    eprintln!("1000 errors logged in {logging:?} while a sink hung");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_is_retried_then_counted_as_failed() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    }; // closed again: nothing listens there now
    let router = AlertRouter::new()
        .retry(quick_retry(3, Duration::from_secs(5)))
        .route(now_route("dead").sink(WebhookSink::new(format!("http://127.0.0.1:{port}/hook"))))
        .spawn()
        .expect("runtime");
    wired(&router).log(ErrorEvent::new("db", "query", "Down", "x"));
    until(|| router.stats().sinks[0].failed == 1).await;
    let s = &router.stats().sinks[0];
    assert_eq!((s.sent, s.retried), (0, 2));
    let error = s.last_error.as_deref().unwrap_or_default();
    assert!(error.starts_with("transport"), "{error}");
    assert!(
        !error.contains(&port.to_string()),
        "the URL stays out of errors: {error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_alert_is_not_retried() {
    let hook = StandIn::start(vec![Answer::Status(400)]).await;
    let router = AlertRouter::new()
        .retry(quick_retry(4, Duration::from_secs(5)))
        .route(now_route("hook").sink(WebhookSink::new(&hook.url)))
        .spawn()
        .expect("runtime");
    wired(&router).log(ErrorEvent::new("db", "query", "Down", "x"));
    until(|| router.stats().sinks[0].failed == 1).await;
    assert_eq!(router.stats().sinks[0].retried, 0);
    assert_eq!(hook.bodies().len(), 1);
    assert!(
        router.stats().sinks[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("rejected"))
    );
}
