//! What the collector reports: plain, serializable values.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::sketch::histogram::ResponseTimes;

/// A point-in-time summary of everything the collector knows.
///
/// Response-time fields are milliseconds and `null` when nothing was
/// measured in their window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurrentStats {
    /// When these figures were taken.
    #[serde(with = "rfc3339")]
    pub timestamp: SystemTime,
    /// Seconds since the collector was created (or restored).
    pub uptime_seconds: u64,
    /// Message volume and response times over the last hour.
    pub messages: MessageStats,
    /// Response times over the last 24 hours.
    pub response_time_24h: ResponseTimes,
    /// Distinct users.
    pub users: UserStats,
    /// The host's current connection count (see
    /// [`MetricsCollector::set_active_connections`](super::MetricsCollector::set_active_connections)).
    pub active_connections: u64,
    /// The host's last heartbeat, if any.
    #[serde(with = "rfc3339::option")]
    pub last_heartbeat: Option<SystemTime>,
}

/// Message counts and response times.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageStats {
    /// Every message recorded since the collector was created.
    pub total: u64,
    /// Messages in the last 60 minutes (minute resolution).
    pub last_hour: u64,
    /// Messages in the current clock hour and the 23 before it.
    pub last_24h: u64,
    /// Mean response time over the last hour.
    pub avg_response_time_ms: Option<f64>,
    /// Median response time over the last hour.
    pub p50_ms: Option<f64>,
    /// 95th percentile over the last hour.
    pub p95_ms: Option<f64>,
    /// 99th percentile over the last hour.
    pub p99_ms: Option<f64>,
}

/// Distinct user counts (HyperLogLog estimates, within 2 %; near exact
/// while small).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserStats {
    /// Every user ever seen.
    pub total: u64,
    /// Users seen today (UTC day).
    pub active_today: u64,
    /// Users seen today and the 6 days before.
    pub active_this_week: u64,
    /// Users seen in the last 30 minutes.
    pub active_now: u64,
}

/// One period (hour or day) of a series. Periods with no messages are
/// present with zero counts, so a series is dense.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesBucket {
    /// Start of the period (UTC).
    #[serde(with = "rfc3339")]
    pub start: SystemTime,
    /// Messages in the period.
    pub count: u64,
    /// Distinct users in the period.
    pub unique_users: u64,
    /// Mean response time.
    pub avg_response_time_ms: Option<f64>,
    /// Median response time.
    pub p50_ms: Option<f64>,
    /// 95th percentile.
    pub p95_ms: Option<f64>,
    /// 99th percentile.
    pub p99_ms: Option<f64>,
}

/// One hour of the hourly series.
pub type HourlyBucket = SeriesBucket;
/// One UTC day of the daily series.
pub type DailyBucket = SeriesBucket;

/// One of the most recent response times.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResponseSample {
    /// When it was recorded (to the clock's tick).
    #[serde(with = "rfc3339")]
    pub at: SystemTime,
    /// The response time in milliseconds (microsecond resolution).
    pub response_time_ms: f64,
}

/// The collector's own bookkeeping: what happened at its edges.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectorCounters {
    /// Records that arrived after their minute's slot moved on (kept in
    /// the shared buckets, took the slow path).
    pub late_records: u64,
    /// Records older than every bucket kept (counted in the total only).
    pub expired_records: u64,
    /// Records dated in the future beyond a minute, counted as "now".
    pub future_records: u64,
    /// Records from threads beyond the shard limit (took a shared lock).
    pub overflow_records: u64,
}
