//! Errors: what failed, how bad it is, grouped, kept in a bounded log that
//! can be queried, resolved and acknowledged, with counts for rates.
//!
//! - [`ErrorEvent`] is what a host reports; [`ErrorLog::log`] cleans it
//!   (bounded text, no control characters), classifies it with an
//!   [`ErrorClassifier`] unless it carries its own [`Severity`], and files
//!   it under its group: the same [`fingerprint()`] within the same tenant.
//! - Groups are open, resolved (operator) or regressed (fired again after
//!   being resolved); tenants acknowledge them.
//! - [`ErrorQuery`] filters, sorts and pages the log; it parses from query
//!   string pairs, and a bad value is a [`QueryError`] naming its field.
//! - [`ErrorCaptureLayer`] turns `tracing::error!`/`warn!` events into
//!   logged errors.

mod classifier;
mod counts;
mod event;
mod fingerprint;
pub(crate) mod group;
mod history;
mod hygiene;
mod log;
mod query;
mod record;
mod severity;
mod state;
mod stats;
mod tracing_layer;

pub use classifier::{ErrorClassifier, Rule, RuleClassifier};
pub use counts::CountsState;
pub use event::ErrorEvent;
pub use fingerprint::fingerprint;
pub use group::{GroupKey, GroupState, GroupStatus, GroupView};
pub use hygiene::Limits;
pub use log::{
    DEFAULT_CAPACITY, DEFAULT_MAX_GROUPS, ErrorLog, ErrorLogBuilder, LogCounters, LogNotice,
    Logged, NotFound, OVERFLOW_FINGERPRINT,
};
pub use query::{
    DEFAULT_LIMIT, ErrorPage, ErrorQuery, MAX_LIMIT, MAX_OFFSET, MAX_VALUE_BYTES, QUERY_KEYS,
    QueryError, Sort, TimeRange,
};
pub use record::{ErrorRecord, ErrorView};
pub use severity::{Severity, UnknownSeverity};
pub use state::{ErrorLogState, RecordState, RestoreError};
pub use stats::{ErrorRatePoint, ErrorStats, GroupCounts, ServiceCount, SeverityCounts};
pub use tracing_layer::ErrorCaptureLayer;
