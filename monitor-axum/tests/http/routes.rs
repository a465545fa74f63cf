//! Sessions, event counters and activities through `oneshot`: shapes,
//! 401 on every authenticated route, 404 for unknown kinds and families,
//! 400 naming the parameter, 405 and 413 as JSON, and 429 with
//! `Retry-After` per token.

use crate::common::*;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use monitor_axum::{MonitorAuth, RouterConfig, router};
use monitor_core::Monitor;
use monitor_core::activity::{ActivityMeta, Outcome};
use serde_json::Value;

/// Every route that needs a token, with a method.
const AUTHENTICATED: &[(Method, &str)] = &[
    (Method::GET, "/monitor/api/me"),
    (Method::GET, "/monitor/api/metrics"),
    (Method::GET, "/monitor/api/metrics/current"),
    (Method::GET, "/monitor/api/metrics/hourly"),
    (Method::GET, "/monitor/api/metrics/daily"),
    (Method::GET, "/monitor/api/metrics/sessions"),
    (Method::GET, "/monitor/api/events"),
    (Method::GET, "/monitor/api/events/buttons"),
    (Method::GET, "/monitor/api/errors"),
    (Method::GET, "/monitor/api/errors/stats"),
    (Method::GET, "/monitor/api/errors/unresolved"),
    (Method::POST, "/monitor/api/errors/1/resolve"),
    (Method::POST, "/monitor/api/errors/1/acknowledge"),
    (Method::GET, "/monitor/api/activities/call/active"),
    (Method::GET, "/monitor/api/activities/call/recent"),
    (Method::GET, "/monitor/api/activities/call/tree"),
    (Method::GET, "/monitor/api/stream"),
    (Method::GET, "/monitor/api/actions"),
    (Method::POST, "/monitor/api/actions/anything/run"),
    (Method::GET, "/monitor/api/audit"),
    (Method::GET, "/monitor/api/alerts/silences"),
    (Method::POST, "/monitor/api/alerts/silences"),
    (Method::DELETE, "/monitor/api/alerts/silences/1"),
    (Method::GET, "/monitor/api/queues"),
    (Method::GET, "/monitor/api/queues/whatsapp"),
];

#[tokio::test]
async fn every_authenticated_route_answers_401_without_a_known_token() {
    let (app, _) = app();
    for (method, path) in AUTHENTICATED {
        for token in [None, Some("nope"), Some(" ")] {
            let (status, body) = call(&app, method.clone(), path, token).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{method} {path} {token:?}"
            );
            assert_error(&body, "unauthorized");
        }
    }
    // Wrong scheme.
    let req = Request::get("/monitor/api/metrics")
        .header(header::AUTHORIZATION, format!("Basic {ADMIN}"))
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&app, req).await.0, StatusCode::UNAUTHORIZED);
}

fn calls_with_activity(monitor: &Monitor) {
    let calls = monitor.activities("call");
    calls
        .start(
            "c1",
            ActivityMeta::new()
                .client("acme")
                .category("support")
                .pii("phone", "+1 555 123 4567"),
        )
        .expect("starts");
    calls
        .start("c2", ActivityMeta::new().client("acme").category("sales"))
        .expect("starts");
    calls
        .end("c2", Outcome::new("completed").label("quality", "good"))
        .expect("active");
    calls
        .start("child", ActivityMeta::new().client("acme").parent("c1"))
        .expect("starts");
}

#[tokio::test]
async fn sessions_and_activities_have_their_shapes_and_no_pii() {
    let (app, monitor) = app();
    calls_with_activity(&monitor);

    let (status, body) = get(&app, "/monitor/api/metrics/sessions", Some(MONITOR)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["active_sessions_count"], 2);
    let call = &body["kinds"][0];
    assert_eq!(call["kind"], "call");
    assert_eq!(call["started"], 3);
    assert_eq!(call["distributions"]["quality"][0]["value"], "good");
    assert_eq!(call["distributions"]["quality"][0]["percent"], 100.0);
    assert!(call["by_category"].is_array());
    assert!(
        !body.to_string().contains("4567"),
        "no PII in figures: {body}"
    );

    let (status, body) = get(&app, "/monitor/api/activities/call/active", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = body
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(ids, ["child", "c1"], "newest first");
    let text = body.to_string();
    assert!(!text.contains("555 123"), "phone masked: {text}");
    assert!(text.contains("4567"), "last digits kept: {text}");

    let (_, body) = get(&app, "/monitor/api/activities/call/recent", Some(ADMIN)).await;
    assert_eq!(body[0]["id"], "c2");
    assert_eq!(body[0]["outcome"], "completed");
    let (_, body) = get(&app, "/monitor/api/activities/call/tree", Some(ADMIN)).await;
    let root = body
        .as_array()
        .expect("roots")
        .iter()
        .find(|n| n["activity"]["id"] == "c1")
        .expect("c1 is a root");
    assert_eq!(root["children"][0]["activity"]["id"], "child");

    for path in [
        "/monitor/api/activities/sms/active",
        "/monitor/api/activities/sms/recent",
        "/monitor/api/activities/sms/tree",
    ] {
        let (status, body) = get(&app, path, Some(ADMIN)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_error(&body, "not_found");
    }
    assert!(
        monitor.activity_kind("sms").is_none(),
        "reading does not create a kind"
    );
    let (status, body) = get(&app, "/monitor/api/activities/call/active?x=1", Some(ADMIN)).await;
    assert_names_field(status, &body, "x");
}

#[tokio::test]
async fn event_families_list_and_read_without_creating() {
    let (app, monitor) = app();
    let buttons = monitor.events("buttons");
    buttons.record("UNLOCK");
    buttons.record("UNLOCK");
    buttons.record("SHARE");

    let (status, body) = get(&app, "/monitor/api/events", Some(MONITOR)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["families"], serde_json::json!(["buttons"]));

    let (status, body) = get(
        &app,
        "/monitor/api/events/buttons?hours=6&days=2",
        Some(MONITOR),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total"], 3);
    assert_eq!(body["labels"][0]["label"], "UNLOCK");
    assert_eq!(body["labels"][0]["total"], 2);
    assert_eq!(body["hourly"].as_array().map(Vec::len), Some(6));
    assert_eq!(body["daily"].as_array().map(Vec::len), Some(2));

    let (status, body) = get(&app, "/monitor/api/events/nope", Some(MONITOR)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
    assert!(monitor.counters().get("nope").is_none());

    for (query, field) in [
        ("hours=0", "hours"),
        ("hours=25", "hours"),
        ("days=31", "days"),
        ("days=x", "days"),
        ("hours=1&hours=2", "hours"),
        ("weeks=1", "weeks"),
    ] {
        let (status, body) = get(
            &app,
            &format!("/monitor/api/events/buttons?{query}"),
            Some(ADMIN),
        )
        .await;
        assert_names_field(status, &body, field);
    }
}

#[tokio::test]
async fn methods_and_bodies_are_refused_as_json() {
    let (app, _) = app();
    let (status, body) = call(&app, Method::DELETE, "/monitor/api/metrics", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error(&body, "method_not_allowed");

    // A declared length over the limit: refused before anything is read.
    let req = Request::post("/monitor/api/errors/1/acknowledge")
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN}"))
        .header(header::CONTENT_LENGTH, (20 * 1024 * 1024).to_string())
        .body(Body::from(vec![b'x'; 70 * 1024]))
        .expect("request");
    let (status, _, bytes) = send(&app, req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = serde_json::from_slice(&bytes).expect("json");
    assert_error(&body, "too_large");

    let req = Request::post("/monitor/api/errors/1/acknowledge")
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN}"))
        .header(header::CONTENT_LENGTH, "lots")
        .body(Body::empty())
        .expect("request");
    let (status, _, bytes) = send(&app, req).await;
    let body: Value = serde_json::from_slice(&bytes).expect("json");
    assert_names_field(status, &body, "content-length");

    // A configured limit applies too.
    let monitor = Monitor::builder().start().expect("runtime");
    let small: Router = Router::new().nest(
        "/monitor",
        RouterConfig::new().body_limit(10).router(monitor, auth()),
    );
    let req = Request::post("/monitor/api/errors/1/acknowledge")
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN}"))
        .body(Body::from("x".repeat(11)))
        .expect("request");
    assert_eq!(send(&small, req).await.0, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn each_token_has_its_own_rate_limit() {
    let monitor = Monitor::builder().start().expect("runtime");
    let auth = MonitorAuth::new()
        .admin(ADMIN)
        .client("acme", ACME)
        .rate_limit(3);
    let app: Router = Router::new().nest("/monitor", router(monitor, auth));
    for _ in 0..3 {
        assert_eq!(
            get(&app, "/monitor/api/metrics", Some(ACME)).await.0,
            StatusCode::OK
        );
    }
    let (status, headers, bytes) = send(
        &app,
        request(Method::GET, "/monitor/api/metrics", Some(ACME)),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=2).contains(&retry), "retry after {retry}");
    let body: Value = serde_json::from_slice(&bytes).expect("json");
    assert_error(&body, "rate_limited");

    // Another token is not slowed down by acme's burst.
    assert_eq!(
        get(&app, "/monitor/api/metrics", Some(ADMIN)).await.0,
        StatusCode::OK
    );
    // Public routes are not limited.
    for _ in 0..10 {
        assert_eq!(get(&app, "/monitor/health", None).await.0, StatusCode::OK);
    }
    // The limit refills.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(
        get(&app, "/monitor/api/metrics", Some(ACME)).await.0,
        StatusCode::OK
    );

    // Off means off.
    let monitor = Monitor::builder().start().expect("runtime");
    let app: Router = Router::new().nest(
        "/monitor",
        router(monitor, MonitorAuth::new().admin(ADMIN).rate_limit(0)),
    );
    for _ in 0..200 {
        assert_eq!(
            get(&app, "/monitor/api/metrics", Some(ADMIN)).await.0,
            StatusCode::OK
        );
    }
}
