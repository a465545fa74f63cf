//! One figure over a run of whole UTC days: messages, distinct users and
//! response times of the days merged (sketches merged, not their
//! summaries added), for summaries of a closed day or week.

use super::MetricsCollector;
use super::archive::DAY_SLOTS;
use super::read::visit;
use super::sample::{DAY_MINUTES, MINUTE_MS};
use super::stats::SeriesBucket;
use crate::clock::from_unix_ms;
use crate::sketch::histogram::LatencyHistogram;
use crate::sketch::hll::HllRegisters;

impl MetricsCollector {
    /// The `days` UTC days from `first_day` (days since the epoch) as one
    /// bucket starting at `first_day`: their messages, the distinct users
    /// of all of them together (the union of the days' sketches, so a user
    /// seen on three days counts once) and percentiles of all their
    /// response times. Days the collector no longer keeps (older than 30
    /// days) or not begun add nothing; see
    /// [`days_kept_from`](Self::days_kept_from).
    ///
    /// ```
    /// use monitor_core::{CollectorConfig, ManualClock, MetricsCollector};
    /// use std::time::{Duration, UNIX_EPOCH};
    ///
    /// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(20_000 * 86_400));
    /// let c = MetricsCollector::new(CollectorConfig::default().with_clock(clock.clone()));
    /// c.record_message("ada", Duration::from_millis(10));
    /// clock.advance(Duration::from_secs(86_400));
    /// c.record_message("ada", Duration::from_millis(30));
    /// c.record_message("bob", Duration::from_millis(30));
    /// let two_days = c.days_merged(20_000, 2);
    /// assert_eq!((two_days.count, two_days.unique_users), (3, 2));
    /// ```
    pub fn days_merged(&self, first_day: u64, days: u64) -> SeriesBucket {
        let inner = &*self.inner;
        let today = inner.clock.now_ms() / MINUTE_MS / DAY_MINUTES;
        let last = first_day.saturating_add(days.max(1) - 1);
        let mut latency = LatencyHistogram::new();
        let mut users = HllRegisters::new();
        if days > 0 && first_day <= today {
            let last = last.min(today);
            let archive = inner.archive.lock();
            let live = inner.live_minutes(|m| (first_day..=last).contains(&(m / DAY_MINUTES)));
            let periods = last - first_day + 1;
            visit(&archive.days, &live, last, periods, |_, source| {
                source.merge_latency(&mut latency);
                source.merge_users(&mut users);
            });
        }
        let times = latency.summary();
        SeriesBucket {
            start: from_unix_ms(first_day * DAY_MINUTES * MINUTE_MS),
            count: times.count,
            unique_users: users.count(),
            avg_response_time_ms: times.avg_ms,
            p50_ms: times.p50_ms,
            p95_ms: times.p95_ms,
            p99_ms: times.p99_ms,
        }
    }

    /// The first UTC day (days since the epoch) whose figures
    /// [`days_merged`](Self::days_merged) still has: 30 days back, today
    /// included.
    pub fn days_kept_from(&self) -> u64 {
        let today = self.inner.clock.now_ms() / MINUTE_MS / DAY_MINUTES;
        (today + 1).saturating_sub(DAY_SLOTS as u64)
    }
}
