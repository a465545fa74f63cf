//! [`HealthBuilder`]: checks, heartbeat sources, thresholds and listeners,
//! then [`spawn`](HealthBuilder::spawn) on the current tokio runtime.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::{Notify, mpsc};

use super::handle::{Listener, LiveFn, Shared, Tasks};
use super::heartbeat::{DEFAULT_MAX_HEARTBEATS, Heartbeats, clean_name};
use super::runner::{CheckSlot, RunCounters};
use super::{CheckOptions, Health, HealthChange, HealthCheck, LiveMetrics, Thresholds, evaluator};
use crate::clock::Clock;

/// Most checks one [`Health`] runs; more are rejected and counted.
pub const MAX_CHECKS: usize = 64;
/// Most heartbeat sources [`HealthBuilder::max_heartbeats`] allows.
pub const MAX_HEARTBEATS: usize = 1_024;
/// Default pause between two evaluations of thresholds and staleness.
pub const DEFAULT_EVALUATE_EVERY: Duration = Duration::from_secs(5);

/// [`HealthBuilder::spawn`] was called outside a tokio runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the health monitor needs a tokio runtime to run in")]
pub struct NoRuntime;

/// Settings for a [`Health`] monitor.
pub struct HealthBuilder {
    clock: Option<Clock>,
    checks: Vec<(String, Arc<dyn HealthCheck>, CheckOptions)>,
    heartbeats: Vec<(String, Duration, bool)>,
    max_heartbeats: usize,
    thresholds: Thresholds,
    live: Option<LiveFn>,
    listeners: Vec<Listener>,
    evaluate_every: Duration,
    rejected_checks: u64,
}

impl Default for HealthBuilder {
    fn default() -> Self {
        HealthBuilder {
            clock: None,
            checks: Vec::new(),
            heartbeats: Vec::new(),
            max_heartbeats: DEFAULT_MAX_HEARTBEATS,
            thresholds: Thresholds::default(),
            live: None,
            listeners: Vec::new(),
            evaluate_every: DEFAULT_EVALUATE_EVERY,
            rejected_checks: 0,
        }
    }
}

impl HealthBuilder {
    /// Reads wall time (timestamps, heartbeats, uptime) from `clock`
    /// (default: the system clock). Timeouts and intervals run on tokio's
    /// timer.
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = Some(clock.into());
        self
    }

    /// Adds a check under `name` (trimmed, control characters removed, at
    /// most 64 characters). The same name again replaces the earlier
    /// check; past [`MAX_CHECKS`], or with an empty name, the check is
    /// rejected and counted ([`HealthCounters::rejected_checks`](super::HealthCounters)).
    pub fn check(
        mut self,
        name: impl AsRef<str>,
        check: impl HealthCheck,
        options: CheckOptions,
    ) -> Self {
        let Some(name) = clean_name(name.as_ref()) else {
            self.rejected_checks += 1;
            return self;
        };
        let check: Arc<dyn HealthCheck> = Arc::new(check);
        if let Some(slot) = self.checks.iter_mut().find(|(n, ..)| *n == name) {
            *slot = (name, check, options);
        } else if self.checks.len() < MAX_CHECKS {
            self.checks.push((name, check, options));
        } else {
            self.rejected_checks += 1;
        }
        self
    }

    /// Registers a heartbeat source that must beat at least every
    /// `interval`; `required` makes it stale critical (else degraded).
    /// Its timeline starts at [`spawn`](Self::spawn).
    pub fn heartbeat(mut self, name: impl AsRef<str>, interval: Duration, required: bool) -> Self {
        self.heartbeats
            .push((name.as_ref().to_owned(), interval, required));
        self
    }

    /// Most heartbeat sources (registered or first seen through
    /// [`Health::heartbeat`]); default 64, at most [`MAX_HEARTBEATS`].
    /// Beats of new sources past it are rejected and counted.
    pub fn max_heartbeats(mut self, max: usize) -> Self {
        self.max_heartbeats = max.clamp(1, MAX_HEARTBEATS);
        self
    }

    /// The threshold rules (default: [`Thresholds::default`]).
    pub fn thresholds(mut self, thresholds: Thresholds) -> Self {
        self.thresholds = thresholds;
        self
    }

    /// Where the thresholds read the live error rate and p95 from, once
    /// per evaluation on the background task (so it must be quick and
    /// never block). Without it the threshold rule reports healthy.
    pub fn live_metrics(mut self, live: impl Fn() -> LiveMetrics + Send + Sync + 'static) -> Self {
        self.live = Some(Box::new(live));
        self
    }

    /// Calls `listener` when the overall status or any component's status
    /// changes (never on an unchanged evaluation). It runs on the
    /// background evaluation task, under no lock; it should only enqueue.
    /// A panicking listener is caught and does not stop evaluations.
    pub fn listener(mut self, listener: impl Fn(&HealthChange) + Send + Sync + 'static) -> Self {
        self.listeners.push(Arc::new(listener));
        self
    }

    /// How often thresholds and heartbeat staleness are re-evaluated
    /// (default 5 s, at least 10 ms). Check results are evaluated as soon
    /// as their status changes.
    pub fn evaluate_every(mut self, every: Duration) -> Self {
        self.evaluate_every = every.max(Duration::from_millis(10));
        self
    }

    /// Starts every check's loop and the evaluation task on the current
    /// tokio runtime. They stop on [`Health::shutdown`] or when the last
    /// clone of the returned handle is dropped.
    pub fn spawn(self) -> Result<Health, NoRuntime> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| NoRuntime)?;
        let clock = self.clock.unwrap_or_default();
        let now = clock.now_ms();
        let heartbeats = Heartbeats::new(self.max_heartbeats);
        for (name, interval, required) in &self.heartbeats {
            heartbeats.register(name, *interval, *required, now);
        }
        let shared = Arc::new(Shared {
            clock,
            started_ms: now,
            checks: self
                .checks
                .into_iter()
                .map(|(name, check, options)| CheckSlot::new(name, check, options))
                .collect(),
            heartbeats,
            thresholds: self.thresholds,
            live: self.live,
            threshold_report: Mutex::new(self.thresholds.evaluate(None)),
            listeners: self.listeners,
            wake: Notify::new(),
            counters: RunCounters::default(),
            rejected_checks: AtomicU64::new(self.rejected_checks),
        });
        let (evaluate, requests) = mpsc::channel(16);
        let mut handles = Vec::with_capacity(shared.checks.len() + 1);
        for index in 0..shared.checks.len() {
            let task = runtime.spawn(evaluator::check_loop(Arc::clone(&shared), index));
            handles.push(task.abort_handle());
        }
        let task = runtime.spawn(evaluator::evaluate_loop(
            Arc::clone(&shared),
            self.evaluate_every,
            requests,
        ));
        handles.push(task.abort_handle());
        Ok(Health {
            shared,
            tasks: Arc::new(Tasks {
                handles: Mutex::new(handles),
                evaluate,
            }),
        })
    }
}

impl std::fmt::Debug for HealthBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let checks: Vec<&str> = self.checks.iter().map(|(n, ..)| n.as_str()).collect();
        f.debug_struct("HealthBuilder")
            .field("checks", &checks)
            .field("heartbeats", &self.heartbeats)
            .field("thresholds", &self.thresholds)
            .field("evaluate_every", &self.evaluate_every)
            .finish_non_exhaustive()
    }
}
