//! The dashboard's page and files: served without a token, with the
//! Content-Security-Policy and `nosniff`, the right content types, links
//! that resolve wherever the page is nested, 304 on a matching `ETag`, and
//! a JSON 404 for every name outside the embedded table (traversal
//! included).

use crate::common::*;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

async fn fetch(path: &str) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let (app, _) = app();
    send(&app, request(Method::GET, path, None)).await
}

#[tokio::test]
async fn the_page_is_html_with_a_strict_policy() {
    let (status, headers, body) = fetch("/monitor").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    let csp = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii");
    for part in [
        "default-src 'self'",
        "script-src 'self';",
        "style-src 'self';",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(part), "{part} missing from {csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    let html = String::from_utf8(body).expect("utf-8");
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains(r#"<script type="module" src="monitor/assets/app.js">"#));
    // No inline script or style anywhere in the page (the policy would
    // block them).
    assert!(!html.contains("<script>") && !html.contains("style="));
    assert!(!html.contains("<style"));
}

#[tokio::test]
async fn links_resolve_at_the_prefix_and_as_a_folder() {
    // axum nests the router's `/` at `/monitor` exactly: links must carry
    // the segment there, and not when a host serves the folder form.
    let (_, _, body) = fetch("/monitor?x=1").await;
    let html = String::from_utf8(body).expect("utf-8");
    assert!(
        html.contains(r#"href="monitor/assets/style.css""#),
        "{html}"
    );
    assert!(!html.contains(r#"="assets/"#));
    let monitor = monitor_core::Monitor::builder().start().expect("runtime");
    let inner: axum::Router = monitor_axum::router(monitor, auth());
    let app = axum::Router::new().nest_service("/ops", inner);
    let (status, _, body) = send(&app, request(Method::GET, "/ops/", None)).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).expect("utf-8");
    assert!(html.contains(r#"src="assets/app.js""#), "{html}");
}

#[tokio::test]
async fn assets_have_their_types() {
    for (name, kind) in [
        ("app.js", "text/javascript; charset=utf-8"),
        ("uPlot.iife.min.js", "text/javascript; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("uPlot.min.css", "text/css; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
        ("uPlot.LICENSE", "text/plain; charset=utf-8"),
    ] {
        let (status, headers, body) = fetch(&format!("/monitor/assets/{name}")).await;
        assert_eq!(status, StatusCode::OK, "{name}");
        assert_eq!(headers[header::CONTENT_TYPE], kind, "{name}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(!body.is_empty());
    }
}

/// Every module a served module imports (`from './x.js'`) is served too,
/// so a file added to `assets/` but not to the embedded table fails here,
/// not only in a browser.
#[tokio::test]
async fn every_imported_module_is_served() {
    let mut queue = vec!["app.js".to_owned()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = queue.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let (status, _, body) = fetch(&format!("/monitor/assets/{name}")).await;
        assert_eq!(status, StatusCode::OK, "{name} is imported but not served");
        let text = String::from_utf8(body).expect("utf-8");
        for part in text.split("from './").skip(1) {
            let import = part.split('\'').next().expect("a name");
            queue.push(import.to_owned());
        }
    }
    for module in [
        "ops.js",
        "queues.js",
        "actions.js",
        "audit.js",
        "backup.js",
        "analytics.js",
        "heatmap.js",
        "topusers.js",
        "changes.js",
        "marks.js",
    ] {
        assert!(
            seen.contains(module),
            "{module} not reached from app.js: {seen:?}"
        );
    }
}

#[tokio::test]
async fn a_matching_etag_is_a_304() {
    let (app, _) = app();
    let (_, headers, _) = send(&app, request(Method::GET, "/monitor/assets/app.js", None)).await;
    assert!(
        headers[header::ETAG]
            .to_str()
            .expect("ascii")
            .starts_with('"')
    );
    let etag = headers[header::ETAG].clone();
    let req = Request::builder()
        .uri("/monitor/assets/app.js")
        .header(header::IF_NONE_MATCH, etag)
        .body(Body::empty())
        .expect("request");
    let (status, _, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
}

#[tokio::test]
async fn unknown_names_and_traversal_are_json_404() {
    for path in [
        "/monitor/assets/nope.js",
        "/monitor/assets/",
        "/monitor/assets/../Cargo.toml",
        "/monitor/assets/%2e%2e%2fCargo.toml",
        "/monitor/assets/..%2f..%2fCargo.toml",
        "/monitor/assets/%2e%2e/Cargo.toml",
        "/monitor/assets/app.js/x",
        "/monitor/assets/APP.JS",
        "/monitor/index.html",
    ] {
        let (status, headers, body) = fetch(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/json", "{path}");
        let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_error(&body, "not_found");
    }
}

#[tokio::test]
async fn me_says_what_the_token_may_do() {
    let (app, _) = app();
    let (status, admin) = get(&app, "/monitor/api/me", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(admin["role"], "admin");
    assert_eq!(admin["can_resolve"], true);
    let (_, acme) = get(&app, "/monitor/api/me", Some(ACME)).await;
    assert_eq!(acme["role"], "client");
    assert_eq!(acme["client_id"], "acme");
    assert_eq!(
        (&acme["can_resolve"], &acme["can_acknowledge"]),
        (&false.into(), &true.into())
    );
    let (_, monitor) = get(&app, "/monitor/api/me", Some(MONITOR)).await;
    assert_eq!(
        (&monitor["sees_all"], &monitor["can_acknowledge"]),
        (&true.into(), &false.into())
    );
    let (status, _) = get(&app, "/monitor/api/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn health_names_its_threshold_limits() {
    let (app, _) = app();
    let (_, body) = get(&app, "/monitor/health", None).await;
    let limits = &body["thresholds"]["limits"];
    assert_eq!(limits["degraded_error_rate"], 0.02);
    assert_eq!(limits["critical_error_rate"], 0.05);
    assert_eq!(limits["degraded_p95_ms"], 500.0);
    assert_eq!(limits["critical_p95_ms"], 1000.0);
}
