//! Resident memory as distinct users grow from 1 thousand to 10 million:
//! the collector's must stay flat; the obvious `HashSet<String>` design's
//! grows with every new user (measured to 1 million, where it already
//! holds every id).
//!
//! Prints a table; Linux only (reads /proc/self/statm).
//! Run with: `cargo bench -p monitor-benches --bench memory_growth`

mod support;

use std::fmt::Write;
use std::time::Duration;

use monitor_core::{CollectorConfig, MetricsCollector};
use support::naive::NaiveCollector;

const CHECKPOINTS: [u64; 5] = [1_000, 10_000, 100_000, 1_000_000, 10_000_000];

fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Records distinct users up to each checkpoint and reports RSS growth
/// since the first one.
fn measure(name: &str, last: u64, mut record: impl FnMut(&str)) -> Option<()> {
    let mut id = String::new();
    let mut base = None;
    let mut next = 0;
    for &checkpoint in CHECKPOINTS.iter().filter(|&&c| c <= last) {
        for i in next..checkpoint {
            id.clear();
            let _ = write!(id, "user-{i:09}");
            record(&id);
        }
        next = checkpoint;
        let rss = rss_bytes()?;
        let base = *base.get_or_insert(rss);
        println!(
            "{name:28} {checkpoint:>10} users   RSS {:8.1} MiB   growth since 1k {:8.2} MiB",
            mib(rss),
            mib(rss.saturating_sub(base))
        );
    }
    Some(())
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let collector = MetricsCollector::new(CollectorConfig::default());
    let rt = Duration::from_millis(40);
    if measure("monitor_core", 10_000_000, |id| {
        collector.record_message(id, rt)
    })
    .is_none()
    {
        println!("RSS is only measured on Linux (/proc/self/statm)");
        return;
    }
    let users = collector.current_stats().users.total;
    println!("monitor_core estimate of distinct users: {users}");
    let naive = NaiveCollector::default();
    measure("naive_mutex_hashset", 1_000_000, |id| {
        naive.record_message(id, rt)
    });
}
