//! The router through `tower::ServiceExt::oneshot`: shapes, 401 / 403 /
//! 404 / 400 for the metrics and errors routes.

use crate::common::*;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use monitor_core::errors::ErrorEvent;
use std::time::Duration;
use tower::ServiceExt;

#[tokio::test]
async fn health_is_public_and_cached() {
    let (app, _) = app();
    let (status, body) = get(&app, "/monitor/health", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "healthy");
    assert!(body["checks"].is_object());
    assert!(body["uptime_seconds"].is_u64());
}

#[tokio::test]
async fn tokens_are_required_and_checked() {
    let (app, _) = app();
    for token in [None, Some("wrong"), Some("")] {
        let (status, body) = get(&app, "/monitor/api/metrics", token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_error(&body, "unauthorized");
    }
    let req = Request::get("/monitor/api/metrics")
        .body(Body::empty())
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("infallible");
    assert_eq!(
        res.headers()
            .get(header::WWW_AUTHENTICATE)
            .map(|v| v.as_bytes()),
        Some(&b"Bearer"[..])
    );
    let (status, body) = get(&app, "/monitor/no/such/route", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
}

#[tokio::test]
async fn metrics_shapes_for_operators_and_tenants() {
    let (app, monitor) = app();
    monitor.record_message("u1", Duration::from_millis(100));
    monitor.record_message("u2", Duration::from_millis(300));
    monitor.log_error(ErrorEvent::new("db", "q", "Timeout", "slow").client("acme"));
    monitor.log_error(ErrorEvent::new("db", "q", "Timeout", "slow").client("globex"));

    let (status, body) = get(&app, "/monitor/api/metrics", Some(MONITOR)).await;
    assert_eq!(status, StatusCode::OK);
    for key in [
        "timestamp",
        "uptime",
        "messages",
        "users",
        "errors",
        "system",
    ] {
        assert!(body.get(key).is_some(), "{key} missing: {body}");
    }
    assert_eq!(body["messages"]["total"], 2);
    for key in [
        "last_hour",
        "last_24h",
        "avg_response_time",
        "p50",
        "p95",
        "p99",
    ] {
        assert!(
            body["messages"].get(key).is_some(),
            "messages.{key}: {body}"
        );
    }
    assert_eq!(body["users"]["active_now"], 2);
    assert_eq!(body["errors"]["total"], 2);
    assert!(body["system"].get("memory_mb").is_some());

    let (status, body) = get(&app, "/monitor/api/metrics", Some(ACME)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["messages"].is_null(),
        "everyone's volume is not a tenant's: {body}"
    );
    assert_eq!(body["errors"]["total"], 1, "acme's own errors only");

    let (status, body) = get(&app, "/monitor/api/metrics/current", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::OK);
    for key in [
        "active_sessions_count",
        "avg_connection_quality",
        "error_rate_last_hour",
        "api_response_time_p95",
        "db_pool_active",
        "db_pool_size",
        "system_health",
    ] {
        assert!(body.get(key).is_some(), "{key} missing: {body}");
    }
    assert!(body["db_pool_size"].is_null(), "no pool provider");
    assert_eq!(body["system_health"], "healthy");
}

#[tokio::test]
async fn series_validate_their_parameter_and_are_for_operators() {
    let (app, _) = app();
    let (status, body) = get(&app, "/monitor/api/metrics/hourly?hours=48", Some(MONITOR)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_array().map(Vec::len), Some(48));
    let (_, body) = get(&app, "/monitor/api/metrics/daily", Some(MONITOR)).await;
    assert_eq!(body.as_array().map(Vec::len), Some(7));
    for bad in [
        "hours=0",
        "hours=169",
        "hours=abc",
        "hours=-1",
        "hours=99999999999999999999999",
    ] {
        let (status, body) = get(
            &app,
            &format!("/monitor/api/metrics/hourly?{bad}"),
            Some(MONITOR),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("hours")),
            "{body}"
        );
    }
    let (status, body) = get(&app, "/monitor/api/metrics/daily?weeks=2", Some(MONITOR)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("weeks")),
        "{body}"
    );
    let (status, body) = get(&app, "/monitor/api/metrics/hourly", Some(ACME)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "forbidden");
}

#[tokio::test]
async fn errors_are_confined_to_their_tenant() {
    let (app, monitor) = app();
    let acme = monitor.log_error(ErrorEvent::new("db", "q", "Timeout", "acme's").client("acme"));
    let globex =
        monitor.log_error(ErrorEvent::new("db", "q", "Timeout", "globex's").client("globex"));

    let (status, body) = get(&app, "/monitor/api/errors", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 2);
    for token in [ACME] {
        for path in [
            "/monitor/api/errors",
            "/monitor/api/errors?client=globex",
            "/monitor/api/errors?q=globex",
        ] {
            let (status, body) = get(&app, path, Some(token)).await;
            assert_eq!(status, StatusCode::OK);
            let ids: Vec<u64> = body["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .filter_map(|e| e["id"].as_u64())
                .collect();
            assert!(!ids.contains(&globex.id), "{path}: acme saw globex's error");
            assert!(
                body["errors"]
                    .as_array()
                    .expect("errors")
                    .iter()
                    .all(|e| e["client_id"] == "acme")
            );
        }
        let (_, body) = get(&app, "/monitor/api/errors/unresolved", Some(token)).await;
        assert!(
            body.as_array()
                .expect("groups")
                .iter()
                .all(|g| g["client_id"] == "acme"),
            "{body}"
        );
        let (_, body) = get(&app, "/monitor/api/errors/stats", Some(token)).await;
        assert_eq!(body["by_severity"]["error"], 1, "{body}");
    }
    let (status, body) = get(&app, "/monitor/api/errors?limit=0", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("limit")),
        "{body}"
    );
    let (status, _) = get(&app, "/monitor/api/errors?bogus=1", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let post = |path: String, token| {
        let app = app.clone();
        async move { post(&app, &path, Some(token)).await }
    };
    let resolve = |id: u64| format!("/monitor/api/errors/{id}/resolve");
    let ack = |id: u64| format!("/monitor/api/errors/{id}/acknowledge");
    assert_eq!(
        post(resolve(acme.id), MONITOR).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(post(resolve(acme.id), ACME).await.0, StatusCode::FORBIDDEN);
    assert_eq!(post(ack(acme.id), MONITOR).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        post(ack(globex.id), ACME).await.0,
        StatusCode::NOT_FOUND,
        "another tenant's error"
    );
    assert_eq!(
        post(resolve(globex.id), ACME).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(post(ack(999_999), ADMIN).await.0, StatusCode::NOT_FOUND);
    let (status, body) = post("/monitor/api/errors/abc/resolve".into(), ADMIN).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("id")),
        "{body}"
    );
    let (status, body) = post(ack(acme.id), ACME).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["client_id"], "acme");
    let (status, body) = post(resolve(globex.id), ADMIN).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "resolved");
    let (status, body) = get(&app, "/monitor/api/errors/1/resolve", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error(&body, "method_not_allowed");
}
