//! A small process-wide index for each live thread, so every thread can own
//! one shard of a collector and write it with plain loads and stores.
//!
//! Indexes are handed out lowest-free-first-ish (a free list, then a
//! counter) and returned when the thread exits, so they stay bounded by the
//! number of threads alive at once.

use parking_lot::Mutex;

/// Indexes of exited threads, and the next never-used one.
struct IndexPool {
    free: Vec<usize>,
    next: usize,
}

impl IndexPool {
    const fn new() -> Self {
        IndexPool {
            free: Vec::new(),
            next: 0,
        }
    }

    fn acquire(&mut self) -> usize {
        self.free.pop().unwrap_or_else(|| {
            self.next += 1;
            self.next - 1
        })
    }

    fn release(&mut self, index: usize) {
        self.free.push(index);
    }
}

static POOL: Mutex<IndexPool> = Mutex::new(IndexPool::new());

struct ThreadIndex(usize);

impl Drop for ThreadIndex {
    fn drop(&mut self) {
        POOL.lock().release(self.0);
    }
}

thread_local! {
    static INDEX: ThreadIndex = ThreadIndex(POOL.lock().acquire());
}

/// This thread's index, unique among live threads; `None` while the
/// thread's locals are being torn down.
#[inline]
pub(crate) fn current() -> Option<usize> {
    INDEX.try_with(|i| i.0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::{Arc, Barrier};

    #[test]
    fn live_threads_have_distinct_indexes() {
        let barrier = Arc::new(Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    let me = current();
                    barrier.wait(); // all alive at once
                    me
                })
            })
            .collect();
        let ids: HashSet<_> = handles
            .into_iter()
            .map(|h| h.join().expect("thread panicked"))
            .collect();
        assert_eq!(ids.len(), 8);
        assert!(ids.iter().all(Option::is_some));
    }

    #[test]
    fn released_indexes_are_handed_out_again() {
        let mut pool = IndexPool::new();
        let (a, b) = (pool.acquire(), pool.acquire());
        assert_eq!((a, b), (0, 1));
        pool.release(a);
        assert_eq!(pool.acquire(), 0);
        for _ in 0..200 {
            let i = pool.acquire();
            pool.release(i);
        }
        assert_eq!(
            pool.next, 3,
            "200 short-lived holders needed one more index"
        );
    }
}
