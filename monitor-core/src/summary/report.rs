//! [`Summary`]: what a daily or weekly summary holds.

use std::time::SystemTime;

use serde::Serialize;

use super::period::PeriodKind;
use crate::analytics::DaysTopUsers;
use crate::clock::rfc3339;
use crate::errors::SeverityCounts;
use crate::trend::Flagged;

/// One closed day or week: totals, errors by severity, top users and the
/// anomalies flagged in it. Built by
/// [`Monitor::summary`](crate::Monitor::summary); JSON through serde,
/// CSV through [`to_csv`](Self::to_csv).
///
/// Every figure is the whole host's (every tenant's) and in UTC. A part
/// whose source no longer keeps the whole period is `null` (JSON) or
/// empty (CSV) rather than a partial count: errors are kept 168 hours,
/// the hourly series for anomalies 168 hours, the daily series 30 days.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// `daily` or `weekly`.
    pub period: PeriodKind,
    /// `2026-11-21` or `2026-W47`.
    pub name: String,
    /// Start of the period (inclusive).
    #[serde(with = "rfc3339")]
    pub from: SystemTime,
    /// End of the period (exclusive).
    #[serde(with = "rfc3339")]
    pub to: SystemTime,
    /// When this summary was built.
    #[serde(with = "rfc3339")]
    pub generated_at: SystemTime,
    /// Messages, users, response times and the error rate.
    pub totals: Totals,
    /// Errors logged in the period per severity; `null` when the error
    /// counts no longer reach back to its start.
    pub errors: Option<SeverityCounts>,
    /// The heaviest users of the period's days (see
    /// [`TopUsers::top_days`](crate::analytics::TopUsers::top_days)).
    pub top_users: DaysTopUsers,
    /// Figures flagged in the period (hours of a day, days of a week),
    /// oldest first; `null` when the series no longer covers the period.
    pub anomalies: Option<Vec<Flagged>>,
}

/// The period's totals, from the collector's daily periods merged.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Totals {
    /// Messages recorded in the period.
    pub messages: u64,
    /// Distinct users of the whole period: the union of its days'
    /// HyperLogLog sketches, so a user active on several days of a week
    /// counts once (an estimate, typically within 2 %); not the sum of
    /// daily counts.
    pub unique_users: u64,
    /// Mean response time (ms) over the period.
    pub avg_response_time_ms: Option<f64>,
    /// 95th percentile response time (ms) over all the period's messages.
    pub p95_ms: Option<f64>,
    /// 99th percentile response time (ms).
    pub p99_ms: Option<f64>,
    /// Errors of every severity; `null` as [`Summary::errors`].
    pub errors: Option<u64>,
    /// `errors / messages`; `null` without messages or error counts.
    pub error_rate: Option<f64>,
}

impl Summary {
    /// Anomalies flagged in the period (0 when not known).
    pub fn anomaly_count(&self) -> usize {
        self.anomalies.as_ref().map_or(0, Vec::len)
    }
}
