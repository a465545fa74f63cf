use std::time::{Duration, SystemTime};

use super::*;
use crate::ManualClock;

fn counters(max_labels: usize) -> (EventCounters, ManualClock) {
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000 * 86_400));
    let config = CountersConfig {
        max_families: 3,
        max_labels,
        clock: clock.clone().into(),
    };
    (EventCounters::new(config), clock)
}

#[test]
fn hourly_and_daily_distributions_follow_the_clock() {
    let (c, clock) = counters(10);
    let b = c.family("buttons");
    b.record("UNLOCK_CONTENT");
    clock.advance(Duration::from_secs(3_600));
    b.record_n("UNLOCK_CONTENT", 2);
    b.record("SHARE");
    let s = b.stats_for(3, 2);
    assert_eq!(s.total, 4);
    assert_eq!(
        s.hourly.iter().map(|p| p.total).collect::<Vec<_>>(),
        [0, 1, 3]
    );
    assert_eq!(s.labels[0].hourly, [0, 1, 2]);
    assert_eq!(s.labels[0].last_24h, 3);
    assert_eq!(s.daily.iter().map(|p| p.total).collect::<Vec<_>>(), [0, 4]);

    clock.advance(Duration::from_secs(25 * 3_600));
    let s = b.stats();
    assert_eq!(s.labels[0].last_24h, 0, "a day later the hours are gone");
    assert_eq!(s.labels[0].total, 3, "totals stay");
    assert_eq!(s.daily.iter().map(|p| p.total).sum::<u64>(), 4, "days stay");
}

#[test]
fn labels_past_the_cap_go_to_other_and_are_counted() {
    let (c, _) = counters(2);
    let f = c.family("outcomes");
    for label in ["sent", "failed", "retry", "dead_letter", "sent"] {
        f.record(label);
    }
    let s = f.stats();
    let names: Vec<_> = s
        .labels
        .iter()
        .map(|l| (l.label.as_str(), l.total))
        .collect();
    assert_eq!(names, [(OTHER_LABEL, 2), ("sent", 2), ("failed", 1)]);
    assert_eq!(s.overflowed, 2);
}

#[test]
fn hostile_labels_and_families_are_bounded() {
    let (c, _) = counters(5);
    let f = c.family("x");
    f.record(&"é".repeat(10_000));
    f.record("bad\u{0}\nlabel");
    f.record("");
    let s = f.stats();
    assert!(s.labels.iter().all(|l| l.label.len() <= MAX_LABEL_BYTES));
    assert!(s.labels.iter().any(|l| l.label == "badlabel"));
    assert!(s.labels.iter().any(|l| l.label == "unknown"));
    assert_eq!(s.cleaned_labels, 3);
    for i in 0..10 {
        c.family(&format!("family-{i}")).record("a");
    }
    assert_eq!(
        c.names(),
        ["__other__", "family-0", "family-1", "x"],
        "cap, plus the shared overflow family"
    );
    assert_eq!(c.overflowed_families(), 8);
}

#[test]
fn export_and_restore_round_trip() {
    let (c, clock) = counters(10);
    let f = c.family("buttons");
    f.record("A");
    clock.advance(Duration::from_secs(7_200));
    f.record_n("B", 5);
    let state = c.export();

    let (fresh, fresh_clock) = counters(10);
    fresh_clock.set(clock.now());
    fresh.restore(&state);
    assert_eq!(fresh.export(), state);
    assert_eq!(fresh.family("buttons").stats(), f.stats());
    fresh.family("buttons").record("A");
    assert_eq!(
        fresh.family("buttons").stats().labels[1].total,
        2,
        "counts continue"
    );
}
