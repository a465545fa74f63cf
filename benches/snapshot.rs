//! What a snapshot costs on a monitor after a busy week: taking it (every
//! part exports its state under its own short locks), encoding it, writing
//! it atomically, and restoring it into a fresh monitor. Prints its size.
//!
//! Run with: `cargo bench -p monitor-benches --bench snapshot`

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
use monitor_core::activity::{ActivityMeta, Outcome};
use monitor_core::errors::ErrorEvent;
use monitor_core::persist::{Snapshot, SnapshotFile};
use monitor_core::{ManualClock, Monitor};

const WEEK_SECS: u64 = 7 * 86_400;

fn busy_week(clock: &ManualClock) -> Monitor {
    let m = Monitor::builder()
        .clock(clock.clone())
        .start()
        .expect("runtime");
    let now = clock.now();
    for i in 0..1_000_000u64 {
        let back = Duration::from_secs(i * 7_919 % WEEK_SECS);
        let rt = Duration::from_millis(50 + i % 900);
        m.collector()
            .record_message_at(&format!("user-{}", i % 100_000), now - back, rt);
    }
    for i in 0..10_000u64 {
        let e = ErrorEvent::new(
            format!("svc{}", i % 12),
            "op",
            format!("Type{}", i % 300),
            "x".repeat(200),
        )
        .client(format!("tenant{}", i % 5));
        m.log_error(e);
    }
    for f in 0..5 {
        for l in 0..50 {
            m.events(&format!("family{f}"))
                .record_n(&format!("label{l}"), 10);
        }
    }
    let calls = m.activities("call");
    for i in 0..1_000 {
        let id = format!("call-{i}");
        let meta = ActivityMeta::new()
            .client("acme")
            .category("support")
            .pii("phone", "+15550100000");
        let _ = calls.start(&id, meta);
        if i % 2 == 0 {
            let _ = calls.end(&id, Outcome::new("completed").label("quality", "good"));
        }
    }
    m
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let _in_runtime = runtime.enter();
    let clock = ManualClock::new(SystemTime::now());
    let monitor = busy_week(&clock);
    let snapshot = monitor.snapshot();
    let bytes = snapshot.encode().expect("encodes");
    println!(
        "snapshot after a busy week: {:.2} MiB",
        bytes.len() as f64 / (1024.0 * 1024.0)
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let file = SnapshotFile::new(dir.path().join("bench.snap"));
    let mut g = c.benchmark_group("snapshot");
    g.sample_size(20);
    g.bench_function("take", |b| b.iter(|| black_box(monitor.snapshot())));
    g.bench_function("encode", |b| {
        b.iter(|| black_box(snapshot.encode().expect("encodes")))
    });
    g.bench_function("save_atomic_fsync", |b| {
        b.iter(|| file.save_bytes(black_box(&bytes)).expect("saved"))
    });
    g.bench_function("decode", |b| {
        b.iter(|| black_box(Snapshot::decode(&bytes).expect("decodes")))
    });
    g.bench_function("restore_into_fresh", |b| {
        b.iter_batched(
            || {
                Monitor::builder()
                    .clock(clock.clone())
                    .start()
                    .expect("runtime")
            },
            |fresh| fresh.restore_snapshot(&snapshot).expect("valid"),
            criterion::BatchSize::LargeInput,
        );
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
