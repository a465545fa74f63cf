//! Accuracy of percentiles and distinct users, and exact counts under
//! concurrency.

use monitor_core::{CollectorConfig, ManualClock, MetricsCollector};
use proptest::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Monday 2026-11-16 00:00:00 UTC.
const MONDAY: u64 = 1_794_787_200;

fn fixed_clock() -> ManualClock {
    ManualClock::new(UNIX_EPOCH + Duration::from_secs(MONDAY + 3 * 3_600))
}

fn with_clock(clock: &ManualClock) -> MetricsCollector {
    MetricsCollector::new(CollectorConfig::default().with_clock(clock.clone()))
}

fn exact_quantile(sorted: &[u64], q: f64) -> f64 {
    let n = sorted.len() as u64;
    let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
    sorted[(rank - 1) as usize] as f64 / 1000.0
}

fn assert_close(name: &str, est: Option<f64>, exact: f64) {
    let est = est.unwrap_or(f64::NAN);
    let err = (est - exact).abs() / exact;
    assert!(
        err <= 0.02,
        "{name}: estimate {est} vs exact {exact} ({:.2} %)",
        err * 100.0
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// p50/p95/p99 of the last hour and of the 24 h window are within 2 %
    /// of an exact sorted computation; the mean is exact to the µs.
    #[test]
    fn percentiles_within_two_percent(
        micros in prop::collection::vec(
            prop_oneof![50u64..1_000, 1_000u64..50_000, 50_000u64..2_000_000, 2_000_000u64..60_000_000],
            1..3_000,
        ),
    ) {
        let clock = fixed_clock();
        let c = with_clock(&clock);
        for (i, &us) in micros.iter().enumerate() {
            c.record_message(&format!("u{}", i % 50), Duration::from_micros(us));
        }
        let mut sorted = micros.clone();
        sorted.sort_unstable();
        let s = c.current_stats();
        prop_assert_eq!(s.messages.last_hour, micros.len() as u64);
        assert_close("p50 1h", s.messages.p50_ms, exact_quantile(&sorted, 0.50));
        assert_close("p95 1h", s.messages.p95_ms, exact_quantile(&sorted, 0.95));
        assert_close("p99 1h", s.messages.p99_ms, exact_quantile(&sorted, 0.99));
        assert_close("p99 24h", s.response_time_24h.p99_ms, exact_quantile(&sorted, 0.99));
        let mean = micros.iter().sum::<u64>() as f64 / micros.len() as f64 / 1000.0;
        let avg = s.messages.avg_response_time_ms.unwrap_or(f64::NAN);
        prop_assert!((avg - mean).abs() < 1e-6, "avg {} vs {}", avg, mean);
        let hour = c.hourly(1)[0];
        assert_close("p95 hourly bucket", hour.p95_ms, exact_quantile(&sorted, 0.95));
    }
}

#[test]
fn one_million_distinct_users_within_two_percent() {
    let clock = fixed_clock();
    let c = with_clock(&clock);
    let n = 1_000_000u64;
    let mut id = String::new();
    for i in 0..n {
        id.clear();
        use std::fmt::Write;
        let _ = write!(id, "user-{i}");
        c.record_message(&id, Duration::from_millis(20));
    }
    let u = c.current_stats().users;
    for (name, est) in [
        ("total", u.total),
        ("today", u.active_today),
        ("week", u.active_this_week),
        ("now", u.active_now),
        ("hour", c.hourly(1)[0].unique_users),
        ("day", c.daily(1)[0].unique_users),
    ] {
        let err = est.abs_diff(n) as f64 / n as f64;
        assert!(err <= 0.02, "{name}: {est} vs {n} ({:.2} %)", err * 100.0);
    }
}

#[test]
fn small_user_counts_are_exact() {
    let clock = fixed_clock();
    let c = with_clock(&clock);
    for round in 0..5 {
        for i in 0..200 {
            c.record_message(&format!("member-{i}"), Duration::from_millis(round + 1));
        }
    }
    let u = c.current_stats().users;
    assert_eq!((u.total, u.active_today, u.active_now), (200, 200, 200));
}

#[test]
fn n_threads_times_m_calls_is_exactly_n_times_m() {
    const THREADS: u64 = 8;
    const CALLS: u64 = 200_000;
    let clock = fixed_clock();
    let c = with_clock(&clock);
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let c = c.clone();
            thread::spawn(move || {
                for i in 0..CALLS {
                    c.record_message(
                        if i % 2 == 0 { "even" } else { "odd" },
                        Duration::from_micros(100 + t),
                    );
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("recording thread panicked");
    }
    let s = c.current_stats();
    assert_eq!(s.messages.total, THREADS * CALLS);
    assert_eq!(s.messages.last_hour, THREADS * CALLS);
    assert_eq!(c.messages_last_hour(), THREADS * CALLS);
    assert_eq!(s.messages.last_24h, THREADS * CALLS);
    assert_eq!(c.hourly(1)[0].count, THREADS * CALLS);
    assert_eq!(s.users.total, 2);
}

/// Threads record while the clock runs through minutes, hours and a day
/// boundary: every record lands in exactly one bucket, none is lost or
/// counted twice by the per-minute folding.
#[test]
fn folding_under_a_moving_clock_loses_and_duplicates_nothing() {
    const THREADS: u64 = 4;
    const CALLS: u64 = 100_000;
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(MONDAY + 22 * 3_600));
    let c = with_clock(&clock);
    let stop = Arc::new(AtomicBool::new(false));
    let ticker = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || {
            // 4 simulated hours, a minute at a time, crossing midnight.
            for _ in 0..240 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                clock.advance(Duration::from_secs(60));
                thread::sleep(Duration::from_micros(200));
            }
        })
    };
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let c = c.clone();
            thread::spawn(move || {
                for i in 0..CALLS {
                    c.record_message(&format!("t{t}-{}", i % 100), Duration::from_micros(500));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("recording thread panicked");
    }
    stop.store(true, Ordering::Relaxed);
    ticker.join().expect("ticker panicked");

    let total = THREADS * CALLS;
    assert_eq!(c.current_stats().messages.total, total);
    let hourly: u64 = c.hourly(168).iter().map(|b| b.count).sum();
    let daily: u64 = c.daily(30).iter().map(|b| b.count).sum();
    assert_eq!(hourly, total, "hourly buckets");
    assert_eq!(daily, total, "daily buckets");
    let counters = c.counters();
    assert_eq!(counters.expired_records, 0);
}

#[test]
fn system_clock_collector_records_now() {
    let c = MetricsCollector::new(CollectorConfig::default());
    c.record_message("u", Duration::from_millis(5));
    let s = c.current_stats();
    assert_eq!(s.messages.last_hour, 1);
    let age = SystemTime::now()
        .duration_since(s.timestamp)
        .unwrap_or_default();
    assert!(age < Duration::from_secs(5));
}
