//! What the ring is for: writers that never wait on readers. One thread
//! pushes log entries (a 120-byte message each) while another snapshots the
//! 4096-entry log in a loop, as a dashboard would; push latency is timed
//! one push at a time and reported as percentiles, for `RingBuffer` and for
//! the `Mutex<VecDeque>` a user would otherwise write (whose snapshot holds
//! the lock while it clones every entry).
//!
//! Run with: `cargo bench -p monitor-benches --bench ring_contention`

use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use monitor_core::RingBuffer;

const CAPACITY: usize = 4_096;
const PUSHES: usize = 300_000;

#[derive(Clone)]
struct LogEntry {
    seq: u64,
    message: String,
}

trait Log: Send + Sync {
    fn push(&self, e: LogEntry);
    /// Copies the log out, as a reader would, and touches every entry.
    fn snapshot_bytes(&self) -> usize;
}

impl Log for RingBuffer<LogEntry> {
    fn push(&self, e: LogEntry) {
        RingBuffer::push(self, e);
    }
    fn snapshot_bytes(&self) -> usize {
        bytes(&self.snapshot())
    }
}

impl Log for Mutex<VecDeque<LogEntry>> {
    fn push(&self, e: LogEntry) {
        let mut q = self.lock().unwrap_or_else(|p| p.into_inner());
        if q.len() == CAPACITY {
            q.pop_front();
        }
        q.push_back(e);
    }
    fn snapshot_bytes(&self) -> usize {
        let copy: Vec<LogEntry> = {
            let q = self.lock().unwrap_or_else(|p| p.into_inner());
            q.iter().cloned().collect()
        };
        bytes(&copy)
    }
}

fn bytes(entries: &[LogEntry]) -> usize {
    entries
        .iter()
        .map(|e| e.message.len() + (e.seq % 2) as usize)
        .sum()
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q) as usize]
}

fn run(name: &str, log: Arc<dyn Log>) {
    let message = "x".repeat(120);
    for seq in 0..CAPACITY as u64 {
        log.push(LogEntry {
            seq,
            message: message.clone(),
        });
    }
    let stop = Arc::new(AtomicBool::new(false));
    let snapshots = Arc::new(AtomicU64::new(0));
    let reader = {
        let (log, stop, snapshots) = (Arc::clone(&log), Arc::clone(&stop), Arc::clone(&snapshots));
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                black_box(log.snapshot_bytes());
                snapshots.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let mut latencies = Vec::with_capacity(PUSHES);
    for seq in 0..PUSHES as u64 {
        let entry = LogEntry {
            seq,
            message: message.clone(),
        };
        let t = Instant::now();
        log.push(entry);
        latencies.push(t.elapsed());
    }
    stop.store(true, Ordering::Relaxed);
    let _ = reader.join();
    latencies.sort_unstable();
    println!(
        "{name:16} push p50 {:>9.2?}  p99 {:>9.2?}  p99.9 {:>9.2?}  max {:>9.2?}   ({} snapshots meanwhile)",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 0.999),
        latencies[latencies.len() - 1],
        snapshots.load(Ordering::Relaxed),
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!(
        "{PUSHES} pushes of 120-byte entries into a {CAPACITY}-entry log, one reader snapshotting nonstop:"
    );
    for _ in 0..2 {
        run(
            "ring_buffer",
            Arc::new(RingBuffer::<LogEntry>::new(CAPACITY)),
        );
        run(
            "mutex_vecdeque",
            Arc::new(Mutex::new(VecDeque::<LogEntry>::with_capacity(CAPACITY))),
        );
    }
}
