//! Minute, hour and day periods shared by all threads, behind one mutex.
//!
//! Shards fold their finished minutes in here (once per minute per thread);
//! readers take the same lock, so a minute is counted either in its shard
//! or here, never in both and never in neither. Each ring is keyed by time:
//! a period's slot is reused for a newer period by resetting it, so stale
//! periods can never leak into new windows.

use std::sync::atomic::Ordering::Relaxed;

use super::sample::{DAY_MINUTES, HOUR_MINUTES, Sample};
use super::shard::MinuteSlot;
use crate::period::KeyedRing;
use crate::sketch::histogram::{BUCKETS, LatencyHistogram, ResponseTimes};
use crate::sketch::hll::{HllRegisters, UserHash};

/// Minute periods kept (a little over the hour the stats look back).
pub(crate) const MINUTE_SLOTS: usize = 64;
/// Hour periods kept: 7 days.
pub(crate) const HOUR_SLOTS: usize = 168;
/// Day periods kept: 30 days.
pub(crate) const DAY_SLOTS: usize = 30;

/// What a reader wants from one period, computed once per change.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PeriodSummary {
    pub(crate) times: ResponseTimes,
    pub(crate) unique_users: u64,
}

/// The users a change brings to a period: a folded slot's registers, or
/// the one user of a late record (inserted directly: building and merging
/// a register set for a single user cost microseconds per late record).
#[derive(Clone, Copy)]
pub(crate) enum NewUsers<'a> {
    /// Every user of a folded minute.
    Many(&'a HllRegisters),
    /// The user of one record.
    One(UserHash),
}

impl NewUsers<'_> {
    fn add_to(self, acc: &mut HllRegisters) {
        match self {
            NewUsers::Many(registers) => acc.merge(registers),
            NewUsers::One(user) => acc.insert(user),
        }
    }
}

/// One period's messages (count, latency sum and buckets) and users.
/// Memory is allocated when the period first receives data.
#[derive(Clone, Default)]
pub(crate) struct Period {
    pub(super) count: u64,
    pub(super) sum_micros: u64,
    counts: Vec<u64>,
    /// Lowest and highest bucket with a count (`lo > hi` when none).
    lo: usize,
    hi: usize,
    pub(super) users: Option<Box<HllRegisters>>,
    /// Summary of the above; dropped whenever they change.
    summary: Option<PeriodSummary>,
}

impl Period {
    pub(super) fn add(
        &mut self,
        count: u64,
        sum_micros: u64,
        buckets: &[(usize, u64)],
        users: NewUsers<'_>,
    ) {
        self.summary = None;
        if self.counts.is_empty() {
            self.counts = vec![0; BUCKETS];
            (self.lo, self.hi) = (BUCKETS, 0);
        }
        self.count += count;
        self.sum_micros = self.sum_micros.saturating_add(sum_micros);
        for &(i, n) in buckets {
            self.counts[i] += n;
            self.lo = self.lo.min(i);
            self.hi = self.hi.max(i);
        }
        users.add_to(
            self.users
                .get_or_insert_with(|| Box::new(HllRegisters::new())),
        );
    }

    pub(crate) fn merge_latency(&self, h: &mut LatencyHistogram) {
        h.add_totals(self.count, self.sum_micros);
        if let Some(touched) = self.counts.get(self.lo..=self.hi) {
            for (i, &n) in touched.iter().enumerate() {
                if n > 0 {
                    h.add_bucket(self.lo + i, n);
                }
            }
        }
    }

    /// Messages in this period.
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn merge_users(&self, acc: &mut HllRegisters) {
        if let Some(users) = &self.users {
            acc.merge(users);
        }
    }

    /// Response times and distinct users of this period alone, cached
    /// until the period changes.
    pub(crate) fn summary(&mut self) -> PeriodSummary {
        if let Some(summary) = self.summary {
            return summary;
        }
        let mut h = LatencyHistogram::new();
        self.merge_latency(&mut h);
        let summary = PeriodSummary {
            times: h.summary(),
            unique_users: self.users.as_ref().map_or(0, |u| u.count()),
        };
        self.summary = Some(summary);
        summary
    }
}

/// A ring of periods, each `unit` minutes long.
#[derive(Clone)]
pub(crate) struct Ring {
    unit: u64,
    pub(super) periods: KeyedRing<Period>,
}

impl Ring {
    fn new(unit: u64, len: usize) -> Self {
        Ring {
            unit,
            periods: KeyedRing::new(len),
        }
    }

    /// Minutes per period.
    pub(crate) fn unit(&self) -> u64 {
        self.unit
    }

    /// The period `key`, if this ring still holds it.
    pub(crate) fn get(&self, key: u64) -> Option<&Period> {
        self.periods.get(key)
    }

    /// The same, mutably (to fill its summary cache).
    pub(crate) fn get_mut(&mut self, key: u64) -> Option<&mut Period> {
        self.periods.get_mut(key)
    }

    /// The period to add `minute` to; `None` when it is too old for this
    /// ring.
    fn entry(&mut self, minute: u64, now_minute: u64) -> Option<&mut Period> {
        self.periods
            .entry(minute / self.unit, now_minute / self.unit)
    }

    /// Forgets periods that left the window ending at `now_minute`.
    fn expire(&mut self, now_minute: u64) {
        self.periods.expire(now_minute / self.unit);
    }
}

/// The shared periods, every user ever seen, and what fell outside.
#[derive(Clone)]
pub(crate) struct Archive {
    pub(crate) minutes: Ring,
    pub(crate) hours: Ring,
    pub(crate) days: Ring,
    /// Every message folded in so far, kept or expired (shards hold the rest).
    pub(crate) folded_messages: u64,
    /// Every user folded in so far (shards hold the rest).
    pub(crate) all_users: HllRegisters,
    /// Records whose minute slot was already taken by a newer minute.
    pub(crate) late_records: u64,
    /// Records too old for even the day ring (still in the total).
    pub(crate) expired_records: u64,
}

impl Archive {
    pub(crate) fn new() -> Self {
        Archive {
            minutes: Ring::new(1, MINUTE_SLOTS),
            hours: Ring::new(HOUR_MINUTES, HOUR_SLOTS),
            days: Ring::new(DAY_MINUTES, DAY_SLOTS),
            folded_messages: 0,
            all_users: HllRegisters::new(),
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
        let mut users = HllRegisters::new();
        slot.users.merge_into(&mut users);
        self.add(
            minute,
            now_minute,
            count,
            sum,
            &buckets,
            NewUsers::Many(&users),
        );
    }

    /// Adds one record that missed its shard slot.
    pub(crate) fn add_late(&mut self, s: &Sample, user: UserHash) {
        self.late_records += 1;
        self.add(
            s.minute,
            s.now_minute,
            1,
            s.micros,
            &[(s.bucket, 1)],
            NewUsers::One(user),
        );
    }

    fn add(
        &mut self,
        minute: u64,
        now: u64,
        count: u64,
        sum: u64,
        buckets: &[(usize, u64)],
        users: NewUsers<'_>,
    ) {
        self.folded_messages += count;
        users.add_to(&mut self.all_users);
        for ring in [&mut self.minutes, &mut self.hours] {
            if let Some(p) = ring.entry(minute, now) {
                p.add(count, sum, buckets, users);
            }
        }
        match self.days.entry(minute, now) {
            Some(p) => p.add(count, sum, buckets, users),
            None => self.expired_records += count,
        }
    }

    /// Resets periods that left their windows (readers ignore them anyway).
    pub(crate) fn expire(&mut self, now_minute: u64) {
        self.minutes.expire(now_minute);
        self.hours.expire(now_minute);
        self.days.expire(now_minute);
    }
}
