//! The collector's figures rendered by metrics-exporter-prometheus.

use metrics_exporter_prometheus::PrometheusBuilder;
use monitor_core::{CollectorConfig, ManualClock, MetricsCollector};
use std::time::{Duration, UNIX_EPOCH};

fn value_of(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

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
        r#"monitor_response_time_seconds{window="1h",quantile="0.99"}"#,
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
        text.contains(r#"monitor_response_time_seconds{window="1h",quantile="0.5"} NaN"#),
        "{text}"
    );
    assert_eq!(value_of(&text, "monitor_messages_total"), Some(0.0));
}
