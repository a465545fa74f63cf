//! `ring_ops`: [`RingBuffer`] under arbitrary sequences of operations.
//!
//! The input (decoded with `arbitrary`) is a capacity request, a mode and
//! lists of operations: push, snapshot, `latest(n)`, `visit_latest(n)`,
//! `len`, `is_empty`, `overwritten`, `total_pushed`. Capacities go from 0
//! up to 2^16 (larger requests are clamped there: the point is the
//! rounding, not the allocation).
//!
//! **Sequential mode** runs one list against a `VecDeque` model of the
//! same capacity (the request rounded up to a power of two, at least 1)
//! and checks that every answer is the model's, exactly.
//!
//! **Interleaving mode** runs two or three lists on as many threads at
//! once (`std::thread::scope`). Each thread pushes `(thread, sequence)`
//! pairs. What holds under concurrency, as `monitor-core/src/ring` and
//! its loom models state it:
//! - `len <= capacity`, and `latest(n)` and snapshots hold at most
//!   `min(n, capacity)` entries;
//! - every entry a reader sees was pushed (its sequence number is below
//!   what its thread had started pushing when the read ended), and none
//!   is seen twice in one read;
//! - each thread's entries appear in its push order;
//! - `total_pushed` never goes backwards for one reader;
//! - once all threads are done: `total_pushed` is the sum of pushes,
//!   `len = min(total, capacity)`, `overwritten = total - len`, the
//!   snapshot is full (`len` entries), and each thread's entries in it are
//!   its last pushes, contiguous.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use arbitrary::{Arbitrary, Unstructured};
use monitor_core::RingBuffer;

/// Largest capacity a run asks for.
pub const MAX_CAPACITY: usize = 1 << 16;
/// Most operations per list (longer lists are cut).
pub const MAX_OPS: usize = 4_096;

/// One call on the ring.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Op {
    /// `push` (the value is chosen by the harness).
    Push,
    /// `push` ten times.
    PushMany,
    /// `snapshot()`.
    Snapshot,
    /// `latest(n)`.
    Latest(u16),
    /// `visit_latest(n, ..)`.
    Visit(u16),
    /// `len()`.
    Len,
    /// `is_empty()`.
    IsEmpty,
    /// `overwritten()`.
    Overwritten,
    /// `total_pushed()`.
    TotalPushed,
}

/// A decoded input.
#[derive(Arbitrary, Debug)]
pub struct Input {
    /// The requested capacity (clamped to [`MAX_CAPACITY`]).
    pub capacity: u32,
    /// 0: sequential against the model; otherwise 2 or 3 threads.
    pub threads: u8,
    /// The operations; in interleaving mode dealt out to the threads in
    /// turn.
    pub ops: Vec<Op>,
}

/// Runs one input (see the module docs).
pub fn run(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let capacity = (input.capacity as usize).min(MAX_CAPACITY);
    let ops = &input.ops[..input.ops.len().min(MAX_OPS)];
    match input.threads % 3 {
        0 => sequential(capacity, ops),
        n => interleaved(capacity, usize::from(n) + 1, ops),
    }
}

/// One thread, every answer against a `VecDeque` model.
pub fn sequential(requested: usize, ops: &[Op]) {
    let ring = RingBuffer::new(requested);
    let capacity = requested.max(1).next_power_of_two();
    assert_eq!(ring.capacity(), capacity, "capacity for {requested}");
    let mut model: VecDeque<Box<u64>> = VecDeque::new();
    let mut pushed = 0u64;
    let latest = |model: &VecDeque<Box<u64>>, n: usize| -> Vec<Box<u64>> {
        let skip = model.len().saturating_sub(n);
        model.iter().skip(skip).cloned().collect()
    };
    for op in ops {
        match *op {
            Op::Push | Op::PushMany => {
                let times = if matches!(op, Op::Push) { 1 } else { 10 };
                for _ in 0..times {
                    ring.push(Box::new(pushed));
                    if model.len() == capacity {
                        model.pop_front();
                    }
                    model.push_back(Box::new(pushed));
                    pushed += 1;
                }
            }
            Op::Snapshot => assert_eq!(ring.snapshot(), latest(&model, capacity)),
            Op::Latest(n) => assert_eq!(ring.latest(n.into()), latest(&model, n.into())),
            Op::Visit(n) => {
                let mut seen = Vec::new();
                ring.visit_latest(n.into(), |v| seen.push(v.clone()));
                assert_eq!(seen, latest(&model, n.into()));
            }
            Op::Len => assert_eq!(ring.len(), model.len()),
            Op::IsEmpty => assert_eq!(ring.is_empty(), pushed == 0),
            Op::Overwritten => assert_eq!(ring.overwritten(), pushed - model.len() as u64),
            Op::TotalPushed => assert_eq!(ring.total_pushed(), pushed),
        }
    }
    assert_eq!(ring.snapshot(), latest(&model, capacity));
}

/// An entry of the interleaving mode: which thread, which of its pushes.
type Tagged = (usize, u64);

/// `threads` threads sharing one ring, each running every `threads`-th op.
pub fn interleaved(requested: usize, threads: usize, ops: &[Op]) {
    let ring = RingBuffer::new(requested);
    let capacity = ring.capacity();
    let started: Vec<AtomicU64> = (0..threads).map(|_| AtomicU64::new(0)).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (ring, started) = (&ring, &started);
                let mine = ops.iter().skip(t).step_by(threads).copied();
                s.spawn(move || worker(ring, started, t, mine))
            })
            .collect();
        // Join each thread rather than let the scope wait: the scope only
        // waits for the closures, and a thread still running its
        // thread-local destructors (crossbeam-epoch's handle) afterwards
        // looks like a leak to LeakSanitizer.
        for handle in handles {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });

    let pushes: Vec<u64> = started.iter().map(|a| a.load(Ordering::SeqCst)).collect();
    let total: u64 = pushes.iter().sum();
    assert_eq!(ring.total_pushed(), total);
    let len = total.min(capacity as u64);
    assert_eq!(ring.len() as u64, len);
    assert_eq!(ring.overwritten(), total - len);
    let snap = ring.snapshot();
    assert_eq!(snap.len() as u64, len, "a quiescent ring is full");
    check_read(&snap, capacity, &started);
    for (t, &n) in pushes.iter().enumerate() {
        let mine: Vec<u64> = snap.iter().filter(|e| e.0 == t).map(|e| e.1).collect();
        let want: Vec<u64> = (n - mine.len() as u64..n).collect();
        assert_eq!(mine, want, "thread {t}: not its last pushes");
    }
}

fn worker(
    ring: &RingBuffer<Tagged>,
    started: &[AtomicU64],
    t: usize,
    ops: impl Iterator<Item = Op>,
) {
    let capacity = ring.capacity();
    let mut last_total = 0;
    let push = || {
        let seq = started[t].fetch_add(1, Ordering::SeqCst);
        ring.push((t, seq));
    };
    for op in ops {
        match op {
            Op::Push => push(),
            Op::PushMany => (0..10).for_each(|_| push()),
            Op::Snapshot => check_read(&ring.snapshot(), capacity, started),
            Op::Latest(n) => {
                let got = ring.latest(n.into());
                assert!(got.len() <= usize::from(n).min(capacity));
                check_read(&got, capacity, started);
            }
            Op::Visit(n) => {
                let mut got = Vec::new();
                ring.visit_latest(n.into(), |e| got.push(*e));
                assert!(got.len() <= usize::from(n).min(capacity));
                check_read(&got, capacity, started);
            }
            Op::Len => assert!(ring.len() <= capacity),
            Op::IsEmpty => {
                if started[t].load(Ordering::SeqCst) > 0 {
                    assert!(!ring.is_empty(), "thread {t} pushed, the ring is empty");
                }
            }
            Op::Overwritten => {
                let (over, total) = (ring.overwritten(), ring.total_pushed());
                assert!(over <= total);
            }
            Op::TotalPushed => {
                let total = ring.total_pushed();
                assert!(total >= last_total, "total_pushed went back");
                last_total = total;
            }
        }
    }
}

/// What any read must satisfy, whoever is writing meanwhile.
fn check_read(read: &[Tagged], capacity: usize, started: &[AtomicU64]) {
    assert!(read.len() <= capacity);
    let mut last: Vec<Option<u64>> = vec![None; started.len()];
    for &(t, seq) in read {
        assert!(t < started.len(), "entry of no thread: {t}");
        assert!(
            seq < started[t].load(Ordering::SeqCst),
            "({t}, {seq}) was never pushed"
        );
        if let Some(prev) = last[t] {
            assert!(prev < seq, "thread {t}: {prev} then {seq}");
        }
        last[t] = Some(seq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_modes_on_small_rings() {
        let ops = [
            Op::Push,
            Op::Snapshot,
            Op::PushMany,
            Op::Latest(3),
            Op::Visit(0),
            Op::Len,
            Op::Overwritten,
            Op::TotalPushed,
            Op::IsEmpty,
            Op::PushMany,
        ];
        for capacity in [0, 1, 2, 3, 8, 1000] {
            sequential(capacity, &ops);
            interleaved(capacity, 3, &ops.repeat(20));
        }
    }
}
