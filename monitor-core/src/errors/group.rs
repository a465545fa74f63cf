//! Errors with the same fingerprint and tenant form a group: counted,
//! resolved and acknowledged together.
//!
//! State is atomics behind an `Arc` every record of the group points to,
//! so readers never look groups up. "Resolved" is a watermark of record
//! ids rather than a time, so a record logged the same millisecond as a
//! resolution is still judged exactly.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering::Relaxed};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::Severity;
use crate::clock::{from_unix_ms, rfc3339};

/// Where a group stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupStatus {
    /// Firing, never resolved.
    Open,
    /// Resolved, nothing since.
    Resolved,
    /// Resolved, then fired again.
    Regressed,
}

/// The identity of a group: its fingerprint within one tenant. Shared
/// strings, so copies (for alerts, for other threads) cost no allocation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupKey {
    /// The errors' fingerprint.
    pub fingerprint: Arc<str>,
    /// Their tenant, if any.
    pub client_id: Option<Arc<str>>,
}

pub(crate) struct Group {
    pub(crate) key: GroupKey,
    pub(crate) service: Arc<str>,
    pub(crate) operation: Arc<str>,
    pub(crate) error_type: Arc<str>,
    first_seen_ms: u64,
    last_seen_ms: AtomicU64,
    count: AtomicU64,
    last_id: AtomicU64,
    resolved_through: AtomicU64,
    acknowledged_through: AtomicU64,
    max_severity: AtomicU8,
    /// One bit per alert router holding a queued notice for this group.
    pending: AtomicU64,
    /// Worst severity (rank + 1) since a router last looked; 0 = none.
    window_severity: AtomicU8,
}

impl std::fmt::Debug for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Group")
            .field("key", &self.key)
            .field("count", &self.count())
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

impl Group {
    pub(crate) fn new(
        key: GroupKey,
        service: &str,
        operation: &str,
        error_type: &str,
        now_ms: u64,
    ) -> Self {
        Group {
            key,
            service: service.into(),
            operation: operation.into(),
            error_type: error_type.into(),
            first_seen_ms: now_ms,
            last_seen_ms: AtomicU64::new(now_ms),
            count: AtomicU64::new(0),
            last_id: AtomicU64::new(0),
            resolved_through: AtomicU64::new(0),
            acknowledged_through: AtomicU64::new(0),
            max_severity: AtomicU8::new(0),
            pending: AtomicU64::new(0),
            window_severity: AtomicU8::new(0),
        }
    }

    /// Counts record `id`; returns `true` when this fires a resolved group
    /// again (a regression).
    pub(crate) fn fire(&self, id: u64, now_ms: u64, severity: Severity) -> bool {
        self.count.fetch_add(1, Relaxed);
        self.last_seen_ms.fetch_max(now_ms, Relaxed);
        self.max_severity.fetch_max(severity.rank(), Relaxed);
        self.window_severity.fetch_max(severity.rank() + 1, Relaxed);
        let previous = self.last_id.fetch_max(id, Relaxed);
        let resolved = self.resolved_through.load(Relaxed);
        resolved > 0 && previous <= resolved
    }

    /// Marks every record so far resolved; `false` if it already was.
    pub(crate) fn resolve(&self) -> bool {
        let through = self.last_id.load(Relaxed);
        self.resolved_through.fetch_max(through, Relaxed) < through
    }

    /// Marks every record so far acknowledged; `false` if it already was.
    pub(crate) fn acknowledge(&self) -> bool {
        let through = self.last_id.load(Relaxed);
        self.acknowledged_through.fetch_max(through, Relaxed) < through
    }

    /// Marks the group queued for the router owning `bit`; `true` when it
    /// was not already (so the caller queues it).
    pub(crate) fn mark_pending(&self, bit: u64) -> bool {
        self.pending.fetch_or(bit, Relaxed) & bit == 0
    }

    /// The router owning `bit` took the group off its queue.
    pub(crate) fn clear_pending(&self, bit: u64) {
        self.pending.fetch_and(!bit, Relaxed);
    }

    /// The worst severity since the last call (`None` if nothing fired).
    pub(crate) fn take_window_severity(&self) -> Option<Severity> {
        match self.window_severity.swap(0, Relaxed) {
            0 => None,
            r => Severity::ALL.into_iter().find(|s| s.rank() + 1 == r),
        }
    }

    /// Id of the group's latest record.
    pub(crate) fn last_id(&self) -> u64 {
        self.last_id.load(Relaxed)
    }

    pub(crate) fn resolved_through(&self) -> u64 {
        self.resolved_through.load(Relaxed)
    }

    pub(crate) fn acknowledged_through(&self) -> u64 {
        self.acknowledged_through.load(Relaxed)
    }

    pub(crate) fn count(&self) -> u64 {
        self.count.load(Relaxed)
    }

    pub(crate) fn last_seen_ms(&self) -> u64 {
        self.last_seen_ms.load(Relaxed)
    }

    pub(crate) fn status(&self) -> GroupStatus {
        let resolved = self.resolved_through();
        if resolved == 0 {
            GroupStatus::Open
        } else if self.last_id.load(Relaxed) > resolved {
            GroupStatus::Regressed
        } else {
            GroupStatus::Resolved
        }
    }

    pub(crate) fn max_severity(&self) -> Severity {
        Severity::ALL
            .into_iter()
            .find(|s| s.rank() == self.max_severity.load(Relaxed))
            .unwrap_or_default()
    }

    /// The group's durable state.
    pub(crate) fn to_state(&self) -> GroupState {
        GroupState {
            fingerprint: self.key.fingerprint.to_string(),
            client_id: self.key.client_id.as_deref().map(str::to_owned),
            service: self.service.to_string(),
            operation: self.operation.to_string(),
            error_type: self.error_type.to_string(),
            first_seen_ms: self.first_seen_ms,
            last_seen_ms: self.last_seen_ms(),
            count: self.count(),
            last_id: self.last_id.load(Relaxed),
            resolved_through: self.resolved_through(),
            acknowledged_through: self.acknowledged_through(),
            max_severity: self.max_severity(),
        }
    }

    /// A group as it was saved (strings already cleaned by the caller).
    pub(crate) fn from_state(s: &GroupState) -> Self {
        let key = GroupKey {
            fingerprint: s.fingerprint.as_str().into(),
            client_id: s.client_id.as_deref().map(Arc::from),
        };
        let g = Group::new(
            key,
            &s.service,
            &s.operation,
            &s.error_type,
            s.first_seen_ms,
        );
        g.last_seen_ms.store(s.last_seen_ms, Relaxed);
        g.count.store(s.count, Relaxed);
        g.last_id.store(s.last_id, Relaxed);
        g.resolved_through
            .store(s.resolved_through.min(s.last_id), Relaxed);
        g.acknowledged_through
            .store(s.acknowledged_through.min(s.last_id), Relaxed);
        g.max_severity.store(s.max_severity.rank(), Relaxed);
        g
    }

    pub(crate) fn view(&self) -> GroupView {
        GroupView {
            fingerprint: self.key.fingerprint.to_string(),
            client_id: self.key.client_id.as_deref().map(str::to_owned),
            service: self.service.to_string(),
            operation: self.operation.to_string(),
            error_type: self.error_type.to_string(),
            severity: self.max_severity(),
            count: self.count(),
            first_seen: from_unix_ms(self.first_seen_ms),
            last_seen: from_unix_ms(self.last_seen_ms()),
            status: self.status(),
        }
    }
}

/// A group's durable state in a snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupState {
    /// Grouping key.
    pub fingerprint: String,
    /// Tenant, if any.
    pub client_id: Option<String>,
    /// Failing service.
    pub service: String,
    /// What it was doing.
    pub operation: String,
    /// Kind of failure.
    pub error_type: String,
    /// First occurrence, ms since the epoch.
    pub first_seen_ms: u64,
    /// Latest occurrence, ms since the epoch.
    pub last_seen_ms: u64,
    /// Occurrences.
    pub count: u64,
    /// Id of the latest record.
    pub last_id: u64,
    /// Records up to this id are resolved (0: never).
    pub resolved_through: u64,
    /// Records up to this id are acknowledged (0: never).
    pub acknowledged_through: u64,
    /// Worst severity seen.
    pub max_severity: Severity,
}

/// A group as shown to readers (`/api/errors/unresolved`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupView {
    /// Grouping key.
    pub fingerprint: String,
    /// Tenant, if any.
    pub client_id: Option<String>,
    /// Failing service.
    pub service: String,
    /// What it was doing.
    pub operation: String,
    /// Kind of failure.
    pub error_type: String,
    /// The worst severity seen in the group.
    pub severity: Severity,
    /// How many times it fired.
    pub count: u64,
    /// First occurrence.
    #[serde(with = "rfc3339")]
    pub first_seen: SystemTime,
    /// Latest occurrence.
    #[serde(with = "rfc3339")]
    pub last_seen: SystemTime,
    /// Open, resolved or regressed.
    pub status: GroupStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group() -> Group {
        let key = GroupKey {
            fingerprint: "f".into(),
            client_id: None,
        };
        Group::new(key, "s", "o", "t", 1_000)
    }

    #[test]
    fn open_resolved_regressed() {
        let g = group();
        assert!(!g.fire(1, 1_000, Severity::Warning));
        assert_eq!(g.status(), GroupStatus::Open);
        assert!(g.resolve());
        assert!(!g.resolve(), "second resolve changes nothing");
        assert_eq!(g.status(), GroupStatus::Resolved);
        assert!(
            g.fire(7, 2_000, Severity::Critical),
            "fires again: regression"
        );
        assert_eq!(g.status(), GroupStatus::Regressed);
        assert!(!g.fire(8, 2_001, Severity::Info), "already regressed");
        assert_eq!(g.max_severity(), Severity::Critical);
        assert!(g.resolve());
        assert_eq!(g.status(), GroupStatus::Resolved);
        assert_eq!(g.count(), 3);
    }
}
