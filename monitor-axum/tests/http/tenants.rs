//! The tenant-isolation matrix: for every route that returns tenant data,
//! a token for tenant A sees A's objects and never B's, whatever it asks
//! for; B's objects cannot be acted on (404, as if they did not exist).

use crate::common::*;

use axum::http::StatusCode;
use monitor_core::Monitor;
use monitor_core::activity::{ActivityMeta, Outcome};
use monitor_core::errors::ErrorEvent;
use std::time::Duration;

/// Logs an error, an active call and an ended call for `tenant`, every
/// string carrying the tenant's marker; returns the error's id.
fn seed(monitor: &Monitor, tenant: &str) -> u64 {
    let marker = format!("{tenant}-marker");
    let calls = monitor.activities("call");
    let meta = || {
        ActivityMeta::new()
            .client(tenant)
            .category(format!("{marker}-category"))
            .attr("note", marker.clone())
    };
    calls
        .start(&format!("{marker}-live"), meta())
        .expect("starts");
    calls
        .start(&format!("{marker}-done"), meta())
        .expect("starts");
    calls
        .end(
            &format!("{marker}-done"),
            Outcome::new("completed").label("quality", format!("{marker}-quality")),
        )
        .expect("active");
    monitor.record_message(&format!("{marker}-user"), Duration::from_millis(50));
    monitor
        .log_error(
            ErrorEvent::new(
                format!("{marker}-service"),
                "op",
                "Timeout",
                format!("{marker} failed"),
            )
            .client(tenant),
        )
        .id
}

/// Every GET route that can return tenant data, with parameters that try
/// to widen the view.
const READS: &[&str] = &[
    "/monitor/api/metrics",
    "/monitor/api/metrics/current",
    "/monitor/api/metrics/sessions",
    "/monitor/api/errors",
    "/monitor/api/errors?client=globex",
    "/monitor/api/errors?client=globex&sort=time_asc",
    "/monitor/api/errors?q=globex",
    "/monitor/api/errors?service=globex-marker-service",
    "/monitor/api/errors?resolved=true",
    "/monitor/api/errors/stats",
    "/monitor/api/errors/unresolved",
    "/monitor/api/activities/call/active",
    "/monitor/api/activities/call/recent",
    "/monitor/api/activities/call/tree",
];

#[tokio::test]
async fn a_tenant_never_reads_another_tenants_objects() {
    let (app, monitor) = app();
    seed(&monitor, "acme");
    seed(&monitor, "globex");

    for (token, mine, theirs) in [
        (ACME, "acme-marker", "globex"),
        (GLOBEX, "globex-marker", "acme"),
    ] {
        let mut saw_mine = 0;
        for path in READS {
            let path = path.replace("globex", theirs);
            let (status, body) = get(&app, &path, Some(token)).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            let text = body.to_string();
            assert!(
                !text.contains(&format!("{theirs}-marker")),
                "{token} read {theirs}'s data at {path}: {text}"
            );
            saw_mine += usize::from(text.contains(mine));
        }
        // The routes do show the tenant its own objects, so the check
        // above is not vacuous.
        assert!(
            saw_mine >= 8,
            "{token} saw its own data on {saw_mine} routes"
        );
    }

    // Operators see both.
    for token in [ADMIN, MONITOR] {
        let (_, body) = get(&app, "/monitor/api/errors", Some(token)).await;
        let text = body.to_string();
        assert!(text.contains("acme-marker") && text.contains("globex-marker"));
    }
}

#[tokio::test]
async fn a_tenant_cannot_act_on_another_tenants_errors() {
    let (app, monitor) = app();
    let acme = seed(&monitor, "acme");
    let globex = seed(&monitor, "globex");
    for action in ["acknowledge", "resolve"] {
        let (status, body) = post(
            &app,
            &format!("/monitor/api/errors/{globex}/{action}"),
            Some(ACME),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{action}: {body}");
        assert_error(&body, "not_found");
    }
    let group = monitor.errors().get(globex).expect("logged");
    assert!(!group.acknowledged, "globex's error untouched");
    let (status, _) = post(
        &app,
        &format!("/monitor/api/errors/{acme}/acknowledge"),
        Some(ACME),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "its own error");
}

#[tokio::test]
async fn a_tenant_gets_no_host_wide_figures() {
    let (app, monitor) = app();
    seed(&monitor, "acme");
    monitor.events("buttons").record("UNLOCK");
    monitor.queue("whatsapp");
    for path in [
        "/monitor/api/metrics/hourly",
        "/monitor/api/metrics/daily",
        "/monitor/api/events",
        "/monitor/api/events/buttons",
        "/monitor/api/queues",
        "/monitor/api/queues/whatsapp",
    ] {
        let (status, body) = get(&app, path, Some(ACME)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_error(&body, "forbidden");
    }
    let (_, body) = get(&app, "/monitor/api/metrics", Some(ACME)).await;
    assert!(
        body["messages"].is_null() && body["users"].is_null(),
        "{body}"
    );
    let (_, body) = get(&app, "/monitor/api/metrics/current", Some(ACME)).await;
    assert!(body["api_response_time_p95"].is_null(), "{body}");
    assert!(body["db_pool_size"].is_null(), "{body}");
}
