//! Internal paths of the collector: folding, late records, overflow shard.

use super::*;
use crate::ManualClock;
use std::time::UNIX_EPOCH;

/// Monday 2026-11-16 00:00:00 UTC.
const MONDAY: u64 = 1_794_787_200;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(MONDAY + secs)
}

fn collector() -> (MetricsCollector, ManualClock) {
    let clock = ManualClock::new(at(0));
    let c = MetricsCollector::new(CollectorConfig::default().with_clock(clock.clone()));
    (c, clock)
}

#[test]
fn a_minute_is_folded_into_the_archive_when_the_slot_is_reused() {
    let (c, clock) = collector();
    c.record_message("a", Duration::from_millis(10));
    clock.advance(Duration::from_secs(120)); // same slot parity: minute 0 -> 2
    c.record_message("b", Duration::from_millis(20));
    {
        let archive = c.inner.archive.lock();
        let minute0 = MONDAY / 60;
        assert!(archive.minutes.get(minute0).is_some(), "minute 0 folded");
        assert!(
            archive.minutes.get(minute0 + 2).is_none(),
            "minute 2 still live"
        );
    }
    let s = c.current_stats();
    assert_eq!(s.messages.total, 2);
    assert_eq!(s.messages.last_hour, 2);
}

#[test]
fn a_record_for_a_minute_whose_slot_moved_on_takes_the_late_path() {
    let (c, clock) = collector();
    clock.advance(Duration::from_secs(600));
    c.record_message("a", Duration::from_millis(10));
    // Two minutes earlier maps to the same slot, which holds a newer minute.
    c.record_message_at("b", at(480), Duration::from_millis(30));
    assert_eq!(c.counters().late_records, 1);
    let s = c.current_stats();
    assert_eq!(s.messages.total, 2);
    assert_eq!(s.messages.last_hour, 2);
    assert_eq!(c.hourly(1)[0].count, 2);
}

#[test]
fn threads_beyond_the_shard_limit_share_a_locked_shard_and_lose_nothing() {
    use std::sync::Barrier;
    let (c, _clock) = collector();
    let threads = MAX_SHARDS + 40;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let c = c.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait(); // every thread alive, so indexes pass the limit
                for _ in 0..100 {
                    c.record_message(&format!("user-{i}"), Duration::from_millis(5));
                }
                barrier.wait();
            })
        })
        .collect();
    for h in handles {
        h.join().expect("recording thread panicked");
    }
    assert_eq!(c.current_stats().messages.total, threads as u64 * 100);
    assert!(c.counters().overflow_records > 0);
}
