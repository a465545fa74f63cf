//! `Monitor::replace_state` on a live monitor: what is swapped, what the
//! host's handles see afterwards, a snapshot only the rebuild can find
//! wrong, and recording threads racing the swap.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use monitor_core::Monitor;
use monitor_core::activity::{ActivityError, ActivityMeta, Outcome};
use monitor_core::errors::ErrorEvent;

fn seeded() -> Monitor {
    let monitor = Monitor::builder().start().expect("runtime");
    for i in 0..20 {
        monitor.record_message(&format!("u{}", i % 4), Duration::from_millis(50));
    }
    monitor.events("buttons").record_n("SHARE", 3);
    monitor.log_error(ErrorEvent::new("db", "query", "Timeout", "slow"));
    let calls = monitor.activities("call");
    calls.start("kept", ActivityMeta::new()).expect("starts");
    monitor
}

#[tokio::test]
async fn handles_keep_working_and_what_the_snapshot_lacks_is_emptied() {
    let monitor = seeded();
    let backup = monitor.snapshot();
    // After the backup: a new family, a new kind, a live call, more of all.
    let clicks = monitor.events("clicks");
    clicks.record("OK");
    let buttons = monitor.events("buttons");
    buttons.record("SHARE");
    let sessions = monitor.activities("session");
    sessions.start("s1", ActivityMeta::new()).expect("starts");
    let calls = monitor.activities("call");
    calls.start("live", ActivityMeta::new()).expect("starts");
    monitor.record_message("u9", Duration::from_millis(10));

    let summary = monitor.replace_state(&backup).expect("a valid snapshot");
    assert_eq!(summary.messages, 20);
    assert_eq!((summary.errors, summary.error_groups), (1, 1));
    // `call`, and `action`, which every monitor has for operator actions.
    assert_eq!((summary.counter_families, summary.activity_kinds), (1, 2));

    let stats = monitor.collector().current_stats();
    assert_eq!((stats.messages.total, stats.users.total), (20, 4));
    assert_eq!(
        clicks.stats().total,
        0,
        "a family the backup lacks is emptied"
    );
    assert_eq!(buttons.stats().total, 3);
    assert!(
        sessions.active().is_empty(),
        "a kind the backup lacks is emptied"
    );
    let active: Vec<String> = calls.active().into_iter().map(|a| a.id).collect();
    assert_eq!(
        active,
        ["kept"],
        "the backup's active calls, not the live ones"
    );
    assert_eq!(
        calls.end("live", Outcome::new("completed")).err(),
        Some(ActivityError::NotFound("live".into()))
    );
    calls
        .end("kept", Outcome::new("completed"))
        .expect("restored, so it ends");
    // The handles held across the swap still count into the monitor.
    clicks.record("OK");
    buttons.record("SHARE");
    assert_eq!(monitor.events("clicks").stats().total, 1);
    assert_eq!(monitor.events("buttons").stats().total, 4);
    monitor.record_message("u1", Duration::from_millis(10));
    assert_eq!(monitor.collector().current_stats().messages.total, 21);
}

#[tokio::test]
async fn a_snapshot_only_the_rebuild_finds_wrong_changes_nothing() {
    let monitor = seeded();
    let mut bad = monitor.snapshot();
    // Two groups with one key: every record points to a group and ids
    // increase, so `validate` passes; the error log's rebuild refuses it.
    let group = bad.errors.groups[0].clone();
    bad.errors.groups.push(group);
    bad.errors.validate().expect("the cheap checks pass");
    bad.collector.total = 999;
    monitor.record_message("u5", Duration::from_millis(10));
    let before = monitor.snapshot();

    let error = monitor.replace_state(&bad).expect_err("refused");
    assert!(error.to_string().contains("same key"), "{error}");
    let after = monitor.snapshot();
    assert_eq!(after.collector, before.collector, "the collector untouched");
    assert_eq!(after.errors, before.errors, "the error log untouched");
    assert_eq!(after.counters, before.counters);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recording_threads_racing_the_swap_see_a_whole_state() {
    let monitor = seeded();
    let backup = monitor.snapshot();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..3)
        .map(|t| {
            let (monitor, stop) = (monitor.clone(), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    monitor.record_message(&format!("w{t}-{}", n % 50), Duration::from_millis(3));
                    if n % 64 == 0 {
                        monitor.log_error(ErrorEvent::new("db", "query", "Timeout", "racing"));
                    }
                    n += 1;
                }
                n
            })
        })
        .collect();
    for _ in 0..50 {
        monitor.replace_state(&backup).expect("valid");
        let stats = monitor.collector().current_stats();
        assert!(stats.messages.total >= 20, "{}", stats.messages.total);
        tokio::task::yield_now().await;
    }
    stop.store(true, Ordering::Relaxed);
    let written: u64 = writers
        .into_iter()
        .map(|w| w.join().expect("no panic"))
        .sum();
    assert!(written > 0);
    // Once quiet, a swap leaves exactly the backup, whatever raced before.
    monitor.replace_state(&backup).expect("valid");
    let after = monitor.snapshot();
    assert_eq!(after.collector.total, backup.collector.total);
    assert_eq!(after.errors.records, backup.errors.records);
    let stats = monitor.collector().current_stats();
    assert_eq!(stats.messages.total, 20);
    assert_eq!(stats.messages.last_hour, 20);
    let ids: Vec<u64> = monitor
        .errors()
        .export()
        .records
        .iter()
        .map(|r| r.id)
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
}
