//! Reading snapshots an earlier release wrote, so an upgrade keeps the
//! history instead of setting the file aside.
//!
//! Version 1 is version 2 without the queues and the audit log (both added
//! in version 2): such a file loads with no queue history and an empty
//! audit log. Postcard keeps no field names, so an
//! older layout is read through its own struct and converted.

use serde::{Deserialize, Serialize};

use super::Snapshot;
use crate::activity::ActivityState;
use crate::analytics::AnalyticsState;
use crate::audit::AuditState;
use crate::collector::CollectorState;
use crate::counters::FamilyState;
use crate::errors::ErrorLogState;
use crate::health::HealthState;

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

impl From<SnapshotV1> for Snapshot {
    fn from(v1: SnapshotV1) -> Self {
        Snapshot {
            taken_at_ms: v1.taken_at_ms,
            collector: v1.collector,
            errors: v1.errors,
            counters: v1.counters,
            activities: v1.activities,
            health: v1.health,
            queues: Vec::new(),
            audit: AuditState::default(),
            analytics: AnalyticsState::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persist::format::{HEADER, MAGIC};

    /// A version-1 file as the previous release wrote it.
    fn v1_file(s: &Snapshot) -> Vec<u8> {
        let v1 = SnapshotV1 {
            taken_at_ms: s.taken_at_ms,
            collector: s.collector.clone(),
            errors: s.errors.clone(),
            counters: s.counters.clone(),
            activities: s.activities.clone(),
            health: s.health.clone(),
        };
        let payload = postcard::to_stdvec(&v1).expect("encodes");
        let mut out = Vec::with_capacity(HEADER + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_version_1_file_loads_without_queues_or_audit() {
        let monitor = crate::Monitor::builder().start().expect("runtime");
        monitor.record_message("u-1", std::time::Duration::from_millis(40));
        monitor.events("buttons").record("OK");
        let mut now = monitor.snapshot();
        now.queues.clear();
        now.audit = AuditState::default();
        now.analytics = AnalyticsState::default();

        let read = Snapshot::decode(&v1_file(&now)).expect("a v1 file decodes");
        assert_eq!(read, now);
        assert_ne!(crate::persist::FORMAT_VERSION, 1);
    }
}
