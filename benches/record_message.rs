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

type Recorder = dyn Fn(&str, Duration) + Send + Sync;

/// The three contenders, each as "record one message".
fn contenders() -> Vec<(&'static str, Arc<Recorder>)> {
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

    vec![
        (
            "monitor_core",
            Arc::new(move |u: &str, rt| ours.record_message(u, rt)),
        ),
        (
            "metrics_prometheus",
            Arc::new(move |_: &str, rt: Duration| {
                counter.increment(1);
                histogram.record(rt.as_secs_f64());
            }),
        ),
        (
            "naive_mutex_hashset",
            Arc::new(move |u: &str, rt| naive.record_message(u, rt)),
        ),
        (
            "control_hash_only",
            Arc::new(|u: &str, rt: Duration| {
                black_box((UserHash::of(u), rt));
            }),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let contenders = contenders();
    for threads in [1usize, 2] {
        let mut group = c.benchmark_group(format!("record_message/{threads}_thread"));
        group.throughput(Throughput::Elements(1));
        group.measurement_time(Duration::from_secs(4));
        for (name, record) in &contenders {
            let ids: Arc<Vec<Vec<String>>> = Arc::new(
                (0..threads)
                    .map(|t| user_ids(USERS, &format!("t{t}")))
                    .collect(),
            );
            let record = Arc::clone(record);
            let runner = ThreadRunner::new(threads, move |t, iters| {
                let ids = &ids[t];
                for i in 0..iters {
                    record(black_box(&ids[i as usize % USERS]), response_time(i));
                }
            });
            group.bench_function(*name, |b| b.iter_custom(|iters| runner.run(iters)));
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
