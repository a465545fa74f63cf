//! `snapshot`: loading a snapshot file, and restoring what it holds.
//!
//! The first byte picks the mode, the rest is the input:
//! - even: the bytes are a whole file, given to [`Snapshot::decode`];
//! - odd: the bytes are a payload, wrapped in a header with the right
//!   magic, version, length and CRC first, so the fuzzer's mutations of a
//!   real snapshot (the seed from [`seed`]) reach the decoder and the
//!   restore instead of stopping at the checksum.
//!
//! Checked:
//! - nothing panics, in decoding, re-encoding, restoring or reading the
//!   restored monitor back (stats, hourly and daily buckets, error
//!   queries and stats, activities, counters, health, the audit log);
//! - a refused file gives an error that says something;
//! - a decoded snapshot re-encodes, and the re-encoding decodes and
//!   encodes to the same bytes;
//! - whether or not its restore is accepted, the monitor keeps working:
//!   it records a message and an error, and a snapshot it takes then
//!   encodes, decodes and restores into another fresh monitor.

use std::time::{Duration, SystemTime};

use monitor_core::activity::{ActivityMeta, Outcome};
use monitor_core::audit::{AuditQuery, AuditRecord};
use monitor_core::errors::{ErrorEvent, ErrorQuery, Severity};
use monitor_core::persist::{FORMAT_VERSION, Snapshot};
use monitor_core::{ManualClock, Monitor, Role};

/// Length of the file header that precedes the payload.
const HEADER: usize = 22;

/// Runs one input (see the module docs).
pub fn run(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let file = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        wrap(rest)
    };
    let snapshot = match Snapshot::decode(&file) {
        Ok(snapshot) => snapshot,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let bytes = snapshot.encode().expect("a decoded snapshot encodes");
    let again = Snapshot::decode(&bytes).expect("a re-encoded snapshot decodes");
    assert_eq!(
        again.encode().expect("encodes"),
        bytes,
        "encoding is not stable"
    );

    let runtime = runtime();
    let _in_runtime = runtime.enter();
    let clock = clock();
    let monitor = fresh(&clock);
    let _accepted = monitor.restore_snapshot(&snapshot);
    // The audit log is reloaded apart (at start only); it takes anything.
    monitor.audit().restore(snapshot.audit);
    read_everything(&monitor);
    monitor.record_message("after-restore", Duration::from_millis(12));
    monitor.log_error(ErrorEvent::new("db", "query", "Timeout", "after restore").client("acme"));
    clock.advance(Duration::from_secs(3_600));
    read_everything(&monitor);

    let taken = monitor.snapshot();
    let bytes = taken.encode().expect("a monitor's snapshot encodes");
    let decoded = Snapshot::decode(&bytes).expect("a monitor's snapshot decodes");
    fresh(&clock)
        .restore_snapshot(&decoded)
        .expect("a monitor's own snapshot restores");
}

/// A file with a valid header around `payload`.
pub fn wrap(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(b"MONSNAP\0");
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Two seed inputs made from a monitor with some of everything in it: the
/// whole file (mode 0) and its payload (mode 1).
pub fn seeds() -> [Vec<u8>; 2] {
    let runtime = runtime();
    let _in_runtime = runtime.enter();
    let clock = clock();
    let m = fresh(&clock);
    for i in 0..200u64 {
        m.collector().record_message_at(
            &format!("user-{}", i % 37),
            clock.now() - Duration::from_secs(i * 1_800),
            Duration::from_millis(5 + i * 7 % 900),
        );
    }
    for i in 0..12usize {
        let mut e = ErrorEvent::new(format!("svc{}", i % 3), "op", "Failure", "it broke")
            .severity(Severity::ALL[i % 4])
            .context("attempt", i.to_string());
        if i % 2 == 0 {
            e = e.client("acme");
        }
        let logged = m.log_error(e);
        if i % 5 == 0 {
            m.errors().resolve(logged.id).expect("just logged");
        }
    }
    m.events("buttons").record("UNLOCK_CONTENT");
    m.events("queue").record_n("sent", 40);
    let calls = m.activities("call");
    for i in 0..4 {
        let id = format!("c{i}");
        let meta = ActivityMeta::new()
            .client("acme")
            .category("support")
            .pii("phone", "+1 555 010 1234");
        calls.start(&id, meta).expect("new call");
        calls.progress(&id, 50.0, "halfway").expect("active");
        if i % 2 == 0 {
            calls
                .end(&id, Outcome::new("completed").label("quality", "good"))
                .expect("active");
        }
    }
    m.heartbeat("worker");
    let acme = Role::Client("acme".into());
    m.audit()
        .record(AuditRecord::new(&Role::Admin, "error.resolve").target("3"));
    m.audit().record(
        AuditRecord::new(&acme, "error.acknowledge")
            .target("4")
            .refused("no error with id 4"),
    );
    clock.advance(Duration::from_secs(90));
    let file = m.snapshot().encode().expect("encodes");
    let mut whole = vec![0];
    whole.extend_from_slice(&file);
    let mut payload = vec![1];
    payload.extend_from_slice(&file[HEADER..]);
    [whole, payload]
}

/// Reads every part of `m` the API and dashboard read.
fn read_everything(m: &Monitor) {
    let c = m.collector();
    c.current_stats();
    c.hourly(168);
    c.daily(30);
    c.recent_response_times();
    let all = ErrorQuery {
        limit: 500,
        ..ErrorQuery::default()
    };
    m.errors().query(&all);
    m.errors().stats(c);
    m.errors().stats_for_client("acme");
    m.errors().unresolved(None);
    for t in m.activity_trackers() {
        t.active();
        t.recent();
        t.tree();
        t.stats();
        t.stats_for("acme");
        t.expire();
    }
    for family in m.counters().names() {
        m.events(&family).stats();
    }
    m.health().report();
    m.audit().query(&AuditQuery {
        limit: 500,
        ..AuditQuery::default()
    });
    m.audit().export();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime")
}

fn clock() -> ManualClock {
    ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000))
}

fn fresh(clock: &ManualClock) -> Monitor {
    Monitor::builder()
        .clock(clock.clone())
        .start()
        .expect("inside a runtime")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_seeds_reach_the_restore() {
        // Otherwise the fuzzer would mutate inputs that stop at the header.
        let [whole, payload] = seeds();
        for file in [whole[1..].to_vec(), wrap(&payload[1..])] {
            let snapshot = Snapshot::decode(&file).expect("the seed decodes");
            let runtime = runtime();
            let _in_runtime = runtime.enter();
            fresh(&clock())
                .restore_snapshot(&snapshot)
                .expect("the seed restores");
        }
    }

    #[test]
    fn the_seeds_restore_and_survive_damage() {
        for seed in seeds() {
            run(&seed);
            let mut damaged = seed.clone();
            let mid = damaged.len() / 2;
            damaged[mid] ^= 0x55;
            run(&damaged);
            run(&seed[..mid]);
        }
    }
}
