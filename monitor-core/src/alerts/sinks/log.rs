//! Alerts into the host's `tracing` logs.

use crate::alerts::{Alert, AlertSink, AlertStatus, SendFuture};
use crate::errors::Severity;

/// Writes each alert as one `tracing` event (target `monitor_core::alerts`,
/// which the error-capture layer ignores): `error` for critical and error,
/// `warn` for warning, `info` for info and resolved notices.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogSink;

impl AlertSink for LogSink {
    fn name(&self) -> &str {
        "log"
    }

    fn send<'a>(&'a self, a: &'a Alert) -> SendFuture<'a> {
        match (a.status, a.severity) {
            (AlertStatus::Resolved, _) => tracing::info!(
                target: "monitor_core::alerts",
                fingerprint = %a.fingerprint, service = %a.service, error_type = %a.error_type,
                "alert resolved after {} occurrence(s)", a.count
            ),
            (_, Severity::Critical | Severity::Error) => tracing::error!(
                target: "monitor_core::alerts",
                fingerprint = %a.fingerprint, service = %a.service, error_type = %a.error_type,
                severity = %a.severity, count = a.count, "{}", a.summary
            ),
            (_, Severity::Warning) => tracing::warn!(
                target: "monitor_core::alerts",
                fingerprint = %a.fingerprint, service = %a.service, error_type = %a.error_type,
                count = a.count, "{}", a.summary
            ),
            (_, Severity::Info) => tracing::info!(
                target: "monitor_core::alerts",
                fingerprint = %a.fingerprint, service = %a.service, error_type = %a.error_type,
                count = a.count, "{}", a.summary
            ),
        }
        Box::pin(async { Ok(()) })
    }
}
