//! CORS: off by default (no `Access-Control-*` header on any answer, a
//! preflight from another origin gets nothing to allow it), an allow-list
//! when configured, a clear error for an origin that is not one.

use crate::common::*;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use monitor_axum::RouterConfig;
use monitor_core::Monitor;

use super::route_table::{ROUTES, concrete};

const OPS: &str = "https://ops.example.com";
const EVIL: &str = "https://evil.example.net";

fn app_with(config: RouterConfig) -> Router {
    let monitor = Monitor::builder().start().expect("runtime");
    Router::new().nest("/monitor", config.router(monitor, auth()))
}

fn preflight(path: &str, origin: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri(path)
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization,content-type",
        )
        .body(Body::empty())
        .expect("request")
}

fn from_origin(method: Method, path: &str, origin: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::ORIGIN, origin)
        .header(header::AUTHORIZATION, format!("Bearer {ADMIN}"))
        .body(Body::empty())
        .expect("request")
}

fn cors_headers(headers: &HeaderMap) -> Vec<String> {
    headers
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k.starts_with("access-control-"))
        .collect()
}

/// Every route's path, plus one no route serves.
fn paths() -> impl Iterator<Item = String> {
    ROUTES
        .iter()
        .filter(|r| r.template != "/ws" && r.template != "/api/stream")
        .map(|r| concrete(r.template, 1))
        .chain(["/monitor/nope".to_owned()])
}

#[tokio::test]
async fn off_by_default() {
    let app = app_with(RouterConfig::new());
    for path in paths() {
        for req in [
            preflight(&path, EVIL),
            preflight(&path, OPS),
            from_origin(Method::GET, &path, EVIL),
            from_origin(Method::POST, &path, EVIL),
        ] {
            let what = format!("{} {path}", req.method());
            let (_, headers, _) = send(&app, req).await;
            assert!(cors_headers(&headers).is_empty(), "{what}: {headers:?}");
        }
    }
}

#[tokio::test]
async fn a_listed_origin_is_allowed_and_no_other() {
    let config = RouterConfig::new()
        .cors_allow_origins([OPS, "http://localhost:3000"])
        .expect("valid origins");
    let app = app_with(config);

    let (status, headers, _) = send(&app, preflight("/monitor/api/errors", OPS)).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], OPS);
    let methods = headers[header::ACCESS_CONTROL_ALLOW_METHODS]
        .to_str()
        .expect("ascii");
    assert!(
        methods.contains("GET") && methods.contains("POST"),
        "{methods}"
    );
    let allowed = headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .expect("ascii");
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );
    assert!(
        !headers.contains_key(header::ACCESS_CONTROL_ALLOW_CREDENTIALS),
        "bearer tokens, no cookies: {headers:?}"
    );

    // The actual request, answered or refused, names the origin too (so
    // a page can read the 401 / 429).
    let (status, headers, _) = send(&app, from_origin(Method::GET, "/monitor/api/me", OPS)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], OPS);
    let req = Request::get("/monitor/api/me")
        .header(header::ORIGIN, "http://localhost:3000")
        .body(Body::empty())
        .expect("request");
    let (status, headers, _) = send(&app, req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "http://localhost:3000"
    );

    // Any other origin (a near miss included) gets nothing at all.
    for origin in [
        EVIL,
        "https://ops.example.com.evil.net",
        "http://ops.example.com",
        "https://ops.example.com:444",
        "null",
    ] {
        for path in paths() {
            for req in [
                preflight(&path, origin),
                from_origin(Method::GET, &path, origin),
            ] {
                let what = format!("{origin} {} {path}", req.method());
                let (_, headers, _) = send(&app, req).await;
                assert!(cors_headers(&headers).is_empty(), "{what}: {headers:?}");
            }
        }
    }
    // A preflight from elsewhere is not answered by CORS at all.
    let (status, _, _) = send(&app, preflight("/monitor/api/errors", EVIL)).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_bad_origin_is_a_clear_error() {
    for bad in [
        "*",
        "https://*.example.com",
        "https://ops.example.com/",
        "ops.example.com",
        "null",
    ] {
        let e = RouterConfig::new()
            .cors_allow_origins([OPS, bad])
            .expect_err(bad);
        assert_eq!(e.origin, bad);
        let message = e.to_string();
        assert!(message.starts_with("CORS origin"), "{message}");
    }
    // An empty list is CORS off again.
    let app = app_with(
        RouterConfig::new()
            .cors_allow_origins([OPS])
            .expect("valid")
            .cors_allow_origins(Vec::<String>::new())
            .expect("empty is fine"),
    );
    let (_, headers, _) = send(&app, preflight("/monitor/api/errors", OPS)).await;
    assert!(cors_headers(&headers).is_empty(), "{headers:?}");
}
