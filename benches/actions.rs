//! Operator actions and the audit log: what a request that changes state
//! costs the monitor. `audit/record` writes one entry into a full log
//! (so each write also evicts one); `action_run/start_to_ended` starts a
//! run of a handler that returns at once and waits for its
//! `action:ended` event on the bus (two tokio tasks, the activity's
//! start, progress and end, the bookkeeping); `action_run/refused` is a
//! second start turned away by the concurrency guard (the 409 path).
//!
//! Run with: `cargo bench -p monitor-benches --bench actions`

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use monitor_core::actions::{ActionParams, ActionSpec};
use monitor_core::audit::{Actor, AuditLog, AuditRecord};
use monitor_core::bus::{Audience, Channel, ChannelSet};
use monitor_core::{Monitor, Role};
use tokio::sync::Semaphore;

fn audit(c: &mut Criterion) {
    let log = AuditLog::new(1_000, Default::default());
    let role = Role::Client("acme".into());
    for _ in 0..1_000 {
        log.record(AuditRecord::new(&role, "error.acknowledge").target("1"));
    }
    let mut group = c.benchmark_group("audit");
    group.throughput(Throughput::Elements(1));
    let mut i = 0u64;
    group.bench_function("record", |b| {
        b.iter(|| {
            i += 1;
            let record = AuditRecord::new(&role, "error.acknowledge")
                .target(i.to_string())
                .refused("no error with id 1");
            black_box(log.record(record));
        });
    });
    group.finish();
}

fn runs(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let monitor = runtime.block_on(async { Monitor::builder().start().expect("runtime") });
    monitor
        .actions()
        .register("noop", "Returns at once", |_ctx| async move {
            Ok::<_, String>("done".to_owned())
        })
        .expect("registers");
    let gate = Arc::new(Semaphore::new(0));
    let g = gate.clone();
    monitor
        .actions()
        .register_with(ActionSpec::new("busy", "Holds its slot"), move |_ctx| {
            let g = g.clone();
            async move {
                let _permit = g.acquire().await.map_err(|e| e.to_string())?;
                Ok(String::new())
            }
        })
        .expect("registers");
    let mut feed = monitor
        .bus()
        .subscribe(
            Audience::Operators,
            ChannelSet::empty().with(Channel::Calls),
        )
        .expect("a subscriber");

    let mut group = c.benchmark_group("action_run");
    group.throughput(Throughput::Elements(1));
    group.bench_function("start_to_ended", |b| {
        b.iter(|| {
            runtime.block_on(async {
                monitor
                    .actions()
                    .run("noop", ActionParams::new(), Actor::system())
                    .expect("starts");
                while let Some(delivery) = feed.recv().await {
                    if delivery.event().event_type == "action:ended" {
                        break;
                    }
                }
            });
        });
    });
    monitor
        .actions()
        .run("busy", ActionParams::new(), Actor::system())
        .expect("starts");
    group.bench_function("refused", |b| {
        b.iter(|| {
            black_box(
                monitor
                    .actions()
                    .run("busy", ActionParams::new(), Actor::system())
                    .expect_err("already running"),
            );
        });
    });
    group.finish();
    gate.add_permits(1);
}

criterion_group!(benches, audit, runs);
criterion_main!(benches);
