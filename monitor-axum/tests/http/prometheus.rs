//! `GET /metrics`: the monitor's series and the host's own `metrics::`
//! series in one well-formed exposition, public or behind a token.

use crate::common::*;

use std::collections::HashSet;
use std::time::Duration;

use axum::Router;
use axum::http::{Method, StatusCode, header};
use monitor_axum::router;
use monitor_core::Monitor;
use monitor_core::errors::ErrorEvent;

/// Checks the text format line by line: every sample belongs to a family
/// declared once with `# TYPE`, names and labels are well-formed.
fn assert_well_formed(text: &str) {
    let mut families = HashSet::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let name = rest.split(' ').next().expect("name");
            assert!(
                families.insert(name.to_owned()),
                "family {name} declared twice"
            );
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("sample: series value");
        assert!(
            value.parse::<f64>().is_ok() || ["NaN", "+Inf", "-Inf"].contains(&value),
            "value of {line:?}"
        );
        let name = series.split('{').next().expect("name");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "name {name:?}"
        );
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s).filter(|f| families.contains(*f)))
            .unwrap_or(name);
        assert!(families.contains(family), "{name} has no # TYPE");
        if let Some(labels) = series.strip_prefix(name) {
            assert!(
                labels.is_empty() || (labels.starts_with('{') && labels.ends_with('}')),
                "labels of {line:?}"
            );
        }
    }
}

#[tokio::test]
async fn metrics_render_the_monitor_and_the_host_together() {
    let (app, monitor) = app();
    monitor.record_message("u1", Duration::from_millis(120));
    monitor.log_error(ErrorEvent::new("payments", "charge", "Timeout", "slow"));
    monitor.activities("call");
    metrics::counter!("host_orders_total", "shop" => "main").increment(3);
    let (status, _) = get(&app, "/monitor/api/metrics", Some("wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, headers, body) = send(&app, request(Method::GET, "/monitor/metrics", None)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = String::from_utf8(body).expect("utf-8");
    for needle in [
        "monitor_messages_total ",
        "monitor_response_time_seconds{",
        "monitor_users{",
        "monitor_errors_total{severity=\"error\",service=\"payments\"}",
        "monitor_health_status",
        "monitor_bus_subscribers",
        "monitor_api_rejected_total{reason=\"unauthorized\"}",
        "host_orders_total{shop=\"main\"} 3",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
    assert!(!text.contains("u1"), "no user id becomes a label");
    assert_well_formed(&text);
}

#[tokio::test]
async fn metrics_can_require_a_token() {
    let monitor = Monitor::builder().start().expect("runtime");
    let app: Router = Router::new().nest(
        "/monitor",
        router(monitor, auth().protect_metrics(true).protect_health(true)),
    );
    for path in ["/monitor/metrics", "/monitor/health"] {
        let (status, body) = get(&app, path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_error(&body, "unauthorized");
        let (status, _, _) = send(&app, request(Method::GET, path, Some(ACME))).await;
        assert_eq!(status, StatusCode::OK, "{path}: any role may read it");
    }
}
