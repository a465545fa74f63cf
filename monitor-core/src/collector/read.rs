//! Everything that reads a collector: stats, series, recent samples.
//!
//! Readers hold the archive lock while merging shared buckets with the
//! shards' live minutes, so a minute being folded is never counted twice
//! or missed; shards are read with relaxed loads while their owners write.

use std::sync::atomic::Ordering::{Acquire, Relaxed};

use super::archive::{Archive, BucketRing};
use super::sample::{DAY_MINUTES, EMPTY, HOUR_MINUTES, MINUTE_MS};
use super::shard::{MinuteSlot, Shard};
use super::stats::{
    CollectorCounters, CurrentStats, DailyBucket, HourlyBucket, MessageStats, ResponseSample,
    SeriesBucket, UserStats,
};
use super::{Inner, MetricsCollector};
use crate::clock::from_unix_ms;
use crate::sketch::histogram::LatencyHistogram;

/// Most hours [`MetricsCollector::hourly`] returns.
pub const MAX_HOURS: usize = 168;
/// Most days [`MetricsCollector::daily`] returns.
pub const MAX_DAYS: usize = 30;

impl MetricsCollector {
    /// Everything the collector knows, now.
    pub fn current_stats(&self) -> CurrentStats {
        let inner = &*self.inner;
        let now_ms = inner.clock.now_ms();
        let now_minute = now_ms / MINUTE_MS;
        let now_hour = now_minute / HOUR_MINUTES;
        let today = now_minute / DAY_MINUTES;
        let (hour, day) = {
            let archive = inner.archive.lock();
            (
                inner.merged(&archive.minutes, now_minute.saturating_sub(59), now_minute),
                inner.merged(&archive.hours, now_hour.saturating_sub(23), now_hour),
            )
        };
        let last_hour = hour.summary();
        let last_heartbeat = inner.last_heartbeat_ms.load(Relaxed);
        CurrentStats {
            timestamp: from_unix_ms(now_ms),
            uptime_seconds: now_ms.saturating_sub(inner.started_ms) / 1000,
            messages: MessageStats {
                total: inner.total(),
                last_hour: hour.count(),
                last_24h: day.count(),
                avg_response_time_ms: last_hour.avg_ms,
                p50_ms: last_hour.p50_ms,
                p95_ms: last_hour.p95_ms,
                p99_ms: last_hour.p99_ms,
            },
            response_time_24h: day.summary(),
            users: UserStats {
                total: inner.users.all_time().count(),
                active_today: inner.users.day(today),
                active_this_week: inner.users.week(today),
                active_now: inner.users.active_now(now_minute),
            },
            active_connections: inner.active_connections.load(Relaxed),
            last_heartbeat: (last_heartbeat > 0).then(|| from_unix_ms(last_heartbeat)),
        }
    }

    /// The last `hours` clock hours (at most 168), oldest first, ending with
    /// the current hour.
    pub fn hourly(&self, hours: usize) -> Vec<HourlyBucket> {
        let inner = &*self.inner;
        let now_hour = inner.clock.now_ms() / MINUTE_MS / HOUR_MINUTES;
        let n = hours.min(MAX_HOURS) as u64;
        let from = (now_hour + 1).saturating_sub(n);
        let series = inner.series(|a| &a.hours, from, now_hour);
        inner.buckets(series, from, HOUR_MINUTES, |h| inner.users.hour(h))
    }

    /// The last `days` UTC days (at most 30), oldest first, ending today.
    pub fn daily(&self, days: usize) -> Vec<DailyBucket> {
        let inner = &*self.inner;
        let today = inner.clock.now_ms() / MINUTE_MS / DAY_MINUTES;
        let n = days.min(MAX_DAYS) as u64;
        let from = (today + 1).saturating_sub(n);
        let series = inner.series(|a| &a.days, from, today);
        inner.buckets(series, from, DAY_MINUTES, |d| inner.users.day(d))
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
            stale_user_records: inner.users.stale(),
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

    pub(super) fn total(&self) -> u64 {
        self.shards().map(Shard::total).sum()
    }

    /// One histogram for the whole of `from..=to` in `ring`.
    fn merged(&self, ring: &BucketRing, from: u64, to: u64) -> LatencyHistogram {
        let mut out = LatencyHistogram::new();
        self.visit(ring, from, to, |_, add| add(&mut out));
        out
    }

    /// One histogram per key of `from..=to` in the ring `pick` selects.
    fn series(
        &self,
        pick: impl Fn(&Archive) -> &BucketRing,
        from: u64,
        to: u64,
    ) -> Vec<LatencyHistogram> {
        let len = (to + 1).saturating_sub(from) as usize;
        let mut out = vec![LatencyHistogram::new(); len];
        let archive = self.archive.lock();
        self.visit(pick(&archive), from, to, |key, add| {
            add(&mut out[(key - from) as usize])
        });
        out
    }

    /// Calls `f(key, merge)` for every source of data for keys
    /// `from..=to` of `ring`: its own buckets and the shards' live minutes.
    /// The archive lock must be held by the caller (it owns `ring`).
    fn visit(
        &self,
        ring: &BucketRing,
        from: u64,
        to: u64,
        mut f: impl FnMut(u64, &dyn Fn(&mut LatencyHistogram)),
    ) {
        for key in from..=to {
            if let Some(bucket) = ring.get(key) {
                f(key, &|h| bucket.merge_into(h));
            }
        }
        for shard in self.shards() {
            for slot in &shard.slots {
                let minute = slot.minute.load(Acquire);
                if minute == EMPTY {
                    continue;
                }
                let key = minute / ring.unit();
                if (from..=to).contains(&key) {
                    f(key, &|h| merge_slot(slot, h));
                }
            }
        }
    }

    fn buckets(
        &self,
        series: Vec<LatencyHistogram>,
        from: u64,
        unit_minutes: u64,
        users: impl Fn(u64) -> u64,
    ) -> Vec<SeriesBucket> {
        series
            .into_iter()
            .zip(from..)
            .map(|(h, key)| {
                let r = h.summary();
                SeriesBucket {
                    start: from_unix_ms(key * unit_minutes * MINUTE_MS),
                    count: h.count(),
                    unique_users: if h.count() > 0 { users(key) } else { 0 },
                    avg_response_time_ms: r.avg_ms,
                    p50_ms: r.p50_ms,
                    p95_ms: r.p95_ms,
                    p99_ms: r.p99_ms,
                }
            })
            .collect()
    }
}

fn merge_slot(slot: &MinuteSlot, h: &mut LatencyHistogram) {
    h.add_totals(slot.count.load(Relaxed), slot.sum_micros.load(Relaxed));
    for (i, n) in slot.buckets.iter().enumerate() {
        let n = n.load(Relaxed);
        if n > 0 {
            h.add_bucket(i, u64::from(n));
        }
    }
}
