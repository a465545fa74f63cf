//! `record_message` allocates nothing once a thread has its shard: an
//! instrumented global allocator watches a million records.

use std::alloc::System;
use std::time::{Duration, UNIX_EPOCH};

use monitor_core::{CollectorConfig, ManualClock, MetricsCollector};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn a_million_records_allocate_nothing() {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_794_787_200));
    let c = MetricsCollector::new(CollectorConfig::default().with_clock(clock));
    let ids: Vec<String> = (0..10_000).map(|i| format!("user-{i}")).collect();
    c.record_message("warm-up", Duration::from_millis(1)); // this thread's shard

    let region = Region::new(GLOBAL);
    for i in 0..1_000_000usize {
        c.record_message(
            &ids[i % ids.len()],
            Duration::from_micros(i as u64 % 90_000),
        );
    }
    let change = region.change();

    assert_eq!(change.allocations, 0, "{change:?}");
    assert_eq!(change.reallocations, 0, "{change:?}");
    assert_eq!(c.current_stats().messages.total, 1_000_001);
}
