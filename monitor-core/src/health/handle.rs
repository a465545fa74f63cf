//! [`Health`]: the running monitor's cheap handle. Reads are served from
//! the cache the background tasks fill; they never run a check.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::{AbortHandle, JoinSet};

use super::heartbeat::Heartbeats;
use super::runner::{CheckSlot, RunCounters};
use super::{
    HealthBuilder, HealthChange, HealthReport, HealthStatus, LiveMetrics, ThresholdReport,
    Thresholds,
};
use crate::clock::{Clock, from_unix_ms};

pub(crate) type Listener = Arc<dyn Fn(&HealthChange) + Send + Sync>;
pub(crate) type LiveFn = Box<dyn Fn() -> LiveMetrics + Send + Sync>;

/// What the background tasks and every handle share.
pub(crate) struct Shared {
    pub(crate) clock: Clock,
    pub(crate) started_ms: u64,
    pub(crate) checks: Vec<CheckSlot>,
    pub(crate) heartbeats: Heartbeats,
    pub(crate) thresholds: Thresholds,
    pub(crate) live: Option<LiveFn>,
    pub(crate) threshold_report: Mutex<ThresholdReport>,
    pub(crate) listeners: Vec<Listener>,
    /// Woken when a check's status changed, so it is evaluated at once.
    pub(crate) wake: Notify,
    pub(crate) counters: RunCounters,
    pub(crate) rejected_checks: AtomicU64,
}

impl Shared {
    /// The report as of now, from the cache.
    pub(crate) fn report(&self) -> HealthReport {
        let now = self.clock.now_ms();
        let checks = self
            .checks
            .iter()
            .map(|slot| (slot.name.clone(), slot.report()))
            .collect();
        let heartbeats = self.heartbeats.reports(now);
        let thresholds = self.threshold_report.lock().clone();
        HealthReport {
            status: HealthReport::aggregate(&checks, &heartbeats, &thresholds),
            checks,
            heartbeats,
            thresholds,
            uptime_seconds: now.saturating_sub(self.started_ms) / 1_000,
            checked_at: from_unix_ms(now),
        }
    }

    /// Reads the live metrics and applies the thresholds to them.
    pub(crate) fn update_thresholds(&self) {
        let live = self.live.as_ref().map(|live| live());
        let report = self.thresholds.evaluate(live);
        *self.threshold_report.lock() = report;
    }
}

/// The background tasks, stopped when the last handle goes.
pub(crate) struct Tasks {
    pub(crate) handles: Mutex<Vec<AbortHandle>>,
    /// Asks the evaluation task to evaluate now and answer when done.
    pub(crate) evaluate: mpsc::Sender<oneshot::Sender<()>>,
}

impl Tasks {
    fn stop(&self) {
        for handle in self.handles.lock().drain(..) {
            handle.abort();
        }
    }
}

impl Drop for Tasks {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Counts of what the health monitor did and cut.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCounters {
    /// Check runs started (background and [`Health::refresh`]).
    pub check_runs: u64,
    /// Runs that ran out of time.
    pub check_timeouts: u64,
    /// Runs that panicked.
    pub check_panics: u64,
    /// Checks not registered: empty name or past the cap.
    pub rejected_checks: u64,
    /// Heartbeats (and restored sources) not taken: empty name or a new
    /// source past the cap.
    pub rejected_heartbeats: u64,
}

/// The running health monitor: checks refreshed in the background, each
/// under its timeout; heartbeat sources; threshold rules on live metrics;
/// one overall status. Cheap to clone; reads never run a check.
///
/// The background tasks (one per check, one evaluating) hold no handle:
/// they are aborted by [`shutdown`](Self::shutdown) or when the last clone
/// is dropped.
///
/// ```
/// use monitor_core::health::{CheckOptions, CheckResult, CheckStatus, FnCheck, Health, HealthStatus};
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let health = Health::builder()
///     .check("db", FnCheck::new(|| async { CheckResult::up("select 1") }), CheckOptions::required())
///     .heartbeat("webhook", Duration::from_secs(60), false)
///     .spawn()
///     .expect("inside a tokio runtime");
/// health.refresh().await;
/// health.heartbeat("webhook");
/// let report = health.report();
/// assert_eq!(report.status, HealthStatus::Healthy);
/// assert_eq!(report.checks["db"].status, CheckStatus::Up);
/// # }
/// ```
#[derive(Clone)]
pub struct Health {
    pub(crate) shared: Arc<Shared>,
    pub(crate) tasks: Arc<Tasks>,
}

impl Health {
    /// Starts configuring a health monitor.
    pub fn builder() -> HealthBuilder {
        HealthBuilder::default()
    }

    /// The cached health of everything, as of now. Heartbeat staleness is
    /// computed now; check results and the threshold verdict are the last
    /// ones the background tasks stored.
    pub fn report(&self) -> HealthReport {
        self.shared.report()
    }

    /// The overall status, as in [`report`](Self::report).
    pub fn status(&self) -> HealthStatus {
        self.report().status
    }

    /// Runs every check once now, all at once and each under its timeout,
    /// then re-evaluates (listeners included) before returning. The
    /// background loops keep their own pace.
    pub async fn refresh(&self) {
        let mut runs = JoinSet::new();
        for index in 0..self.shared.checks.len() {
            let shared = Arc::clone(&self.shared);
            runs.spawn(async move {
                if let Some(slot) = shared.checks.get(index) {
                    slot.run(&shared.clock, &shared.counters).await;
                }
            });
        }
        while runs.join_next().await.is_some() {}
        let (ack, done) = oneshot::channel();
        if self.tasks.evaluate.send(ack).await.is_err() || done.await.is_err() {
            // Shut down: no evaluation task, so no listeners either.
            self.shared.update_thresholds();
        }
    }

    /// Records a beat of `source` now. A known source costs a read lock
    /// and a short mutex, no allocation; an unknown one is registered
    /// (optional, beating every [`DEFAULT_HEARTBEAT_INTERVAL`](super::DEFAULT_HEARTBEAT_INTERVAL))
    /// while under the cap. Returns `false`, counted, when rejected.
    pub fn heartbeat(&self, source: &str) -> bool {
        let now = self.shared.clock.now_ms();
        self.shared.heartbeats.beat(source, now)
    }

    /// Stops the background tasks now. The last results stay readable;
    /// [`refresh`](Self::refresh) still runs checks, but no listener is
    /// called any more.
    pub fn shutdown(&self) {
        self.tasks.stop();
    }

    /// What the monitor did and cut so far.
    pub fn counters(&self) -> HealthCounters {
        let s = &self.shared;
        HealthCounters {
            check_runs: s.counters.runs.load(Relaxed),
            check_timeouts: s.counters.timeouts.load(Relaxed),
            check_panics: s.counters.panics.load(Relaxed),
            rejected_checks: s.rejected_checks.load(Relaxed),
            rejected_heartbeats: s.heartbeats.rejected.load(Relaxed),
        }
    }
}

impl std::fmt::Debug for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let checks: Vec<&str> = self.shared.checks.iter().map(|c| c.name.as_str()).collect();
        f.debug_struct("Health")
            .field("checks", &checks)
            .field("counters", &self.counters())
            .finish_non_exhaustive()
    }
}
