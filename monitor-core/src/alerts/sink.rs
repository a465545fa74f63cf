//! The seam every alert destination implements.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::Alert;

/// What [`AlertSink::send`] returns.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SinkError>> + Send + 'a>>;

/// A destination for alerts: Slack, a webhook, Alertmanager, a log, or
/// anything a host writes (email, SMS) through this trait.
///
/// Delivery happens on the router's own tasks, with a timeout, retries and
/// counts around every call; a sink only sends once.
pub trait AlertSink: Send + Sync + 'static {
    /// A short, stable name for counts and logs (never a secret URL).
    fn name(&self) -> &str;

    /// Delivers one notification.
    fn send<'a>(&'a self, alert: &'a Alert) -> SendFuture<'a>;

    /// Destinations that forget firing alerts unless told again
    /// (Alertmanager) ask to receive them this often while firing.
    fn refresh_interval(&self) -> Option<Duration> {
        None
    }
}

/// Why a delivery failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    /// The destination answered with an error status.
    #[error("HTTP {status}: {body}")]
    Status {
        /// The status code.
        status: u16,
        /// The start of the response body.
        body: String,
        /// A `Retry-After` the destination asked for.
        retry_after: Option<Duration>,
    },
    /// Connecting or talking failed.
    #[error("transport: {0}")]
    Transport(String),
    /// No answer in time.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The destination will not take this alert; retrying cannot help.
    #[error("rejected: {0}")]
    Rejected(String),
}

impl SinkError {
    /// Whether trying again may succeed: transport errors, timeouts, 5xx,
    /// 408 and 429.
    pub fn retryable(&self) -> bool {
        match self {
            SinkError::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            SinkError::Transport(_) | SinkError::Timeout(_) => true,
            SinkError::Rejected(_) => false,
        }
    }

    /// The wait the destination asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SinkError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// A sink from a name and an async closure.
///
/// ```
/// use monitor_core::alerts::{Alert, FnSink};
///
/// let sink = FnSink::new("stdout", |alert: Alert| async move {
///     println!("{} {}", alert.severity, alert.summary);
///     Ok(())
/// });
/// ```
pub struct FnSink<F> {
    name: String,
    f: F,
}

impl<F, Fut> FnSink<F>
where
    F: Fn(Alert) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), SinkError>> + Send + 'static,
{
    /// A sink called `name` that runs `f` on each alert.
    pub fn new(name: impl Into<String>, f: F) -> Self {
        FnSink {
            name: name.into(),
            f,
        }
    }
}

impl<F, Fut> AlertSink for FnSink<F>
where
    F: Fn(Alert) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), SinkError>> + Send + 'static,
{
    fn name(&self) -> &str {
        &self.name
    }

    fn send<'a>(&'a self, alert: &'a Alert) -> SendFuture<'a> {
        Box::pin((self.f)(alert.clone()))
    }
}
