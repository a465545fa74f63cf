//! The monitor's summaries: one closed day or week built from the
//! collector, the error counts, the top-users feed and the trends.

use super::Monitor;
use crate::clock::{from_unix_ms, unix_ms};
use crate::collector::{MAX_DAYS, MAX_HOURS};
use crate::summary::{PeriodKind, Summary, SummaryError, SummaryPeriod, SummaryStats, Totals};
use crate::trend::{Flagged, flagged};

const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 86_400_000;

impl Monitor {
    /// The summary of `period` with its `top` heaviest users (see
    /// [`summary`](crate::summary)): an error when the period has not
    /// closed or began before the collector's oldest day (30 days).
    /// Parts kept for a shorter time (errors, anomalies: 7 days; top
    /// users: 8 days) are `null` or cover fewer days when older.
    pub fn summary(&self, period: SummaryPeriod, top: usize) -> Result<Summary, SummaryError> {
        let i = &*self.inner;
        let now = i.clock.now();
        if period.to() > now {
            return Err(SummaryError::NotClosed {
                name: period.name(),
            });
        }
        let oldest = i.collector.days_kept_from();
        if period.first_day() < oldest {
            return Err(SummaryError::NotKept {
                name: period.name(),
                oldest: from_unix_ms(oldest * DAY_MS),
            });
        }
        let days = period.kind().days();
        let b = i.collector.days_merged(period.first_day(), days);
        let first_hour = period.first_day() * 24;
        let errors = i
            .errors
            .severities_in_hours(first_hour, (days * 24) as usize);
        let error_total = errors.map(|e| e.total());
        Ok(Summary {
            period: period.kind(),
            name: period.name(),
            from: period.from(),
            to: period.to(),
            generated_at: now,
            totals: Totals {
                messages: b.count,
                unique_users: b.unique_users,
                avg_response_time_ms: b.avg_response_time_ms,
                p95_ms: b.p95_ms,
                p99_ms: b.p99_ms,
                errors: error_total,
                error_rate: error_total
                    .filter(|_| b.count > 0)
                    .map(|e| e as f64 / b.count as f64),
            },
            errors,
            top_users: i
                .analytics
                .top_users
                .top_days(period.first_day(), days, None, top),
            anomalies: self.anomalies_in(&period),
        })
    }

    /// What the summary schedule did; `None` when summaries are off.
    pub fn summary_stats(&self) -> Option<SummaryStats> {
        self.inner.summaries.as_ref().map(|s| s.stats())
    }

    /// The flags of the period's hours (a day) or days (a week), if the
    /// series still reaches back to its start.
    fn anomalies_in(&self, period: &SummaryPeriod) -> Option<Vec<Flagged>> {
        let now_ms = self.inner.clock.now_ms();
        let (from, to) = (unix_ms(period.from()), unix_ms(period.to()));
        let series = match period.kind() {
            PeriodKind::Daily => {
                let hours = (now_ms / HOUR_MS).checked_sub(from / HOUR_MS)? as usize + 1;
                (hours <= MAX_HOURS).then(|| self.hourly_trend(hours))?
            }
            PeriodKind::Weekly => {
                let days = (now_ms / DAY_MS).checked_sub(from / DAY_MS)? as usize + 1;
                (days <= MAX_DAYS).then(|| self.daily_trend(days))?
            }
        };
        let inside: Vec<_> = series
            .into_iter()
            .filter(|b| (from..to).contains(&unix_ms(b.bucket.start)))
            .collect();
        Some(flagged(&inside))
    }
}
