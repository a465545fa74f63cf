//! Ready sinks: Slack, a generic JSON webhook, Alertmanager v2 (behind the
//! default `http` feature, on reqwest), email over SMTP (behind the default
//! `email` feature, on lettre) and a `tracing` log.

#[cfg(feature = "http")]
mod alertmanager;
#[cfg(feature = "email")]
mod email;
#[cfg(feature = "http")]
mod http;
mod log;
#[cfg(feature = "http")]
mod slack;
#[cfg(feature = "http")]
mod webhook;

#[cfg(feature = "http")]
pub use alertmanager::{AlertmanagerSink, DEFAULT_REFRESH};
#[cfg(feature = "email")]
pub use email::{DEFAULT_SMTP_TIMEOUT, EmailConfigError, EmailSink, EmailSinkBuilder, SmtpTls};
#[cfg(feature = "http")]
pub use http::DEFAULT_HTTP_TIMEOUT;
pub use log::LogSink;
#[cfg(feature = "http")]
pub use slack::SlackSink;
#[cfg(feature = "http")]
pub use webhook::WebhookSink;
