//! A collector's durable state for snapshots: every period with its
//! latency buckets and user sketch, the all-time users, the totals and the
//! edge-case counters. Live shard minutes are folded into the export, so
//! nothing recorded before the export is missing from it.

use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use serde::{Deserialize, Serialize};

use super::MetricsCollector;
use super::archive::{Archive, DAY_SLOTS, HOUR_SLOTS, MINUTE_SLOTS, NewUsers, Ring};
use super::sample::MINUTE_MS;
use crate::period::EMPTY;
use crate::sketch::{HistogramState, HllRegisters, HllState, SketchStateError};

/// Everything a collector needs to continue after a restart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CollectorState {
    /// Messages recorded, all time.
    pub total: u64,
    /// Minute periods (key: minutes since the epoch).
    pub minutes: Vec<PeriodState>,
    /// Hour periods (key: hours since the epoch).
    pub hours: Vec<PeriodState>,
    /// Day periods (key: UTC days since the epoch).
    pub days: Vec<PeriodState>,
    /// Every user ever seen.
    pub all_users: HllState,
    /// Records that missed their shard slot.
    pub late_records: u64,
    /// Records too old for every ring.
    pub expired_records: u64,
    /// Records stamped in the future.
    pub future_records: u64,
    /// Records through the shared overflow shard.
    pub overflow_records: u64,
    /// Last heartbeat, ms since the epoch (0: none).
    pub last_heartbeat_ms: u64,
}

/// One period's messages, latency buckets and users.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriodState {
    /// Period number since the epoch, in the ring's unit.
    pub key: u64,
    /// Messages and latencies.
    pub latency: HistogramState,
    /// Distinct users.
    pub users: HllState,
}

impl CollectorState {
    /// Checks every sketch and histogram without restoring anything.
    pub fn validate(&self) -> Result<(), SketchStateError> {
        Decoded::from(self).map(|_| ())
    }
}

impl MetricsCollector {
    /// The collector's durable state, including records still in the
    /// threads' live minutes.
    pub fn export(&self) -> CollectorState {
        let inner = &*self.inner;
        let now_minute = inner.clock.now_ms() / MINUTE_MS;
        let copy = {
            let archive = inner.archive.lock();
            let mut copy = archive.clone();
            // Under the lock no shard folds, so each live minute is read
            // once, here, and never also found in the archive.
            for slot in inner.shards().flat_map(|s| s.slots.iter()) {
                let minute = slot.minute.load(Acquire);
                if minute != EMPTY {
                    copy.absorb(minute, now_minute, slot);
                }
            }
            copy
        };
        CollectorState {
            total: copy.folded_messages,
            minutes: ring_state(&copy.minutes, now_minute),
            hours: ring_state(&copy.hours, now_minute),
            days: ring_state(&copy.days, now_minute),
            all_users: copy.all_users.to_state(),
            late_records: copy.late_records,
            expired_records: copy.expired_records,
            future_records: inner.future_records.load(Relaxed),
            overflow_records: inner.overflow_records.load(Relaxed),
            last_heartbeat_ms: inner.last_heartbeat_ms.load(Relaxed),
        }
    }

    /// Adds a snapshot's state to this collector (normally a fresh one).
    /// Periods that left their windows since the snapshot are skipped, as
    /// are periods stamped after "now"; the totals still count them.
    /// A damaged state changes nothing.
    pub fn restore(&self, state: &CollectorState) -> Result<(), SketchStateError> {
        let decoded = Decoded::from(state)?;
        let inner = &*self.inner;
        let now_minute = inner.clock.now_ms() / MINUTE_MS;
        add(&mut inner.archive.lock(), &decoded, state, now_minute);
        inner
            .future_records
            .fetch_add(state.future_records, Relaxed);
        inner
            .overflow_records
            .fetch_add(state.overflow_records, Relaxed);
        inner
            .last_heartbeat_ms
            .fetch_max(state.last_heartbeat_ms, Relaxed);
        Ok(())
    }

    /// Replaces what the collector holds (periods, users, totals and
    /// counters) with `state`, checked first: a damaged state changes
    /// nothing. The threads' live minutes are dropped with the rest; a
    /// message recorded at the very moment of the replacement may be
    /// lost. Uptime, the connection gauge and the recent response-time
    /// samples (not part of snapshots) stay as they are.
    pub fn replace(&self, state: &CollectorState) -> Result<(), SketchStateError> {
        let decoded = Decoded::from(state)?;
        let inner = &*self.inner;
        let now_minute = inner.clock.now_ms() / MINUTE_MS;
        let mut fresh = Archive::new();
        add(&mut fresh, &decoded, state, now_minute);
        let mut archive = inner.archive.lock();
        *archive = fresh;
        // Under the lock no shard folds. A live minute marked empty is
        // skipped by readers, and its owner clears it before its next
        // record lands (a record already under way lands in the cleared
        // slot, unseen, and is cleared too).
        for slot in inner.shards().flat_map(|s| s.slots.iter()) {
            slot.minute.store(EMPTY, Release);
            slot.clear();
        }
        inner.future_records.store(state.future_records, Relaxed);
        inner
            .overflow_records
            .store(state.overflow_records, Relaxed);
        inner
            .last_heartbeat_ms
            .store(state.last_heartbeat_ms, Relaxed);
        drop(archive);
        Ok(())
    }
}

/// Adds a checked state to `a`.
fn add(a: &mut Archive, decoded: &Decoded, state: &CollectorState, now_minute: u64) {
    for (ring, periods) in [
        (&mut a.minutes, &decoded.minutes),
        (&mut a.hours, &decoded.hours),
        (&mut a.days, &decoded.days),
    ] {
        merge_ring(ring, periods, now_minute);
    }
    a.folded_messages = a.folded_messages.saturating_add(state.total);
    a.all_users.merge(&decoded.all_users);
    a.late_records = a.late_records.saturating_add(state.late_records);
    a.expired_records = a.expired_records.saturating_add(state.expired_records);
}

fn ring_state(ring: &Ring, now_minute: u64) -> Vec<PeriodState> {
    let mut out: Vec<PeriodState> = ring
        .periods
        .iter_within(now_minute / ring.unit())
        .filter(|(_, p)| p.count > 0)
        .map(|(key, p)| {
            let mut latency = crate::sketch::LatencyHistogram::new();
            p.merge_latency(&mut latency);
            PeriodState {
                key,
                latency: latency.to_state(),
                users: p
                    .users
                    .as_deref()
                    .map_or(HllState::Sparse(Vec::new()), HllRegisters::to_state),
            }
        })
        .collect();
    out.sort_by_key(|p| p.key);
    out
}

/// A state checked and turned back into sketches before anything changes.
struct Decoded {
    minutes: Vec<DecodedPeriod>,
    hours: Vec<DecodedPeriod>,
    days: Vec<DecodedPeriod>,
    all_users: HllRegisters,
}

struct DecodedPeriod {
    key: u64,
    count: u64,
    sum_micros: u64,
    buckets: Vec<(usize, u64)>,
    users: HllRegisters,
}

impl Decoded {
    fn from(state: &CollectorState) -> Result<Self, SketchStateError> {
        // More periods than a ring holds can only be damage; the ring
        // would keep the newest anyway.
        let periods = |list: &[PeriodState], cap: usize| {
            list.iter()
                .rev()
                .take(cap)
                .map(|p| {
                    p.latency.validate()?;
                    Ok(DecodedPeriod {
                        key: p.key,
                        count: p.latency.count,
                        sum_micros: p.latency.sum_micros,
                        buckets: p
                            .latency
                            .buckets
                            .iter()
                            .map(|&(i, n)| (usize::from(i), n))
                            .collect(),
                        users: HllRegisters::from_state(&p.users)?,
                    })
                })
                .collect::<Result<Vec<_>, SketchStateError>>()
        };
        Ok(Decoded {
            minutes: periods(&state.minutes, MINUTE_SLOTS)?,
            hours: periods(&state.hours, HOUR_SLOTS)?,
            days: periods(&state.days, DAY_SLOTS)?,
            all_users: HllRegisters::from_state(&state.all_users)?,
        })
    }
}

fn merge_ring(ring: &mut Ring, periods: &[DecodedPeriod], now_minute: u64) {
    let now_key = now_minute / ring.unit();
    for p in periods.iter().filter(|p| p.key <= now_key) {
        if let Some(period) = ring.periods.entry(p.key, now_key) {
            period.add(p.count, p.sum_micros, &p.buckets, NewUsers::Many(&p.users));
        }
    }
}
