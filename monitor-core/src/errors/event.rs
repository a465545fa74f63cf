//! What a host reports when something fails.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Severity;

/// One failure, as the host sees it.
///
/// ```
/// use monitor_core::errors::{ErrorEvent, Severity};
///
/// let e = ErrorEvent::new("payments", "charge", "Timeout", "gateway took 30 s")
///     .client("acme")
///     .context("order", "A-1001")
///     .severity(Severity::Critical);
/// assert_eq!(e.client_id.as_deref(), Some("acme"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorEvent {
    /// The failing service or component ("db", "whatsapp", "llm").
    pub service: String,
    /// What it was doing ("send_message", "query").
    pub operation: String,
    /// A stable name for the kind of failure ("Timeout", "RateLimited").
    pub error_type: String,
    /// Human-readable detail (truncated to 4 KiB when logged).
    pub message: String,
    /// The tenant it concerns, if any.
    pub client_id: Option<String>,
    /// Extra key/value detail (bounded when logged).
    #[serde(default)]
    pub context: BTreeMap<String, String>,
    /// The caller's own severity; overrides the classifier.
    pub severity: Option<Severity>,
    /// The caller's own grouping key; otherwise service, operation and
    /// error type are hashed.
    pub fingerprint: Option<String>,
}

impl ErrorEvent {
    /// An event with the four fields every error has.
    pub fn new(
        service: impl Into<String>,
        operation: impl Into<String>,
        error_type: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ErrorEvent {
            service: service.into(),
            operation: operation.into(),
            error_type: error_type.into(),
            message: message.into(),
            ..ErrorEvent::default()
        }
    }

    /// Sets the tenant.
    pub fn client(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// Adds one context entry.
    pub fn context(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.context.insert(key.into(), value.into());
        self
    }

    /// Fixes the severity, bypassing the classifier.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    /// Groups this error under `fingerprint` instead of the computed one.
    pub fn fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.fingerprint = Some(fingerprint.into());
        self
    }
}
