//! `record_message` on one and two threads, side by side with what a user
//! would otherwise pick: (a) the `metrics` crate, counter + histogram via
//! handles, Prometheus recorder installed; (b) the obvious
//! `Mutex<HashSet<String>>` + `VecDeque` design. A fourth line,
//! `control_hash_only`, hashes the user id and keeps no state: it cannot
//! contend, so its 1→2 thread ratio is this machine's own scaling ceiling
//! for a loop of this shape (frequency, shared caches, noisy neighbours).
//!
//! Run with: `cargo bench -p monitor-benches --bench record_message`

mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use metrics_exporter_prometheus::PrometheusBuilder;
use monitor_core::sketch::UserHash;
use monitor_core::{CollectorConfig, MetricsCollector};
use support::naive::NaiveCollector;
use support::threads::ThreadRunner;
use support::{response_time, user_ids};

/// Distinct users cycled through by each thread.
const USERS: usize = 10_000;

/// A [`ThreadRunner`] whose threads each record `iters` messages with
/// `record`, cycling through their own user ids. Generic, so the record
/// call is inlined: the harness adds no dynamic call per message.
fn runner<F>(threads: usize, record: F) -> ThreadRunner
where
    F: Fn(&str, Duration) + Send + Sync + 'static,
{
    let ids: Vec<Vec<String>> = (0..threads)
        .map(|t| user_ids(USERS, &format!("t{t}")))
        .collect();
    ThreadRunner::new(threads, move |t, iters| {
        let ids = &ids[t];
        for i in 0..iters {
            record(black_box(&ids[i as usize % USERS]), response_time(i));
        }
    })
}

fn bench(c: &mut Criterion) {
    let ours = MetricsCollector::new(CollectorConfig::default());
    let naive = Arc::new(NaiveCollector::default());
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .expect("no other global recorder in this bench");
    // The exporter drains histogram samples on upkeep; run it as a served
    // exporter would, so memory stays bounded.
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(5));
            handle.run_upkeep();
        }
    });
    let counter = metrics::counter!("bench_messages_total");
    let histogram = metrics::histogram!("bench_response_time_seconds");

    for threads in [1usize, 2] {
        let mut group = c.benchmark_group(format!("record_message/{threads}_thread"));
        group.throughput(Throughput::Elements(1));
        group.measurement_time(Duration::from_secs(4));
        let contenders = [
            ("monitor_core", {
                let ours = ours.clone();
                runner(threads, move |u, rt| ours.record_message(u, rt))
            }),
            ("metrics_prometheus", {
                let (counter, histogram) = (counter.clone(), histogram.clone());
                runner(threads, move |_, rt| {
                    counter.increment(1);
                    histogram.record(rt.as_secs_f64());
                })
            }),
            ("naive_mutex_hashset", {
                let naive = Arc::clone(&naive);
                runner(threads, move |u, rt| naive.record_message(u, rt))
            }),
            (
                "control_hash_only",
                runner(threads, |u, rt| {
                    black_box((UserHash::of(u), rt));
                }),
            ),
        ];
        for (name, runner) in &contenders {
            group.bench_function(*name, |b| b.iter_custom(|iters| runner.run(iters)));
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
