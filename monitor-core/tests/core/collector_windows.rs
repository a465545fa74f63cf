//! Rollover of the collector's windows, driven by a manual clock.

use monitor_core::{CollectorConfig, ManualClock, MetricsCollector};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Monday 2026-11-16 00:00:00 UTC.
const MONDAY: u64 = 1_794_787_200;
const HOUR: u64 = 3_600;
const DAY: u64 = 86_400;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(MONDAY + secs)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn collector_at(secs: u64) -> (MetricsCollector, ManualClock) {
    let clock = ManualClock::new(at(secs));
    let c = MetricsCollector::new(CollectorConfig::default().with_clock(clock.clone()));
    (c, clock)
}

fn counts(buckets: &[monitor_core::SeriesBucket]) -> Vec<u64> {
    buckets.iter().map(|b| b.count).collect()
}

#[test]
fn hourly_buckets_split_at_the_hour_boundary() {
    let (c, clock) = collector_at(10 * HOUR + 59 * 60 + 59);
    c.record_message("a", ms(100));
    clock.set(at(11 * HOUR));
    c.record_message("b", ms(100));
    c.record_message("c", ms(100));
    let hours = c.hourly(3);
    assert_eq!(counts(&hours), [0, 1, 2]);
    assert_eq!(hours[1].start, at(10 * HOUR));
    assert_eq!(hours[2].start, at(11 * HOUR));
    assert_eq!(hours[2].unique_users, 2);
    assert_eq!(hours[0].p50_ms, None);
}

#[test]
fn daily_buckets_split_at_utc_midnight_and_today_resets() {
    let (c, clock) = collector_at(DAY - 1);
    c.record_message("night-owl", ms(50));
    assert_eq!(c.current_stats().users.active_today, 1);
    clock.set(at(DAY));
    let s = c.current_stats();
    assert_eq!(s.users.active_today, 0, "new UTC day");
    assert_eq!(s.users.active_this_week, 1);
    c.record_message("early-bird", ms(50));
    let days = c.daily(2);
    assert_eq!(counts(&days), [1, 1]);
    assert_eq!(days[1].start, at(DAY));
}

#[test]
fn a_week_later_the_same_hour_slot_starts_from_zero() {
    let (c, clock) = collector_at(5 * HOUR);
    for i in 0..10 {
        c.record_message(&format!("old-{i}"), ms(900));
    }
    clock.advance(Duration::from_secs(7 * DAY)); // same ring position
    c.record_message("new", ms(10));
    let hours = c.hourly(168);
    assert_eq!(hours.len(), 168);
    assert_eq!(
        hours.iter().map(|b| b.count).sum::<u64>(),
        1,
        "old hour left the window"
    );
    let last = hours[167];
    assert_eq!(last.count, 1);
    assert_eq!(last.unique_users, 1);
    let p99 = last.p99_ms.expect("one sample");
    assert!(
        (p99 - 10.0).abs() < 0.2,
        "p99 {p99}: the 900 ms samples leaked"
    );
    assert_eq!(c.current_stats().messages.total, 11);
}

#[test]
fn thirty_days_later_the_same_day_slot_starts_from_zero() {
    let (c, clock) = collector_at(HOUR);
    c.record_message("old", ms(10));
    clock.advance(Duration::from_secs(30 * DAY));
    c.record_message("new", ms(10));
    c.record_message("new", ms(10));
    let days = c.daily(30);
    assert_eq!(days.len(), 30);
    assert_eq!(counts(&days).iter().sum::<u64>(), 2);
    assert_eq!(days[29].unique_users, 1);
    let s = c.current_stats();
    assert_eq!(s.messages.total, 3);
    assert_eq!(s.users.total, 2, "all-time users keep the expired day");
}

#[test]
fn last_hour_has_minute_resolution_and_last_24h_hour_resolution() {
    let (c, clock) = collector_at(12 * HOUR);
    c.record_message("a", ms(100));
    clock.advance(Duration::from_secs(59 * 60));
    assert_eq!(c.current_stats().messages.last_hour, 1);
    assert_eq!(c.messages_last_hour(), 1, "the cheap count agrees");
    clock.advance(Duration::from_secs(60));
    let s = c.current_stats();
    assert_eq!(s.messages.last_hour, 0, "60 minutes later");
    assert_eq!(c.messages_last_hour(), 0);
    assert_eq!(s.messages.p95_ms, None);
    assert_eq!(s.messages.last_24h, 1);
    assert!(s.response_time_24h.p95_ms.is_some());
    clock.advance(Duration::from_secs(23 * HOUR));
    assert_eq!(c.current_stats().messages.last_24h, 0);
}

#[test]
fn active_now_forgets_users_after_thirty_minutes() {
    let (c, clock) = collector_at(HOUR);
    c.record_message("early", ms(10));
    clock.advance(Duration::from_secs(10 * 60));
    c.record_message("later", ms(10));
    assert_eq!(c.current_stats().users.active_now, 2);
    clock.advance(Duration::from_secs(21 * 60)); // "early" is 31 minutes old
    assert_eq!(c.current_stats().users.active_now, 1);
    clock.advance(Duration::from_secs(30 * 60));
    let s = c.current_stats();
    assert_eq!(s.users.active_now, 0);
    assert_eq!(s.users.active_today, 2);
}

#[test]
fn this_week_is_the_last_seven_days() {
    let (c, clock) = collector_at(HOUR);
    c.record_message("monday", ms(10));
    clock.advance(Duration::from_secs(6 * DAY));
    c.record_message("sunday", ms(10));
    assert_eq!(c.current_stats().users.active_this_week, 2);
    clock.advance(Duration::from_secs(DAY));
    let s = c.current_stats();
    assert_eq!(s.users.active_this_week, 1);
    assert_eq!(s.users.total, 2);
}

#[test]
fn idle_gaps_produce_dense_zero_series() {
    let (c, clock) = collector_at(0);
    c.record_message("a", ms(10));
    clock.advance(Duration::from_secs(3 * DAY + 5 * HOUR));
    let hours = c.hourly(24);
    assert_eq!(hours.len(), 24);
    assert!(hours.iter().all(|b| b.count == 0 && b.unique_users == 0));
    let days = c.daily(7);
    assert_eq!(counts(&days), [0, 0, 0, 1, 0, 0, 0]);
    assert!(c.hourly(0).is_empty());
    assert_eq!(c.hourly(1_000).len(), 168);
    assert_eq!(c.daily(1_000).len(), 30);
}

#[test]
fn the_clock_jumping_back_and_forth_loses_no_message() {
    let (c, clock) = collector_at(10 * HOUR);
    c.record_message("a", ms(10));
    clock.set(at(13 * HOUR)); // forward three hours
    c.record_message("b", ms(10));
    clock.set(at(10 * HOUR + 60)); // back again
    c.record_message("c", ms(10));
    let s = c.current_stats();
    assert_eq!(s.messages.total, 3);
    // a's minute was retired while the clock read 13:00 (three hours
    // later), so only c is in the minute-resolution window; a stays in its
    // hour and day buckets.
    assert_eq!(s.messages.last_hour, 1);
    assert_eq!(
        s.messages.last_24h, 2,
        "a and c; b is in the future of this now"
    );
    clock.set(at(13 * HOUR + 60));
    let hours = c.hourly(4);
    assert_eq!(counts(&hours).iter().sum::<u64>(), 3);
}

#[test]
fn future_records_count_as_now() {
    let (c, _clock) = collector_at(HOUR);
    c.record_message_at("time-traveller", at(HOUR + 3_600), ms(10));
    assert_eq!(c.current_stats().messages.last_hour, 1);
    assert_eq!(c.counters().future_records, 1);
}

#[test]
fn records_older_than_every_window_count_in_the_total_only() {
    let (c, _clock) = collector_at(40 * DAY);
    c.record_message("now", ms(10));
    c.record_message_at("ancient", at(0), ms(10));
    let s = c.current_stats();
    assert_eq!(s.messages.total, 2);
    assert_eq!(counts(&c.daily(30)).iter().sum::<u64>(), 1);
    assert_eq!(c.counters().expired_records, 1);
    assert_eq!(s.users.total, 2, "all-time users include the ancient one");
    assert_eq!(s.users.active_this_week, 1);
}

#[test]
fn recent_response_times_keep_the_newest_in_order() {
    let clock = ManualClock::new(at(0));
    let c = MetricsCollector::new(
        CollectorConfig::default()
            .with_clock(clock.clone())
            .with_recent_response_times(100),
    );
    for i in 0..250u64 {
        clock.advance(Duration::from_millis(10));
        c.record_message("u", Duration::from_micros(1_000 + i));
    }
    let recent = c.recent_response_times();
    assert_eq!(recent.len(), 100);
    let expected: Vec<f64> = (150..250).map(|i| f64::from(1_000 + i) / 1000.0).collect();
    let got: Vec<f64> = recent.iter().map(|r| r.response_time_ms).collect();
    assert_eq!(got, expected);
    assert!(recent.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(recent[99].at, clock.now());
}

#[test]
fn connections_and_heartbeat_are_reported() {
    let (c, clock) = collector_at(HOUR);
    assert_eq!(c.current_stats().last_heartbeat, None);
    c.connection_opened();
    c.connection_opened();
    c.connection_closed();
    c.connection_closed();
    c.connection_closed(); // never below zero
    c.set_active_connections(7);
    clock.advance(Duration::from_secs(30));
    c.heartbeat();
    let s = c.current_stats();
    assert_eq!(s.active_connections, 7);
    assert_eq!(s.last_heartbeat, Some(clock.now()));
    assert_eq!(s.uptime_seconds, 30);
}

#[test]
fn stats_serialize_to_the_documented_json_shape() {
    let (c, _clock) = collector_at(HOUR);
    c.record_message("a", ms(245));
    let v = serde_json::to_value(c.current_stats()).expect("serializable");
    for path in [
        "/timestamp",
        "/uptime_seconds",
        "/messages/total",
        "/messages/last_hour",
        "/messages/last_24h",
        "/messages/avg_response_time_ms",
        "/messages/p50_ms",
        "/messages/p95_ms",
        "/messages/p99_ms",
        "/users/total",
        "/users/active_today",
        "/users/active_this_week",
        "/users/active_now",
        "/active_connections",
        "/last_heartbeat",
    ] {
        assert!(v.pointer(path).is_some(), "missing {path} in {v}");
    }
    assert_eq!(v["timestamp"], "2026-11-16T01:00:00.000Z");
    let back: monitor_core::CurrentStats = serde_json::from_value(v).expect("round trip");
    assert_eq!(back.messages.total, 1);
}

#[test]
fn cleanup_is_optional_and_changes_no_figure() {
    let (c, clock) = collector_at(HOUR);
    c.record_message("a", ms(10));
    clock.advance(Duration::from_secs(2 * HOUR));
    let before = (c.current_stats(), c.hourly(168), c.daily(30));
    c.cleanup();
    let after = (c.current_stats(), c.hourly(168), c.daily(30));
    assert_eq!(before, after);
}

#[test]
fn a_late_record_refreshes_an_hour_already_read() {
    let (c, clock) = collector_at(10 * HOUR);
    c.record_message("a", ms(100));
    clock.set(at(11 * HOUR));
    c.record_message("b", ms(100)); // folds 10:00 into the shared hour
    assert_eq!(counts(&c.hourly(2)), [1, 1]); // 10:00 now summarised
    c.record_message_at("late", at(10 * HOUR + 30 * 60), ms(900));
    let hours = c.hourly(2);
    assert_eq!(counts(&hours), [2, 1]);
    assert_eq!(hours[0].unique_users, 2);
    let p99 = hours[0].p99_ms.expect("two samples");
    assert!(
        (p99 - 900.0).abs() / 900.0 < 0.02,
        "stale summary: p99 {p99}"
    );
}
