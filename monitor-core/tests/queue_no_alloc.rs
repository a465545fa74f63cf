//! A queue's recording calls allocate nothing once its maps have grown to
//! the backlog and its tenants are known: an instrumented global allocator
//! watches 350 000 message lifecycles. A binary of its own: the counter is
//! process-wide, and another test's harness output would land in it.

use std::alloc::System;
use std::time::{Duration, UNIX_EPOCH};

use monitor_core::ManualClock;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Enqueue → processing → sent with 1 000 messages waiting and a tenant
/// per message, as a worker records them: once the shards' maps have grown
/// and the tenants are known, nothing is allocated (no id is stored as
/// text).
#[test]
fn a_million_queue_steps_allocate_nothing() {
    use monitor_core::queue::{Enqueue, QueueHandle};
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_794_787_200));
    let q = QueueHandle::builder("whatsapp").clock(clock).build();
    let ids: Vec<String> = (0..16_384).map(|i| format!("msg-{i:08}")).collect();
    let tenants = ["acme", "globex", "initech"];
    let lifecycle = |i: usize| {
        let (new, old) = (
            &ids[i % ids.len()],
            &ids[(i + ids.len() - 1_000) % ids.len()],
        );
        q.enqueue(new, Enqueue::new().client(tenants[i % 3]));
        q.processing(old);
        q.sent(old);
    };
    for i in 0..ids.len() * 2 {
        lifecycle(i); // warm-up: maps grown, tenants known
    }
    let mut per_region = Vec::new();
    for region in 0..5 {
        let counting = Region::new(GLOBAL);
        for i in 0..70_000 {
            lifecycle(region * 70_000 + i);
        }
        let change = counting.change();
        per_region.push(change.allocations + change.reallocations);
    }
    assert!(
        per_region.iter().all(|&n| n <= 2),
        "allocations per region: {per_region:?}"
    );
    assert_eq!(q.stats().depth, 1_000);
}
