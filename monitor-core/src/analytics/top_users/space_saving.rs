//! [`SpaceSaving`]: the heavy-hitters summary of Metwally, Agrawal and El
//! Abbadi (2005) over 64-bit keys.
//!
//! At most `capacity` counters. A key already counted adds to its own
//! counter; a new key takes a free counter or, when all are taken,
//! replaces the smallest one, inheriting its count as its possible
//! overcount. Hence, for every counted key, `count - error <= true count
//! <= count`, with `error <= min count <= total / capacity`; a key not
//! counted occurred at most `min count` times. The counters always sum to
//! the total, which is what [`SpaceSaving::from_parts`] checks when
//! restoring one.
//!
//! The counters are a binary min-heap (the replaced one is the root) with
//! a key → position index, so an update is O(log capacity).

use rapidhash::RapidHashMap;
use serde::{Deserialize, Serialize};

/// One counted key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    /// The key (a hash of tenant and user id).
    pub key: u64,
    /// Occurrences counted, an upper bound of the true count.
    pub count: u64,
    /// How much of `count` may belong to keys it replaced.
    pub error: u64,
}

/// A Space-Saving summary with a fixed number of counters.
#[derive(Clone, Debug)]
pub(crate) struct SpaceSaving {
    capacity: usize,
    total: u64,
    heap: Vec<Counter>,
    index: RapidHashMap<u64, usize>,
}

impl SpaceSaving {
    /// An empty summary of `capacity` counters (at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        SpaceSaving {
            capacity: capacity.max(1),
            total: 0,
            heap: Vec::new(),
            index: RapidHashMap::default(),
        }
    }

    /// Counts `by` occurrences of `key`.
    pub(crate) fn offer(&mut self, key: u64, by: u64) {
        self.total = self.total.saturating_add(by);
        if let Some(&at) = self.index.get(&key) {
            let c = &mut self.heap[at];
            c.count = c.count.saturating_add(by);
            self.sift_down(at);
        } else if self.heap.len() < self.capacity {
            self.heap.push(Counter {
                key,
                count: by,
                error: 0,
            });
            let at = self.heap.len() - 1;
            self.index.insert(key, at);
            self.sift_up(at);
        } else {
            let root = &mut self.heap[0];
            self.index.remove(&root.key);
            *root = Counter {
                key,
                count: root.count.saturating_add(by),
                error: root.count,
            };
            self.index.insert(key, 0);
            self.sift_down(0);
        }
    }

    /// The counter of `key`, if it is counted.
    #[cfg(test)]
    pub(crate) fn get(&self, key: u64) -> Option<Counter> {
        self.index.get(&key).map(|&at| self.heap[at])
    }

    /// How often a key that is not counted can have occurred: the smallest
    /// count once every counter is taken, else 0.
    pub(crate) fn uncounted_bound(&self) -> u64 {
        if self.heap.len() < self.capacity {
            0
        } else {
            self.heap.first().map_or(0, |c| c.count)
        }
    }

    /// Occurrences counted, all keys.
    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// How many counters it has.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// The counters, in no particular order.
    pub(crate) fn counters(&self) -> &[Counter] {
        &self.heap
    }

    /// Rebuilds a summary from what [`counters`](Self::counters),
    /// [`total`](Self::total) and [`capacity`](Self::capacity) gave,
    /// checking that it is one Space-Saving could have produced.
    pub(crate) fn from_parts(
        capacity: usize,
        total: u64,
        counters: &[Counter],
    ) -> Result<Self, String> {
        if capacity == 0 || counters.len() > capacity {
            return Err(format!(
                "{} counters for a capacity of {capacity}",
                counters.len()
            ));
        }
        let mut sum = 0u64;
        let mut s = SpaceSaving::new(capacity);
        for c in counters {
            if c.error > c.count || c.count == 0 {
                return Err(format!("counter {:016x}: error above count", c.key));
            }
            if s.index.insert(c.key, s.heap.len()).is_some() {
                return Err(format!("key {:016x} counted twice", c.key));
            }
            s.heap.push(*c);
            sum = sum.saturating_add(c.count);
        }
        if sum != total {
            return Err(format!("counters sum to {sum}, total says {total}"));
        }
        s.total = total;
        for at in (0..s.heap.len() / 2).rev() {
            s.sift_down(at);
        }
        Ok(s)
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.heap.swap(a, b);
        self.index.insert(self.heap[a].key, a);
        self.index.insert(self.heap[b].key, b);
    }

    fn sift_up(&mut self, mut at: usize) {
        while at > 0 {
            let parent = (at - 1) / 2;
            if self.heap[parent].count <= self.heap[at].count {
                break;
            }
            self.swap(parent, at);
            at = parent;
        }
    }

    fn sift_down(&mut self, mut at: usize) {
        loop {
            let (l, r) = (2 * at + 1, 2 * at + 2);
            let mut least = at;
            if l < self.heap.len() && self.heap[l].count < self.heap[least].count {
                least = l;
            }
            if r < self.heap.len() && self.heap[r].count < self.heap[least].count {
                least = r;
            }
            if least == at {
                return;
            }
            self.swap(at, least);
            at = least;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn exact_while_under_capacity() {
        let mut s = SpaceSaving::new(4);
        for k in [1, 2, 1, 3, 1, 2] {
            s.offer(k, 1);
        }
        assert_eq!(s.get(1).map(|c| (c.count, c.error)), Some((3, 0)));
        assert_eq!(s.get(2).map(|c| c.count), Some(2));
        assert_eq!(s.uncounted_bound(), 0);
        assert_eq!(s.total(), 6);
    }

    #[test]
    fn a_new_key_replaces_the_smallest_and_inherits_its_count() {
        let mut s = SpaceSaving::new(2);
        for k in [1, 1, 1, 2, 3] {
            s.offer(k, 1);
        }
        assert_eq!(s.get(2), None, "2 had the smallest count");
        assert_eq!(s.get(3).map(|c| (c.count, c.error)), Some((2, 1)));
        assert_eq!(s.uncounted_bound(), 2);
    }

    #[test]
    fn from_parts_refuses_what_space_saving_cannot_produce() {
        let c = |key, count, error| Counter { key, count, error };
        assert!(SpaceSaving::from_parts(2, 5, &[c(1, 3, 0), c(2, 2, 1)]).is_ok());
        assert!(SpaceSaving::from_parts(1, 5, &[c(1, 3, 0), c(2, 2, 1)]).is_err());
        assert!(SpaceSaving::from_parts(2, 6, &[c(1, 3, 0), c(2, 2, 1)]).is_err());
        assert!(SpaceSaving::from_parts(2, 3, &[c(1, 3, 4)]).is_err());
        assert!(SpaceSaving::from_parts(2, 6, &[c(1, 3, 0), c(1, 3, 0)]).is_err());
        assert!(SpaceSaving::from_parts(0, 0, &[]).is_err());
    }

    proptest! {
        /// The guarantees of the module doc, on any stream.
        #[test]
        fn bounds_hold(keys in proptest::collection::vec(0u64..40, 0..600), cap in 1usize..12) {
            let mut s = SpaceSaving::new(cap);
            let mut exact: HashMap<u64, u64> = HashMap::new();
            for &k in &keys {
                s.offer(k, 1);
                *exact.entry(k).or_default() += 1;
            }
            let n = keys.len() as u64;
            prop_assert_eq!(s.counters().iter().map(|c| c.count).sum::<u64>(), n);
            for (k, &truth) in &exact {
                match s.get(*k) {
                    Some(c) => {
                        prop_assert!(c.count >= truth && c.count - c.error <= truth);
                        prop_assert!(c.error * cap as u64 <= n);
                    }
                    None => prop_assert!(truth <= s.uncounted_bound()),
                }
            }
            let back = SpaceSaving::from_parts(cap, s.total(), s.counters());
            prop_assert!(back.is_ok());
        }
    }
}
