//! Period-over-period changes and anomaly flags over real HTTP: the
//! series routes' and `/api/metrics`' JSON shapes on a `ManualClock`.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use monitor_axum::RouterConfig;
use monitor_core::clock::rfc3339;
use monitor_core::errors::ErrorEvent;
use monitor_core::{ManualClock, Monitor};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::*;

/// Midnight UTC, 2026-11-15.
const DAY0: u64 = 1_794_787_200;

fn at(hour: u64, minute: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(DAY0 + hour * 3600 + minute * 60)
}

/// A monitor on a manual clock, served on 127.0.0.1 without the body
/// cache (the clock moves between requests).
async fn serve(clock: &ManualClock) -> (SocketAddr, Monitor) {
    let monitor = Monitor::builder()
        .clock(clock.clone())
        .start()
        .expect("runtime");
    let app: Router = Router::new().nest(
        "/monitor",
        RouterConfig::new()
            .api_cache(Duration::ZERO)
            .router(monitor.clone(), auth()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, monitor)
}

async fn fetch(addr: SocketAddr, path: &str, token: &str) -> (StatusCode, Value) {
    let res = http_client()
        .get(format!("http://{addr}/monitor{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = res.status();
    (status, res.json().await.expect("json"))
}

fn record(monitor: &Monitor, n: usize) {
    for i in 0..n {
        monitor.record_message(&format!("user-{}", i % 20), Duration::from_millis(90));
    }
}

#[tokio::test]
async fn series_buckets_carry_errors_changes_and_flags() {
    let clock = ManualClock::new(at(0, 0));
    let (addr, monitor) = serve(&clock).await;
    for h in 0..30 {
        clock.set(at(h, 1));
        record(&monitor, if h == 29 { 400 } else { 100 });
        let errors = if h == 27 { 40 } else { 1 };
        for _ in 0..errors {
            monitor.log_error(ErrorEvent::new("db", "query", "Timeout", "slow"));
        }
    }
    clock.set(at(30, 1));

    let (status, body) = fetch(addr, "/api/metrics/hourly?hours=24", MONITOR).await;
    assert_eq!(status, StatusCode::OK);
    let hours = body.as_array().expect("a series");
    assert_eq!(hours.len(), 24);
    let spike = &hours[22];
    for key in [
        "start",
        "count",
        "unique_users",
        "avg_response_time_ms",
        "p50_ms",
        "p95_ms",
        "p99_ms",
    ] {
        assert!(
            spike.get(key).is_some(),
            "the collector's {key} stays: {spike}"
        );
    }
    assert_eq!(spike["start"], rfc3339::format(at(29, 0)));
    assert_eq!(spike["count"], 400);
    assert_eq!(spike["partial"], false);
    assert_eq!(spike["errors"], 1);
    assert_eq!(spike["error_rate"], 0.0025);
    assert_eq!(spike["previous_start"], rfc3339::format(at(5, 0)));
    assert_eq!(spike["change"]["count"]["previous"], 100.0);
    assert_eq!(spike["change"]["count"]["change_pct"], 300.0);
    assert_eq!(spike["change"]["error_rate"]["previous"], 0.01);
    let pct = spike["change"]["error_rate"]["change_pct"].as_f64();
    assert!(pct.is_some_and(|p| (p + 75.0).abs() < 1e-9), "{pct:?}");
    assert!(spike["change"]["p95_ms"]["previous"].is_f64());
    assert_eq!(spike["anomaly"], true);
    let flag = &spike["anomalies"]["count"];
    assert_eq!(flag["direction"], "high");
    assert_eq!(flag["value"], 400.0);
    assert_eq!(flag["mean"], 100.0);
    assert_eq!(flag["std_dev"], 10.0);
    assert_eq!(flag["deviations"], 30.0);
    assert_eq!(spike["anomalies"]["error_rate"], Value::Null);

    let errors = &hours[20];
    assert_eq!(errors["start"], rfc3339::format(at(27, 0)));
    assert_eq!(errors["error_rate"], 0.4);
    assert_eq!(errors["anomalies"]["error_rate"]["direction"], "high");
    assert_eq!(errors["anomalies"]["count"], Value::Null);
    let now = &hours[23];
    assert_eq!(
        (now["partial"].as_bool(), now["anomaly"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(now["error_rate"], Value::Null, "no messages yet");
    assert_eq!(now["change"]["count"]["previous"], 100.0);
    assert_eq!(now["change"]["count"]["change_pct"], -100.0);
    let flagged: Vec<&str> = hours
        .iter()
        .filter(|b| b["anomaly"] == true)
        .filter_map(|b| b["start"].as_str())
        .collect();
    assert_eq!(flagged.len(), 2, "{flagged:?}");

    let (_, body) = fetch(addr, "/api/metrics/hourly?hours=168", ADMIN).await;
    let first = &body[0];
    assert_eq!(first["count"], 0);
    assert_eq!(first["errors"], Value::Null, "before the start: unknown");
    assert_eq!(
        first["change"]["count"],
        serde_json::json!({"previous": null, "change_pct": null})
    );

    let (status, body) = fetch(addr, "/api/metrics/daily?days=7", MONITOR).await;
    assert_eq!(status, StatusCode::OK);
    let today = &body[6];
    assert_eq!(today["count"], 900);
    assert_eq!(today["errors"], 45);
    let week_before = at(24, 0) - Duration::from_secs(7 * 86_400);
    assert_eq!(today["previous_start"], rfc3339::format(week_before));
    assert_eq!(today["change"]["count"]["previous"], Value::Null);
    assert_eq!(today["anomaly"], false);

    for path in ["/api/metrics/hourly", "/api/metrics/daily"] {
        let (status, body) = fetch(addr, path, ACME).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_error(&body, "forbidden");
    }
}

#[tokio::test]
async fn metrics_cards_change_against_the_previous_window() {
    let clock = ManualClock::new(at(0, 0));
    let (addr, monitor) = serve(&clock).await;
    clock.set(at(0, 10));
    record(&monitor, 5);
    let (_, body) = fetch(addr, "/api/metrics", MONITOR).await;
    let change = &body["messages"]["change"];
    assert_eq!(
        change["last_hour"]["previous"],
        Value::Null,
        "no hour ago yet"
    );
    assert_eq!(change["last_24h"]["previous"], Value::Null);
    assert_eq!(
        body["users"]["change"]["active_now"]["previous"],
        Value::Null
    );
    assert_eq!(
        body["errors"]["change"]["error_rate_last_hour"]["previous"],
        Value::Null
    );

    // Half an hour later (noted at minute 10: the figures of then).
    clock.set(at(0, 40));
    record(&monitor, 20);
    let (_, body) = fetch(addr, "/api/metrics", ADMIN).await;
    let users = &body["users"]["change"]["active_now"];
    assert_eq!(users["previous"], 5.0);
    assert_eq!(users["change_pct"], 300.0, "5 users then, 20 now");

    // An hour after the first read: 20 messages in the last hour, 5 then.
    clock.set(at(1, 10));
    monitor.log_error(ErrorEvent::new("db", "query", "Timeout", "slow"));
    let (_, body) = fetch(addr, "/api/metrics", MONITOR).await;
    assert_eq!(body["messages"]["last_hour"], 20);
    let change = &body["messages"]["change"];
    assert_eq!(change["last_hour"]["previous"], 5.0);
    assert_eq!(change["last_hour"]["change_pct"], 300.0);
    assert!(change["p95"]["previous"].is_f64());
    let rate = &body["errors"]["change"]["error_rate_last_hour"];
    assert_eq!(rate["previous"], 0.0);
    assert_eq!(rate["change_pct"], Value::Null, "from 0: no percentage");

    // 48 hours in: the last 24 clock hours against the 24 before them.
    clock.set(at(24, 5));
    record(&monitor, 8);
    clock.set(at(47, 5));
    let (_, body) = fetch(addr, "/api/metrics", MONITOR).await;
    let day = &body["messages"]["change"]["last_24h"];
    assert_eq!(body["messages"]["last_24h"], 8);
    assert_eq!(day["previous"], 25.0);
    let pct = day["change_pct"].as_f64();
    assert!(pct.is_some_and(|p| (p + 68.0).abs() < 1e-9), "{pct:?}");

    // A tenant sees no one else's figures, changes included.
    let (status, body) = fetch(addr, "/api/metrics", ACME).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["messages"], Value::Null);
    assert_eq!(body["users"], Value::Null);
    assert_eq!(body["errors"]["change"], Value::Null);
}
