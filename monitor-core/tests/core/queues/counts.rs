//! Counts stay exact with threads recording at once; live state and the
//! number of queues are capped, and what falls off is counted.

use std::time::Duration;

use monitor_core::queue::{Enqueue, QueueHandle, QueueLimits};
use monitor_core::{MAX_QUEUES, OTHER_QUEUE};

use super::{clock, monitor};

const THREADS: usize = 4;
const PER_THREAD: usize = 20_000;

/// What thread `t` does with its message `i`: every message is enqueued
/// and processed; one in five is retried once and processed again; then
/// 70 % are sent, 10 % failed, 10 % dead-lettered, and 10 % stay in flight
/// or (every 20th) pending.
fn run(q: &QueueHandle, t: usize) {
    for i in 0..PER_THREAD {
        let id = format!("t{t}-m{i}");
        let client = ["acme", "globex"][i % 2];
        q.enqueue(&id, Enqueue::new().client(client));
        if i % 20 == 19 {
            continue; // stays pending
        }
        q.processing(&id);
        if i % 5 == 0 {
            q.retry(&id, Duration::ZERO, "busy");
            q.processing(&id);
        }
        match i % 10 {
            0..=6 => q.sent(&id),
            7 => q.failed(&id, "invalid number"),
            8 => q.dead_letter(&id, "too many attempts"),
            _ => {} // 9: stays in flight (19: pending, above)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_are_exact_with_threads_recording_at_once() {
    let clock = clock();
    let m = monitor(&clock);
    let q = m.queue("whatsapp");
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let q = q.clone();
            s.spawn(move || run(&q, t));
        }
    });
    let per = |f: &dyn Fn(usize) -> bool| (0..PER_THREAD).filter(|&i| f(i)).count() as u64;
    let n = THREADS as u64;
    let pending = per(&|i| i % 20 == 19);
    let processed = per(&|i| i % 20 != 19);
    let retried = per(&|i| i % 20 != 19 && i % 5 == 0);
    let sent = per(&|i| i % 20 != 19 && i % 10 <= 6);
    let failed = per(&|i| i % 20 != 19 && i % 10 == 7);
    let dead = per(&|i| i % 20 != 19 && i % 10 == 8);
    let in_flight = per(&|i| i % 20 == 9);

    let s = q.stats();
    let t = s.totals;
    assert_eq!(t.enqueued, n * PER_THREAD as u64);
    assert_eq!(t.processing, n * (processed + retried));
    assert_eq!(t.retried, n * retried);
    assert_eq!(
        (t.sent, t.failed, t.dead_lettered),
        (n * sent, n * failed, n * dead)
    );
    assert_eq!(s.depth, n * pending);
    assert_eq!(s.in_flight, n * in_flight);
    assert_eq!((s.scheduled, s.tracked), (0, n * (pending + in_flight)));
    assert_eq!(s.oldest_pending_age_ms, Some(0), "the clock stood still");
    assert_eq!(s.anomalies, Default::default(), "nothing fell off");
    assert_eq!(s.last_24h, t, "all within this hour");
    let hourly = q.detail(24).hourly;
    assert_eq!(hourly.last().map(|h| h.counts), Some(t));
}

#[test]
fn live_state_is_capped_and_the_rest_counted() {
    let clock = clock();
    let limits = QueueLimits {
        max_tracked: 1_000,
        in_flight_timeout: Duration::from_secs(60),
    };
    let q = QueueHandle::builder("sms")
        .clock(clock.clone())
        .limits(limits)
        .build();
    let cap = q.limits().max_tracked as u64;
    assert_eq!(cap, 1_024, "1 000 rounded up to 32 shards of 32");
    for i in 0..100_000 {
        q.enqueue(&format!("m{i}"), Enqueue::new());
    }
    let s = q.stats();
    assert_eq!(s.totals.enqueued, 100_000);
    assert_eq!(s.tracked, cap, "every shard filled");
    assert_eq!(s.anomalies.refused, 100_000 - cap);
    // Processing everything: what was tracked moves in flight; the rest are
    // unknown ids, which take no room (every shard is full).
    for i in 0..100_000 {
        q.processing(&format!("m{i}"));
    }
    let s = q.stats();
    assert_eq!((s.depth, s.in_flight), (0, cap));
    assert_eq!(s.anomalies.unknown, 100_000 - cap);
    assert_eq!(s.anomalies.refused, 2 * (100_000 - cap));
    // Attempts never finished expire after the timeout, freeing the room.
    clock.advance(Duration::from_secs(61));
    let s = q.stats();
    assert_eq!((s.in_flight, s.tracked, s.anomalies.expired), (0, 0, cap));
    q.enqueue("after", Enqueue::new());
    assert_eq!(q.stats().depth, 1);
}

#[tokio::test]
async fn queues_past_the_cap_share_other_and_are_counted() {
    let m = monitor(&clock());
    for i in 0..MAX_QUEUES + 10 {
        m.queue(&format!("q{i}")).enqueue("m", Enqueue::new());
    }
    for bad in ["", "a\u{0}b", &"x".repeat(65)] {
        m.queue(bad).enqueue("m", Enqueue::new());
    }
    let names: Vec<String> = m.queues().iter().map(|q| q.name().to_owned()).collect();
    assert_eq!(names.len(), MAX_QUEUES + 1, "{names:?}");
    assert!(names.iter().any(|n| n == OTHER_QUEUE));
    assert_eq!(m.queues_overflowed(), 13);
    let other = m.find_queue(OTHER_QUEUE).expect("created");
    assert_eq!(other.stats().totals.enqueued, 13);
    assert!(m.find_queue("q40").is_none(), "not created");
    assert!(m.find_queue("q0").is_some());
}
