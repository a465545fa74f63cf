//! [`MonitorBuilder`]: one clock, every part configured, then started on
//! the current tokio runtime.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::activities::Activities;
use super::queues::Queues;
use super::{Inner, Monitor, persistence::Persistence, tasks, wiring};
use crate::actions::{ACTION_KIND, Actions, MAX_RUN_TIMEOUT};
use crate::activity::{ActivityTracker, ActivityTrackerBuilder};
use crate::alerts::{AlertRouter, NoRuntime};
use crate::analytics::{Analytics, AnalyticsConfig};
use crate::audit::{AuditLog, DEFAULT_AUDIT_CAPACITY};
use crate::bus::{DEFAULT_MAX_SUBSCRIBERS, DEFAULT_QUEUE, EventBus};
use crate::clock::Clock;
use crate::collector::{CollectorConfig, MetricsCollector};
use crate::counters::{CountersConfig, EventCounters};
use crate::errors::ErrorLogBuilder;
use crate::health::{Health, HealthBuilder, PoolStats};
use crate::persist::SnapshotFile;
use crate::queue::QueueLimits;
use crate::requests::{DEFAULT_MAX_ROUTES, RequestStats};
use crate::summary::{Schedule, SummaryConfig};
use crate::system::{DEFAULT_SYSTEM_INTERVAL, Sampler};
use crate::trend::{AnomalyAlerts, AnomalyWatch};

/// Default interval of `metrics:update` events.
pub const DEFAULT_METRICS_INTERVAL: Duration = Duration::from_secs(5);
/// Default interval of `queue:stats` events (at most one per queue per
/// interval).
pub const DEFAULT_QUEUE_STATS_INTERVAL: Duration = Duration::from_secs(2);
/// Default interval between snapshots.
pub const DEFAULT_SNAPSHOT_INTERVAL: Duration = Duration::from_secs(60);

/// Settings for a [`Monitor`]; see [`Monitor::builder`].
pub struct MonitorBuilder {
    pub(super) clock: Clock,
    collector: CollectorConfig,
    analytics: AnalyticsConfig,
    errors: ErrorLogBuilder,
    alerts: Option<AlertRouter>,
    counters: CountersConfig,
    max_request_routes: usize,
    bus: (usize, usize),
    pub(super) metrics_interval: Duration,
    snapshot: Option<PathBuf>,
    pub(super) snapshot_interval: Duration,
    system_interval: Duration,
    health: HealthBuilder,
    pool: Option<Arc<dyn PoolStats>>,
    activities: BTreeMap<String, ActivityTrackerBuilder>,
    audit_capacity: usize,
    queue_limits: QueueLimits,
    pub(super) queue_stats_interval: Duration,
    anomaly_alerts: Option<AnomalyAlerts>,
    summaries: Option<SummaryConfig>,
}

impl MonitorBuilder {
    pub(super) fn new() -> Self {
        MonitorBuilder {
            clock: Clock::default(),
            collector: CollectorConfig::default(),
            analytics: AnalyticsConfig::default(),
            errors: crate::errors::ErrorLog::builder(),
            alerts: None,
            counters: CountersConfig::default(),
            max_request_routes: DEFAULT_MAX_ROUTES,
            bus: (DEFAULT_QUEUE, DEFAULT_MAX_SUBSCRIBERS),
            metrics_interval: DEFAULT_METRICS_INTERVAL,
            snapshot: None,
            snapshot_interval: DEFAULT_SNAPSHOT_INTERVAL,
            system_interval: DEFAULT_SYSTEM_INTERVAL,
            health: Health::builder(),
            pool: None,
            activities: BTreeMap::from([(ACTION_KIND.to_owned(), action_tracker())]),
            audit_capacity: DEFAULT_AUDIT_CAPACITY,
            queue_limits: QueueLimits::default(),
            queue_stats_interval: DEFAULT_QUEUE_STATS_INTERVAL,
            anomaly_alerts: None,
            summaries: None,
        }
    }

    /// The clock every part reads (default: the system clock).
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = clock.into();
        self
    }

    /// Collector settings (its clock is replaced by the monitor's).
    pub fn collector(mut self, config: CollectorConfig) -> Self {
        self.collector = config;
        self
    }

    /// Analytics settings: top-users summary sizes and tenant cap, the
    /// heatmap's zone.
    pub fn analytics(mut self, config: AnalyticsConfig) -> Self {
        self.analytics = config;
        self
    }

    /// Error log settings: capacity, limits, classifier, extra listeners
    /// (its clock is replaced by the monitor's).
    pub fn error_log(mut self, builder: ErrorLogBuilder) -> Self {
        self.errors = builder;
        self
    }

    /// Routes errors and health changes to alert sinks.
    pub fn alerts(mut self, router: AlertRouter) -> Self {
        self.alerts = Some(router);
        self
    }

    /// Labelled counter limits (its clock is replaced by the monitor's).
    pub fn counters(mut self, config: CountersConfig) -> Self {
        self.counters = config;
        self
    }

    /// Most method + route keys of [`Monitor::requests`] (default 128;
    /// further keys share the route `__other__`).
    pub fn max_request_routes(mut self, max: usize) -> Self {
        self.max_request_routes = max;
        self
    }

    /// Event bus limits: queue length per subscriber, most subscribers.
    pub fn bus_limits(mut self, queue: usize, max_subscribers: usize) -> Self {
        self.bus = (queue, max_subscribers);
        self
    }

    /// How often `metrics:update` is published (default 5 s).
    pub fn metrics_interval(mut self, every: Duration) -> Self {
        self.metrics_interval = every.max(Duration::from_millis(10));
        self
    }

    /// Persists to a snapshot file at `path`, restored at start.
    pub fn snapshot_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.snapshot = Some(path.into());
        self
    }

    /// How often the snapshot is written (default 60 s).
    pub fn snapshot_interval(mut self, every: Duration) -> Self {
        self.snapshot_interval = every.max(Duration::from_millis(10));
        self
    }

    /// How often the process's resources are sampled (default 5 s; CPU %
    /// is the use between two samples).
    pub fn system_interval(mut self, every: Duration) -> Self {
        self.system_interval = every.max(Duration::from_millis(10));
        self
    }

    /// Health checks, heartbeat sources and thresholds (its clock, live
    /// metrics and listener are the monitor's: the error rate and p95 of
    /// the last hour feed the thresholds, and changes go to the bus and the
    /// alert router).
    pub fn health(mut self, builder: HealthBuilder) -> Self {
        self.health = builder;
        self
    }

    /// Where `db_pool_active` / `db_pool_size` come from.
    pub fn pool_stats(mut self, pool: impl PoolStats) -> Self {
        self.pool = Some(Arc::new(pool));
        self
    }

    /// Settings for the activity kind `kind` (recent list, timeout, caps);
    /// kinds not configured get the defaults on first use.
    pub fn activity(mut self, kind: &str, builder: ActivityTrackerBuilder) -> Self {
        self.activities.insert(kind.to_owned(), builder);
        self
    }

    /// How many entries the audit log keeps (default
    /// [`DEFAULT_AUDIT_CAPACITY`], 1 to
    /// [`MAX_AUDIT_CAPACITY`](crate::audit::MAX_AUDIT_CAPACITY)); past it
    /// the oldest entry is dropped and counted.
    pub fn audit_capacity(mut self, entries: usize) -> Self {
        self.audit_capacity = entries;
        self
    }

    /// Live-state limits of every queue ([`Monitor::queue`]): most
    /// messages tracked, in-flight timeout.
    pub fn queue_limits(mut self, limits: QueueLimits) -> Self {
        self.queue_limits = limits;
        self
    }

    /// How often `queue:stats` may go out per queue (default 2 s; only for
    /// a queue whose figures changed, only while someone listens).
    pub fn queue_stats_interval(mut self, every: Duration) -> Self {
        self.queue_stats_interval = every.max(Duration::from_millis(10));
        self
    }

    /// Routes anomalies of the last complete hour (message volume, error
    /// rate) as alerts through the router of [`alerts`](Self::alerts).
    /// Off by default; without a router it does nothing.
    pub fn anomaly_alerts(mut self, alerts: AnomalyAlerts) -> Self {
        self.anomaly_alerts = Some(alerts);
        self
    }

    /// Writes a summary of each closed UTC day and/or ISO week to a
    /// directory and/or a sink (see [`summary`](crate::summary)). Off by
    /// default.
    pub fn summaries(mut self, config: SummaryConfig) -> Self {
        self.summaries = Some(config);
        self
    }

    /// Builds every part, restores the snapshot if there is one, takes a
    /// first sample of the process's resources, and starts the background
    /// tasks on the current tokio runtime.
    ///
    /// Reading the snapshot is blocking file I/O, done once here.
    pub fn start(self) -> Result<Monitor, NoRuntime> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| NoRuntime)?;
        let collector = MetricsCollector::new(self.collector.with_clock(self.clock.clone()));
        let clock = self.clock.clone();
        let bus = EventBus::with_limits(self.bus.0, self.bus.1);
        let alerts = match self.alerts {
            Some(router) => Some(
                router
                    .clock(clock.clone())
                    .on_sent(wiring::alerts_to_bus(&bus, &clock))
                    .spawn()?,
            ),
            None => None,
        };
        let mut errors = self
            .errors
            .clock(clock.clone())
            .listener(wiring::errors_to_bus(&bus, &clock));
        if let Some(alerts) = &alerts {
            errors = errors.listener(alerts.listener());
        }
        let counters = EventCounters::new(CountersConfig {
            clock: clock.clone(),
            ..self.counters
        });
        let errors = errors.build();
        let health = self
            .health
            .clock(clock.clone())
            .live_metrics(wiring::live_metrics(&collector, &errors))
            .listener(wiring::health_to_bus(&bus, alerts.clone()))
            .spawn()
            .map_err(|_| NoRuntime)?;
        let activities = Activities::new(self.activities, clock.clone(), bus.clone());
        // Before the host's kinds, so the cap of kinds never takes it.
        let action_tracker = activities.get_or_create(ACTION_KIND);
        activities.build_configured();
        let actions = Actions::new(action_tracker, clock.clone(), runtime.clone());
        let audit = AuditLog::new(self.audit_capacity, clock.clone());
        let queues = Queues::new(self.queue_limits, clock.clone(), bus.clone());
        let inner = Arc::new(Inner {
            analytics: Analytics::new(self.analytics, clock.clone()),
            collector,
            errors,
            health,
            activities,
            queues,
            pool: self.pool,
            alerts,
            counters,
            requests: RequestStats::new(self.max_request_routes),
            bus,
            actions,
            audit,
            system: Sampler::new(self.snapshot.as_deref(), runtime.clone(), clock.clone()),
            persistence: Persistence::new(self.snapshot.map(SnapshotFile::new)),
            cards: crate::trend::cards::CardHistory::new(),
            anomaly_watch: self.anomaly_alerts.map(AnomalyWatch::new),
            summaries: self
                .summaries
                .map(|c| Arc::new(Schedule::new(c, clock.now()))),
            tasks: parking_lot::Mutex::new(Vec::new()),
            clock,
        });
        let monitor = Monitor { inner };
        monitor.inner.persistence.restore(&monitor);
        monitor.inner.actions.end_interrupted();
        monitor.inner.system.sample();
        tasks::start(
            &monitor,
            &runtime,
            tasks::Intervals {
                metrics: self.metrics_interval,
                queue_stats: self.queue_stats_interval,
                snapshots: self.snapshot_interval,
                system: self.system_interval,
            },
        );
        Ok(monitor)
    }
}

/// The `action` kind's defaults (a host's `.activity("action", ..)`
/// replaces them): runs and their steps fill the recent list faster than
/// calls do, and a run may take up to [`MAX_RUN_TIMEOUT`], so it is not
/// abandoned before its own timeout stops it.
fn action_tracker() -> ActivityTrackerBuilder {
    ActivityTracker::builder(ACTION_KIND)
        .recent(100)
        .timeout(MAX_RUN_TIMEOUT + std::time::Duration::from_secs(300))
}
