//! What routing works on, and what sinks receive.

use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::errors::{ErrorRecord, GroupKey, Severity};

/// One occurrence offered to the router with [`AlertHandle::notify`]:
/// anything a host wants routed like an error (a health change, an
/// anomaly). Logged errors take a cheaper path (see
/// [`AlertHandle::listener`]). Names are shared strings, cheap to clone.
///
/// [`AlertHandle::notify`]: super::AlertHandle::notify
/// [`AlertHandle::listener`]: super::AlertHandle::listener
#[derive(Clone, Debug, PartialEq)]
pub struct AlertInput {
    /// The group it belongs to (fingerprint within a tenant).
    pub key: GroupKey,
    /// Failing service.
    pub service: Arc<str>,
    /// What it was doing.
    pub operation: Arc<str>,
    /// Kind of failure (Alertmanager's `alertname`).
    pub error_type: Arc<str>,
    /// Severity.
    pub severity: Severity,
    /// One-line description.
    pub summary: String,
}

impl AlertInput {
    /// An input for group `fingerprint` of tenant `client_id`.
    pub fn new(
        fingerprint: &str,
        client_id: Option<&str>,
        service: &str,
        operation: &str,
        error_type: &str,
        severity: Severity,
        summary: &str,
    ) -> Self {
        AlertInput {
            key: GroupKey {
                fingerprint: fingerprint.into(),
                client_id: client_id.map(Arc::from),
            },
            service: service.into(),
            operation: operation.into(),
            error_type: error_type.into(),
            severity,
            summary: summary.chars().take(MAX_SUMMARY_CHARS).collect(),
        }
    }
}

impl From<&ErrorRecord> for AlertInput {
    fn from(r: &ErrorRecord) -> Self {
        let group = &r.group;
        AlertInput {
            key: group.key.clone(),
            service: Arc::clone(&group.service),
            operation: Arc::clone(&group.operation),
            error_type: Arc::clone(&group.error_type),
            severity: r.severity,
            summary: r.message.chars().take(MAX_SUMMARY_CHARS).collect(),
        }
    }
}

/// Longest summary carried in an alert.
pub const MAX_SUMMARY_CHARS: usize = 500;

/// Firing or resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertStatus {
    /// The group is firing.
    Firing,
    /// The group was resolved.
    Resolved,
}

/// One notification: a group's state as a sink receives it (the JSON body
/// of the webhook sink).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Firing or resolved.
    pub status: AlertStatus,
    /// The route that sent it.
    pub route: String,
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
    /// The worst severity seen while firing.
    pub severity: Severity,
    /// A recent occurrence's message: for errors, the first of the latest
    /// burst the router read (it reads a group at most every 25 ms).
    pub summary: String,
    /// Occurrences since the group started firing.
    pub count: u64,
    /// Occurrences since the previous notification for this route.
    pub new_since_last: u64,
    /// When the group started firing.
    #[serde(with = "rfc3339")]
    pub starts_at: SystemTime,
    /// Latest occurrence.
    #[serde(with = "rfc3339")]
    pub last_seen: SystemTime,
    /// When it was resolved, for resolved notices.
    #[serde(with = "rfc3339::option")]
    pub ends_at: Option<SystemTime>,
}
