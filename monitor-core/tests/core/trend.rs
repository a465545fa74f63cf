//! Trends through the monitor: series with changes and flags, and anomaly
//! alerts routed end to end (a `ManualClock` for the data, real time for
//! the check task, a recording sink).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use monitor_core::alerts::{Alert, AlertRouter, AlertStatus, FnSink, Route, SinkError};
use monitor_core::clock::rfc3339;
use monitor_core::errors::{ErrorEvent, Severity};
use monitor_core::trend::{AnomalyAlerts, Direction, Metric, flagged};
use monitor_core::{ManualClock, Monitor, MonitorBuilder};

use crate::support::until;

/// Midnight UTC, 2026-11-15.
const DAY0: u64 = 1_794_787_200;
const HOUR: Duration = Duration::from_secs(3600);

fn hour_start(h: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(DAY0 + h * 3600)
}

/// 30 hours of traffic from `DAY0`: 100 messages and 1 error an hour,
/// except hour 29 (400 messages, 100 errors); the clock is left one
/// minute into hour 30.
fn traffic(monitor: &Monitor, clock: &ManualClock) {
    for h in 0..30u64 {
        clock.set(hour_start(h) + Duration::from_secs(60));
        let (messages, errors) = if h == 29 { (400, 100) } else { (100, 1) };
        for i in 0..messages {
            monitor.record_message(&format!("user-{}", i % 40), Duration::from_millis(80));
        }
        for _ in 0..errors {
            monitor.log_error(ErrorEvent::new("db", "query", "Timeout", "slow"));
        }
    }
    clock.set(hour_start(30) + Duration::from_secs(60));
}

fn start(clock: &ManualClock, configure: impl FnOnce(MonitorBuilder) -> MonitorBuilder) -> Monitor {
    clock.set(hour_start(0));
    configure(Monitor::builder().clock(clock.clone()))
        .start()
        .expect("runtime")
}

type Seen = Arc<Mutex<Vec<Alert>>>;

fn recording_router() -> (AlertRouter, Seen) {
    let seen: Seen = Arc::default();
    let sink_seen = Arc::clone(&seen);
    let sink = FnSink::new("recorder", move |alert: Alert| {
        let seen = Arc::clone(&sink_seen);
        async move {
            seen.lock().expect("not poisoned").push(alert);
            Ok::<(), SinkError>(())
        }
    });
    // Only the anomalies: the logged errors route alerts of their own.
    let route = Route::new("anomalies")
        .service("analytics")
        .group_wait(Duration::ZERO)
        .group_interval(Duration::from_millis(50))
        .sink(sink);
    (AlertRouter::new().route(route), seen)
}

fn seen(seen: &Seen) -> Vec<Alert> {
    seen.lock().expect("not poisoned").clone()
}

#[tokio::test]
async fn the_hourly_trend_compares_days_and_flags_the_spike() {
    let clock = ManualClock::new(hour_start(0));
    let monitor = start(&clock, |b| b);
    traffic(&monitor, &clock);

    let hours = monitor.hourly_trend(24);
    assert_eq!(hours.len(), 24);
    let spike = &hours[22];
    assert_eq!(spike.bucket.start, hour_start(29));
    assert_eq!(spike.bucket.count, 400);
    assert_eq!(spike.errors, Some(100));
    assert_eq!(spike.error_rate, Some(0.25));
    assert_eq!(spike.previous_start, hour_start(5));
    assert_eq!(spike.change.count.previous, Some(100.0));
    assert_eq!(spike.change.count.change_pct, Some(300.0));
    assert_eq!(spike.change.error_rate.previous, Some(0.01));
    let count = spike.anomalies.count.expect("volume flagged");
    assert_eq!(count.direction, Direction::High);
    assert_eq!((count.mean, count.std_dev), (100.0, 10.0));
    assert!(spike.anomalies.error_rate.is_some());
    // The current hour has one minute of nothing: partial, not a dip.
    assert!(hours[23].partial && !hours[23].anomaly);
    assert_eq!(hours[23].change.count.previous, Some(100.0));
    let list = flagged(&hours);
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|f| f.start == hour_start(29)));

    // Before the monitor started: unknown, not zero.
    let week = monitor.hourly_trend(168);
    assert_eq!(week.len(), 168);
    let before = &week[0];
    assert_eq!(before.bucket.count, 0);
    assert_eq!(before.errors, None);
    assert_eq!(before.change.count.previous, None);
    assert!(
        week.iter()
            .filter(|b| b.bucket.start < hour_start(24))
            .all(|b| b.change.count.previous.is_none())
    );

    let days = monitor.daily_trend(7);
    assert_eq!(days.len(), 7);
    let today = &days[6];
    assert_eq!(today.bucket.count, 900);
    assert_eq!(today.errors, Some(105));
    assert_eq!(
        today.change.count.previous, None,
        "a week ago is before the start"
    );
    assert!(
        days.iter().all(|d| !d.anomaly),
        "two days are too few to judge"
    );
    monitor.shutdown().await.expect("shuts down");
}

#[tokio::test]
async fn an_anomalous_hour_routes_one_alert_per_figure_then_resolves() {
    let clock = ManualClock::new(hour_start(0));
    let (router, sink) = recording_router();
    let monitor = start(&clock, |b| {
        b.alerts(router).anomaly_alerts(
            AnomalyAlerts::new(Severity::Critical).check_every(Duration::from_millis(100)),
        )
    });
    traffic(&monitor, &clock);
    until(|| seen(&sink).len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut alerts = seen(&sink);
    assert_eq!(alerts.len(), 2, "one alert per figure, once: {alerts:#?}");
    alerts.sort_by(|a, b| a.operation.cmp(&b.operation));
    let at = rfc3339::format(hour_start(29));
    let (rate, volume) = (&alerts[0], &alerts[1]);
    assert_eq!(volume.fingerprint, format!("anomaly:messages:{at}"));
    assert_eq!(rate.fingerprint, format!("anomaly:error_rate:{at}"));
    for a in [rate, volume] {
        assert_eq!(a.status, AlertStatus::Firing);
        assert_eq!(a.severity, Severity::Critical);
        assert_eq!(a.service, "analytics");
        assert_eq!(a.error_type, "Anomaly");
    }
    assert_eq!(
        volume.summary,
        format!(
            "Anomalous message volume (high) in the hour from {at}: 400 messages, \
             30.0 standard deviations above the mean of the 24 hours before \
             (100.0, standard deviation 10.0)"
        )
    );
    assert!(rate.summary.contains("25.00%"), "{}", rate.summary);

    // The next hour is ordinary: judged once, the two alerts resolved.
    for i in 0..100 {
        monitor.record_message(&format!("user-{i}"), Duration::from_millis(80));
    }
    clock.advance(HOUR);
    until(|| seen(&sink).len() >= 4).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = seen(&sink);
    assert_eq!(after.len(), 4, "{after:#?}");
    assert!(after[2..].iter().all(|a| a.status == AlertStatus::Resolved));
    monitor.shutdown().await.expect("shuts down");
}

#[tokio::test]
async fn anomaly_alerts_are_off_by_default_and_per_figure() {
    let clock = ManualClock::new(hour_start(0));
    let (router, off) = recording_router();
    let monitor = start(&clock, |b| b.alerts(router));
    traffic(&monitor, &clock);
    assert_eq!(
        flagged(&monitor.hourly_trend(2)).len(),
        2,
        "flagged all the same"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(seen(&off).is_empty(), "no anomaly alerts unless asked");
    monitor.shutdown().await.expect("shuts down");

    let clock = ManualClock::new(hour_start(0));
    let (router, volume_only) = recording_router();
    let monitor = start(&clock, |b| {
        b.alerts(router).anomaly_alerts(
            AnomalyAlerts::new(Severity::Warning)
                .error_rate(false)
                .check_every(Duration::from_millis(100)),
        )
    });
    traffic(&monitor, &clock);
    until(|| !seen(&volume_only).is_empty()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let alerts = seen(&volume_only);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].operation, Metric::Messages.as_str());
    assert_eq!(alerts[0].severity, Severity::Warning);
    monitor.shutdown().await.expect("shuts down");
}
