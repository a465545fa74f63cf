//! Queues through the public API: exact counts with threads recording at
//! once, caps, `queue:stats` coalescing and `queue:message:*` events per
//! tenant, Prometheus series, and snapshots.

mod counts;
mod events;
mod persist;

use std::time::{Duration, UNIX_EPOCH};

use monitor_core::{ManualClock, Monitor};

const MONDAY_MS: u64 = 1_794_787_200_000;

fn clock() -> ManualClock {
    ManualClock::new(UNIX_EPOCH + Duration::from_millis(MONDAY_MS))
}

fn monitor(clock: &ManualClock) -> Monitor {
    Monitor::builder()
        .clock(clock.clone())
        .start()
        .expect("inside a runtime")
}
