//! What `/api/events/{family}` shows.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;

/// A family's totals and distributions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FamilyStats {
    /// Family name.
    pub family: String,
    /// All-time total over every label.
    pub total: u64,
    /// Labels, most counted first.
    pub labels: Vec<LabelStats>,
    /// All labels together per hour, oldest first.
    pub hourly: Vec<SeriesPoint>,
    /// All labels together per day, oldest first.
    pub daily: Vec<SeriesPoint>,
    /// Occurrences counted under `__other__` because the label cap was
    /// reached.
    pub overflowed: u64,
    /// Labels that had to be cleaned (control characters, length).
    pub cleaned_labels: u64,
}

/// One label's counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelStats {
    /// The label.
    pub label: String,
    /// All-time total.
    pub total: u64,
    /// Total over the last 24 hours.
    pub last_24h: u64,
    /// Per hour, oldest first, aligned with [`FamilyStats::hourly`].
    pub hourly: Vec<u64>,
    /// Per day, oldest first, aligned with [`FamilyStats::daily`].
    pub daily: Vec<u64>,
}

/// A total for one hour or day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// Start of the period.
    #[serde(with = "rfc3339")]
    pub timestamp: SystemTime,
    /// Occurrences in it.
    pub total: u64,
}
