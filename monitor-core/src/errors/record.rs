//! A logged error as stored, and as shown to API readers.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::Severity;
use super::group::{Group, GroupStatus};
use crate::clock::rfc3339;

/// One logged error. Immutable once logged; its group's state (resolved,
/// acknowledged, regressed) and fingerprint live in the group.
#[derive(Debug)]
pub struct ErrorRecord {
    /// Unique, increasing id.
    pub id: u64,
    /// When it was logged.
    pub timestamp: SystemTime,
    /// Service (cleaned, bounded).
    pub service: String,
    /// Operation (cleaned, bounded).
    pub operation: String,
    /// Error type (cleaned, bounded).
    pub error_type: String,
    /// Message (cleaned, at most 4 KiB by default).
    pub message: String,
    /// Severity, from the caller or the classifier.
    pub severity: Severity,
    /// Tenant, if any.
    pub client_id: Option<String>,
    /// Extra detail (bounded).
    pub context: BTreeMap<String, String>,
    pub(crate) group: Arc<Group>,
}

impl ErrorRecord {
    /// Grouping key (see [`fingerprint`](super::fingerprint())).
    pub fn fingerprint(&self) -> &str {
        &self.group.key.fingerprint
    }

    /// `true` once its group was resolved after it was logged.
    pub fn resolved(&self) -> bool {
        self.group.resolved_through() >= self.id
    }

    /// `true` once its group was acknowledged after it was logged.
    pub fn acknowledged(&self) -> bool {
        self.group.acknowledged_through() >= self.id
    }

    /// The API view of this record.
    pub fn view(&self) -> ErrorView {
        ErrorView {
            id: self.id,
            timestamp: self.timestamp,
            service: self.service.clone(),
            operation: self.operation.clone(),
            error_type: self.error_type.clone(),
            message: self.message.clone(),
            severity: self.severity,
            client_id: self.client_id.clone(),
            fingerprint: self.fingerprint().to_owned(),
            resolved: self.resolved(),
            acknowledged: self.acknowledged(),
            status: self.group.status(),
            occurrences: self.group.count(),
            context: self.context.clone(),
        }
    }
}

/// The JSON shape of one error in `/api/errors`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorView {
    /// Unique id; use it to resolve or acknowledge.
    pub id: u64,
    /// When it was logged.
    #[serde(with = "rfc3339")]
    pub timestamp: SystemTime,
    /// Failing service.
    pub service: String,
    /// What it was doing.
    pub operation: String,
    /// Kind of failure.
    pub error_type: String,
    /// Detail.
    pub message: String,
    /// Severity.
    pub severity: Severity,
    /// Tenant.
    pub client_id: Option<String>,
    /// Grouping key.
    pub fingerprint: String,
    /// Resolved by an operator after it happened.
    pub resolved: bool,
    /// Acknowledged by its tenant after it happened.
    pub acknowledged: bool,
    /// Its group's state now.
    pub status: GroupStatus,
    /// How many times its group has fired.
    pub occurrences: u64,
    /// Extra detail.
    pub context: BTreeMap<String, String>,
}
