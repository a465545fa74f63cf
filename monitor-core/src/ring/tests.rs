use super::RingBuffer;
use proptest::prelude::*;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

#[test]
fn empty_ring_snapshots_nothing() {
    let ring: RingBuffer<u32> = RingBuffer::new(8);
    assert!(ring.is_empty());
    assert!(ring.snapshot().is_empty());
    assert_eq!(ring.overwritten(), 0);
}

#[test]
fn capacity_rounds_up_to_a_power_of_two() {
    assert_eq!(RingBuffer::<u8>::new(0).capacity(), 1);
    assert_eq!(RingBuffer::<u8>::new(1000).capacity(), 1024);
    assert_eq!(RingBuffer::<u8>::new(1024).capacity(), 1024);
}

#[test]
fn latest_returns_the_newest_in_order() {
    let ring = RingBuffer::new(8);
    for i in 0..20 {
        ring.push(i);
    }
    assert_eq!(ring.latest(3), vec![17, 18, 19]);
    assert_eq!(ring.latest(100), (12..20).collect::<Vec<_>>());
    assert_eq!(ring.len(), 8);
    assert_eq!(ring.overwritten(), 12);
}

proptest! {
    /// Single-threaded, the ring behaves exactly like a bounded deque that
    /// drops from the front.
    #[test]
    fn matches_a_bounded_deque(cap in 1usize..40, values in prop::collection::vec(any::<u16>(), 0..200)) {
        let ring = RingBuffer::new(cap);
        let cap = ring.capacity();
        let mut model = VecDeque::new();
        for v in values {
            ring.push(v);
            model.push_back(v);
            if model.len() > cap {
                model.pop_front();
            }
            prop_assert_eq!(ring.snapshot(), model.iter().copied().collect::<Vec<_>>());
        }
    }
}

/// A value whose parts must agree, so a torn read would show.
#[derive(Clone, Debug)]
struct Tagged {
    writer: u64,
    seq: u64,
    check: u64,
    payload: String,
}

impl Tagged {
    fn new(writer: u64, seq: u64) -> Self {
        Tagged {
            writer,
            seq,
            check: writer.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seq,
            payload: format!("{writer}:{seq}"),
        }
    }

    fn is_whole(&self) -> bool {
        self.check == self.writer.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ self.seq
            && self.payload == format!("{}:{}", self.writer, self.seq)
    }
}

#[test]
fn concurrent_writers_and_readers_never_see_torn_or_unwritten_entries() {
    const WRITERS: u64 = 4;
    const PER_WRITER: u64 = 50_000;
    let ring: Arc<RingBuffer<Tagged>> = Arc::new(RingBuffer::new(256));
    let done = Arc::new(AtomicBool::new(false));

    let readers: Vec<_> = (0..2)
        .map(|_| {
            let ring = Arc::clone(&ring);
            let done = Arc::clone(&done);
            thread::spawn(move || {
                let mut snapshots = 0u64;
                while !done.load(Ordering::Acquire) || snapshots == 0 {
                    let snap = ring.snapshot();
                    assert!(snap.len() <= ring.capacity());
                    let mut last_seq = [None::<u64>; WRITERS as usize];
                    for e in &snap {
                        assert!(e.is_whole(), "torn entry {e:?}");
                        assert!(
                            e.writer < WRITERS && e.seq < PER_WRITER,
                            "never written: {e:?}"
                        );
                        let last = &mut last_seq[e.writer as usize];
                        assert!(
                            last.is_none_or(|l| l < e.seq),
                            "writer order broken: {e:?} after {last:?}"
                        );
                        *last = Some(e.seq);
                    }
                    snapshots += 1;
                }
                snapshots
            })
        })
        .collect();

    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let ring = Arc::clone(&ring);
            thread::spawn(move || {
                for seq in 0..PER_WRITER {
                    ring.push(Tagged::new(w, seq));
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer panicked");
    }
    done.store(true, Ordering::Release);
    for r in readers {
        assert!(r.join().expect("reader panicked") > 0);
    }

    assert_eq!(ring.total_pushed(), WRITERS * PER_WRITER);
    // Quiescent: the ring holds exactly the newest `capacity` tickets.
    let snap = ring.snapshot();
    assert_eq!(snap.len(), ring.capacity());
    assert!(snap.iter().all(Tagged::is_whole));
    // Every writer's final entry is the newest of its own.
    for w in 0..WRITERS {
        if let Some(last) = snap.iter().rfind(|e| e.writer == w) {
            assert_eq!(last.seq, PER_WRITER - 1);
        }
    }
}
