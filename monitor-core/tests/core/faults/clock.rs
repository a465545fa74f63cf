//! The wall clock jumping hours backwards and forwards (an NTP step, a VM
//! resumed, an operator's `date -s`), across every part that reads it:
//! the error log's counts and groups, activities, heartbeats and alert
//! timestamps (the collector's side is in `collector_windows`). Nothing
//! panics, no duration is negative, every total holds.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use monitor_core::activity::{ActivityMeta, ActivityTracker, Outcome};
use monitor_core::alerts::{Alert, AlertRouter, AlertSink, AlertStatus, FnSink, Matcher, Route};
use monitor_core::errors::{ErrorEvent, Severity};
use monitor_core::health::{CheckStatus, Health};
use monitor_core::{ManualClock, Monitor};

const HOUR: Duration = Duration::from_secs(3_600);

/// 10:00 UTC on a day in 2024.
fn ten_o_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(19_800 * 86_400 + 10 * 3_600)
}

fn monitor(clock: &ManualClock) -> Monitor {
    Monitor::builder()
        .clock(clock.clone())
        .health(Health::builder().heartbeat("webhook", Duration::from_secs(60), true))
        .activity("call", ActivityTracker::builder("call").timeout(24 * HOUR))
        .start()
        .expect("runtime")
}

/// Ten messages and ten errors of one group at the clock's time.
fn traffic(m: &Monitor) {
    for i in 0..10 {
        m.record_message(&format!("u{i}"), Duration::from_millis(40));
        m.log_error(ErrorEvent::new("db", "query", "Timeout", format!("#{i}")));
    }
    m.heartbeat("webhook");
}

#[tokio::test]
async fn hours_of_clock_jumps_lose_nothing_and_make_nothing_negative() {
    let t0 = ten_o_clock();
    let clock = ManualClock::new(t0);
    let m = monitor(&clock);
    let calls = m.activities("call");
    // Agent runs time out after an hour (the default).
    let agents = m.activities("agent");
    let meta = || ActivityMeta::new().category("support");

    traffic(&m);
    calls.start("c1", meta()).expect("start");
    agents.start("a1", meta()).expect("start");
    clock.set(t0 + 5 * HOUR); // forward
    traffic(&m);
    calls.start("c2", meta()).expect("start");
    // Five hours on, the agent run is past its timeout: ended as
    // abandoned, and counted so.
    assert_eq!(agents.expire(), 1);
    assert!(agents.end("a1", Outcome::new("completed")).is_err());
    assert_eq!(agents.stats().abandoned, 1);
    let c1 = calls.end("c1", Outcome::new("completed")).expect("end");
    clock.set(t0 - 3 * HOUR); // back, to before anything happened
    traffic(&m);
    let c2 = calls.end("c2", Outcome::new("completed")).expect("end");
    calls.start("c3", meta()).expect("start");
    clock.set(t0 + 3 * HOUR); // forward again, between the others
    traffic(&m);
    let c3 = calls.end("c3", Outcome::new("completed")).expect("end");

    // Durations: as the clock says, never below zero.
    assert_eq!(c1.duration_ms, Some(5 * 3_600_000));
    assert_eq!(c2.duration_ms, Some(0), "ended 'before' it started");
    assert_eq!(c3.duration_ms, Some(6 * 3_600_000));
    let stats = calls.stats();
    assert_eq!((stats.started, stats.ended, stats.active), (3, 3, 0));
    assert_eq!(stats.duration.count, 3);
    let p99 = stats.duration.p99_ms.expect("durations");
    assert!((0.0..=7.0 * 3_600_000.0).contains(&p99), "p99 {p99}");

    // Once the clock is past everything, every message and error is in
    // the hourly series and the totals.
    clock.set(t0 + 6 * HOUR);
    let collector = m.collector();
    assert_eq!(collector.current_stats().messages.total, 40);
    let hourly: u64 = collector.hourly(24).iter().map(|b| b.count).sum();
    assert_eq!(hourly, 40, "{:?}", collector.counters());
    assert_eq!(m.errors().counters().logged, 40);
    let errors = m.errors().stats(collector);
    assert_eq!(errors.by_severity.total(), 40);
    let hourly_errors: u64 = errors.hourly.iter().map(|p| p.errors).sum();
    assert_eq!(hourly_errors, 40, "{:?}", errors.hourly);
    for p in &errors.hourly {
        assert!(p.rate.is_none_or(|r| (0.0..=1.0).contains(&r)), "{p:?}");
    }
    let groups = m.errors().unresolved(None);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].count, 40);
    assert!(
        groups[0].first_seen <= groups[0].last_seen,
        "{:?}",
        groups[0]
    );

    let beat = &m.health().report().heartbeats["webhook"];
    assert!((0.0..=100.0).contains(&beat.uptime_percent), "{beat:?}");
}

#[tokio::test]
async fn a_heartbeat_that_stops_after_the_clock_stepped_back_is_seen_down() {
    let t0 = ten_o_clock();
    let clock = ManualClock::new(t0);
    let m = monitor(&clock);
    m.heartbeat("webhook");
    clock.set(t0 + 5 * HOUR);
    m.heartbeat("webhook");
    clock.set(t0 + HOUR); // four hours back; the source still beats
    m.heartbeat("webhook");
    let status = |m: &Monitor| m.health().report().heartbeats["webhook"].status;
    assert_eq!(status(&m), CheckStatus::Up);
    // Then it stops: two intervals later it is down, not four hours later.
    clock.advance(Duration::from_secs(120));
    assert_eq!(status(&m), CheckStatus::Down);
    let beat = &m.health().report().heartbeats["webhook"];
    assert!((0.0..=100.0).contains(&beat.uptime_percent), "{beat:?}");
}

type Seen = Arc<Mutex<Vec<Alert>>>;

fn recorder() -> (impl AlertSink + use<>, Seen) {
    let seen: Seen = Arc::default();
    let sink_seen = Arc::clone(&seen);
    let sink = FnSink::new("recorder", move |alert: Alert| {
        sink_seen.lock().expect("not poisoned").push(alert);
        std::future::ready(Ok::<(), monitor_core::alerts::SinkError>(()))
    });
    (sink, seen)
}

async fn wait_for(seen: &Seen, n: usize) -> Vec<Alert> {
    let start = std::time::Instant::now();
    loop {
        let alerts = seen.lock().expect("not poisoned").clone();
        if alerts.len() >= n {
            return alerts;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{n} alerts: {alerts:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_times_stay_in_order_and_silences_end_across_clock_jumps() {
    let t0 = ten_o_clock();
    let clock = ManualClock::new(t0);
    let (sink, seen) = recorder();
    let m = Monitor::builder()
        .clock(clock.clone())
        .alerts(
            AlertRouter::new().route(
                Route::new("db")
                    .service("db")
                    .group_wait(Duration::ZERO)
                    .group_interval(Duration::from_millis(50))
                    .sink(sink),
            ),
        )
        .start()
        .expect("runtime");
    let error =
        |op: &str| ErrorEvent::new("db", op, "Down", "refused").severity(Severity::Critical);

    let id = m.log_error(error("query")).id;
    wait_for(&seen, 1).await;
    clock.set(t0 - 3 * HOUR);
    m.log_error(error("query"));
    wait_for(&seen, 2).await;
    m.errors().resolve(id).expect("logged");
    let alerts = wait_for(&seen, 3).await;
    assert_eq!(alerts[2].status, AlertStatus::Resolved);
    for a in &alerts {
        assert!(a.starts_at <= a.last_seen, "{a:?}");
        if let Some(ends_at) = a.ends_at {
            assert!(
                a.last_seen <= ends_at,
                "an alert ending before it was last seen: {a:?}"
            );
        }
    }

    // A silence for the next hour; then the clock jumps two hours ahead:
    // the silence is over and the next alert goes out.
    let router = m.alerts().expect("configured");
    router
        .silence(Matcher::any(), clock.now() + HOUR, "maintenance")
        .expect("under the cap");
    m.log_error(error("connect"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(router.stats().silenced >= 1, "{:?}", router.stats());
    assert_eq!(seen.lock().expect("not poisoned").len(), 3);
    clock.advance(2 * HOUR);
    wait_for(&seen, 4).await;
    assert!(router.silences().is_empty());
}
