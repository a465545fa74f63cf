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
//! The counters are kept sorted by count (the "stream summary" of the
//! paper, as one array): a key → position index, and for each count the
//! position of its first counter. Adding one to a counter swaps it with
//! the first of its count, so an update is O(1): a handful of hash-map
//! operations whatever the capacity. The smallest counter is the last.

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
    /// The counters by descending count: the smallest is last.
    sorted: Vec<Counter>,
    /// Key → position in `sorted`.
    index: RapidHashMap<u64, usize>,
    /// Count → position of the first counter with that count.
    first: RapidHashMap<u64, usize>,
}

impl SpaceSaving {
    /// An empty summary of `capacity` counters (at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        SpaceSaving {
            capacity: capacity.max(1),
            total: 0,
            sorted: Vec::new(),
            index: RapidHashMap::default(),
            first: RapidHashMap::default(),
        }
    }

    /// Counts one occurrence of `key`: a few hash-map operations,
    /// whatever the capacity.
    #[cfg(test)]
    pub(crate) fn offer(&mut self, key: u64) {
        self.offer_n(key, 1);
    }

    /// Counts `n` occurrences of `key` at once, with the guarantees of `n`
    /// single offers: the counter climbs past each distinct count above
    /// it in one step, so the cost is at most one step per counter,
    /// whatever `n`. The total saturates at `u64::MAX` (what would pass
    /// it is not counted), so the counters always sum to the total.
    pub(crate) fn offer_n(&mut self, key: u64, n: u64) {
        let n = n.min(u64::MAX - self.total);
        if n == 0 {
            return;
        }
        self.total += n;
        if let Some(&at) = self.index.get(&key) {
            self.add(at, n);
        } else if self.sorted.len() < self.capacity {
            let at = self.sorted.len();
            self.sorted.push(Counter {
                key,
                count: 1,
                error: 0,
            });
            self.index.insert(key, at);
            self.first.entry(1).or_insert(at);
            self.add(at, n - 1);
        } else {
            // Full: the smallest counter (the last) is taken over.
            let at = self.sorted.len() - 1;
            let min = &mut self.sorted[at];
            self.index.remove(&min.key);
            min.key = key;
            min.error = min.count;
            self.index.insert(key, at);
            self.add(at, n);
        }
    }

    /// Adds `left` to the counter at `at`, keeping `sorted` ordered. Each
    /// step swaps it with the first counter of its count, then raises it
    /// at most to the count of the counter just above (joining that
    /// group), so it ends up right after the counters higher than it.
    fn add(&mut self, mut at: usize, mut left: u64) {
        while left > 0 {
            let count = self.sorted[at].count;
            let Some(&head) = self.first.get(&count) else {
                return; // unreachable: every count present has a first
            };
            if head != at {
                self.sorted.swap(head, at);
                self.index.insert(self.sorted[at].key, at);
                self.index.insert(self.sorted[head].key, head);
            }
            // The counter above `head` has a higher count: `head` is the
            // first of its count.
            let ceiling = head
                .checked_sub(1)
                .map_or(u64::MAX, |above| self.sorted[above].count);
            let step = left.min(ceiling - count);
            self.sorted[head].count = count + step;
            match self.sorted.get(head + 1) {
                Some(next) if next.count == count => {
                    self.first.insert(count, head + 1);
                }
                _ => {
                    self.first.remove(&count);
                }
            }
            self.first.entry(count + step).or_insert(head);
            left -= step;
            at = head;
        }
    }

    /// The counter of `key`, if it is counted.
    #[cfg(test)]
    pub(crate) fn get(&self, key: u64) -> Option<Counter> {
        self.index.get(&key).map(|&at| self.sorted[at])
    }

    /// How often a key that is not counted can have occurred: the smallest
    /// count once every counter is taken, else 0.
    pub(crate) fn uncounted_bound(&self) -> u64 {
        if self.sorted.len() < self.capacity {
            0
        } else {
            self.sorted.last().map_or(0, |c| c.count)
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

    /// The counters, largest count first.
    pub(crate) fn counters(&self) -> &[Counter] {
        &self.sorted
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
        let mut sorted = counters.to_vec();
        sorted.sort_by_key(|c| std::cmp::Reverse(c.count));
        let mut s = SpaceSaving::new(capacity);
        let mut sum = 0u64;
        for (at, c) in sorted.iter().enumerate() {
            if c.error > c.count || c.count == 0 {
                return Err(format!("counter {:016x}: error above count", c.key));
            }
            if s.index.insert(c.key, at).is_some() {
                return Err(format!("key {:016x} counted twice", c.key));
            }
            s.first.entry(c.count).or_insert(at);
            sum = sum.saturating_add(c.count);
        }
        if sum != total {
            return Err(format!("counters sum to {sum}, total says {total}"));
        }
        s.sorted = sorted;
        s.total = total;
        Ok(s)
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
            s.offer(k);
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
            s.offer(k);
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

    #[test]
    fn a_huge_count_takes_one_step_per_counter_and_saturates() {
        let mut s = SpaceSaving::new(3);
        s.offer_n(1, 5);
        s.offer_n(2, 3);
        s.offer_n(3, u64::MAX);
        assert_eq!(s.total(), u64::MAX, "what would pass u64::MAX is dropped");
        assert_eq!(s.counters()[0].key, 3);
        assert_eq!(s.counters().iter().map(|c| c.count).sum::<u64>(), u64::MAX);
        s.offer_n(2, 10);
        assert_eq!(s.total(), u64::MAX);
    }

    proptest! {
        /// The guarantees of the module doc, on any stream.
        #[test]
        fn bounds_hold(keys in proptest::collection::vec(0u64..40, 0..600), cap in 1usize..12) {
            let mut s = SpaceSaving::new(cap);
            let mut exact: HashMap<u64, u64> = HashMap::new();
            for &k in &keys {
                s.offer(k);
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

        /// The same guarantees when keys come with counts, and the order
        /// `from_parts` checks is kept.
        #[test]
        fn weighted_offers_keep_the_bounds(
            stream in proptest::collection::vec((0u64..30, 1u64..50), 0..300),
            cap in 1usize..10,
        ) {
            let mut s = SpaceSaving::new(cap);
            let mut exact: HashMap<u64, u64> = HashMap::new();
            for &(k, n) in &stream {
                s.offer_n(k, n);
                *exact.entry(k).or_default() += n;
            }
            let total: u64 = stream.iter().map(|&(_, n)| n).sum();
            prop_assert_eq!(s.total(), total);
            prop_assert!(s.counters().windows(2).all(|w| w[0].count >= w[1].count));
            for (k, &truth) in &exact {
                match s.get(*k) {
                    Some(c) => {
                        prop_assert!(c.count >= truth && c.count - c.error <= truth);
                        prop_assert!(c.error * cap as u64 <= total);
                    }
                    None => prop_assert!(truth <= s.uncounted_bound()),
                }
            }
            prop_assert!(SpaceSaving::from_parts(cap, s.total(), s.counters()).is_ok());
            // Every count's first position is right.
            for (at, c) in s.counters().iter().enumerate() {
                let first = s.counters().iter().position(|d| d.count == c.count);
                prop_assert_eq!(s.first.get(&c.count).copied(), first);
                prop_assert_eq!(s.index.get(&c.key).copied(), Some(at));
            }
        }
    }
}
