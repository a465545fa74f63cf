//! A snapshot directory that cannot be written or is full. These tests run
//! as root here, where a 0o555 directory stops nothing, so the faults are
//! ones root meets too: the directory behind a symlink swapped for `/sys`
//! (no file can be created there), a path whose parent is a regular file
//! (`ENOTDIR`), and the temporary file pointed at `/dev/full` (`ENOSPC` on
//! write). Saving fails with a clear, counted error, the monitor carries
//! on, the last good snapshot stays whole, and once the directory works
//! again the next save and a restart bring everything back.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use metrics_exporter_prometheus::PrometheusBuilder;
use monitor_core::errors::ErrorEvent;
use monitor_core::persist::SnapshotFile;
use monitor_core::{ManualClock, Monitor, RestoreOutcome};

use crate::support::value_of;

fn start(clock: &ManualClock, path: &Path) -> Monitor {
    Monitor::builder()
        .clock(clock.clone())
        .snapshot_file(path)
        .start()
        .expect("inside a runtime")
}

/// Some of everything a snapshot keeps; `n` of each.
fn record(m: &Monitor, n: usize) {
    for i in 0..n {
        m.record_message(&format!("u{i}"), Duration::from_millis(20));
        m.log_error(ErrorEvent::new("db", "query", "Timeout", format!("#{i}")));
        m.events("buttons").record("UNLOCK_CONTENT");
    }
}

/// Messages, errors and button presses, as the monitor counts them.
fn totals(m: &Monitor) -> (u64, u64, u64) {
    let buttons = m.events("buttons").stats();
    (
        m.collector().current_stats().messages.total,
        m.errors().counters().logged,
        buttons.total,
    )
}

fn saved_total(path: &Path) -> u64 {
    match SnapshotFile::new(path).load() {
        Ok(Some(s)) => s.collector.total,
        other => panic!("the last good snapshot: {other:?}"),
    }
}

fn snapshot_series(m: &Monitor) -> (Option<f64>, Option<f64>) {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || m.publish_metrics());
    let text = handle.render();
    (
        value_of(&text, "monitor_snapshot_writes_total"),
        value_of(&text, "monitor_snapshot_failures_total"),
    )
}

fn point(link: &Path, to: &Path) {
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(to, link).expect("symlink");
}

/// `/sys` refuses new files to everyone, root included.
fn sys_is_read_only() -> bool {
    std::fs::File::create("/sys/monitor-faults-probe").is_err()
}

#[tokio::test]
async fn a_read_only_snapshot_directory_fails_loudly_and_loses_nothing() {
    assert!(
        sys_is_read_only(),
        "/sys takes no new files, even from root"
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let real = tmp.path().join("real");
    std::fs::create_dir(&real).expect("mkdir");
    let dir = tmp.path().join("snapshots");
    point(&dir, &real);
    let path = dir.join("monitor.snap");
    let clock = ManualClock::new(SystemTime::now());

    let m = start(&clock, &path);
    record(&m, 10);
    m.save_snapshot().expect("a writable directory");

    point(&dir, Path::new("/sys"));
    record(&m, 5);
    let error = m.save_snapshot().expect_err("a read-only directory");
    let text = error.to_string();
    assert!(
        text.contains("create") && text.contains("monitor.snap"),
        "{text}"
    );
    let status = m.persist_status();
    assert_eq!((status.writes, status.failures), (1, 1), "{status:?}");
    assert_eq!(status.last_error.as_deref(), Some(text.as_str()));
    assert_eq!(snapshot_series(&m), (Some(1.0), Some(1.0)));
    // Still recording, and the last good snapshot is whole.
    record(&m, 5);
    assert_eq!(totals(&m), (20, 20, 20));
    assert_eq!(saved_total(&real.join("monitor.snap")), 10);

    point(&dir, &real);
    m.save_snapshot().expect("writable again");
    let status = m.persist_status();
    assert_eq!((status.writes, status.failures), (2, 1), "{status:?}");
    assert_eq!(status.last_error, None);
    m.shutdown().await.expect("final snapshot");

    let again = start(&clock, &path);
    assert!(matches!(
        again.persist_status().restore,
        RestoreOutcome::Restored { .. }
    ));
    assert_eq!(totals(&again), (20, 20, 20), "nothing recorded was lost");
}

/// The writer's temporary file for `path` (`<path>.tmp-<pid>`).
fn temp_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".tmp-{}", std::process::id()));
    PathBuf::from(name)
}

#[tokio::test]
async fn a_full_disk_fails_the_save_and_keeps_the_last_snapshot_whole() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("monitor.snap");
    let clock = ManualClock::new(SystemTime::now());
    let m = start(&clock, &path);
    record(&m, 10);
    m.save_snapshot().expect("room on disk");

    // Every write to /dev/full fails with ENOSPC.
    std::os::unix::fs::symlink("/dev/full", temp_of(&path)).expect("symlink");
    record(&m, 5);
    let text = m.save_snapshot().expect_err("a full disk").to_string();
    assert!(text.contains("write") && text.contains("space"), "{text}");
    assert_eq!(m.persist_status().failures, 1);
    assert_eq!(saved_total(&path), 10, "the last good snapshot is whole");
    assert!(
        !temp_of(&path).exists(),
        "the failed temporary file is cleaned up"
    );

    // Room again: the next save has everything.
    m.save_snapshot().expect("room again");
    assert_eq!(saved_total(&path), 15);
    assert_eq!(snapshot_series(&m), (Some(2.0), Some(1.0)));
}

#[tokio::test]
async fn a_snapshot_directory_unusable_at_start_is_written_once_it_works() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("snapshots");
    std::fs::write(&dir, b"a file where the directory should be").expect("write");
    let path = dir.join("monitor.snap");
    let clock = ManualClock::new(SystemTime::now());

    let m = start(&clock, &path);
    assert_eq!(
        m.persist_status().restore,
        RestoreOutcome::Fresh,
        "no snapshot can be under a file: nothing to restore, nothing to protect"
    );
    record(&m, 10);
    let text = m.save_snapshot().expect_err("not a directory").to_string();
    assert!(text.contains("snapshots"), "{text}");
    assert_eq!(m.persist_status().failures, 1);

    std::fs::remove_file(&dir).expect("rm");
    std::fs::create_dir(&dir).expect("mkdir");
    record(&m, 5);
    m.shutdown().await.expect("the final snapshot is written");

    let again = start(&clock, &path);
    assert_eq!(totals(&again), (15, 15, 15), "nothing recorded was lost");
}
