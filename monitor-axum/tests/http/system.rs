//! The process's resources in `/api/metrics` `system` (operators only)
//! and in `/metrics`.

use crate::common::*;

use axum::http::StatusCode;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_metrics_system_for_operators_and_nulls_for_tenants() {
    let (app, monitor) = app();
    let (status, body) = get(&app, "/monitor/api/metrics", Some(MONITOR)).await;
    assert_eq!(status, StatusCode::OK);
    let system = &body["system"];
    let rss = system["rss_bytes"].as_u64().expect("rss");
    assert!(rss > 1024 * 1024, "{system}");
    let mb = system["memory_mb"].as_f64().expect("memory_mb");
    assert!((mb - rss as f64 / 1_048_576.0).abs() < 1e-6, "{system}");
    assert!(
        system["open_fds"].as_u64().is_some_and(|n| n >= 3),
        "{system}"
    );
    assert!(system["cpu_seconds_total"].as_f64().is_some(), "{system}");
    assert_eq!(system["cpu_percent"], Value::Null, "one sample so far");
    assert_eq!(system["disk"], Value::Null, "no snapshot file");
    assert_eq!(system["tokio"]["workers"], 2, "{system}");
    assert!(
        system["tokio"]["alive_tasks"]
            .as_u64()
            .is_some_and(|n| n >= 1)
    );
    assert!(system["tokio"]["global_queue_depth"].as_u64().is_some());
    assert!(
        system["sampled_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(
        monitor.system().rss_bytes,
        Some(rss),
        "the monitor's sample"
    );

    let (_, body) = get(&app, "/monitor/api/metrics", Some(ACME)).await;
    let fields = body["system"].as_object().expect("an object");
    assert_eq!(fields.len(), 8, "{body}");
    assert!(
        fields.values().all(Value::is_null),
        "a tenant sees no host figure: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_carries_the_process_and_runtime_gauges() {
    let (app, monitor) = app();
    monitor.sample_system();
    let (status, _, bytes) = send(
        &app,
        request(axum::http::Method::GET, "/monitor/metrics", None),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes).expect("utf-8");
    for family in [
        "process_resident_memory_bytes",
        "process_open_fds",
        "monitor_process_cpu_percent",
        "monitor_tokio_workers",
        "monitor_tokio_alive_tasks",
        "monitor_tokio_global_queue_depth",
    ] {
        assert!(
            text.contains(&format!("# TYPE {family} gauge")),
            "{family} missing"
        );
    }
}
