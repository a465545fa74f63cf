//! Memory stays flat from a thousand to ten million distinct users
//! (its own test binary, so no other test shares the process's RSS).

#![cfg(target_os = "linux")]

use std::fmt::Write;
use std::time::{Duration, UNIX_EPOCH};

use monitor_core::{CollectorConfig, ManualClock, MetricsCollector};

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("procfs");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("statm resident field");
    pages * 4096
}

#[test]
fn ten_million_distinct_users_grow_rss_by_less_than_4_mib() {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_794_787_200));
    let c = MetricsCollector::new(CollectorConfig::default().with_clock(clock.clone()));
    let mut id = String::new();
    let mut record = |from: u64, to: u64| {
        for i in from..to {
            id.clear();
            let _ = write!(id, "user-{i:09}");
            c.record_message(&id, Duration::from_millis(30));
            if i % 1_000_000 == 0 {
                // Let minutes pass so folding and the shared periods run too.
                clock.advance(Duration::from_secs(60));
            }
        }
    };
    record(0, 1_000);
    let base = rss_bytes();
    record(1_000, 10_000_000);
    let growth = rss_bytes().saturating_sub(base);
    assert!(
        growth <= 4 * 1024 * 1024,
        "RSS grew by {:.1} MiB",
        growth as f64 / 1048576.0
    );
    let total = c.current_stats().users.total;
    assert!(total.abs_diff(10_000_000) <= 200_000, "estimate {total}");
}
