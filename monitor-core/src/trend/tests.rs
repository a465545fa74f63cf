//! [`analyse`] on synthetic series with known answers.

use std::time::{Duration, UNIX_EPOCH};

use super::*;
use crate::collector::SeriesBucket;

fn bucket(hour: u64, count: u64) -> SeriesBucket {
    SeriesBucket {
        start: UNIX_EPOCH + Duration::from_secs((490_000 + hour) * 3600),
        count,
        unique_users: 0,
        avg_response_time_ms: None,
        p50_ms: None,
        p95_ms: (count > 0).then_some(100.0 + hour as f64),
        p99_ms: None,
    }
}

/// 48 hours alternating 95 and 105 messages (mean 100, σ ≈ 5.1; the
/// Poisson floor is 10), 1 error per 100 messages.
fn steady() -> (Vec<SeriesBucket>, Vec<Option<u64>>) {
    let buckets: Vec<SeriesBucket> = (0..48)
        .map(|h| bucket(h, if h % 2 == 0 { 95 } else { 105 }))
        .collect();
    let errors = buckets.iter().map(|b| Some(b.count / 100)).collect();
    (buckets, errors)
}

#[test]
fn previous_period_is_the_same_hour_a_day_earlier() {
    let (mut buckets, errors) = steady();
    buckets[20].count = 0;
    buckets[20].p95_ms = None;
    buckets[44].count = 120;
    let t = analyse(&buckets, &errors, 0, &HOURLY, 24);
    assert_eq!(t.len(), 24);
    assert_eq!(t[0].bucket.start, buckets[24].start);
    assert_eq!(t[0].previous_start, buckets[0].start);
    assert_eq!(t[1].change.count, Change::between(Some(105.0), Some(105.0)));
    assert_eq!(t[1].change.count.change_pct, Some(0.0));
    // Hour 44 against hour 20, which had no messages: no percentage.
    assert_eq!(t[20].change.count.previous, Some(0.0));
    assert_eq!(t[20].change.count.change_pct, None);
    assert_eq!(
        t[20].change.error_rate.previous, None,
        "no messages, no rate"
    );
    assert_eq!(t[20].change.p95_ms.previous, None);
    // Hour 46 (95 messages) against hour 22 (95).
    assert_eq!(t[22].change.p95_ms.previous, Some(122.0));
    assert_eq!(t[22].change.p95_ms.change_pct, Some(24.0 / 122.0 * 100.0));
    assert!(t[..23].iter().all(|b| !b.partial) && t[23].partial);
}

#[test]
fn before_history_and_beyond_what_is_kept_there_is_no_previous() {
    let (buckets, errors) = steady();
    // History begins at hour 30: hours 30..53 have no previous day.
    let t = analyse(&buckets, &errors, 30, &HOURLY, 24);
    assert!(t.iter().all(|b| b.change.count.previous.is_none()));
    assert!(
        t[..6]
            .iter()
            .all(|b| b.errors.is_none() && b.error_rate.is_none())
    );
    assert_eq!(t[6].errors, Some(0));
    // Asked for more than the buckets hold: the first ones lack the day.
    let t = analyse(&buckets[..30], &errors[..30], 0, &HOURLY, 30);
    assert!(t[..24].iter().all(|b| b.change.count.previous.is_none()));
    assert_eq!(t[24].change.count.previous, Some(95.0));
    // Errors unknown (older than the error counts keep).
    let mut errors = errors;
    errors[30] = None;
    let t = analyse(&buckets, &errors, 0, &HOURLY, 24);
    assert_eq!(t[6].errors, None);
    assert_eq!(t[6].error_rate, None);
    assert_eq!(t[6].bucket.count, 95, "the messages stay known");
}

#[test]
fn a_spike_and_a_dip_are_flagged_and_nothing_else() {
    let (mut buckets, mut errors) = steady();
    buckets[40].count = 160;
    buckets[43].count = 40;
    errors[43] = Some(0);
    errors[45] = Some(20); // 20 errors in 105 messages
    let t = analyse(&buckets, &errors, 0, &HOURLY, 24);
    let spike = t[16].anomalies.count.expect("spike");
    assert_eq!(spike.direction, Direction::High);
    assert_eq!(spike.value, 160.0);
    assert!((spike.mean - 100.0).abs() < 1e-9);
    assert_eq!(spike.std_dev, 10.0, "the Poisson floor over σ ≈ 5.1");
    let dip = t[19].anomalies.count.expect("dip");
    assert_eq!(dip.direction, Direction::Low);
    let rate = t[21].anomalies.error_rate.expect("error rate spike");
    assert_eq!(rate.direction, Direction::High);
    assert!(t[21].anomaly && t[21].anomalies.count.is_none());
    let list = flagged(&t);
    let what: Vec<_> = list.iter().map(|f| (f.start, f.metric)).collect();
    assert_eq!(
        what,
        [
            (buckets[40].start, Metric::Messages),
            (buckets[43].start, Metric::Messages),
            (buckets[45].start, Metric::ErrorRate),
        ]
    );
}

#[test]
fn the_partial_bucket_is_flagged_busy_but_never_quiet() {
    let (mut buckets, mut errors) = steady();
    buckets[47].count = 3;
    errors[47] = Some(3);
    let t = analyse(&buckets, &errors, 0, &HOURLY, 1);
    assert!(
        t[0].partial && !t[0].anomaly,
        "an hour just begun is not a dip"
    );
    buckets[47].count = 400;
    let t = analyse(&buckets, &errors, 0, &HOURLY, 1);
    assert_eq!(
        t[0].anomalies.count.map(|a| a.direction),
        Some(Direction::High)
    );
}

#[test]
fn flat_or_short_history_flags_nothing() {
    let flat: Vec<SeriesBucket> = (0..48).map(|h| bucket(h, 100)).collect();
    let errors = vec![Some(1); 48];
    assert!(
        analyse(&flat, &errors, 0, &HOURLY, 48)
            .iter()
            .all(|b| !b.anomaly)
    );
    // Eleven hours of history before a spike: too few to judge.
    let mut short = flat;
    short[47].count = 1000;
    short[46].count = 1000;
    let t = analyse(&short, &errors, 35, &HOURLY, 2);
    assert!(!t[0].anomaly, "11 known hours before it");
    assert!(
        t[1].anomaly,
        "12 known hours before it (the spike included)"
    );
}

#[test]
fn daily_compares_with_the_same_weekday_a_week_before() {
    let days: Vec<SeriesBucket> = (0..21).map(|d| bucket(d * 24, 1000 + d)).collect();
    let errors = vec![Some(0); 21];
    let t = analyse(&days, &errors, 0, &DAILY, 7);
    assert_eq!(t[0].change.count.previous, Some(1007.0));
    assert_eq!(t[0].previous_start, days[7].start);
    assert!(t.iter().all(|b| !b.anomaly));
}
