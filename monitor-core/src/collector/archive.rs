//! Minute, hour and day buckets shared by all threads, behind one mutex.
//!
//! Shards fold their finished minutes in here (once per minute per thread);
//! readers take the same lock, so a minute is counted either in its shard
//! or here, never in both and never in neither. Each ring is keyed by time:
//! a bucket is reused for a newer period by resetting it, so stale periods
//! can never leak into new windows.

use std::sync::atomic::Ordering::Relaxed;

use super::sample::{Admit, DAY_MINUTES, EMPTY, HOUR_MINUTES, Sample, admit};
use super::shard::MinuteSlot;
use crate::sketch::histogram::{BUCKETS, LatencyHistogram};

/// Minute buckets kept (a little over the hour the stats look back).
pub(crate) const MINUTE_SLOTS: usize = 64;
/// Hour buckets kept: 7 days.
pub(crate) const HOUR_SLOTS: usize = 168;
/// Day buckets kept: 30 days.
pub(crate) const DAY_SLOTS: usize = 30;

/// One period's messages: count, latency sum and buckets.
pub(crate) struct Bucket {
    pub(crate) key: u64,
    count: u64,
    sum_micros: u64,
    /// Empty until the bucket first receives data.
    counts: Vec<u64>,
}

impl Bucket {
    fn reset(&mut self, key: u64) {
        self.key = key;
        self.count = 0;
        self.sum_micros = 0;
        self.counts.iter_mut().for_each(|c| *c = 0);
    }

    fn add(&mut self, count: u64, sum_micros: u64, buckets: &[(usize, u64)]) {
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS];
        }
        self.count += count;
        self.sum_micros = self.sum_micros.saturating_add(sum_micros);
        for &(i, n) in buckets {
            self.counts[i] += n;
        }
    }

    pub(crate) fn merge_into(&self, h: &mut LatencyHistogram) {
        h.add_totals(self.count, self.sum_micros);
        for (i, &n) in self.counts.iter().enumerate() {
            if n > 0 {
                h.add_bucket(i, n);
            }
        }
    }
}

/// A ring of buckets, each `unit` minutes long.
pub(crate) struct BucketRing {
    unit: u64,
    slots: Vec<Bucket>,
}

impl BucketRing {
    fn new(unit: u64, len: usize) -> Self {
        BucketRing {
            unit,
            slots: (0..len)
                .map(|_| Bucket {
                    key: EMPTY,
                    count: 0,
                    sum_micros: 0,
                    counts: Vec::new(),
                })
                .collect(),
        }
    }

    /// Minutes per bucket.
    pub(crate) fn unit(&self) -> u64 {
        self.unit
    }

    /// The bucket for `key`, if this ring still holds it.
    pub(crate) fn get(&self, key: u64) -> Option<&Bucket> {
        let b = &self.slots[(key % self.slots.len() as u64) as usize];
        (b.key == key).then_some(b)
    }

    /// The bucket to add `minute` to, reset if it held an older (or a
    /// future) period; `None` when it holds a newer valid one.
    fn entry(&mut self, minute: u64, now_minute: u64) -> Option<&mut Bucket> {
        let (key, now_key) = (minute / self.unit, now_minute / self.unit);
        let len = self.slots.len() as u64;
        let b = &mut self.slots[(key % len) as usize];
        match admit(b.key, key, now_key, len) {
            Admit::Ready => {}
            Admit::Reset => b.reset(key),
            Admit::TooOld => return None,
        }
        Some(b)
    }

    /// Forgets buckets that left the window ending at `now_minute`.
    fn expire(&mut self, now_minute: u64) {
        let now_key = now_minute / self.unit;
        let len = self.slots.len() as u64;
        for b in &mut self.slots {
            if b.key != EMPTY && (b.key > now_key || b.key + len <= now_key) {
                b.reset(EMPTY);
            }
        }
    }
}

/// The shared buckets plus what fell outside them.
pub(crate) struct Archive {
    pub(crate) minutes: BucketRing,
    pub(crate) hours: BucketRing,
    pub(crate) days: BucketRing,
    /// Records whose minute slot was already taken by a newer minute.
    pub(crate) late_records: u64,
    /// Records too old for even the day ring (still in the total).
    pub(crate) expired_records: u64,
}

impl Archive {
    pub(crate) fn new() -> Self {
        Archive {
            minutes: BucketRing::new(1, MINUTE_SLOTS),
            hours: BucketRing::new(HOUR_MINUTES, HOUR_SLOTS),
            days: BucketRing::new(DAY_MINUTES, DAY_SLOTS),
            late_records: 0,
            expired_records: 0,
        }
    }

    /// Folds a finished shard slot for `minute` into every ring.
    pub(crate) fn absorb(&mut self, minute: u64, now_minute: u64, slot: &MinuteSlot) {
        let count = slot.count.load(Relaxed);
        if count == 0 {
            return;
        }
        let sum = slot.sum_micros.load(Relaxed);
        let buckets: Vec<(usize, u64)> = slot
            .buckets
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                let n = n.load(Relaxed);
                (n > 0).then_some((i, u64::from(n)))
            })
            .collect();
        self.add(minute, now_minute, count, sum, &buckets);
    }

    /// Adds one record that missed its shard slot.
    pub(crate) fn add_late(&mut self, s: &Sample) {
        self.late_records += 1;
        self.add(s.minute, s.now_minute, 1, s.micros, &[(s.bucket, 1)]);
    }

    fn add(&mut self, minute: u64, now: u64, count: u64, sum: u64, buckets: &[(usize, u64)]) {
        for ring in [&mut self.minutes, &mut self.hours] {
            if let Some(b) = ring.entry(minute, now) {
                b.add(count, sum, buckets);
            }
        }
        match self.days.entry(minute, now) {
            Some(b) => b.add(count, sum, buckets),
            None => self.expired_records += count,
        }
    }

    /// Resets buckets that left their windows (readers ignore them anyway).
    pub(crate) fn expire(&mut self, now_minute: u64) {
        self.minutes.expire(now_minute);
        self.hours.expire(now_minute);
        self.days.expire(now_minute);
    }
}
