//! Measures `threads` threads running the same loop at once.
//!
//! Threads are started once per benchmark and reused for every Criterion
//! sample (spawning per sample would be measured too). Each sample tells
//! every thread how many iterations to run, releases them together and
//! reports the slowest thread's time: the per-call cost each thread sees
//! while the others record too.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

type Work = dyn Fn(usize, u64) + Send + Sync;

struct Shared {
    iters: AtomicU64,
    stop: AtomicBool,
    start: Barrier,
    end: Barrier,
    times: Mutex<Vec<Duration>>,
    work: Box<Work>,
}

/// A fixed set of threads that run `work(thread_index, iterations)`.
pub struct ThreadRunner {
    shared: Arc<Shared>,
    helpers: Vec<JoinHandle<()>>,
}

impl ThreadRunner {
    /// `threads` threads in all (the calling thread is one of them).
    pub fn new(threads: usize, work: impl Fn(usize, u64) + Send + Sync + 'static) -> Self {
        let shared = Arc::new(Shared {
            iters: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            start: Barrier::new(threads),
            end: Barrier::new(threads),
            times: Mutex::new(Vec::new()),
            work: Box::new(work),
        });
        let helpers = (1..threads)
            .map(|index| {
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || {
                    loop {
                        shared.start.wait();
                        if shared.stop.load(Ordering::Acquire) {
                            return;
                        }
                        let elapsed = timed(&shared, index);
                        lock(&shared.times).push(elapsed);
                        shared.end.wait();
                    }
                })
            })
            .collect();
        ThreadRunner { shared, helpers }
    }

    /// Runs `iters` iterations on every thread; the slowest thread's time.
    pub fn run(&self, iters: u64) -> Duration {
        self.shared.iters.store(iters, Ordering::Release);
        lock(&self.shared.times).clear();
        self.shared.start.wait();
        let mine = timed(&self.shared, 0);
        self.shared.end.wait();
        lock(&self.shared.times)
            .iter()
            .copied()
            .fold(mine, Duration::max)
    }
}

impl Drop for ThreadRunner {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        self.shared.start.wait();
        for h in self.helpers.drain(..) {
            let _ = h.join();
        }
    }
}

fn timed(shared: &Shared, index: usize) -> Duration {
    let iters = shared.iters.load(Ordering::Acquire);
    let t = Instant::now();
    (shared.work)(index, iters);
    t.elapsed()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
