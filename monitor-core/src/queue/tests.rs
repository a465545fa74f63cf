use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::*;
use crate::ManualClock;

const START_MS: u64 = 1_794_787_200_000;

fn clock() -> ManualClock {
    ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_millis(START_MS))
}

fn queue(clock: &ManualClock) -> QueueHandle {
    QueueHandle::builder("whatsapp")
        .clock(clock.clone())
        .build()
}

#[test]
fn steps_move_messages_between_depth_scheduled_and_in_flight() {
    let clock = clock();
    let q = queue(&clock);
    q.enqueue("a", Enqueue::new());
    q.enqueue("b", Enqueue::new().after(Duration::from_secs(60)));
    let at = clock.now() + Duration::from_secs(120);
    q.enqueue("c", Enqueue::new().at(at));
    let s = q.stats();
    assert_eq!((s.depth, s.scheduled, s.in_flight), (1, 2, 0));
    assert_eq!(s.oldest_pending_age_ms, Some(0));

    clock.advance(Duration::from_secs(90));
    let s = q.stats();
    assert_eq!((s.depth, s.scheduled), (2, 1), "b fell due");
    assert_eq!(
        s.oldest_pending_age_ms,
        Some(90_000),
        "a has waited since enqueue"
    );

    q.processing("a");
    q.processing("b");
    let s = q.stats();
    assert_eq!((s.depth, s.scheduled, s.in_flight), (0, 1, 2));
    assert_eq!(s.oldest_pending_age_ms, None);

    q.retry("a", Duration::from_secs(30), "429");
    q.sent("b");
    let s = q.stats();
    assert_eq!((s.depth, s.scheduled, s.in_flight), (0, 2, 0));
    clock.advance(Duration::from_secs(40));
    q.processing("a");
    q.dead_letter("a", "gave up");
    q.processing("c");
    q.failed("c", "invalid number");
    let s = q.stats();
    assert_eq!((s.depth, s.scheduled, s.in_flight, s.tracked), (0, 0, 0, 0));
    let t = s.totals;
    assert_eq!(
        (
            t.enqueued,
            t.processing,
            t.sent,
            t.failed,
            t.retried,
            t.dead_lettered
        ),
        (3, 4, 1, 1, 1, 1)
    );
    assert_eq!(s.last_24h, t);
    assert_eq!(s.anomalies, QueueAnomalies::default());
}

#[test]
fn hourly_series_follow_the_clock() {
    let clock = clock();
    let q = queue(&clock);
    q.enqueue("a", Enqueue::new());
    clock.advance(Duration::from_secs(3_600));
    q.processing("a");
    q.sent("a");
    let d = q.detail(3);
    let sent: Vec<u64> = d.hourly.iter().map(|h| h.counts.sent).collect();
    let enq: Vec<u64> = d.hourly.iter().map(|h| h.counts.enqueued).collect();
    assert_eq!((enq, sent), (vec![0, 1, 0], vec![0, 0, 1]));
    assert_eq!(
        crate::clock::unix_ms(d.hourly[2].timestamp),
        (START_MS / 3_600_000 + 1) * 3_600_000
    );
    clock.advance(Duration::from_secs(25 * 3_600));
    let s = q.stats();
    assert_eq!(s.last_24h, QueueCounts::default(), "a day later");
    assert_eq!(s.totals.sent, 1, "totals stay");
}

#[test]
fn unknown_ids_duplicates_caps_and_expiry_are_counted() {
    let clock = clock();
    let limits = QueueLimits {
        max_tracked: 64,
        in_flight_timeout: Duration::from_secs(60),
    };
    let q = QueueHandle::builder("q")
        .clock(clock.clone())
        .limits(limits)
        .build();
    assert_eq!(q.limits().max_tracked, 64, "2 per shard");
    for i in 0..1_000 {
        q.enqueue(&format!("m{i}"), Enqueue::new());
    }
    let s = q.stats();
    assert_eq!(s.totals.enqueued, 1_000, "every enqueue is counted");
    assert_eq!(s.tracked, 64, "but only the cap is tracked");
    assert_eq!(s.anomalies.refused, 1_000 - 64);
    assert_eq!(s.depth, 64);

    q.sent("never-enqueued");
    let s = q.stats();
    assert_eq!(s.anomalies.unknown, 1);
    assert_eq!(s.totals.sent, 1, "unknown ids still count");
    assert_eq!(s.tracked, 64, "and take no room");

    let fresh = queue(&clock);
    fresh.enqueue("x", Enqueue::new());
    fresh.enqueue("x", Enqueue::new());
    assert_eq!(fresh.stats().anomalies.duplicates, 1);
    assert_eq!(fresh.stats().depth, 1, "one message, not two");

    let q = QueueHandle::builder("t")
        .clock(clock.clone())
        .limits(limits)
        .build();
    q.enqueue("a", Enqueue::new());
    q.processing("a");
    q.processing("ghost"); // tracked in flight from now on
    clock.advance(Duration::from_secs(61));
    assert_eq!(q.expire(), 2);
    let s = q.stats();
    assert_eq!(
        (s.in_flight, s.anomalies.expired, s.anomalies.unknown),
        (0, 2, 1)
    );
}

#[test]
fn notices_carry_the_tenant_attempts_and_timings_when_wanted() {
    let clock = clock();
    let seen: Arc<Mutex<Vec<QueueNotice>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let q = QueueHandle::builder("sms")
        .clock(clock.clone())
        .listener(move |n: &QueueNotice| sink.lock().expect("not poisoned").push(n.clone()))
        .build();
    q.enqueue("m\u{1b}1", Enqueue::new().client("acme"));
    clock.advance(Duration::from_millis(1_500));
    q.processing("m\u{1b}1");
    clock.advance(Duration::from_millis(200));
    q.retry("m\u{1b}1", Duration::from_secs(10), "rate\nlimited");
    clock.advance(Duration::from_secs(10));
    q.processing("m\u{1b}1");
    q.sent("m\u{1b}1");
    q.failed("stranger", "");
    let seen = seen.lock().expect("not poisoned");
    let types: Vec<&str> = seen.iter().map(QueueNotice::event_type).collect();
    assert_eq!(
        types,
        [
            "queue:message:processing",
            "queue:message:retry",
            "queue:message:processing",
            "queue:message:sent",
            "queue:message:failed"
        ]
    );
    assert_eq!(seen[0].message_id, "m1", "control characters removed");
    assert_eq!(seen[0].client_id.as_deref(), Some("acme"));
    assert_eq!((seen[0].attempt, seen[0].waited_ms), (1, Some(1_500)));
    assert_eq!(seen[1].took_ms, Some(200));
    assert_eq!(seen[1].reason.as_deref(), Some("ratelimited"));
    assert_eq!(
        seen[1].retry_at,
        Some(clock.now()),
        "due ten seconds after the retry"
    );
    assert_eq!((seen[2].attempt, seen[2].waited_ms), (2, Some(0)));
    assert_eq!(
        (seen[3].attempt, seen[3].client_id.as_deref()),
        (2, Some("acme"))
    );
    assert!(seen.iter().take(4).all(|n| n.tracked));
    assert!(!seen[4].tracked && seen[4].client_id.is_none() && seen[4].reason.is_none());
}

#[test]
fn a_listener_that_wants_nothing_gets_nothing() {
    struct Deaf(Arc<Mutex<u32>>);
    impl QueueListener for Deaf {
        fn wants(&self) -> bool {
            false
        }
        fn notice(&self, _: &QueueNotice) {
            *self.0.lock().expect("not poisoned") += 1;
        }
    }
    let count = Arc::default();
    let q = QueueHandle::builder("q")
        .listener(Deaf(Arc::clone(&count)))
        .build();
    q.enqueue("a", Enqueue::new());
    q.processing("a");
    q.sent("a");
    assert_eq!(*count.lock().expect("not poisoned"), 0);
    assert_eq!(q.stats().totals.sent, 1);
}

#[test]
fn export_restore_round_trips_and_bad_states_change_nothing() {
    let clock = clock();
    let q = queue(&clock);
    for i in 0..10 {
        q.enqueue(&format!("m{i}"), Enqueue::new());
    }
    clock.advance(Duration::from_secs(7_200));
    for i in 0..10 {
        q.processing(&format!("m{i}"));
        q.sent(&format!("m{i}"));
    }
    q.sent("ghost");
    let state = q.export();
    assert_eq!(state.hours.len(), 2);

    let fresh = queue(&clock);
    fresh.restore(&state).expect("valid");
    assert_eq!(fresh.export(), state);
    let (a, b) = (q.detail(24), fresh.detail(24));
    assert_eq!(a.hourly, b.hourly);
    assert_eq!(
        (a.stats.totals, a.stats.anomalies),
        (b.stats.totals, b.stats.anomalies)
    );
    assert_eq!(b.stats.depth, 0, "live state is not restored");

    let mut bad = state.clone();
    bad.hours[0].1.enqueued += 1;
    assert!(matches!(
        fresh.restore(&bad),
        Err(QueueStateError::HoursExceedTotal { .. })
    ));
    let mut bad = state.clone();
    bad.hours.push(bad.hours[0]);
    bad.totals.enqueued += 100;
    assert!(matches!(
        fresh.restore(&bad),
        Err(QueueStateError::DuplicateHour { .. })
    ));
    let mut bad = state.clone();
    bad.name = "a\u{0}b".into();
    assert!(matches!(
        fresh.restore(&bad),
        Err(QueueStateError::BadName(_))
    ));
    let mut bad = state;
    bad.hours = (0..30).map(|h| (h, QueueCounts::default())).collect();
    assert!(matches!(
        fresh.restore(&bad),
        Err(QueueStateError::TooManyHours { .. })
    ));
    assert_eq!(fresh.export().totals, q.export().totals, "nothing changed");
}

#[test]
fn tenant_ids_are_capped_per_shard_and_freed_once_unused() {
    use super::shard::{MAX_TENANTS, SHARDS};
    let seen: Arc<Mutex<Vec<QueueNotice>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let q = QueueHandle::builder("q")
        .clock(clock())
        .limits(QueueLimits {
            max_tracked: MAX_MAX_TRACKED,
            ..QueueLimits::default()
        })
        .listener(move |n: &QueueNotice| sink.lock().expect("not poisoned").push(n.clone()))
        .build();
    let n = SHARDS * MAX_TENANTS * 2; // about 2 048 tenants per shard
    for i in 0..n {
        q.enqueue(&format!("m{i}"), Enqueue::new().client(&format!("t{i}")));
    }
    let s = q.stats();
    assert_eq!(s.tracked, n as u64, "every message tracked");
    assert_eq!(
        s.anomalies.untenanted,
        (n - SHARDS * MAX_TENANTS) as u64,
        "each shard holds 1 024 tenants"
    );
    for i in 0..n {
        q.sent(&format!("m{i}"));
    }
    let with_tenant = seen
        .lock()
        .expect("not poisoned")
        .iter()
        .filter(|e| e.client_id.as_deref() == Some(&format!("t{}", &e.message_id[1..])))
        .count();
    assert_eq!(with_tenant, SHARDS * MAX_TENANTS, "the others have none");
    q.stats(); // the scan frees every tenant id
    seen.lock().expect("not poisoned").clear();
    for i in 0..n / 4 {
        q.enqueue(
            &format!("again{i}"),
            Enqueue::new().client(&format!("u{i}")),
        );
        q.processing(&format!("again{i}"));
    }
    assert_eq!(
        q.stats().anomalies.untenanted,
        (n - SHARDS * MAX_TENANTS) as u64,
        "room again"
    );
    let seen = seen.lock().expect("not poisoned");
    assert!(
        seen.iter()
            .all(|e| e.client_id.as_deref() == Some(&format!("u{}", &e.message_id[5..])))
    );
}
