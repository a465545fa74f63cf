//! The collector's figures rendered by metrics-exporter-prometheus.

use crate::support::value_of;

use metrics_exporter_prometheus::PrometheusBuilder;
use monitor_core::{CollectorConfig, ManualClock, MetricsCollector};
use std::time::{Duration, UNIX_EPOCH};

#[test]
fn publishes_messages_quantiles_and_users_next_to_host_metrics() {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_794_787_200));
    let c = MetricsCollector::new(CollectorConfig::default().with_clock(clock));
    for i in 0..100u64 {
        c.record_message(&format!("u{}", i % 10), Duration::from_millis(100 + i));
    }
    metrics::with_local_recorder(&recorder, || {
        metrics::counter!("host_orders_total").increment(3);
        c.publish_metrics();
        c.publish_metrics(); // publishing twice must not double anything
    });
    let text = handle.render();

    assert_eq!(
        value_of(&text, "monitor_messages_total"),
        Some(100.0),
        "{text}"
    );
    assert_eq!(value_of(&text, "host_orders_total"), Some(3.0));
    assert_eq!(
        value_of(&text, r#"monitor_users{window="all"}"#),
        Some(10.0)
    );
    assert_eq!(
        value_of(&text, r#"monitor_users{window="30m"}"#),
        Some(10.0)
    );
    assert_eq!(
        value_of(&text, r#"monitor_messages_in_window{window="1h"}"#),
        Some(100.0)
    );
    let p99 = value_of(
        &text,
        r#"monitor_response_time_seconds{window="1h",percentile="99"}"#,
    )
    .expect("p99 series");
    assert!((p99 - 0.199).abs() / 0.199 < 0.02, "p99 {p99}");
    assert!(text.contains("# TYPE monitor_messages_total counter"));
    assert!(text.contains("# HELP monitor_users Distinct users"));

    // One family per name: no duplicate TYPE lines.
    let mut types: Vec<&str> = text.lines().filter(|l| l.starts_with("# TYPE")).collect();
    let before = types.len();
    types.sort_unstable();
    types.dedup();
    assert_eq!(types.len(), before, "duplicate families in\n{text}");
    // No user id ever becomes a label.
    assert!(!text.contains("u1\""), "user id leaked into labels");
}

#[test]
fn empty_windows_publish_nan_not_zero() {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let c = MetricsCollector::new(CollectorConfig::default());
    metrics::with_local_recorder(&recorder, || c.publish_metrics());
    let text = handle.render();
    assert!(
        text.contains(r#"monitor_response_time_seconds{window="1h",percentile="50"} NaN"#),
        "{text}"
    );
    assert_eq!(value_of(&text, "monitor_messages_total"), Some(0.0));
}

/// Every part of a `Monitor` on one recorder: one `# TYPE` line per family,
/// every sample line well formed, no user id or phone in a label.
#[tokio::test]
async fn a_whole_monitor_renders_clean_families() {
    use monitor_core::Monitor;
    use monitor_core::activity::{ActivityMeta, Outcome};
    use monitor_core::alerts::{AlertRouter, LogSink, Route};
    use monitor_core::errors::ErrorEvent;
    use monitor_core::health::{CheckOptions, CheckResult, FnCheck, Health};
    use std::collections::HashSet;

    let monitor = Monitor::builder()
        .alerts(AlertRouter::new().route(Route::new("all").sink(LogSink)))
        .health(Health::builder().check(
            "db",
            FnCheck::new(|| async { CheckResult::up("ok") }),
            CheckOptions::required(),
        ))
        .start()
        .expect("runtime");
    monitor.record_message("user-secret-42", Duration::from_millis(120));
    monitor.log_error(ErrorEvent::new("db", "q", "Timeout", "slow").client("acme"));
    monitor.events("buttons").record("UNLOCK_CONTENT");
    monitor.heartbeat("webhook");
    let meta = ActivityMeta::new()
        .client("acme")
        .pii("phone", "+15558675309");
    monitor
        .activities("call")
        .start("c1", meta)
        .expect("started");
    monitor
        .activities("call")
        .end("c1", Outcome::new("completed"))
        .expect("ended");
    monitor.health().refresh().await;

    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || {
        monitor.publish_metrics();
        monitor.publish_metrics();
    });
    let text = handle.render();

    let mut families = HashSet::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let name = rest.split(' ').next().expect("name");
            assert!(
                families.insert(name.to_owned()),
                "family {name} declared twice:\n{text}"
            );
        } else if !line.starts_with('#') {
            let value = line.rsplit(' ').next().expect("value");
            assert!(
                value.parse::<f64>().is_ok() || value == "NaN",
                "bad sample: {line}"
            );
        }
    }
    for family in [
        "monitor_messages_total",
        "monitor_health_status",
        "monitor_health_check_up",
        "monitor_activities_total",
        "monitor_events_total",
        "monitor_bus_subscribers",
        "monitor_errors_total",
    ] {
        assert!(families.contains(family), "{family} missing:\n{text}");
    }
    assert_eq!(
        value_of(&text, r#"monitor_health_check_up{check="db"}"#),
        Some(1.0)
    );
    assert_eq!(
        value_of(
            &text,
            r#"monitor_events_total{family="buttons",label="UNLOCK_CONTENT"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        value_of(
            &text,
            r#"monitor_errors_total{severity="error",service="db"}"#
        ),
        Some(1.0)
    );
    for secret in ["user-secret-42", "5558675309", "acme"] {
        assert!(
            !text.contains(secret),
            "{secret} leaked into a label:\n{text}"
        );
    }
}
