//! Health: checks, heartbeats and thresholds on live metrics, folded into
//! one status.
//!
//! - A [`HealthCheck`] probes something (a database, an external API) and
//!   returns a [`CheckResult`]. Each check runs in its own background loop
//!   on its own task, bounded by its timeout (running out is down; a panic
//!   is down too), then again every interval. Reads are served from the
//!   results those loops store, so [`Health::report`] never waits on a
//!   check. Ready checks: [`HttpCheck`] and [`TcpCheck`].
//! - Heartbeats: [`Health::heartbeat`] records that a source (a webhook, a
//!   worker) is alive; a source not seen within its interval is down, and
//!   its uptime percentage is kept exactly since registration.
//! - [`Thresholds`] judge the owner's [`LiveMetrics`] (error rate, p95).
//! - The overall [`HealthStatus`] is the worst of all: a required check or
//!   source down is critical; an optional one down, any one degraded, or a
//!   degraded threshold is degraded. Pending components (a check before its
//!   first result, a source never seen within its first interval) count as
//!   up.
//! - Listeners get a [`HealthChange`] only when the overall status or a
//!   component's status changed.
//!
//! ```text
//! check loop (per check) --store--> cache <--read-- Health::report (/health)
//!        `--status changed--> evaluation task (every 5 s too) --> listeners
//! ```

mod builder;
mod check;
mod checks;
mod evaluator;
mod handle;
mod heartbeat;
mod pool;
pub mod prometheus;
mod report;
mod runner;
mod state;
mod status;
mod thresholds;

pub use builder::{DEFAULT_EVALUATE_EVERY, HealthBuilder, MAX_CHECKS, MAX_HEARTBEATS, NoRuntime};
pub use check::{CheckFuture, CheckOptions, FnCheck, HealthCheck, MIN_INTERVAL, MIN_TIMEOUT};
#[cfg(feature = "http")]
pub use checks::HttpCheck;
pub use checks::TcpCheck;
pub use handle::{Health, HealthCounters};
pub use heartbeat::{
    DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_MAX_HEARTBEATS, HeartbeatReport, MAX_NAME_CHARS,
};
pub use pool::{PoolFigures, PoolStats};
pub use report::{CheckReport, HealthChange, HealthReport};
pub use state::{HealthState, HeartbeatState};
pub use status::{CheckResult, CheckStatus, HealthStatus, MAX_DETAIL_CHARS};
pub use thresholds::{LiveMetrics, ThresholdReport, Thresholds};

#[cfg(test)]
mod tests;
