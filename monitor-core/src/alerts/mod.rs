//! Severity alert routing: routes match alerts to sinks, pace them like
//! Alertmanager (group wait, group interval, repeat interval), honour
//! silences, send a resolved notice when a group resolves, and deliver on
//! their own tasks with timeouts and retries, so logging an error never
//! waits on a sink.
//!
//! ```text
//! ErrorLog --listener--> AlertHandle --bounded queue--> router task
//!                                                        |-- timers per (group, route)
//!                                                        `-- delivery task per (alert, sink)
//! ```
//!
//! Every outcome is counted ([`AlertHandle::stats`], and
//! `monitor_alerts_{sent,failed,dropped,retried,silenced}_total` through
//! [`AlertHandle::publish_metrics`]).

mod alert;
mod delivery;
mod pause;
mod route;
mod router;
mod silence;
mod sink;
pub mod sinks;
mod stats;

pub use alert::{Alert, AlertInput, AlertStatus, MAX_SUMMARY_CHARS};
pub use route::{Matcher, Route, Timing};
pub use router::{
    AlertHandle, AlertRouter, DEFAULT_BACKLOG, DEFAULT_IN_FLIGHT, DEFAULT_MAX_GROUPS,
    DEFAULT_QUEUE, NoRuntime, RetryPolicy,
};
pub use silence::{MAX_SILENCES, Silence, SilenceError};
pub use sink::{AlertSink, FnSink, SendFuture, SinkError};
#[cfg(feature = "email")]
pub use sinks::EmailSink;
pub use sinks::LogSink;
#[cfg(feature = "http")]
pub use sinks::{AlertmanagerSink, SlackSink, WebhookSink};
pub use stats::{AlertStats, SinkStats};
