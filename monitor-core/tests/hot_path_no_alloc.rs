//! `record_message` allocates nothing once a thread has its shard: an
//! instrumented global allocator watches a million records.

use std::alloc::System;
use std::time::{Duration, UNIX_EPOCH};

use monitor_core::{CollectorConfig, ManualClock, MetricsCollector};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The counter is process-wide, so a stray allocation by another thread
/// (the test harness) can land in a region. A per-record allocation would
/// show 200 000 times in every region; a stray, once in one.
#[test]
fn a_million_records_allocate_nothing() {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_794_787_200));
    let c = MetricsCollector::new(CollectorConfig::default().with_clock(clock));
    let ids: Vec<String> = (0..10_000).map(|i| format!("user-{i}")).collect();
    c.record_message("warm-up", Duration::from_millis(1)); // this thread's shard

    let mut per_region = Vec::new();
    for region in 0..5 {
        let counting = Region::new(GLOBAL);
        for i in 0..200_000usize {
            let id = &ids[(region * 7 + i) % ids.len()];
            c.record_message(id, Duration::from_micros(i as u64 % 90_000));
        }
        let change = counting.change();
        per_region.push(change.allocations + change.reallocations);
    }
    assert!(
        per_region.iter().all(|&n| n <= 2),
        "allocations per region: {per_region:?}"
    );
    assert_eq!(
        per_region.iter().min(),
        Some(&0),
        "allocations per region: {per_region:?}"
    );
    assert_eq!(c.current_stats().messages.total, 1_000_001);
}
