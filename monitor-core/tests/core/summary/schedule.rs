//! The schedule with a paused tokio clock (the check's interval) and a
//! `ManualClock` (the monitor's "now") moved together, one minute a step.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use monitor_core::alerts::{Alert, AlertSink, FnSink, SinkError};
use monitor_core::errors::Severity;
use monitor_core::summary::{SummaryConfig, SummaryStats};
use monitor_core::{ManualClock, Monitor};

use super::{DAY, at, week_of_traffic};

const MINUTE: Duration = Duration::from_secs(60);

fn start(clock: &ManualClock, config: SummaryConfig) -> Monitor {
    Monitor::builder()
        .clock(clock.clone())
        .summaries(config.check_every(MINUTE))
        .start()
        .expect("runtime")
}

/// Moves both clocks `minutes` minutes on, one minute at a time, letting
/// each check run up to its file writes.
async fn step(clock: &ManualClock, minutes: u32) {
    for _ in 0..minutes {
        clock.advance(MINUTE);
        tokio::time::advance(MINUTE).await;
        settle().await;
    }
}

/// Lets spawned tasks run, and the blocking pool's real threads work,
/// without moving the paused clock (a tokio sleep would auto-advance it
/// to the next check).
async fn settle() {
    for _ in 0..5 {
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Settles until `done` holds (file writes fsync; a loaded disk may take
/// a while), for up to 10 s of real time.
async fn settle_until(done: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting"
        );
        settle().await;
    }
}

/// The summary files in `dir`, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("summary-"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn stats(monitor: &Monitor) -> SummaryStats {
    monitor.summary_stats().expect("summaries are on")
}

fn summaries_dir(tmp: &tempfile::TempDir) -> PathBuf {
    tmp.path().join("summaries") // created by the first write
}

#[tokio::test(start_paused = true)]
async fn a_daily_pair_after_midnight_and_a_weekly_pair_after_monday() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = summaries_dir(&tmp);
    let clock = ManualClock::new(at(0));
    let monitor = start(&clock, SummaryConfig::new().directory(&dir));
    week_of_traffic(&monitor, &clock);

    // Saturday 23:55: the last closed day (Friday) and week (W46) are
    // written at the first check; they were closed before the start.
    clock.set(at(5 * DAY + 23 * 3600 + 55 * 60));
    step(&clock, 1).await;
    settle_until(|| files(&dir).len() == 4).await;
    assert_eq!(
        files(&dir),
        [
            "summary-daily-2026-11-20.csv",
            "summary-daily-2026-11-20.json",
            "summary-weekly-2026-W46.csv",
            "summary-weekly-2026-W46.json",
        ]
    );
    step(&clock, 3).await; // 23:59
    assert_eq!(files(&dir).len(), 4, "nothing new before midnight");
    step(&clock, 2).await; // Sunday 00:01
    settle_until(|| files(&dir).len() == 6).await;
    assert!(files(&dir).contains(&"summary-daily-2026-11-21.json".to_owned()));
    step(&clock, 10).await;
    assert_eq!(files(&dir).len(), 6, "written once");

    // Sunday 23:58 → Monday 00:01: Sunday's day and the week W47.
    clock.set(at(6 * DAY + 23 * 3600 + 58 * 60));
    step(&clock, 3).await;
    settle_until(|| files(&dir).len() == 10).await;
    let names = files(&dir);
    assert!(names.contains(&"summary-daily-2026-11-22.csv".to_owned()));
    assert!(names.contains(&"summary-weekly-2026-W47.csv".to_owned()));
    assert_eq!(stats(&monitor).written, 5);
    assert_eq!(stats(&monitor).write_errors, 0);

    let json = std::fs::read(dir.join("summary-daily-2026-11-21.json")).expect("written");
    let json: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    assert_eq!(json["totals"]["messages"], 2700);
    assert_eq!(json["top_users"]["users"][0]["user_id"], "u-ada");
    let csv = std::fs::read_to_string(dir.join("summary-weekly-2026-W47.csv")).expect("written");
    assert!(csv.contains("period,,name,2026-W47\r\n"), "{csv}");
    assert!(
        std::fs::read_dir(&dir)
            .expect("dir")
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().ends_with(".tmp")),
        "no temp file left"
    );
    monitor.shutdown().await.expect("shutdown");
}

#[tokio::test(start_paused = true)]
async fn a_restart_on_the_same_directory_writes_nothing_twice() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = summaries_dir(&tmp);
    let clock = ManualClock::new(at(7 * DAY));
    let first = start(&clock, SummaryConfig::new().directory(&dir));
    step(&clock, 1).await;
    settle_until(|| stats(&first).written == 2).await;
    let before = std::fs::read(dir.join("summary-weekly-2026-W47.json")).expect("written");
    first.shutdown().await.expect("shutdown");

    let second = start(&clock, SummaryConfig::new().directory(&dir));
    step(&clock, 1).await;
    settle_until(|| stats(&second).skipped_existing == 2).await;
    step(&clock, 5).await;
    let s = stats(&second);
    assert_eq!((s.written, s.skipped_existing), (0, 2));
    let after = std::fs::read(dir.join("summary-weekly-2026-W47.json")).expect("kept");
    assert_eq!(before, after, "not rewritten");
    assert_eq!(files(&dir).len(), 4);
    second.shutdown().await.expect("shutdown");
}

#[tokio::test(start_paused = true)]
async fn retention_deletes_the_oldest_summaries_it_wrote() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = summaries_dir(&tmp);
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("notes.txt"), "mine").expect("a host's file");
    let clock = ManualClock::new(at(DAY + 30));
    let monitor = start(
        &clock,
        SummaryConfig::new()
            .directory(&dir)
            .weekly(false)
            .keep(2, 1),
    );
    for n in 1..=4 {
        step(&clock, 1).await;
        settle_until(|| stats(&monitor).written == n).await;
        clock.advance(Duration::from_secs(DAY));
    }
    assert_eq!(
        files(&dir),
        [
            "summary-daily-2026-11-18.csv",
            "summary-daily-2026-11-18.json",
            "summary-daily-2026-11-19.csv",
            "summary-daily-2026-11-19.json",
        ]
    );
    let s = stats(&monitor);
    assert_eq!((s.written, s.deleted), (4, 4));
    assert!(
        dir.join("notes.txt").is_file(),
        "only summary files are deleted"
    );
    monitor.shutdown().await.expect("shutdown");
}

#[tokio::test(start_paused = true)]
async fn an_unwritable_directory_is_counted_and_retried() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let not_a_dir = tmp.path().join("file");
    std::fs::write(&not_a_dir, "x").expect("a file");
    let clock = ManualClock::new(at(DAY));
    let monitor = start(
        &clock,
        SummaryConfig::new().directory(not_a_dir.join("summaries")),
    );
    for n in 1..=3 {
        step(&clock, 1).await;
        settle_until(|| stats(&monitor).write_errors == 2 * n).await;
    }
    let s = stats(&monitor);
    // Daily and weekly, each tried at each of the 3 checks.
    assert_eq!((s.written, s.write_errors), (0, 6));
    monitor.record_message("still", Duration::from_millis(1));
    assert_eq!(monitor.collector().current_stats().messages.total, 1);
    monitor.shutdown().await.expect("shutdown");
}

type Seen = Arc<Mutex<Vec<Alert>>>;

/// A sink that records what it got; fails the first `failures` sends.
fn recording_sink(failures: usize) -> (impl AlertSink, Seen) {
    let seen: Seen = Arc::default();
    let calls = Arc::new(Mutex::new(0usize));
    let sink_seen = Arc::clone(&seen);
    let sink = FnSink::new("recorder", move |alert: Alert| {
        let mut n = calls.lock().expect("not poisoned");
        *n += 1;
        if *n <= failures {
            return std::future::ready(Err(SinkError::Transport("down".into())));
        }
        sink_seen.lock().expect("not poisoned").push(alert);
        std::future::ready(Ok(()))
    });
    (sink, seen)
}

#[tokio::test(start_paused = true)]
async fn the_sink_receives_each_summary_once() {
    let clock = ManualClock::new(at(0));
    let (sink, seen) = recording_sink(1);
    let monitor = start(&clock, SummaryConfig::new().weekly(false).sink(sink));
    week_of_traffic(&monitor, &clock); // Sunday closed while it ran
    step(&clock, 1).await; // Monday 00:31: the first send fails
    assert!(seen.lock().expect("not poisoned").is_empty());
    assert_eq!(stats(&monitor).send_errors, 1);
    step(&clock, 10).await; // retried at the next check, then done
    let got = seen.lock().expect("not poisoned").clone();
    assert_eq!(got.len(), 1, "delivered once");
    let alert = &got[0];
    assert_eq!(alert.severity, Severity::Info);
    assert_eq!(alert.fingerprint, "summary:daily:2026-11-22");
    assert!(
        alert
            .summary
            .starts_with("Daily summary 2026-11-22 (UTC): 2,400 messages"),
        "{}",
        alert.summary
    );
    assert!(
        alert.summary.contains("top users: Zed (u-zed) 10"),
        "{}",
        alert.summary
    );
    let s = stats(&monitor);
    assert_eq!((s.sent, s.send_errors), (1, 1));
    monitor.shutdown().await.expect("shutdown");

    // Without a directory, a restart does not send a day closed before it.
    let (sink, seen) = recording_sink(0);
    let again = start(&clock, SummaryConfig::new().weekly(false).sink(sink));
    step(&clock, 5).await;
    assert!(seen.lock().expect("not poisoned").is_empty());
    assert_eq!(stats(&again).sent, 0);
    again.shutdown().await.expect("shutdown");
}
