//! The broadcaster's figures after real traffic: `monitor_ws_*` on the
//! axum router's `GET /metrics`, and the same figures from
//! `WsBroadcaster::stats` for the standalone server (which serves no
//! HTTP).
//!
//! Every router in this test binary renders into one process-wide
//! recorder, and none of the series says which broadcaster it is from:
//! another test's scrape sets the gauge to its own figure (counters only
//! ever go up). So counters are checked with `>=` and the gauge until it
//! shows ours.

use std::time::Duration;

use monitor_axum::monitor_ws::{CloseReason, WsConfig};
use serde_json::json;

use super::backpressure::{lag_config, lag_monitor, lag_one_client};
use super::harness::*;
use crate::common::*;

both_entries!(figures_after_traffic);

/// The value of the sample `series` (name and labels, exactly as
/// rendered), if there is one.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn figures_after_traffic(entry: Entry) {
    let monitor = lag_monitor();
    let config: WsConfig = lag_config().max_frame_bytes(1024);
    let server = Server::start(entry, &monitor, config).await;

    // One of each ending, and a refused frame.
    let mut refused = server.connect("token=not-a-token").await;
    assert_eq!(refused.close_code().await.0, 1008);
    let mut big = server.open(ADMIN, "").await;
    big.send(json!({"type": "ping", "pad": "x".repeat(4096)}))
        .await;
    assert_eq!(big.close_code().await.0, 1009);
    server.open(ACME, "").await.close().await;
    let run = lag_one_client(&monitor, &server).await;
    assert_eq!(run.stalled.code, Some(1013));
    let mut open = server.open(MONITOR, "").await;
    open.send_text("{nope").await;
    open.expect_error("invalid_json").await;

    match entry {
        Entry::Standalone => {
            eventually("every ending counted, one connection open", || {
                server.stats().is_some_and(|s| {
                    s.connections == 1
                        && s.closed(CloseReason::Auth) == 1
                        && s.closed(CloseReason::TooLarge) == 1
                        && s.closed(CloseReason::Lagged) == 1
                        // One closed properly, the live one of the lag
                        // run dropped its socket without a close frame:
                        // both went away, neither is a protocol error.
                        && s.closed(CloseReason::Peer) == 2
                        && s.closed(CloseReason::Error) == 0
                })
            })
            .await;
            let stats = server.stats().expect("standalone figures");
            assert_eq!(stats.dropped, run.bus_dropped, "{stats:?}");
            assert!(stats.lagged_notices >= 1, "{stats:?}");
            assert!(stats.accepted >= 6, "{stats:?}");
            let invalid_json = stats
                .client_errors
                .iter()
                .find(|(code, _)| *code == "invalid_json");
            assert_eq!(invalid_json, Some(&("invalid_json", 1)), "{stats:?}");
        }
        Entry::Axum => {
            let url = format!("{}/metrics", server.http_base());
            let client = http_client();
            let wanted = [
                ("monitor_ws_connections", 1.0),
                (r#"monitor_ws_closed_total{reason="auth"}"#, 1.0),
                (r#"monitor_ws_closed_total{reason="too_large"}"#, 1.0),
                (r#"monitor_ws_closed_total{reason="lagged"}"#, 1.0),
                (r#"monitor_ws_closed_total{reason="peer"}"#, 2.0),
                (
                    r#"monitor_ws_client_errors_total{code="invalid_json"}"#,
                    1.0,
                ),
                ("monitor_ws_dropped_total", run.bus_dropped as f64),
            ];
            let deadline = tokio::time::Instant::now() + DEADLINE;
            loop {
                let response = client.get(&url).send().await.expect("GET /metrics");
                assert_eq!(response.status(), 200);
                let text = response.text().await.expect("a text body");
                for name in [
                    "monitor_ws_connections",
                    "monitor_ws_closed_total",
                    "monitor_ws_dropped_total",
                ] {
                    assert!(
                        text.contains(&format!("# TYPE {name} ")),
                        "{name} is declared:\n{text}"
                    );
                }
                let missing: Vec<String> = wanted
                    .iter()
                    .filter_map(|(series, want)| {
                        let got = sample(&text, series);
                        // The gauge is exact; counters are at least ours.
                        let ok = if *series == "monitor_ws_connections" {
                            got == Some(*want)
                        } else {
                            got.is_some_and(|g| g >= *want)
                        };
                        (!ok).then(|| format!("{series}: want {want}, got {got:?}"))
                    })
                    .collect();
                if missing.is_empty() {
                    break;
                }
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "/metrics after the traffic: {missing:?}\n{text}"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    open.ping().await;
}
