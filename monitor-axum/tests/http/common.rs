//! What the router's integration tests share: one monitor with four
//! tokens, and requests through `tower::ServiceExt::oneshot`.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use monitor_axum::{MonitorAuth, router};
use monitor_core::Monitor;
use serde_json::Value;
use tower::ServiceExt;

pub const ADMIN: &str = "admin-token";
pub const MONITOR: &str = "monitor-token";
pub const ACME: &str = "acme-token";
pub const GLOBEX: &str = "globex-token";

/// The four tokens, without a rate limit (tests that want one set it).
pub fn auth() -> MonitorAuth {
    MonitorAuth::new()
        .admin(ADMIN)
        .monitor(MONITOR)
        .client("acme", ACME)
        .client("globex", GLOBEX)
        .rate_limit(0)
}

/// A monitor and its router nested under `/monitor`.
pub fn app() -> (Router, Monitor) {
    let monitor = Monitor::builder().start().expect("runtime");
    (
        Router::new().nest("/monitor", router(monitor.clone(), auth())),
        monitor,
    )
}

/// Sends `req` and returns the status, headers and body.
pub async fn send(app: &Router, req: Request<Body>) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let res = app.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, headers, bytes.to_vec())
}

/// A request with an optional bearer token and no body.
pub fn request(method: Method, path: &str, token: Option<&str>) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    req.body(Body::empty()).expect("request")
}

/// Status and JSON body (`Null` when the body is not JSON).
pub async fn call(
    app: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let (status, _, bytes) = send(app, request(method, path, token)).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

pub async fn get(app: &Router, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    call(app, Method::GET, path, token).await
}

pub async fn post(app: &Router, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    call(app, Method::POST, path, token).await
}

/// Asserts `body` is an `ApiError` with `code` and a message.
pub fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

/// Asserts a 400 whose message starts with the parameter's name.
pub fn assert_names_field(status: StatusCode, body: &Value, field: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {body}");
    assert_error(body, "invalid_parameter");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with(field)),
        "expected the message to name {field}: {body}"
    );
}

/// A plain-HTTP client for tests on 127.0.0.1. reqwest is built without a
/// bundled TLS provider (the workspace picks `ring`), and a client needs
/// one installed even for plain HTTP.
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// A request with an optional bearer token and a JSON body.
pub fn json_request(method: Method, path: &str, token: Option<&str>, body: &str) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    req.body(Body::from(body.to_owned())).expect("request")
}

/// Sends `body` as JSON; status and JSON answer (`Null` when not JSON).
pub async fn send_json(
    app: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    let (status, _, bytes) = send(app, json_request(method, path, token, body)).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The whole audit log as the admin reads it, newest first.
pub async fn audit_entries(app: &Router) -> Vec<Value> {
    let (status, body) = get(app, "/monitor/api/audit?limit=500", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["entries"].as_array().cloned().unwrap_or_default()
}

/// Asserts no configured token appears anywhere in `text`.
pub fn assert_no_token(text: &str) {
    for token in [ADMIN, MONITOR, ACME, GLOBEX] {
        assert!(!text.contains(token), "{token} found in {text}");
    }
}
