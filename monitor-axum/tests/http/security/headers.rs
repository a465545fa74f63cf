//! The dashboard's security headers on every answer it gives: the page,
//! each file, a 304 for either, and a 404 for a name it does not have.

use crate::common::*;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};

fn assert_secure(what: &str, headers: &HeaderMap) {
    let csp = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{what}: no Content-Security-Policy in {headers:?}"));
    for part in ["default-src 'self'", "frame-ancestors 'none'"] {
        assert!(csp.contains(part), "{what}: {part} missing from {csp}");
    }
    assert_eq!(
        headers
            .get(header::X_CONTENT_TYPE_OPTIONS)
            .map(|v| v.as_bytes()),
        Some(&b"nosniff"[..]),
        "{what}"
    );
    assert_eq!(
        headers.get(header::REFERRER_POLICY).map(|v| v.as_bytes()),
        Some(&b"no-referrer"[..]),
        "{what}"
    );
}

#[tokio::test]
async fn every_dashboard_answer_carries_the_security_headers() {
    let (app, _) = app();
    for path in [
        "/monitor",
        "/monitor/assets/app.js",
        "/monitor/assets/style.css",
        "/monitor/assets/favicon.svg",
    ] {
        let (status, headers, _) = send(&app, request(Method::GET, path, None)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_secure(path, &headers);

        let etag = headers[header::ETAG].clone();
        let req = Request::get(path)
            .header(header::IF_NONE_MATCH, etag)
            .body(Body::empty())
            .expect("request");
        let (status, headers, _) = send(&app, req).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}");
        assert_secure(&format!("304 {path}"), &headers);
    }
    for path in [
        "/monitor/assets/nope.js",
        "/monitor/assets/..%2fCargo.toml",
        "/monitor/assets/APP.JS",
    ] {
        let (status, headers, _) = send(&app, request(Method::GET, path, None)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_secure(&format!("404 {path}"), &headers);
    }
}
