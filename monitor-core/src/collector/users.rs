//! Distinct users per minute, hour and day, plus all time, as HyperLogLog
//! sketches shared by all threads.
//!
//! "Active now" is the union of the last 30 minute sketches, "this week"
//! the union of the last 7 day sketches, "total" the union of every day
//! sketch and of the all-time sketch that expired days are folded into.
//! Memory is fixed: (32 + 168 + 30 + 1) sketches of 16 KiB.

use std::sync::atomic::{
    AtomicU64,
    Ordering::{Acquire, Relaxed, Release},
};

use parking_lot::Mutex;

use super::sample::{Admit, DAY_MINUTES, EMPTY, HOUR_MINUTES, admit};
use crate::sketch::hll::{AtomicHll, HllRegisters, UserHash};

/// Minutes that count as "active now".
pub(crate) const ACTIVE_NOW_MINUTES: u64 = 30;
/// Days that count as "this week".
pub(crate) const WEEK_DAYS: u64 = 7;

struct HllSlot {
    key: AtomicU64,
    hll: AtomicHll,
}

/// A ring of sketches, each `unit` minutes long.
pub(crate) struct HllRing {
    unit: u64,
    slots: Box<[HllSlot]>,
    roll: Mutex<()>,
}

impl HllRing {
    fn new(unit: u64, len: usize) -> Self {
        HllRing {
            unit,
            slots: (0..len)
                .map(|_| HllSlot {
                    key: AtomicU64::new(EMPTY),
                    hll: AtomicHll::new(),
                })
                .collect(),
            roll: Mutex::new(()),
        }
    }

    fn slot(&self, key: u64) -> &HllSlot {
        &self.slots[(key % self.slots.len() as u64) as usize]
    }

    /// Counts `h` in the sketch for `minute`; `false` if that period is no
    /// longer kept. `expired` receives the registers of a slot being reused.
    #[inline]
    fn observe(
        &self,
        h: UserHash,
        minute: u64,
        now_minute: u64,
        expired: Option<&AtomicHll>,
    ) -> bool {
        let key = minute / self.unit;
        let slot = self.slot(key);
        if slot.key.load(Acquire) != key && !self.roll(slot, key, now_minute / self.unit, expired) {
            return false;
        }
        slot.hll.observe(h);
        true
    }

    /// Resets `slot` for `key`. A record racing with the reset may leave
    /// its register in the new period: at most the few calls in flight at
    /// the boundary, well inside the sketch's error.
    #[cold]
    fn roll(&self, slot: &HllSlot, key: u64, now_key: u64, expired: Option<&AtomicHll>) -> bool {
        let _guard = self.roll.lock();
        let held = slot.key.load(Acquire);
        match admit(held, key, now_key, self.slots.len() as u64) {
            Admit::Ready => return true,
            Admit::TooOld => return false,
            Admit::Reset => {}
        }
        if let (Some(into), false) = (expired, held == EMPTY) {
            into.absorb(&slot.hll);
        }
        slot.hll.clear();
        slot.key.store(key, Release);
        true
    }

    /// Union of the sketches for keys `from..=to`.
    fn union(&self, from: u64, to: u64, acc: &mut HllRegisters) {
        for key in from..=to {
            let slot = self.slot(key);
            if slot.key.load(Acquire) == key {
                slot.hll.merge_into(acc);
            }
        }
    }

    fn count(&self, key: u64) -> u64 {
        let slot = self.slot(key);
        if slot.key.load(Acquire) == key {
            slot.hll.to_registers().count()
        } else {
            0
        }
    }
}

/// Every distinct-user sketch of a collector.
pub(crate) struct UserSketches {
    minutes: HllRing,
    hours: HllRing,
    days: HllRing,
    all_time: AtomicHll,
    /// Records too old for the sketch of their period.
    stale: AtomicU64,
}

impl UserSketches {
    pub(crate) fn new() -> Self {
        UserSketches {
            minutes: HllRing::new(1, 32),
            hours: HllRing::new(HOUR_MINUTES, 168),
            days: HllRing::new(DAY_MINUTES, 30),
            all_time: AtomicHll::new(),
            stale: AtomicU64::new(0),
        }
    }

    #[inline]
    pub(crate) fn observe(&self, h: UserHash, minute: u64, now_minute: u64) {
        let fresh = self.minutes.observe(h, minute, now_minute, None)
            & self.hours.observe(h, minute, now_minute, None)
            & self
                .days
                .observe(h, minute, now_minute, Some(&self.all_time));
        if !fresh {
            self.stale.fetch_add(1, Relaxed);
        }
    }

    /// Distinct users in the 30 minutes up to `now_minute`.
    pub(crate) fn active_now(&self, now_minute: u64) -> u64 {
        let mut acc = HllRegisters::new();
        self.minutes.union(
            now_minute.saturating_sub(ACTIVE_NOW_MINUTES - 1),
            now_minute,
            &mut acc,
        );
        acc.count()
    }

    /// Distinct users on `day` (days since the epoch, UTC).
    pub(crate) fn day(&self, day: u64) -> u64 {
        self.days.count(day)
    }

    /// Distinct users in `hour` (hours since the epoch).
    pub(crate) fn hour(&self, hour: u64) -> u64 {
        self.hours.count(hour)
    }

    /// Distinct users over the 7 days up to `today`.
    pub(crate) fn week(&self, today: u64) -> u64 {
        let mut acc = HllRegisters::new();
        self.days
            .union(today.saturating_sub(WEEK_DAYS - 1), today, &mut acc);
        acc.count()
    }

    /// Registers of every user ever seen.
    pub(crate) fn all_time(&self) -> HllRegisters {
        let mut acc = self.all_time.to_registers();
        for slot in self.days.slots.iter() {
            if slot.key.load(Acquire) != EMPTY {
                slot.hll.merge_into(&mut acc);
            }
        }
        acc
    }

    /// Records that arrived too late for their period's sketch.
    pub(crate) fn stale(&self) -> u64 {
        self.stale.load(Relaxed)
    }
}
