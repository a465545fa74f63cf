//! Reading snapshots an earlier release wrote, so an upgrade keeps the
//! history instead of setting the file aside.
//!
//! Postcard keeps no field names, so each older layout is read through its
//! own struct and converted forward one version at a time:
//!
//! - version 1 had no queues and no audit log (both added in version 2);
//! - version 2 had no analytics (top users and the heatmap, added in
//!   version 3).
//!
//! What a version lacked loads empty: an old file keeps its figures,
//! errors, activities and health timelines.

use serde::{Deserialize, Serialize};

use super::Snapshot;
use crate::activity::ActivityState;
use crate::analytics::AnalyticsState;
use crate::audit::AuditState;
use crate::collector::CollectorState;
use crate::counters::FamilyState;
use crate::errors::ErrorLogState;
use crate::health::HealthState;
use crate::queue::QueueState;

/// The payload of a version-1 snapshot.
#[derive(Serialize, Deserialize)]
pub(super) struct SnapshotV1 {
    taken_at_ms: u64,
    collector: CollectorState,
    errors: ErrorLogState,
    counters: Vec<FamilyState>,
    activities: Vec<ActivityState>,
    health: HealthState,
}

/// The payload of a version-2 snapshot.
#[derive(Serialize, Deserialize)]
pub(super) struct SnapshotV2 {
    taken_at_ms: u64,
    collector: CollectorState,
    errors: ErrorLogState,
    counters: Vec<FamilyState>,
    activities: Vec<ActivityState>,
    health: HealthState,
    queues: Vec<QueueState>,
    audit: AuditState,
}

impl From<SnapshotV1> for SnapshotV2 {
    fn from(v1: SnapshotV1) -> Self {
        SnapshotV2 {
            taken_at_ms: v1.taken_at_ms,
            collector: v1.collector,
            errors: v1.errors,
            counters: v1.counters,
            activities: v1.activities,
            health: v1.health,
            queues: Vec::new(),
            audit: AuditState::default(),
        }
    }
}

impl From<SnapshotV2> for Snapshot {
    fn from(v2: SnapshotV2) -> Self {
        Snapshot {
            taken_at_ms: v2.taken_at_ms,
            collector: v2.collector,
            errors: v2.errors,
            counters: v2.counters,
            activities: v2.activities,
            health: v2.health,
            queues: v2.queues,
            audit: v2.audit,
            analytics: AnalyticsState::default(),
        }
    }
}

impl From<SnapshotV1> for Snapshot {
    fn from(v1: SnapshotV1) -> Self {
        Snapshot::from(SnapshotV2::from(v1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persist::format::{HEADER, MAGIC};

    /// A file of `version` around `payload`, as that release wrote it.
    fn file(version: u16, payload: &impl Serialize) -> Vec<u8> {
        let payload = postcard::to_stdvec(payload).expect("encodes");
        let mut out = Vec::with_capacity(HEADER + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// A monitor's snapshot with something in every part the old versions
    /// had.
    fn busy_snapshot() -> Snapshot {
        let monitor = crate::Monitor::builder().start().expect("runtime");
        monitor.record_message("u-1", std::time::Duration::from_millis(40));
        monitor.events("buttons").record("OK");
        monitor
            .queue("outbox")
            .enqueue("m-1", crate::queue::Enqueue::new());
        monitor.snapshot()
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_version_1_file_loads_without_queues_audit_or_analytics() {
        let mut now = busy_snapshot();
        now.queues.clear();
        now.audit = AuditState::default();
        now.analytics = AnalyticsState::default();
        let v1 = SnapshotV1 {
            taken_at_ms: now.taken_at_ms,
            collector: now.collector.clone(),
            errors: now.errors.clone(),
            counters: now.counters.clone(),
            activities: now.activities.clone(),
            health: now.health.clone(),
        };

        let read = Snapshot::decode(&file(1, &v1)).expect("a v1 file decodes");
        assert_eq!(read, now);
        assert_ne!(crate::persist::FORMAT_VERSION, 1);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_version_2_file_keeps_its_queues_and_loads_without_analytics() {
        let mut now = busy_snapshot();
        now.analytics = AnalyticsState::default();
        assert!(!now.queues.is_empty(), "the queue is in the snapshot");
        let v2 = SnapshotV2 {
            taken_at_ms: now.taken_at_ms,
            collector: now.collector.clone(),
            errors: now.errors.clone(),
            counters: now.counters.clone(),
            activities: now.activities.clone(),
            health: now.health.clone(),
            queues: now.queues.clone(),
            audit: now.audit.clone(),
        };

        let read = Snapshot::decode(&file(2, &v2)).expect("a v2 file decodes");
        assert_eq!(read, now);
        assert_ne!(crate::persist::FORMAT_VERSION, 2);
    }
}
