//! Snapshots: everything the monitor needs to continue after a restart,
//! in one versioned, checksummed file written atomically.
//!
//! A [`Snapshot`] holds the collector's periods and sketches, the error
//! log (groups, records, counts), labelled counters, activities,
//! heartbeat timelines, queue counts and the audit log. The
//! [`Monitor`](crate::Monitor) writes one every interval and at shutdown,
//! and restores it at start; a damaged or newer-format file is reported,
//! moved aside ([`SnapshotFile::load_or_set_aside`]) and never overwritten.

mod file;
mod format;
mod legacy;

pub use file::{Loaded, SnapshotFile};
pub use format::{FORMAT_VERSION, MAX_SNAPSHOT_BYTES, OLDEST_READABLE_VERSION};

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::activity::ActivityState;
use crate::analytics::AnalyticsState;
use crate::audit::AuditState;
use crate::collector::CollectorState;
use crate::counters::FamilyState;
use crate::errors::ErrorLogState;
use crate::health::HealthState;
use crate::queue::QueueState;

/// The monitor's durable state at one moment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// When it was taken, ms since the epoch.
    pub taken_at_ms: u64,
    /// Messages, response times and users.
    pub collector: CollectorState,
    /// Error groups, records and counts.
    pub errors: ErrorLogState,
    /// Labelled counter families.
    pub counters: Vec<FamilyState>,
    /// Activity trackers: active, recent, counts and distributions.
    pub activities: Vec<ActivityState>,
    /// Heartbeat timelines (check results are probed afresh).
    pub health: HealthState,
    /// Queues: counts, hourly series and anomalies (not which messages are
    /// pending or in flight; see [`QueueState`]).
    pub queues: Vec<QueueState>,
    /// The audit log. Reloaded at start only: a restore into a running
    /// monitor leaves the audit log as it is.
    pub audit: AuditState,
    /// Top-users summaries and the four-week heatmap.
    pub analytics: AnalyticsState,
}

/// Why a snapshot could not be written, read or used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// A file operation failed.
    #[error("snapshot {op} failed for {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// On which file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file does not start like a snapshot.
    #[error("not a monitor snapshot (bad header)")]
    NotASnapshot,
    /// Written by a different format version.
    #[error(
        "snapshot format version {found} is not supported (this build reads versions 1 to {supported})"
    )]
    UnsupportedVersion {
        /// The file's version.
        found: u16,
        /// The version this build reads.
        supported: u16,
    },
    /// Shorter or longer than its header says.
    #[error("snapshot truncated: header says {expected} payload bytes, file has {found}")]
    Truncated {
        /// Length in the header.
        expected: u64,
        /// Length found.
        found: u64,
    },
    /// Larger than [`MAX_SNAPSHOT_BYTES`].
    #[error("snapshot of {size} bytes exceeds the {max}-byte limit")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The payload is damaged.
    #[error("snapshot checksum mismatch (header {expected:08x}, content {found:08x})")]
    Checksum {
        /// The header's CRC-32.
        expected: u32,
        /// The content's.
        found: u32,
    },
    /// The payload does not decode.
    #[error("snapshot content does not decode: {0}")]
    Decode(String),
    /// A decoded part contradicts itself.
    #[error("snapshot content is invalid: {0}")]
    Invalid(String),
    /// Encoding failed.
    #[error("snapshot encoding failed: {0}")]
    Encode(String),
}
