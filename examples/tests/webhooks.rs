//! The demo's webhooks on a real socket, through a real HTTP client: good
//! and bad bodies for each route, and what each leaves in the monitor.

use std::time::Duration;

use axum::Router;
use monitor_axum::{MonitorAuth, router};
use monitor_core::Monitor;
use monitor_core::bus::{Audience, ChannelSet};
use monitor_core::errors::ErrorLog;
use monitor_examples::alerts;
use monitor_examples::webhooks::{MAX_BODY_BYTES, MAX_ID_BYTES, MAX_TEXT_CHARS, webhooks};
use serde_json::{Value, json};
use tokio::net::TcpListener;

const ADMIN: &str = "admin-token";

/// The bot's app (monitor nested, webhooks merged) served on 127.0.0.1:0.
struct Bot {
    base: String,
    monitor: Monitor,
    http: reqwest::Client,
}

impl Bot {
    async fn start() -> Bot {
        let monitor = Monitor::builder()
            .error_log(ErrorLog::builder().classifier(alerts::classifier()))
            .start()
            .expect("runtime");
        let app: Router = Router::new()
            .nest(
                "/monitor",
                router(monitor.clone(), MonitorAuth::new().admin(ADMIN)),
            )
            .merge(webhooks(monitor.clone()));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        // reqwest refuses to build a client, even for plain http, without
        // a rustls provider; another test may have installed it already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Bot {
            base: format!("http://{addr}"),
            monitor,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("client"),
        }
    }

    async fn send(&self, path: &str, content_type: Option<&str>, body: Vec<u8>) -> (u16, Value) {
        let mut req = self.http.post(format!("{}{path}", self.base)).body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let bytes = res.bytes().await.expect("body");
        let json = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            panic!(
                "{path} answered {status} with non-JSON {:?}",
                String::from_utf8_lossy(&bytes)
            )
        });
        (status, json)
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(
            path,
            Some("application/json"),
            body.to_string().into_bytes(),
        )
        .await
    }

    /// Posts `body`, expecting 200.
    async fn ok(&self, path: &str, body: &Value) -> Value {
        let (status, answer) = self.post(path, body).await;
        assert_eq!(status, 200, "{path} {body}: {answer}");
        answer
    }

    /// Posts `body`, expecting `status` and an ApiError whose message
    /// starts with `field`.
    async fn refused(&self, path: &str, body: &Value, status: u16, field: &str) -> Value {
        let (got, answer) = self.post(path, body).await;
        assert_eq!(got, status, "{path} {body}: {answer}");
        assert_error(&answer, field);
        answer
    }

    fn messages(&self) -> u64 {
        self.monitor.collector().current_stats().messages.total
    }
}

/// `{"error":{"code","message"}}` whose message starts with `field`.
fn assert_error(answer: &Value, field: &str) {
    let code = answer["error"]["code"].as_str().unwrap_or_default();
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(!code.is_empty(), "no error code: {answer}");
    assert!(
        message.starts_with(field),
        "message should name {field:?}: {answer}"
    );
}

fn without(body: &Value, field: &str) -> Value {
    let mut body = body.clone();
    body.as_object_mut().expect("object").remove(field);
    body
}

fn with(body: &Value, field: &str, value: Value) -> Value {
    let mut body = body.clone();
    body[field] = value;
    body
}

fn message_body() -> Value {
    json!({"client_id": "acme", "user_id": "user-7", "user_name": "Ada", "text": "Where is my order?"})
}

fn call_body(event: &str, call_id: &str) -> Value {
    json!({"event": event, "call_id": call_id, "client_id": "acme"})
}

fn error_body() -> Value {
    json!({"service": "crm", "operation": "sync", "error_type": "Timeout",
           "message": "CRM took 30 s", "client_id": "globex"})
}

#[tokio::test]
async fn message_is_recorded_published_and_answered() {
    let bot = Bot::start().await;
    let mut feed = bot
        .monitor
        .bus()
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("subscribe");

    let answer = bot.ok("/webhook/message", &message_body()).await;
    let reply = answer["reply"].as_str().expect("reply");
    assert!(reply.contains("Ada"), "{answer}");
    assert_eq!(bot.messages(), 1);
    assert_eq!(bot.monitor.collector().current_stats().users.total, 1);

    let event = loop {
        let got = tokio::time::timeout(Duration::from_secs(5), feed.recv())
            .await
            .expect("message:new within 5 s")
            .expect("bus open");
        if got.event().event_type == "message:new" {
            break got;
        }
    };
    assert_eq!(event.event().client_id.as_deref(), Some("acme"));
    let json: Value = serde_json::from_str(event.json()).expect("envelope");
    assert_eq!(json["data"]["user_id"], "user-7");
    assert_eq!(json["data"]["user_name"], "Ada");
    assert_eq!(json["data"]["text"], "Where is my order?");
    let rt = json["data"]["response_time_ms"]
        .as_f64()
        .expect("response time");
    assert!(
        rt > 0.0 && rt < 1_000.0,
        "simulated work of a few ms, got {rt}"
    );
}

#[tokio::test]
async fn message_refusals_name_the_field_and_record_nothing() {
    let bot = Bot::start().await;
    let path = "/webhook/message";
    let good = message_body();
    for field in ["client_id", "user_id", "user_name", "text"] {
        bot.refused(path, &without(&good, field), 400, field).await;
        bot.refused(path, &with(&good, field, json!(42)), 400, field)
            .await;
        bot.refused(path, &with(&good, field, json!(["x"])), 400, field)
            .await;
    }
    for id in ["client_id", "user_id"] {
        bot.refused(path, &with(&good, id, json!("")), 400, id)
            .await;
        bot.refused(path, &with(&good, id, json!("   ")), 400, id)
            .await;
        let long = "u".repeat(MAX_ID_BYTES + 1);
        bot.refused(path, &with(&good, id, json!(long)), 400, id)
            .await;
        bot.refused(path, &with(&good, id, json!("a\u{7}b")), 400, id)
            .await;
    }
    let long_text = "x".repeat(MAX_TEXT_CHARS + 1);
    let answer = bot
        .refused(path, &with(&good, "text", json!(long_text)), 400, "text")
        .await;
    assert_eq!(answer["error"]["code"], "invalid_parameter");
    assert_eq!(bot.messages(), 0, "nothing refused was recorded");

    // At the limits: 128-byte ids, 4096 characters of two bytes each.
    let edge = with(
        &with(&good, "user_id", json!("u".repeat(MAX_ID_BYTES))),
        "text",
        json!("é".repeat(MAX_TEXT_CHARS)),
    );
    bot.ok(path, &edge).await;
    // An empty text and an empty name are a message all the same.
    bot.ok(
        path,
        &with(&with(&good, "text", json!("")), "user_name", json!("")),
    )
    .await;
    assert_eq!(bot.messages(), 2);
}

#[tokio::test]
async fn bodies_that_are_not_json_objects_are_400_415_or_413() {
    let bot = Bot::start().await;
    for path in ["/webhook/message", "/webhook/call", "/webhook/error"] {
        let json = Some("application/json");
        for bad in [
            &b"{\"client_id\": "[..],
            b"not json",
            b"",
            b"[1, 2]",
            b"\"text\"",
        ] {
            let (status, answer) = bot.send(path, json, bad.to_vec()).await;
            assert_eq!(status, 400, "{path} {bad:?}: {answer}");
            assert_error(&answer, "body");
        }
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
        ] {
            let body = message_body().to_string().into_bytes();
            let (status, answer) = bot.send(path, content_type, body).await;
            assert_eq!(status, 415, "{path} {content_type:?}: {answer}");
            assert_eq!(answer["error"]["code"], "unsupported_media_type");
            assert!(
                answer["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("application/json"),
                "{answer}"
            );
        }
        let huge = with(&message_body(), "text", json!("x".repeat(MAX_BODY_BYTES)));
        let (status, answer) = bot.post(path, &huge).await;
        assert_eq!(status, 413, "{path}: {answer}");
        assert_eq!(answer["error"]["code"], "too_large");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("65536"),
            "{answer}"
        );
        let (status, answer) = bot
            .send(
                path,
                Some("application/json; charset=utf-8"),
                b"{}".to_vec(),
            )
            .await;
        assert_eq!(
            status, 400,
            "{path} charset parameter accepted, then fields: {answer}"
        );
    }
    // Just under the limit is read (unknown fields are ignored).
    let big = with(
        &error_body(),
        "detail",
        json!("y".repeat(MAX_BODY_BYTES - 1_024)),
    );
    bot.ok("/webhook/error", &big).await;
    assert_eq!(bot.messages(), 0);
}

#[tokio::test]
async fn other_methods_and_routes_answer_json() {
    let bot = Bot::start().await;
    let res = bot
        .http
        .get(format!("{}/webhook/message", bot.base))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 405);
    assert_eq!(
        res.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    let answer: Value = res.json().await.expect("json");
    assert_eq!(answer["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn call_lifecycle_with_the_phone_masked() {
    let bot = Bot::start().await;
    let calls = bot.monitor.activities("call");
    let mut feed = bot
        .monitor
        .bus()
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("subscribe");
    let path = "/webhook/call";

    let mut started = call_body("call_started", "c-1");
    started["phone"] = json!("+1 (555) 123-4567");
    started["direction"] = json!("inbound");
    let answer = bot.ok(path, &started).await;
    assert_eq!(
        answer["call"]["attributes"]["phone"], "*******4567",
        "{answer}"
    );
    assert_eq!(answer["call"]["attributes"]["direction"], "inbound");

    let active = calls.active();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].id, "c-1");
    assert_eq!(active[0].client_id.as_deref(), Some("acme"));
    let shown = serde_json::to_string(&active).expect("json");
    for leak in ["555", "123", "(", "+1"] {
        assert!(!shown.contains(leak), "{leak:?} in {shown}");
    }
    let event = tokio::time::timeout(Duration::from_secs(5), feed.recv())
        .await
        .expect("call:started")
        .expect("open");
    assert_eq!(event.event().event_type, "call:started");
    assert!(!event.json().contains("555"), "{}", event.json());

    // The monitor's own API shows the same masked phone.
    let res = bot
        .http
        .get(format!("{}/monitor/api/activities/call/active", bot.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 200);
    let listed = res.text().await.expect("body");
    assert!(listed.contains("*******4567"), "{listed}");
    for leak in ["555", "123", "+1"] {
        assert!(!listed.contains(leak), "{leak:?} in {listed}");
    }

    bot.refused(path, &started, 409, "call_id").await;

    let mut analyzed = call_body("call_analyzed", "c-1");
    analyzed["status"] = json!("successful");
    let answer = bot.ok(path, &analyzed).await;
    assert_eq!(answer["call"]["note"], "analyzed: successful", "{answer}");
    let analysis = bot.monitor.events("call_analysis").stats();
    assert_eq!(analysis.total, 1);
    assert_eq!(analysis.labels[0].label, "successful");

    let other_client = with(
        &call_body("call_ended", "c-1"),
        "client_id",
        json!("globex"),
    );
    bot.refused(path, &other_client, 404, "call_id").await;

    let mut ended = call_body("call_ended", "c-1");
    ended["duration_ms"] = json!(61_000);
    ended["status"] = json!("transferred");
    let answer = bot.ok(path, &ended).await;
    assert_eq!(answer["call"]["outcome"], "transferred", "{answer}");
    assert!(calls.active().is_empty());
    assert_eq!(calls.recent()[0].id, "c-1");

    bot.refused(path, &ended, 409, "call_id").await;
    bot.refused(path, &call_body("call_ended", "never"), 404, "call_id")
        .await;
    bot.refused(path, &call_body("call_analyzed", "never"), 404, "call_id")
        .await;
    // Analysis usually arrives after the end: still counted.
    bot.ok(path, &analyzed).await;
    assert_eq!(bot.monitor.events("call_analysis").stats().total, 2);
}

#[tokio::test]
async fn call_failed_logs_an_error_and_ends_the_call() {
    let bot = Bot::start().await;
    let path = "/webhook/call";
    bot.ok(path, &call_body("call_started", "c-9")).await;

    let mut failed = call_body("call_failed", "c-9");
    failed["error"] = json!("carrier dropped the call");
    failed["status"] = json!("carrier_error");
    let answer = bot.ok(path, &failed).await;
    assert_eq!(answer["call"]["outcome"], "failed", "{answer}");
    assert_eq!(
        answer["error"]["severity"], "error",
        "classifier's fallback"
    );
    let id = answer["error"]["id"].as_u64().expect("error id");
    let logged = bot.monitor.errors().get(id).expect("in the log");
    assert_eq!(logged.service, "calls");
    assert_eq!(logged.error_type, "CallFailed");
    assert_eq!(logged.message, "carrier dropped the call");
    assert_eq!(logged.client_id.as_deref(), Some("acme"));
    assert_eq!(logged.context["call_id"], "c-9");
    assert_eq!(logged.context["status"], "carrier_error");
    assert_eq!(
        logged.fingerprint,
        answer["error"]["fingerprint"].as_str().expect("fp")
    );
    assert!(bot.monitor.activities("call").active().is_empty());

    // A call that failed before it started: logged, nothing to end.
    let answer = bot.ok(path, &call_body("call_failed", "dial-1")).await;
    assert_eq!(answer["call"], Value::Null, "{answer}");
    assert_eq!(bot.monitor.errors().counters().logged, 2);
}

#[tokio::test]
async fn call_refusals_name_the_field() {
    let bot = Bot::start().await;
    let path = "/webhook/call";
    let good = call_body("call_started", "c-1");
    for field in ["event", "call_id", "client_id"] {
        bot.refused(path, &without(&good, field), 400, field).await;
        bot.refused(path, &with(&good, field, json!(7)), 400, field)
            .await;
        bot.refused(path, &with(&good, field, json!("")), 400, field)
            .await;
    }
    let answer = bot
        .refused(
            path,
            &with(&good, "event", json!("call_paused")),
            400,
            "event",
        )
        .await;
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("call_started"),
        "says what is expected: {answer}"
    );
    for (field, value) in [
        ("direction", json!("sideways")),
        ("direction", json!(1)),
        ("duration_ms", json!("long")),
        ("duration_ms", json!(-5)),
        ("duration_ms", json!(1.5)),
        ("phone", json!(5_551_234_567_u64)),
        ("phone", json!("1".repeat(65))),
        ("status", json!(false)),
        ("error", json!({"code": 1})),
    ] {
        bot.refused(path, &with(&good, field, value), 400, field)
            .await;
    }
    assert!(bot.monitor.activities("call").active().is_empty());
    assert_eq!(bot.monitor.errors().counters().logged, 0);
}

#[tokio::test]
async fn error_webhook_logs_with_the_given_severity() {
    let bot = Bot::start().await;
    let path = "/webhook/error";
    let mut feed = bot
        .monitor
        .bus()
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("subscribe");

    let answer = bot
        .ok(path, &with(&error_body(), "severity", json!("critical")))
        .await;
    assert_eq!(answer["severity"], "critical", "{answer}");
    assert_eq!(answer["regressed"], false);
    let id = answer["id"].as_u64().expect("id");
    let logged = bot.monitor.errors().get(id).expect("logged");
    assert_eq!(logged.severity.as_str(), "critical");
    assert_eq!(
        (logged.service.as_str(), logged.operation.as_str()),
        ("crm", "sync")
    );
    assert_eq!(logged.client_id.as_deref(), Some("globex"));
    assert_eq!(
        logged.fingerprint,
        answer["fingerprint"].as_str().expect("fp")
    );
    // A critical error goes out as `error:critical` and `error:logged`.
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let event = tokio::time::timeout(Duration::from_secs(5), feed.recv())
            .await
            .expect("error events within 5 s")
            .expect("open");
        seen.push(event.event().event_type.to_string());
    }
    seen.sort();
    assert_eq!(seen, ["error:critical", "error:logged"]);

    // Without a severity the classifier decides: the demo's rules say
    // payments failures are critical and rate limits warnings.
    let answer = bot.ok(path, &error_body()).await;
    assert_eq!(answer["severity"], "error");
    let payments = with(&error_body(), "service", json!("payments"));
    assert_eq!(bot.ok(path, &payments).await["severity"], "critical");
    let limited = with(&error_body(), "error_type", json!("RateLimited"));
    assert_eq!(bot.ok(path, &limited).await["severity"], "warning");
    // ...and a given severity overrides them, in any case.
    let calm = with(&payments, "severity", json!("INFO"));
    assert_eq!(bot.ok(path, &calm).await["severity"], "info");
    assert_eq!(bot.monitor.errors().counters().logged, 5);
}

#[tokio::test]
async fn error_refusals_name_the_field() {
    let bot = Bot::start().await;
    let path = "/webhook/error";
    let good = error_body();
    for field in ["service", "operation", "error_type", "message", "client_id"] {
        bot.refused(path, &without(&good, field), 400, field).await;
        bot.refused(path, &with(&good, field, json!(3)), 400, field)
            .await;
    }
    for id in ["service", "operation", "error_type", "client_id"] {
        bot.refused(path, &with(&good, id, json!(" ")), 400, id)
            .await;
    }
    let answer = bot
        .refused(
            path,
            &with(&good, "severity", json!("loud")),
            400,
            "severity",
        )
        .await;
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("critical, error, warning or info"),
        "{answer}"
    );
    bot.refused(path, &with(&good, "severity", json!(3)), 400, "severity")
        .await;
    assert_eq!(bot.monitor.errors().counters().logged, 0);
}
