//! A bare loop of `record_message` calls for instruction counting under
//! callgrind (see `scripts/instructions.sh`): wall-clock time on a shared
//! virtual machine drifts, instruction counts do not.
//!
//! Run with: `cargo bench -p monitor-benches --bench record_loop -- 1000000`

mod support;

use std::hint::black_box;

use monitor_core::{CollectorConfig, MetricsCollector};
use support::{response_time, user_ids};

fn main() {
    let Some(n) = std::env::args().skip(1).find_map(|a| a.parse::<u64>().ok()) else {
        return; // `cargo bench` without a count (or with --list / --bench)
    };
    let collector = MetricsCollector::new(CollectorConfig::default());
    let ids = user_ids(10_000, "loop");
    for i in 0..n {
        collector.record_message(black_box(&ids[i as usize % ids.len()]), response_time(i));
    }
    black_box(&collector);
}
