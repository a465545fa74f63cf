//! The per-token rate limit on every authenticated route of the table:
//! past it, 429 with `Retry-After`, whatever the route would have
//! answered (200, 400, 403, 404), and the `/ws` upgrade counts too when
//! its token comes with the request.

use crate::common::*;
use crate::ws::harness::Server;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use monitor_axum::{MonitorAuth, router};
use monitor_core::Monitor;
use serde_json::Value;
use tower::ServiceExt;

use super::route_table::{Access, authenticated, concrete};

const LIMIT: u32 = 3;

fn limited() -> MonitorAuth {
    MonitorAuth::new()
        .admin(ADMIN)
        .client("acme", ACME)
        .rate_limit(LIMIT)
}

/// Status, `Retry-After` and body of one request (the body is not read
/// past its head for the SSE stream).
async fn hit(
    app: &Router,
    method: &axum::http::Method,
    path: &str,
    token: &str,
) -> (StatusCode, Option<u64>, Value) {
    let req = Request::builder()
        .method(method.clone())
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    let retry = res
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body = if status == StatusCode::TOO_MANY_REQUESTS {
        use http_body_util::BodyExt;
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    (status, retry, body)
}

#[tokio::test]
async fn every_authenticated_route_is_rate_limited() {
    let mut checked = 0;
    for route in authenticated().filter(|r| r.access == Access::Token) {
        let monitor = Monitor::builder().start().expect("runtime");
        let app: Router = Router::new().nest("/monitor", router(monitor, limited()));
        let path = concrete(route.template, 1);
        for token in [ACME, ADMIN] {
            for n in 0..LIMIT {
                let (status, _, _) = hit(&app, &route.method, &path, token).await;
                assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "{path} request {n}");
            }
            let (status, retry, body) = hit(&app, &route.method, &path, token).await;
            assert_eq!(
                status,
                StatusCode::TOO_MANY_REQUESTS,
                "{} {path}",
                route.method
            );
            assert!(
                retry.is_some_and(|s| s >= 1),
                "{path}: Retry-After {retry:?}"
            );
            assert_error(&body, "rate_limited");
        }
        checked += 1;
    }
    assert!(checked >= 18, "{checked} routes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_upgrades_count_against_the_token() {
    let monitor = Monitor::builder().start().expect("runtime");
    let server = Server::axum_with(&monitor, limited()).await;
    // A ?token= upgrade is a request of that token.
    let mut open = Vec::new();
    for _ in 0..LIMIT {
        open.push(server.open(ACME, "errors").await);
    }
    let (status, body) = server.refused(&format!("token={ACME}")).await;
    assert_eq!(status, 429, "{body}");
    assert_error(&body, "rate_limited");
    // And so is one through the API: the same budget.
    let client = http_client();
    let response = client
        .get(format!("{}/api/me", server.http_base()))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), 200, "another token is not slowed");
    let response = client
        .get(format!("{}/api/me", server.http_base()))
        .bearer_auth(ACME)
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    for ws in open {
        ws.close().await;
    }
}
