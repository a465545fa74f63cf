//! Queue recording (`enqueue` → `processing` → `sent`, three calls per
//! message) on one and two threads, side by side with what a user would
//! otherwise pick: (a) a `Mutex<HashMap<String, _>>` tracker that keeps
//! the same per-message state (`support::naive_queue`); (b) the `metrics`
//! crate via handles, Prometheus recorder installed: a counter per step
//! and gauges for depth and in flight (no per-message state, so no oldest
//! age, no scheduled count, no tenant on events).
//!
//! A control line runs the same calls with each thread on a queue of its
//! own: the ratio of `monitor_core` to it is the cost of sharing a queue,
//! the machine's own 1 → 2 thread slowdown factored out.
//!
//! Each thread keeps a backlog of 1 000 messages in the queue: it enqueues
//! message `i` and finishes message `i - 1000`, so the trackers hold real
//! state. Throughput is per recording call (3 per message).
//!
//! Run with: `cargo bench -p monitor-benches --bench queue`

mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use metrics_exporter_prometheus::PrometheusBuilder;
use monitor_core::Monitor;
use monitor_core::queue::{Enqueue, QueueHandle};
use support::naive_queue::NaiveQueue;
use support::threads::ThreadRunner;

/// Distinct message ids each thread cycles through.
const IDS: usize = 16_384;
/// Messages each thread keeps waiting.
const BACKLOG: usize = 1_000;

/// A runner whose threads each run `iters` message lifecycles with
/// `step(thread, enqueue_id, finish_id)`, on their own ids.
fn runner<F>(threads: usize, step: F) -> ThreadRunner
where
    F: Fn(usize, &str, &str) + Send + Sync + 'static,
{
    let ids: Vec<Vec<String>> = (0..threads)
        .map(|t| (0..IDS).map(|i| format!("t{t}-msg-{i:08}")).collect())
        .collect();
    ThreadRunner::new(threads, move |t, iters| {
        let ids = &ids[t];
        for i in 0..iters as usize {
            let new = &ids[i % IDS];
            let old = &ids[(i + IDS - BACKLOG) % IDS];
            step(t, black_box(new), black_box(old));
        }
    })
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let monitor = runtime
        .block_on(async { Monitor::builder().start() })
        .expect("inside the runtime");
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .expect("no other global recorder in this bench");
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(5));
            handle.run_upkeep();
        }
    });

    for threads in [1usize, 2] {
        let mut group = c.benchmark_group(format!("queue/{threads}_thread"));
        // Per recording call: each lifecycle is three.
        group.throughput(Throughput::Elements(3));
        group.measurement_time(Duration::from_secs(4));
        let ours = monitor.queue(&format!("bench-{threads}"));
        let naive = Arc::new(NaiveQueue::default());
        let step =
            |s: &str| metrics::counter!("bench_queue_messages_total", "outcome" => s.to_owned());
        let (enq, proc, sent) = (step("enqueued"), step("processing"), step("sent"));
        let depth = metrics::gauge!("bench_queue_depth");
        let in_flight = metrics::gauge!("bench_queue_in_flight");
        // Control: the same calls, each thread on a queue of its own, so
        // nothing is shared; its 1 → 2 thread ratio is the machine's.
        let private: Vec<QueueHandle> = (0..threads)
            .map(|t| monitor.queue(&format!("private-{threads}-{t}")))
            .collect();
        let contenders = [
            (
                "monitor_core",
                runner(threads, move |_, new, old| {
                    ours.enqueue(new, Enqueue::new().client("acme"));
                    ours.processing(old);
                    ours.sent(old);
                }),
            ),
            (
                "control_monitor_core_private_queues",
                runner(threads, move |t, new, old| {
                    let q = &private[t];
                    q.enqueue(new, Enqueue::new().client("acme"));
                    q.processing(old);
                    q.sent(old);
                }),
            ),
            (
                "naive_mutex_hashmap",
                runner(threads, move |_, new, old| {
                    naive.enqueue(new, Some("acme"));
                    naive.processing(old);
                    naive.sent(old);
                }),
            ),
            (
                "metrics_prometheus",
                runner(threads, move |_, _, _| {
                    enq.increment(1);
                    depth.increment(1.0);
                    proc.increment(1);
                    depth.decrement(1.0);
                    in_flight.increment(1.0);
                    sent.increment(1);
                    in_flight.decrement(1.0);
                }),
            ),
        ];
        for (name, runner) in &contenders {
            group.bench_function(*name, |b| b.iter_custom(|iters| runner.run(iters)));
        }
        group.finish();
    }
    drop(runtime);
}

criterion_group!(benches, bench);
criterion_main!(benches);
