//! Pure logic: aggregation, thresholds, heartbeat arithmetic.

use std::collections::BTreeMap;
use std::time::Duration;

use super::heartbeat::{Heartbeats, History, Source, uptime_percent};
use super::*;

fn check(status: CheckStatus, required: bool) -> CheckReport {
    CheckReport {
        status,
        required,
        detail: String::new(),
        latency_ms: None,
        checked_at: None,
    }
}

fn overall(checks: &[(CheckStatus, bool)], thresholds: HealthStatus) -> HealthStatus {
    let checks: BTreeMap<String, CheckReport> = checks
        .iter()
        .enumerate()
        .map(|(i, (s, r))| (format!("c{i}"), check(*s, *r)))
        .collect();
    let thresholds = ThresholdReport {
        status: thresholds,
        ..ThresholdReport::default()
    };
    HealthReport::aggregate(&checks, &BTreeMap::new(), &thresholds)
}

#[test]
fn aggregation_table_required_and_optional() {
    use CheckStatus::{Degraded, Down, Pending, Up};
    use HealthStatus::{Critical, Degraded as Deg, Healthy};
    let table = [
        (Up, true, Healthy),
        (Up, false, Healthy),
        (Degraded, true, Deg),
        (Degraded, false, Deg),
        (Down, true, Critical),
        (Down, false, Deg),
        (Pending, true, Healthy),
        (Pending, false, Healthy),
    ];
    for (status, required, expected) in table {
        assert_eq!(
            overall(&[(status, required)], Healthy),
            expected,
            "{status} required={required}"
        );
    }
    assert_eq!(overall(&[], Healthy), Healthy);
}

#[test]
fn overall_is_the_worst_of_all() {
    use CheckStatus::{Down, Up};
    assert_eq!(
        overall(&[(Up, true), (Down, false)], HealthStatus::Healthy),
        HealthStatus::Degraded
    );
    assert_eq!(
        overall(&[(Up, true), (Down, false)], HealthStatus::Critical),
        HealthStatus::Critical
    );
    assert_eq!(
        overall(&[(Down, true), (Down, false)], HealthStatus::Degraded),
        HealthStatus::Critical
    );
    assert!(HealthStatus::Critical > HealthStatus::Degraded);
    assert!(HealthStatus::Degraded > HealthStatus::Healthy);
}

fn live(error_rate: f64, p95_ms: f64, messages: u64) -> Option<LiveMetrics> {
    Some(LiveMetrics {
        error_rate: Some(error_rate),
        p95_ms: Some(p95_ms),
        messages_last_hour: messages,
    })
}

#[test]
fn error_rate_thresholds_are_strictly_greater() {
    let t = Thresholds::default();
    let status = |rate| t.evaluate(live(rate, 10.0, 1_000)).status;
    assert_eq!(status(0.0), HealthStatus::Healthy);
    assert_eq!(status(0.02), HealthStatus::Healthy);
    assert_eq!(status(0.021), HealthStatus::Degraded);
    // Exactly 5%, e.g. 1 error in 20 messages, is degraded, not critical.
    assert_eq!(status(1.0 / 20.0), HealthStatus::Degraded);
    assert_eq!(status(0.051), HealthStatus::Critical);
    let report = t.evaluate(live(0.051, 10.0, 1_000));
    assert_eq!(report.reason.as_deref(), Some("error rate 5.10% > 5.00%"));
    assert_eq!(report.error_rate, Some(0.051));
}

#[test]
fn p95_thresholds_are_strictly_greater() {
    let t = Thresholds::default();
    let status = |p95| t.evaluate(live(0.0, p95, 1_000)).status;
    assert_eq!(status(500.0), HealthStatus::Healthy);
    assert_eq!(status(500.5), HealthStatus::Degraded);
    assert_eq!(status(1_000.0), HealthStatus::Degraded);
    assert_eq!(status(1_000.1), HealthStatus::Critical);
}

#[test]
fn few_messages_give_no_error_rate_verdict_but_p95_still_counts() {
    let t = Thresholds::default();
    assert_eq!(
        t.evaluate(live(0.5, 10.0, 19)).status,
        HealthStatus::Healthy
    );
    assert_eq!(
        t.evaluate(live(0.5, 10.0, 20)).status,
        HealthStatus::Critical
    );
    assert_eq!(
        t.evaluate(live(0.5, 2_000.0, 3)).status,
        HealthStatus::Critical
    );
    // The rate is still reported, only not judged.
    assert_eq!(t.evaluate(live(0.5, 10.0, 19)).error_rate, Some(0.5));
}

#[test]
fn both_rules_are_named_and_the_worst_wins() {
    let report = Thresholds::default().evaluate(live(0.03, 1_200.0, 100));
    assert_eq!(report.status, HealthStatus::Critical);
    assert_eq!(
        report.reason.as_deref(),
        Some("error rate 3.00% > 2.00%; p95 1200 ms > 1000 ms")
    );
}

#[test]
fn no_metrics_or_nonsense_is_healthy() {
    let t = Thresholds::default();
    assert_eq!(t.evaluate(None), ThresholdReport::default());
    let nan = t.evaluate(live(f64::NAN, f64::INFINITY, 1_000));
    assert_eq!(nan.status, HealthStatus::Healthy);
    assert_eq!((nan.error_rate, nan.p95_ms), (None, None));
}

const S: u64 = 1_000;

#[test]
fn a_source_is_pending_then_up_then_stale() {
    let source = Source::new(Duration::from_secs(30), true, 0);
    assert_eq!(source.report(30 * S).status, CheckStatus::Pending);
    assert_eq!(source.report(30 * S + 1).status, CheckStatus::Down);
    source.beat(40 * S);
    assert_eq!(source.report(70 * S).status, CheckStatus::Up);
    assert_eq!(source.report(70 * S + 1).status, CheckStatus::Down);
}

#[test]
fn uptime_counts_only_the_part_of_a_gap_beyond_the_interval() {
    let source = Source::new(Duration::from_secs(10), false, 0);
    source.beat(5 * S);
    // 5 s -> 35 s: a 30 s gap, 20 s of it down.
    source.beat(35 * S);
    let h = *source.history.lock();
    assert_eq!(h.down_ms, 20 * S);
    assert_eq!(
        uptime_percent(&h, 10 * S, 100 * S),
        100.0 * (1.0 - 75.0 / 100.0)
    );
    // The ongoing gap from 35 s: at 45 s nothing more is down.
    assert_eq!(
        uptime_percent(&h, 10 * S, 45 * S),
        100.0 * (1.0 - 20.0 / 45.0)
    );
    assert_eq!(uptime_percent(&h, 10 * S, 0), 100.0);
}

#[test]
fn a_beat_a_little_in_the_past_moves_nothing() {
    let source = Source::new(Duration::from_secs(10), false, 100 * S);
    source.beat(200 * S);
    source.beat(195 * S); // two threads racing: within the interval
    let h = *source.history.lock();
    assert_eq!(
        h,
        History {
            registered_ms: 100 * S,
            last_seen_ms: Some(200 * S),
            down_ms: 90 * S,
        }
    );
}

#[test]
fn a_clock_stepped_back_restarts_the_gap_and_keeps_the_down_time() {
    let source = Source::new(Duration::from_secs(10), false, 100 * S);
    source.beat(200 * S);
    source.beat(150 * S); // 50 s back: more than the interval
    assert_eq!(
        *source.history.lock(),
        History {
            registered_ms: 100 * S,
            last_seen_ms: Some(150 * S),
            down_ms: 90 * S,
        }
    );
    // Silent from there: down one interval later, not at 210 s.
    assert_eq!(source.report(161 * S).status, CheckStatus::Down);
    // Stepped back to before the registration: uptime stays in range.
    source.beat(50 * S);
    let h = *source.history.lock();
    assert_eq!((h.registered_ms, h.last_seen_ms), (50 * S, Some(50 * S)));
    let up = uptime_percent(&h, 10 * S, 60 * S);
    assert!((0.0..=100.0).contains(&up), "{up}");
}

#[test]
fn unknown_sources_register_until_the_cap_then_are_counted() {
    let beats = Heartbeats::new(2);
    assert!(beats.beat("a", 0));
    assert!(beats.beat("b", 0));
    assert!(!beats.beat("c", 0));
    assert!(beats.beat("a", 5));
    assert!(!beats.beat("  \n", 5));
    assert_eq!(beats.rejected.load(std::sync::atomic::Ordering::Relaxed), 2);
    let reports = beats.reports(10);
    assert_eq!(reports.len(), 2);
    assert_eq!(reports["a"].interval_ms, 60_000);
    assert!(!reports["a"].required);
}

#[test]
fn changes_name_the_components_that_moved() {
    let report = |db: CheckStatus| HealthReport {
        status: db.contribution(true),
        checks: [("db".to_owned(), check(db, true))].into(),
        heartbeats: BTreeMap::new(),
        thresholds: ThresholdReport::default(),
        uptime_seconds: 0,
        checked_at: std::time::UNIX_EPOCH,
    };
    let up = report(CheckStatus::Up);
    let before = (up.status, up.components());
    assert_eq!(HealthChange::between(&before, &up, &up.components()), None);
    let down = report(CheckStatus::Down);
    assert_eq!(
        HealthChange::between(&before, &down, &down.components()),
        Some(vec!["check:db".to_owned()])
    );
}
