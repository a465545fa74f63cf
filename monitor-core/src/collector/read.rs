//! Everything that reads a collector: stats, series, recent samples.
//!
//! Readers hold the archive lock while merging shared periods with the
//! shards' live minutes, so a minute being folded is never counted twice
//! or missed; shards are read with relaxed loads while their owners write.

use std::sync::atomic::Ordering::{Acquire, Relaxed};

use super::archive::{Archive, Period, Ring};
use super::sample::{DAY_MINUTES, HOUR_MINUTES, MINUTE_MS};
use super::shard::{MinuteSlot, Shard};
use super::stats::{
    CollectorCounters, CurrentStats, DailyBucket, HourlyBucket, MessageStats, ResponseSample,
    SeriesBucket, UserStats,
};
use super::{Inner, MetricsCollector};
use crate::clock::from_unix_ms;
use crate::period::EMPTY;
use crate::sketch::histogram::LatencyHistogram;
use crate::sketch::hll::HllRegisters;

/// Most hours [`MetricsCollector::hourly`] returns.
pub const MAX_HOURS: usize = 168;
/// Most days [`MetricsCollector::daily`] returns.
pub const MAX_DAYS: usize = 30;
/// Minutes that count as "active now".
const ACTIVE_NOW_MINUTES: u64 = 30;
/// Days that count as "this week".
const WEEK_DAYS: u64 = 7;

/// One source of data for a period: folded into the archive, or still
/// live in a shard.
pub(super) enum Source<'a> {
    Archived(&'a Period),
    Live(&'a LiveMinute<'a>),
}

/// A shard minute being written, with its users packed once per read (a
/// live sketch is a byte per register; unions want packed words).
pub(super) struct LiveMinute<'a> {
    pub(super) minute: u64,
    slot: &'a MinuteSlot,
    pub(super) users: HllRegisters,
}

impl Source<'_> {
    pub(super) fn merge_latency(&self, h: &mut LatencyHistogram) {
        match self {
            Source::Archived(p) => p.merge_latency(h),
            Source::Live(live) => {
                let slot = live.slot;
                h.add_totals(slot.count.load(Relaxed), slot.sum_micros.load(Relaxed));
                for (i, n) in slot.buckets.iter().enumerate() {
                    let n = n.load(Relaxed);
                    if n > 0 {
                        h.add_bucket(i, u64::from(n));
                    }
                }
            }
        }
    }

    pub(super) fn merge_users(&self, acc: &mut HllRegisters) {
        match self {
            Source::Archived(p) => p.merge_users(acc),
            Source::Live(live) => acc.merge(&live.users),
        }
    }
}

impl MetricsCollector {
    /// Everything the collector knows, now.
    pub fn current_stats(&self) -> CurrentStats {
        let inner = &*self.inner;
        let now_ms = inner.clock.now_ms();
        let now_minute = now_ms / MINUTE_MS;
        let now_hour = now_minute / HOUR_MINUTES;
        let today = now_minute / DAY_MINUTES;

        let mut hour = LatencyHistogram::new();
        let mut day = LatencyHistogram::new();
        let mut active_now = HllRegisters::new();
        let mut active_today = HllRegisters::new();
        let mut this_week = HllRegisters::new();
        let mut all_time;
        let total;
        {
            let archive = inner.archive.lock();
            total = inner.total(&archive);
            let live = inner.live_minutes(|_| true);
            let (minutes, hours, days) = (&archive.minutes, &archive.hours, &archive.days);
            visit(minutes, &live, now_minute, 60, |_, s| {
                s.merge_latency(&mut hour)
            });
            visit(minutes, &live, now_minute, ACTIVE_NOW_MINUTES, |_, s| {
                s.merge_users(&mut active_now);
            });
            visit(hours, &live, now_hour, 24, |_, s| s.merge_latency(&mut day));
            visit(days, &live, today, WEEK_DAYS, |key, s| {
                s.merge_users(&mut this_week);
                if key == today {
                    s.merge_users(&mut active_today);
                }
            });
            all_time = archive.all_users.clone();
            for m in &live {
                all_time.merge(&m.users);
            }
        }

        let last_hour = hour.summary();
        let last_heartbeat = inner.last_heartbeat_ms.load(Relaxed);
        CurrentStats {
            timestamp: from_unix_ms(now_ms),
            uptime_seconds: now_ms.saturating_sub(inner.started_ms) / 1000,
            messages: MessageStats {
                total,
                last_hour: hour.count(),
                last_24h: day.count(),
                avg_response_time_ms: last_hour.avg_ms,
                p50_ms: last_hour.p50_ms,
                p95_ms: last_hour.p95_ms,
                p99_ms: last_hour.p99_ms,
            },
            response_time_24h: day.summary(),
            users: UserStats {
                total: all_time.count(),
                active_today: active_today.count(),
                active_this_week: this_week.count(),
                active_now: active_now.count(),
            },
            active_connections: inner.active_connections.load(Relaxed),
            last_heartbeat: (last_heartbeat > 0).then(|| from_unix_ms(last_heartbeat)),
        }
    }

    /// Messages in the last 60 minutes (minute resolution): the same figure
    /// as `current_stats().messages.last_hour`, without computing the rest.
    pub fn messages_last_hour(&self) -> u64 {
        let inner = &*self.inner;
        let now_minute = inner.clock.now_ms() / MINUTE_MS;
        let window = now_minute.saturating_sub(59)..=now_minute;
        let archive = inner.archive.lock();
        let archived: u64 = window
            .clone()
            .filter_map(|m| archive.minutes.get(m))
            .map(|p| p.count())
            .sum();
        let live: u64 = inner
            .shards()
            .flat_map(|shard| shard.slots.iter())
            .filter(|slot| window.contains(&slot.minute.load(Acquire)))
            .map(|slot| slot.count.load(Relaxed))
            .sum();
        archived + live
    }

    /// The last `hours` clock hours (at most 168), oldest first, ending with
    /// the current hour.
    pub fn hourly(&self, hours: usize) -> Vec<HourlyBucket> {
        let now_hour = self.inner.clock.now_ms() / MINUTE_MS / HOUR_MINUTES;
        self.inner
            .series(|a| &mut a.hours, hours.min(MAX_HOURS), now_hour)
    }

    /// The last `days` UTC days (at most 30), oldest first, ending today.
    pub fn daily(&self, days: usize) -> Vec<DailyBucket> {
        let today = self.inner.clock.now_ms() / MINUTE_MS / DAY_MINUTES;
        self.inner
            .series(|a| &mut a.days, days.min(MAX_DAYS), today)
    }

    /// The most recent response times (as many as configured, default
    /// 1000), oldest first.
    pub fn recent_response_times(&self) -> Vec<ResponseSample> {
        let inner = &*self.inner;
        let now_ms = inner.clock.now_ms();
        let now_rel = now_ms.wrapping_sub(inner.started_ms) as u32;
        let mut all = Vec::new();
        for shard in inner.shards() {
            shard.recent.collect(&mut all);
        }
        // Order by age; wrapping arithmetic keeps this right for 49 days.
        all.sort_by_key(|&(rel, _)| now_rel.wrapping_sub(rel));
        all.truncate(inner.recent_len);
        all.reverse();
        all.into_iter()
            .map(|(rel, micros)| ResponseSample {
                at: from_unix_ms(now_ms.saturating_sub(u64::from(now_rel.wrapping_sub(rel)))),
                response_time_ms: f64::from(micros) / 1000.0,
            })
            .collect()
    }

    /// The collector's own edge-case counters.
    pub fn counters(&self) -> CollectorCounters {
        let inner = &*self.inner;
        let (late_records, expired_records) = {
            let archive = inner.archive.lock();
            (archive.late_records, archive.expired_records)
        };
        CollectorCounters {
            late_records,
            expired_records,
            future_records: inner.future_records.load(Relaxed),
            overflow_records: inner.overflow_records.load(Relaxed),
        }
    }
}

impl Inner {
    pub(super) fn shards(&self) -> impl Iterator<Item = &Shard> {
        self.shards
            .iter()
            .filter_map(|cell| cell.get())
            .chain(std::iter::once(&self.overflow))
    }

    /// Every message ever recorded: folded ones plus the shards' live
    /// minutes. The caller holds the archive lock, so none is in flight
    /// between the two.
    pub(super) fn total(&self, archive: &Archive) -> u64 {
        let live: u64 = self
            .shards()
            .flat_map(|shard| shard.slots.iter())
            .filter(|slot| slot.minute.load(Acquire) != EMPTY)
            .map(|slot| slot.count.load(Relaxed))
            .sum();
        archive.folded_messages + live
    }

    /// The `n` periods of the ring `pick` selects, ending with `last`.
    /// Periods with no live shard minute use their cached summary; only
    /// the few still being written are merged afresh.
    fn series(
        &self,
        pick: impl Fn(&mut Archive) -> &mut Ring,
        n: usize,
        last: u64,
    ) -> Vec<SeriesBucket> {
        let from = (last + 1).saturating_sub(n as u64);
        let mut archive = self.archive.lock();
        let ring = pick(&mut archive);
        let unit = ring.unit();
        let live = self.live_minutes(|minute| (from..=last).contains(&(minute / unit)));
        (from..=last)
            .map(|key| {
                let mut parts = live.iter().filter(|m| m.minute / unit == key).peekable();
                let (times, unique_users) = if parts.peek().is_none() {
                    let s = ring.get_mut(key).map(Period::summary).unwrap_or_default();
                    (s.times, s.unique_users)
                } else {
                    let mut h = LatencyHistogram::new();
                    let mut u = HllRegisters::new();
                    if let Some(period) = ring.get(key) {
                        period.merge_latency(&mut h);
                        period.merge_users(&mut u);
                    }
                    for live in parts {
                        Source::Live(live).merge_latency(&mut h);
                        u.merge(&live.users);
                    }
                    (h.summary(), u.count())
                };
                SeriesBucket {
                    start: from_unix_ms(key * unit * MINUTE_MS),
                    count: times.count,
                    unique_users,
                    avg_response_time_ms: times.avg_ms,
                    p50_ms: times.p50_ms,
                    p95_ms: times.p95_ms,
                    p99_ms: times.p99_ms,
                }
            })
            .collect()
    }

    /// Every shard minute in use whose minute passes `wanted`.
    pub(super) fn live_minutes(&self, wanted: impl Fn(u64) -> bool) -> Vec<LiveMinute<'_>> {
        self.shards()
            .flat_map(|shard| shard.slots.iter())
            .filter_map(|slot| {
                let minute = slot.minute.load(Acquire);
                (minute != EMPTY && wanted(minute)).then(|| {
                    let mut users = HllRegisters::new();
                    slot.users.merge_into(&mut users);
                    LiveMinute {
                        minute,
                        slot,
                        users,
                    }
                })
            })
            .collect()
    }
}

/// Calls `f(key, source)` for every source of data for the `periods`
/// periods of `ring` ending with `last`: the ring's own periods and the live
/// shard minutes. The caller holds the archive lock (it owns `ring`).
pub(super) fn visit<'a>(
    ring: &'a Ring,
    live: &'a [LiveMinute<'a>],
    last: u64,
    periods: u64,
    mut f: impl FnMut(u64, Source<'a>),
) {
    let (from, to) = ((last + 1).saturating_sub(periods), last);
    for key in from..=to {
        if let Some(period) = ring.get(key) {
            f(key, Source::Archived(period));
        }
    }
    for m in live {
        let key = m.minute / ring.unit();
        if (from..=to).contains(&key) {
            f(key, Source::Live(m));
        }
    }
}
