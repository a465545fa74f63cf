//! Hourly and daily series with period-over-period changes and anomaly
//! flags: the collector's buckets, the error counts beside them, judged.

use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::anomaly::{Anomaly, AnomalyRule, Direction, Floor, flag};
use super::change::{Change, period_over_period};
use crate::clock::rfc3339;
use crate::collector::SeriesBucket;

/// How one kind of series (hourly, daily) is compared and judged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeriesKind {
    /// Length of one bucket.
    pub period: Duration,
    /// Buckets back to "the previous period" (24 hours: the same hour a
    /// day earlier; 7 days: the same weekday a week earlier).
    pub lag: usize,
    /// How message counts are judged.
    pub count_rule: AnomalyRule,
    /// How error rates are judged.
    pub error_rate_rule: AnomalyRule,
}

impl SeriesKind {
    /// Buckets a series needs before the first one shown, so that every
    /// shown bucket has its previous period and full trailing window.
    pub fn lead(&self) -> usize {
        self.lag
            .max(self.count_rule.window)
            .max(self.error_rate_rule.window)
    }
}

/// Hourly series: each hour against the same hour one day earlier, judged
/// against the 24 hours before it (at least 12 of them known).
pub const HOURLY: SeriesKind = SeriesKind {
    period: Duration::from_secs(3600),
    lag: 24,
    count_rule: AnomalyRule {
        window: 24,
        min_history: 12,
        sigmas: 2.0,
        floor: Floor::Poisson,
    },
    error_rate_rule: AnomalyRule {
        window: 24,
        min_history: 12,
        sigmas: 2.0,
        floor: Floor::Absolute(0.01),
    },
};

/// Daily series: each day against the same weekday one week earlier,
/// judged against the 14 days before it (at least 7 of them known).
pub const DAILY: SeriesKind = SeriesKind {
    period: Duration::from_secs(86_400),
    lag: 7,
    count_rule: AnomalyRule {
        window: 14,
        min_history: 7,
        sigmas: 2.0,
        floor: Floor::Poisson,
    },
    error_rate_rule: AnomalyRule {
        window: 14,
        min_history: 7,
        sigmas: 2.0,
        floor: Floor::Absolute(0.01),
    },
};

/// A series bucket with its errors, its previous period and its flags.
/// Serialized flat: the [`SeriesBucket`] fields, then these.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrendBucket {
    /// The collector's figures for the period.
    #[serde(flatten)]
    pub bucket: SeriesBucket,
    /// The period is still running (the last bucket of a series).
    pub partial: bool,
    /// Errors logged in the period; `null` when the error counts do not
    /// reach back that far.
    pub errors: Option<u64>,
    /// `errors / count`; `null` without messages or error counts.
    pub error_rate: Option<f64>,
    /// Start of the period compared with.
    #[serde(with = "rfc3339")]
    pub previous_start: SystemTime,
    /// Each figure against the previous period.
    pub change: Changes,
    /// Any figure flagged.
    pub anomaly: bool,
    /// The flagged figures, with what they were judged against.
    pub anomalies: Flags,
}

/// Period-over-period changes of a bucket's figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Changes {
    /// Messages.
    pub count: Change,
    /// Error rate.
    pub error_rate: Change,
    /// 95th percentile response time.
    pub p95_ms: Change,
}

/// A bucket's anomaly flags, `null` where its figure is not flagged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Flags {
    /// Message volume.
    pub count: Option<Anomaly>,
    /// Error rate.
    pub error_rate: Option<Anomaly>,
}

/// Builds the trend of `buckets` (oldest first, the last one partial) and
/// keeps the last `keep`.
///
/// `errors[i]` are the errors of `buckets[i]` (`None`: not known); buckets
/// before `known_from` are before history began (the collector's start
/// or its first record, whichever is earlier): their figures are unknown,
/// not zero, so they are neither compared with nor judged.
///
/// The partial bucket is judged on its message count only, and only
/// upwards: an hour that has just begun is not unusually quiet, but one
/// already past the usual range is unusually busy. Its error rate, over a
/// few minutes of messages, is not judged.
pub fn analyse(
    buckets: &[SeriesBucket],
    errors: &[Option<u64>],
    known_from: usize,
    kind: &SeriesKind,
    keep: usize,
) -> Vec<TrendBucket> {
    let known = |i: usize| i >= known_from;
    let errors_at = |i: usize| errors.get(i).copied().flatten().filter(|_| known(i));
    let counts: Vec<Option<f64>> = buckets
        .iter()
        .enumerate()
        .map(|(i, b)| known(i).then_some(b.count as f64))
        .collect();
    let rates: Vec<Option<f64>> = buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let e = errors_at(i)?;
            (b.count > 0).then(|| e as f64 / b.count as f64)
        })
        .collect();
    let p95: Vec<Option<f64>> = buckets
        .iter()
        .enumerate()
        .map(|(i, b)| b.p95_ms.filter(|_| known(i)))
        .collect();
    let count_changes = period_over_period(&counts, kind.lag);
    let rate_changes = period_over_period(&rates, kind.lag);
    let p95_changes = period_over_period(&p95, kind.lag);
    let count_flags = flag(&counts, &kind.count_rule);
    let rate_flags = flag(&rates, &kind.error_rate_rule);
    let last = buckets.len().saturating_sub(1);
    let back = kind.period * u32::try_from(kind.lag).unwrap_or(u32::MAX);

    let from = buckets.len().saturating_sub(keep);
    (from..buckets.len())
        .map(|i| {
            let partial = i == last;
            let mut flags = Flags {
                count: count_flags[i],
                error_rate: rate_flags[i],
            };
            if partial {
                flags.count = flags.count.filter(|a| a.direction == Direction::High);
                flags.error_rate = None;
            }
            let b = buckets[i];
            TrendBucket {
                bucket: b,
                partial,
                errors: errors_at(i),
                error_rate: rates[i],
                previous_start: b.start.checked_sub(back).unwrap_or(b.start),
                change: Changes {
                    count: count_changes[i],
                    error_rate: rate_changes[i],
                    p95_ms: p95_changes[i],
                },
                anomaly: flags.count.is_some() || flags.error_rate.is_some(),
                anomalies: flags,
            }
        })
        .collect()
}

/// Which figure of a bucket was flagged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Message volume.
    Messages,
    /// Error rate.
    ErrorRate,
}

impl Metric {
    /// `"messages"` or `"error_rate"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Messages => "messages",
            Metric::ErrorRate => "error_rate",
        }
    }
}

/// One flagged figure of one bucket: what a summary lists.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Flagged {
    /// Start of the bucket.
    #[serde(with = "rfc3339")]
    pub start: SystemTime,
    /// The bucket was still running when judged.
    pub partial: bool,
    /// Which figure.
    pub metric: Metric,
    /// The judgement.
    #[serde(flatten)]
    pub anomaly: Anomaly,
}

/// Every flagged figure of `buckets`, oldest first.
pub fn flagged(buckets: &[TrendBucket]) -> Vec<Flagged> {
    let mut out = Vec::new();
    for b in buckets {
        let mut push = |metric, anomaly: Option<Anomaly>| {
            if let Some(anomaly) = anomaly {
                out.push(Flagged {
                    start: b.bucket.start,
                    partial: b.partial,
                    metric,
                    anomaly,
                });
            }
        };
        push(Metric::Messages, b.anomalies.count);
        push(Metric::ErrorRate, b.anomalies.error_rate);
    }
    out
}
