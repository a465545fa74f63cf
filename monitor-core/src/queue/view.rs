//! What `/api/queues`, `/api/queues/{queue}` and `queue:stats` show.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::step::QueueCounts;
use crate::clock::rfc3339;

/// A queue's figures now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueStats {
    /// The queue's name.
    pub name: String,
    /// When the figures were taken.
    #[serde(with = "rfc3339")]
    pub timestamp: SystemTime,
    /// Messages waiting that are due (not scheduled for later, not in
    /// flight).
    pub depth: u64,
    /// Messages waiting for a later time (scheduled, or a retry's backoff).
    pub scheduled: u64,
    /// Messages being processed.
    pub in_flight: u64,
    /// How long the longest-waiting due message has been due; `None` when
    /// none is.
    pub oldest_pending_age_ms: Option<u64>,
    /// Counts since the first record (restored across restarts).
    pub totals: QueueCounts,
    /// Counts over the last 24 hours.
    pub last_24h: QueueCounts,
    /// Messages tracked now (depth + scheduled + in flight).
    pub tracked: u64,
    /// Most messages tracked at once; beyond, new ones are counted but not
    /// tracked ([`QueueAnomalies::refused`]).
    pub max_tracked: u64,
    /// What the live figures could not follow.
    pub anomalies: QueueAnomalies,
}

/// Steps the live figures could not follow, counted so operators know
/// when depth and in-flight are partial.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueAnomalies {
    /// Messages not tracked for want of room (at `max_tracked`).
    pub refused: u64,
    /// Steps for a message id the queue did not track (enqueued before a
    /// restart, refused at the cap, or never enqueued).
    pub unknown: u64,
    /// Enqueues of an id already tracked (the message restarts as new).
    pub duplicates: u64,
    /// Attempts never finished within the in-flight timeout, dropped from
    /// the live figures.
    pub expired: u64,
    /// Messages tracked without their tenant id because 1 024 other
    /// tenants' messages filled its shard's tenant table: their events
    /// reach operators only.
    pub untenanted: u64,
}

impl QueueAnomalies {
    pub(crate) fn add(&mut self, other: &QueueAnomalies) {
        self.refused = self.refused.saturating_add(other.refused);
        self.unknown = self.unknown.saturating_add(other.unknown);
        self.duplicates = self.duplicates.saturating_add(other.duplicates);
        self.expired = self.expired.saturating_add(other.expired);
        self.untenanted = self.untenanted.saturating_add(other.untenanted);
    }
}

/// One hour's counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueHour {
    /// Start of the hour.
    #[serde(with = "rfc3339")]
    pub timestamp: SystemTime,
    /// Counts in it.
    #[serde(flatten)]
    pub counts: QueueCounts,
}

/// A queue's figures and its hourly series, oldest hour first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueDetail {
    /// The figures now.
    #[serde(flatten)]
    pub stats: QueueStats,
    /// Per hour, oldest first, the current hour last.
    pub hourly: Vec<QueueHour>,
}
