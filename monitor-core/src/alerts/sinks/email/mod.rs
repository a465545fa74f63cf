//! Alerts by email over SMTP (lettre, on tokio, TLS by rustls).
//!
//! One message per notification, to every recipient at once: the subject
//! carries the state (severity, or `RESOLVED`) and the summary, the plain
//! text body every field of the alert. A relay answering 4xx (try later)
//! or not answering is retried by the router; a 5xx (refused) is not.

mod config;
mod message;

pub use config::{DEFAULT_SMTP_TIMEOUT, EmailConfigError, EmailSinkBuilder, SmtpTls};

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::alerts::{Alert, AlertSink, SendFuture, SinkError};

/// Sends alerts by email through an SMTP relay.
///
/// Building sets up TLS (the system's CA certificates, read once) but
/// opens no connection; each notification opens one.
///
/// ```no_run
/// use monitor_core::alerts::{AlertRouter, Route};
/// use monitor_core::alerts::sinks::{EmailSink, SmtpTls};
///
/// # fn main() -> Result<(), monitor_core::alerts::sinks::EmailConfigError> {
/// let email = EmailSink::builder("smtp.example.com")
///     .tls(SmtpTls::StartTls)
///     .credentials("alerts@example.com", "app-password")
///     .from("Monitor <alerts@example.com>")
///     .to("oncall@example.com")
///     .to("team@example.com")
///     .build()?;
/// let router = AlertRouter::new().route(Route::new("email").sink(email));
/// # let _ = router;
/// # Ok(())
/// # }
/// ```
pub struct EmailSink {
    name: String,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    subject_prefix: String,
    timeout: Duration,
}

impl EmailSink {
    /// Starts configuring a sink for the relay at `host`.
    pub fn builder(host: impl Into<String>) -> EmailSinkBuilder {
        EmailSinkBuilder::new(host.into())
    }

    async fn deliver(&self, alert: &Alert) -> Result<(), SinkError> {
        let message = message::build(alert, &self.from, &self.to, &self.subject_prefix)
            .map_err(|e| SinkError::Rejected(format!("message: {e}")))?;
        // lettre bounds connecting and commands, but not the wait for the
        // relay's greeting: the whole exchange gets the bound here.
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Ok(sent) => sent.map(drop).map_err(|e| smtp_error(&e, self.timeout)),
            Err(_) => Err(SinkError::Timeout(self.timeout)),
        }
    }
}

impl std::fmt::Debug for EmailSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSink")
            .field("name", &self.name)
            .field("from", &self.from.to_string())
            .field("to", &self.to.len())
            .finish_non_exhaustive()
    }
}

impl AlertSink for EmailSink {
    fn name(&self) -> &str {
        &self.name
    }

    fn send<'a>(&'a self, alert: &'a Alert) -> SendFuture<'a> {
        Box::pin(self.deliver(alert))
    }
}

/// A failed delivery as the router counts it: a 5xx answer is permanent
/// (not retried), a 4xx one or a transport failure may pass.
fn smtp_error(e: &lettre::transport::smtp::Error, timeout: Duration) -> SinkError {
    let text: String = e
        .to_string()
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    if e.is_timeout() {
        SinkError::Timeout(timeout)
    } else if e.is_permanent() {
        SinkError::Rejected(format!("SMTP {text}"))
    } else if e.is_transient() {
        SinkError::Transport(format!("SMTP {text}"))
    } else {
        SinkError::Transport(text)
    }
}
