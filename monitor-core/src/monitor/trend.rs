//! The monitor's trends: series with errors, changes and anomaly flags,
//! the cards' changes, and the anomaly alert check.

use std::time::SystemTime;

use super::Monitor;
use crate::clock::unix_ms;
use crate::collector::{CurrentStats, MAX_DAYS, MAX_HOURS, SeriesBucket};
use crate::trend::cards::CardSample;
use crate::trend::{CardChanges, Change, DAILY, HOURLY, TrendBucket, analyse, flagged};

const HOUR_MS: u64 = 3_600_000;
const MINUTE_MS: u64 = 60_000;

impl Monitor {
    /// The last `hours` clock hours (at most 168), oldest first, ending
    /// with the current (partial) hour: the collector's buckets with their
    /// errors and error rate, each against the same hour one day earlier,
    /// and anomaly flags (see [`trend`](crate::trend)).
    pub fn hourly_trend(&self, hours: usize) -> Vec<TrendBucket> {
        let n = hours.min(MAX_HOURS);
        if n == 0 {
            return Vec::new();
        }
        let collector = &self.inner.collector;
        let buckets = collector.hourly((n + HOURLY.lead()).min(MAX_HOURS));
        let first_hour = buckets.first().map_or(0, |b| unix_ms(b.start) / HOUR_MS);
        let errors = self.inner.errors.errors_per_hour(first_hour, buckets.len());
        let known = known_from(&buckets, collector.started_at(), HOUR_MS);
        analyse(&buckets, &errors, known, &HOURLY, n)
    }

    /// The last `days` UTC days (at most 30), oldest first, ending today:
    /// as [`hourly_trend`](Self::hourly_trend), each day against the same
    /// weekday one week earlier. A day's errors are known while the error
    /// counts keep all its hours (the last 7 days); before, `errors` and
    /// `error_rate` are `null`.
    pub fn daily_trend(&self, days: usize) -> Vec<TrendBucket> {
        let n = days.min(MAX_DAYS);
        if n == 0 {
            return Vec::new();
        }
        let collector = &self.inner.collector;
        let buckets = collector.daily((n + DAILY.lead()).min(MAX_DAYS));
        let first_hour = buckets.first().map_or(0, |b| unix_ms(b.start) / HOUR_MS);
        let hourly = self
            .inner
            .errors
            .errors_per_hour(first_hour, buckets.len() * 24);
        let errors: Vec<Option<u64>> = hourly
            .chunks(24)
            .map(|day| day.iter().copied().sum::<Option<u64>>())
            .collect();
        let known = known_from(&buckets, collector.started_at(), 24 * HOUR_MS);
        analyse(&buckets, &errors, known, &DAILY, n)
    }

    /// How `/api/metrics`' figures changed (see
    /// [`trend::cards`](crate::trend::cards)), given the current `stats`
    /// and error rate of the last hour. Notes the current values as this
    /// minute's, so later calls compare with them.
    pub fn card_changes(
        &self,
        stats: &CurrentStats,
        error_rate_last_hour: Option<f64>,
    ) -> CardChanges {
        let now = sample_of(stats, error_rate_last_hour);
        let minute = unix_ms(stats.timestamp) / MINUTE_MS;
        let cards = &self.inner.cards;
        let hour_ago = cards.at(minute, 60);
        let half_hour_ago = cards.at(minute, 30);
        let day_ago = cards.at(minute, 24 * 60);
        cards.note(minute, now);
        CardChanges::of(
            &now,
            hour_ago,
            half_hour_ago,
            day_ago,
            self.last_24h_change(),
        )
    }

    /// Notes the cards' current values (the background task's minute
    /// note, so a change is known even when no one read the cards an hour
    /// ago).
    pub(crate) fn note_cards(&self) {
        let stats = self.inner.collector.current_stats();
        let rate = self
            .inner
            .errors
            .error_rate_last_hour(stats.messages.last_hour);
        let minute = unix_ms(stats.timestamp) / MINUTE_MS;
        self.inner.cards.note(minute, sample_of(&stats, rate));
    }

    /// Messages in the current clock hour and the 23 before, against the
    /// 24 clock hours before those (`null` when those began before history).
    fn last_24h_change(&self) -> Change {
        let collector = &self.inner.collector;
        let hours = collector.hourly(48);
        let known = known_from(&hours, collector.started_at(), HOUR_MS);
        let sum = |b: &[SeriesBucket]| b.iter().map(|b| b.count as f64).sum::<f64>();
        let current = sum(&hours[hours.len().saturating_sub(24)..]);
        let previous = (known == 0 && hours.len() == 48).then(|| sum(&hours[..24]));
        Change::between(Some(current), previous)
    }

    /// Judges the last complete hour once and routes its anomalies as
    /// alerts; `None` when anomaly alerts are off, there is no alert
    /// router, or the hour was judged already, else how many were routed.
    pub(crate) fn check_anomalies(&self) -> Option<usize> {
        let watch = self.inner.anomaly_watch.as_ref()?;
        let alerts = self.inner.alerts.as_ref()?;
        let hour = self.inner.clock.now_ms() / HOUR_MS;
        if !watch.claim(hour.checked_sub(1)?) {
            return None;
        }
        // The last two hours: the complete one and the current one.
        let hours = self.hourly_trend(2);
        let complete: Vec<TrendBucket> = hours.into_iter().filter(|b| !b.partial).collect();
        Some(watch.route(alerts, &flagged(&complete)))
    }
}

/// The cards' values in `stats`.
fn sample_of(stats: &CurrentStats, error_rate_last_hour: Option<f64>) -> CardSample {
    CardSample {
        messages_last_hour: stats.messages.last_hour,
        p95_ms: stats.messages.p95_ms,
        error_rate_last_hour,
        active_now: stats.users.active_now,
        active_today: stats.users.active_today,
    }
}

/// Index of the first bucket of history: the one the collector started
/// in, or the first with messages if earlier (a restored collector has
/// history before its start). Buckets of `period_ms` each.
fn known_from(buckets: &[SeriesBucket], started: SystemTime, period_ms: u64) -> usize {
    let start_period = unix_ms(started) / period_ms;
    buckets
        .iter()
        .position(|b| b.count > 0 || unix_ms(b.start) / period_ms >= start_period)
        .unwrap_or(buckets.len())
}
