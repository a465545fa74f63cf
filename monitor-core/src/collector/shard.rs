//! One thread's private slice of a collector.
//!
//! Only its owning thread writes a shard, so increments are a relaxed load
//! and a relaxed store (no locked read-modify-write), on cache lines no
//! other thread writes: count, latency sum, latency bucket, a recent-sample
//! entry and one register of the slot's own distinct-user sketch. Readers
//! load the same atomics concurrently and see each value whole.
//!
//! A shard keeps two minute slots (the current minute and the one before,
//! for records straddling the boundary); when a slot is reused for a new
//! minute, its contents are first folded into the shared [`Archive`] under
//! its lock, once per minute per thread at most.

use std::sync::atomic::{
    AtomicU32, AtomicU64,
    Ordering::{Acquire, Relaxed, Release},
};

use parking_lot::Mutex;

use super::archive::Archive;
use super::sample::Sample;
use crate::period::{Admit, EMPTY, admit};
use crate::sketch::histogram::BUCKETS;
use crate::sketch::hll::{LiveHll, UserHash};

#[inline]
fn bump(a: &AtomicU64, by: u64) {
    a.store(a.load(Relaxed).wrapping_add(by), Relaxed);
}

#[inline]
fn bump32(a: &AtomicU32) {
    a.store(a.load(Relaxed).wrapping_add(1), Relaxed);
}

/// A minute of one thread's records: count, latency sum and buckets, and
/// the distinct users seen.
pub(crate) struct MinuteSlot {
    pub(crate) minute: AtomicU64,
    pub(crate) count: AtomicU64,
    pub(crate) sum_micros: AtomicU64,
    pub(crate) buckets: Box<[AtomicU32; BUCKETS]>,
    pub(crate) users: LiveHll,
}

impl MinuteSlot {
    fn new() -> Self {
        MinuteSlot {
            minute: AtomicU64::new(EMPTY),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
            buckets: Box::new(std::array::from_fn(|_| AtomicU32::new(0))),
            users: LiveHll::new(),
        }
    }

    /// Zeroes the slot; only under the archive lock, by the owner.
    pub(crate) fn clear(&self) {
        self.count.store(0, Relaxed);
        self.sum_micros.store(0, Relaxed);
        for b in self.buckets.iter() {
            b.store(0, Relaxed);
        }
        self.users.clear();
    }
}

/// The last few response times of one thread, with their times.
pub(crate) struct RecentRing {
    cursor: AtomicU64,
    mask: u64,
    entries: Box<[AtomicU64]>,
}

impl RecentRing {
    fn new(capacity: usize) -> Self {
        let len = capacity.next_power_of_two();
        RecentRing {
            cursor: AtomicU64::new(0),
            mask: len as u64 - 1,
            entries: (0..len).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    #[inline]
    fn push(&self, rel_ms: u32, micros: u64) {
        let c = self.cursor.load(Relaxed);
        let packed = (u64::from(rel_ms) << 32) | micros.min(u64::from(u32::MAX));
        if let Some(entry) = self.entries.get((c & self.mask) as usize) {
            entry.store(packed, Relaxed);
        }
        self.cursor.store(c + 1, Release);
    }

    /// Appends `(rel_ms, micros)` pairs, oldest first.
    pub(crate) fn collect(&self, out: &mut Vec<(u32, u32)>) {
        let c = self.cursor.load(Acquire);
        let len = self.entries.len() as u64;
        for i in c.saturating_sub(len)..c {
            let e = self.entries[(i & self.mask) as usize].load(Relaxed);
            out.push(((e >> 32) as u32, e as u32));
        }
    }
}

/// One thread's records.
pub(crate) struct Shard {
    pub(crate) slots: [MinuteSlot; 2],
    pub(crate) recent: RecentRing,
}

impl Shard {
    pub(crate) fn new(recent_capacity: usize) -> Self {
        Shard {
            slots: [MinuteSlot::new(), MinuteSlot::new()],
            recent: RecentRing::new(recent_capacity),
        }
    }

    /// Records one sample. The caller guarantees that no other thread
    /// writes this shard at the same time.
    #[inline]
    pub(crate) fn record(&self, s: &Sample, user: UserHash, archive: &Mutex<Archive>) {
        self.recent.push(s.rel_ms, s.micros);
        let slot = &self.slots[(s.minute & 1) as usize];
        if slot.minute.load(Relaxed) != s.minute && !self.claim(slot, s, archive) {
            archive.lock().add_late(s, user);
            return;
        }
        bump(&slot.count, 1);
        bump(&slot.sum_micros, s.micros);
        bump32(&slot.buckets[s.bucket & (BUCKETS - 1)]);
        slot.users.observe(user);
    }

    /// Readies `slot` for `s.minute`, folding what it held into the
    /// archive. `false` when the slot holds a newer minute that is still
    /// valid: the record is late and goes to the archive directly.
    #[cold]
    fn claim(&self, slot: &MinuteSlot, s: &Sample, archive: &Mutex<Archive>) -> bool {
        let held = slot.minute.load(Relaxed);
        // Two slots: a record more than a minute behind this thread's
        // newest goes straight to the archive instead of evicting it.
        if admit(held, s.minute, s.now_minute, 2) != Admit::Reset {
            return false;
        }
        let mut archive = archive.lock();
        if held != EMPTY {
            archive.absorb(held, s.now_minute, slot);
        }
        slot.clear();
        slot.minute.store(s.minute, Release);
        true
    }
}
