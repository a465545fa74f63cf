//! `RingBuffer` push (1 and 2 threads) and snapshot, against the bounded
//! `Mutex<VecDeque>` a user would otherwise write.
//!
//! Run with: `cargo bench -p monitor-benches --bench ring`

mod support;

use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::{Arc, Mutex};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use monitor_core::RingBuffer;
use support::threads::ThreadRunner;

const CAPACITY: usize = 1_024;

/// The obvious bounded log: a deque behind a mutex.
struct MutexDeque<T> {
    inner: Mutex<VecDeque<T>>,
}

impl<T: Clone> MutexDeque<T> {
    fn new() -> Self {
        MutexDeque {
            inner: Mutex::new(VecDeque::with_capacity(CAPACITY)),
        }
    }

    fn push(&self, v: T) {
        let mut q = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() == CAPACITY {
            q.pop_front();
        }
        q.push_back(v);
    }

    fn snapshot(&self) -> Vec<T> {
        let q = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        q.iter().cloned().collect()
    }
}

type Push = dyn Fn(u64) + Send + Sync;

fn bench(c: &mut Criterion) {
    let ring = Arc::new(RingBuffer::<u64>::new(CAPACITY));
    let deque = Arc::new(MutexDeque::<u64>::new());
    let pushers: Vec<(&str, Arc<Push>)> = vec![
        ("ring_buffer", {
            let ring = Arc::clone(&ring);
            Arc::new(move |v| ring.push(v))
        }),
        ("mutex_vecdeque", {
            let deque = Arc::clone(&deque);
            Arc::new(move |v| deque.push(v))
        }),
    ];
    for threads in [1usize, 2] {
        let mut group = c.benchmark_group(format!("ring_push/{threads}_thread"));
        group.throughput(Throughput::Elements(1));
        for (name, push) in &pushers {
            let push = Arc::clone(push);
            let runner = ThreadRunner::new(threads, move |_, iters| {
                for i in 0..iters {
                    push(black_box(i));
                }
            });
            group.bench_function(*name, |b| b.iter_custom(|iters| runner.run(iters)));
        }
        group.finish();
    }

    let mut group = c.benchmark_group("ring_snapshot");
    group.throughput(Throughput::Elements(CAPACITY as u64));
    group.bench_function("ring_buffer_1024", |b| {
        b.iter(|| black_box(ring.snapshot()))
    });
    group.bench_function("mutex_vecdeque_1024", |b| {
        b.iter(|| black_box(deque.snapshot()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
