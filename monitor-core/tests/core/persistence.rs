//! Snapshots: a round trip restores exactly what was recorded, a writer
//! killed mid-write leaves the previous snapshot whole, a bad file is set
//! aside (never overwritten) and counts continue after a restart.

use std::path::Path;
use std::time::{Duration, SystemTime};

use monitor_core::activity::{ActivityMeta, Outcome};
use monitor_core::errors::{ErrorEvent, ErrorQuery, Severity};
use monitor_core::persist::{Loaded, Snapshot, SnapshotFile};
use monitor_core::{ManualClock, Monitor, RestoreOutcome};
use proptest::prelude::*;

const DAY: u64 = 86_400;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn start(clock: &ManualClock, path: Option<&Path>) -> Monitor {
    let mut b = Monitor::builder().clock(clock.clone());
    if let Some(p) = path {
        b = b.snapshot_file(p);
    }
    b.start().expect("inside a runtime")
}

/// One thing a host might do.
#[derive(Clone, Debug)]
enum Op {
    Message {
        user: u16,
        back_secs: u32,
        rt_ms: u16,
    },
    Error {
        service: u8,
        client: u8,
        severity: u8,
        resolve: bool,
    },
    Count {
        family: u8,
        label: u8,
    },
    Call {
        id: u8,
        client: u8,
        step: u8,
    },
    Beat {
        source: u8,
    },
    Advance {
        secs: u16,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (any::<u16>(), 0..(8 * DAY as u32), 1..5_000u16)
            .prop_map(|(user, back_secs, rt_ms)| Op::Message { user, back_secs, rt_ms }),
        2 => (0..4u8, 0..3u8, 0..4u8, any::<bool>())
            .prop_map(|(service, client, severity, resolve)| Op::Error { service, client, severity, resolve }),
        2 => (0..3u8, 0..5u8).prop_map(|(family, label)| Op::Count { family, label }),
        3 => (0..12u8, 0..3u8, 0..4u8).prop_map(|(id, client, step)| Op::Call { id, client, step }),
        1 => (0..3u8).prop_map(|source| Op::Beat { source }),
        1 => (1..4_000u16).prop_map(|secs| Op::Advance { secs }),
    ]
}

fn apply(m: &Monitor, clock: &ManualClock, ops: &[Op]) {
    for op in ops {
        match *op {
            Op::Message {
                user,
                back_secs,
                rt_ms,
            } => m.collector().record_message_at(
                &format!("user-{user}"),
                clock.now() - Duration::from_secs(u64::from(back_secs)),
                Duration::from_millis(u64::from(rt_ms)),
            ),
            Op::Error {
                service,
                client,
                severity,
                resolve,
            } => {
                let mut e = ErrorEvent::new(format!("svc{service}"), "op", "Failure", "it broke")
                    .severity(Severity::ALL[usize::from(severity)]);
                if client > 0 {
                    e = e.client(format!("tenant{client}"));
                }
                let logged = m.log_error(e);
                if resolve {
                    m.errors().resolve(logged.id).expect("just logged");
                }
            }
            Op::Count { family, label } => {
                m.events(&format!("family{family}"))
                    .record(&format!("label{label}"));
            }
            Op::Call { id, client, step } => {
                let calls = m.activities(if id % 3 == 0 { "agent" } else { "call" });
                let id = format!("c{id}");
                let _ = match step {
                    0 => calls.start(
                        &id,
                        ActivityMeta::new()
                            .client(format!("tenant{client}"))
                            .category(["sales", "support"][usize::from(client % 2)])
                            .pii("phone", format!("+1 555 010 {id:0>4}")),
                    ),
                    1 => calls.progress(&id, f64::from(client) * 40.0, "working"),
                    _ => calls
                        .end(
                            &id,
                            Outcome::new("completed")
                                .label("quality", ["good", "poor", "fair"][usize::from(client)]),
                        )
                        .map(|_| ()),
                };
            }
            Op::Beat { source } => {
                m.heartbeat(&format!("source{source}"));
            }
            Op::Advance { secs } => clock.advance(Duration::from_secs(u64::from(secs))),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_restored_monitor_answers_exactly_like_the_original(ops in prop::collection::vec(op(), 1..300)) {
        let rt = runtime();
        let _in_runtime = rt.enter();
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(20_000 * DAY));
        let original = start(&clock, None);
        apply(&original, &clock, &ops);

        let bytes = original.snapshot().encode().expect("encodes");
        let decoded = Snapshot::decode(&bytes).expect("decodes");
        prop_assert_eq!(&decoded, &original.snapshot());

        let restored = start(&clock, None);
        restored.restore_snapshot(&decoded).expect("valid snapshot");
        prop_assert_eq!(restored.snapshot(), original.snapshot());
        let (a, b) = (original.collector(), restored.collector());
        // Uptime is the process's own, not restored.
        let (mut sa, mut sb) = (a.current_stats(), b.current_stats());
        (sa.uptime_seconds, sb.uptime_seconds) = (0, 0);
        prop_assert_eq!(sa, sb);
        prop_assert_eq!(a.hourly(168), b.hourly(168));
        prop_assert_eq!(a.daily(30), b.daily(30));
        let all = ErrorQuery::parse([("limit", "500")]).expect("valid");
        prop_assert_eq!(original.errors().query(&all), restored.errors().query(&all));
        prop_assert_eq!(original.errors().stats(a), restored.errors().stats(b));
        prop_assert_eq!(original.errors().counters(), restored.errors().counters());
        for t in original.activity_trackers() {
            let r = restored.activity_kind(t.kind()).expect("kind restored");
            prop_assert_eq!(t.active(), r.active());
            prop_assert_eq!(t.recent(), r.recent());
            prop_assert_eq!(t.stats(), r.stats());
        }
        prop_assert_eq!(original.health().report().heartbeats, restored.health().report().heartbeats);
        for family in original.counters().names() {
            prop_assert_eq!(original.events(&family).stats(), restored.events(&family).stats());
        }
    }
}

#[tokio::test]
async fn counts_continue_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("monitor.snap");
    let clock = ManualClock::new(SystemTime::now());

    let first = start(&clock, Some(&path));
    for i in 0..100 {
        first.record_message(&format!("u{}", i % 7), Duration::from_millis(20));
    }
    let old = first.log_error(ErrorEvent::new("db", "query", "Timeout", "slow").client("acme"));
    first.events("buttons").record("UNLOCK_CONTENT");
    first.shutdown().await.expect("final snapshot written");
    assert!(path.exists());

    clock.advance(Duration::from_secs(30));
    let second = start(&clock, Some(&path));
    assert!(matches!(
        second.persist_status().restore,
        RestoreOutcome::Restored { .. }
    ));
    second.record_message("u1", Duration::from_millis(20));
    let stats = second.collector().current_stats();
    assert_eq!(stats.messages.total, 101);
    assert_eq!(stats.users.total, 7);
    assert_eq!(stats.messages.last_hour, 101);
    let new = second.log_error(ErrorEvent::new("db", "query", "Timeout", "again").client("acme"));
    assert!(new.id > old.id, "ids continue: {} then {}", old.id, new.id);
    assert_eq!(new.fingerprint, old.fingerprint, "same group");
    assert_eq!(second.errors().get(old.id).map(|e| e.occurrences), Some(2));
    second
        .errors()
        .resolve(old.id)
        .expect("an error from before the restart");
    second.events("buttons").record("UNLOCK_CONTENT");
    assert_eq!(second.events("buttons").stats().labels[0].total, 2);
    second.shutdown().await.expect("snapshot");
}

#[tokio::test]
async fn a_corrupt_or_newer_file_is_set_aside_and_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = ManualClock::new(SystemTime::now());
    let good = {
        let m = start(&clock, None);
        m.record_message("u", Duration::from_millis(5));
        m.snapshot().encode().expect("encodes")
    };
    let mut newer = good.clone();
    newer[8] = 99; // format version 99
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x40;
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("garbage", b"not a snapshot at all".to_vec(), "bad header"),
        ("newer", newer, "version 99"),
        ("truncated", good[..good.len() / 2].to_vec(), "truncated"),
        ("flipped", flipped, "checksum"),
        ("empty", Vec::new(), "bad header"),
    ];
    for (name, bytes, why) in cases {
        let path = dir.path().join(format!("{name}.snap"));
        std::fs::write(&path, &bytes).expect("write");
        let m = start(&clock, Some(&path));
        let RestoreOutcome::SetAside { error, moved_to } = m.persist_status().restore else {
            panic!("{name}: not set aside: {:?}", m.persist_status());
        };
        assert!(error.contains(why), "{name}: {error}");
        assert_eq!(
            std::fs::read(&moved_to).expect("kept"),
            bytes,
            "{name}: kept as it was"
        );
        assert_eq!(
            m.collector().current_stats().messages.total,
            0,
            "{name}: started fresh"
        );
        m.record_message("fresh", Duration::from_millis(1));
        m.shutdown().await.expect("writes a new snapshot");
        assert_eq!(
            std::fs::read(&moved_to).expect("still kept"),
            bytes,
            "{name}: never overwritten"
        );
        assert!(matches!(SnapshotFile::new(&path).load(), Ok(Some(_))));
    }
    let aside = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
        })
        .count();
    assert_eq!(aside, 5);
}

#[test]
fn a_leftover_temp_file_changes_nothing_and_is_cleaned_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("m.snap");
    let rt = runtime();
    let _in_runtime = rt.enter();
    let clock = ManualClock::new(SystemTime::now());
    let m = start(&clock, None);
    m.record_message("u", Duration::from_millis(5));
    let file = SnapshotFile::new(&path);
    file.save(&m.snapshot()).expect("saved");
    // A writer that died half-way through its temporary file.
    let stale = dir.path().join("m.snap.tmp-4242");
    std::fs::write(&stale, b"MONSNAP\0 half a snapsh").expect("write");
    match file.load_or_set_aside() {
        Loaded::Snapshot(s) => assert_eq!(s.collector.total, 1),
        other => panic!("{other:?}"),
    }
    assert!(!stale.exists(), "stale temp removed");
}

/// Not a test on its own: the child process of
/// `a_writer_killed_mid_write_leaves_a_whole_snapshot`, writing
/// snapshots of varying size as fast as it can until killed.
#[test]
fn snapshot_writer_child() {
    let Ok(path) = std::env::var("MONITOR_SNAPSHOT_CHILD") else {
        return;
    };
    let rt = runtime();
    let _in_runtime = rt.enter();
    let clock = ManualClock::new(SystemTime::now());
    let m = start(&clock, None);
    let file = SnapshotFile::new(&path);
    for round in 0u64.. {
        for i in 0..(round % 50) * 20 {
            m.log_error(ErrorEvent::new(
                "svc",
                "op",
                format!("T{}", i % 300),
                "x".repeat(200),
            ));
            m.record_message(&format!("u{i}-{round}"), Duration::from_millis(i));
        }
        file.save(&m.snapshot()).expect("save");
    }
}

#[test]
fn a_writer_killed_mid_write_leaves_a_whole_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("killed.snap");
    let exe = std::env::current_exe().expect("test binary");
    // The child's name as the harness knows it: its module path without
    // the crate, e.g. `persistence::snapshot_writer_child`.
    let child_test = match module_path!().split_once("::") {
        Some((_crate, module)) => format!("{module}::snapshot_writer_child"),
        None => "snapshot_writer_child".to_owned(),
    };
    for round in 0..6u64 {
        let mut child = std::process::Command::new(&exe)
            .args([
                "--exact",
                child_test.as_str(),
                "--nocapture",
                "--test-threads=1",
            ])
            .env("MONITOR_SNAPSHOT_CHILD", &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("child");
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !path.exists() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(40 + round * 37));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        match SnapshotFile::new(&path).load() {
            Ok(Some(s)) => assert!(s.taken_at_ms > 0),
            other => panic!("round {round}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn snapshots_are_written_every_interval_and_failures_are_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("periodic.snap");
    let clock = ManualClock::new(SystemTime::now());
    let m = Monitor::builder()
        .clock(clock.clone())
        .snapshot_file(&path)
        .snapshot_interval(Duration::from_millis(50))
        .start()
        .expect("runtime");
    m.record_message("u", Duration::from_millis(5));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while m.persist_status().writes < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(m.persist_status().writes >= 2, "{:?}", m.persist_status());
    match SnapshotFile::new(&path).load() {
        Ok(Some(s)) => assert_eq!(s.collector.total, 1),
        other => panic!("{other:?}"),
    }

    // A directory that does not exist: every write fails, and is counted.
    let nowhere = dir.path().join("missing-dir").join("m.snap");
    let m = start(&clock, Some(&nowhere));
    assert!(m.save_snapshot().is_err());
    let status = m.persist_status();
    assert_eq!((status.writes, status.failures), (0, 1));
    assert!(status.last_error.is_some_and(|e| e.contains("missing-dir")));
}

#[tokio::test]
async fn an_unreadable_snapshot_is_never_overwritten() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A directory where the file should be: it cannot be read as a file.
    let path = dir.path().join("actually-a-dir");
    std::fs::create_dir(&path).expect("mkdir");
    std::fs::write(path.join("keep.txt"), b"precious").expect("write");
    let clock = ManualClock::new(SystemTime::now());
    let m = start(&clock, Some(&path));
    assert!(
        matches!(m.persist_status().restore, RestoreOutcome::Failed { .. }),
        "{:?}",
        m.persist_status()
    );
    m.record_message("u", Duration::from_millis(5));
    m.shutdown().await.expect("nothing written, nothing failed");
    assert_eq!(m.persist_status().writes, 0);
    assert_eq!(
        std::fs::read(path.join("keep.txt")).expect("kept"),
        b"precious"
    );
}
