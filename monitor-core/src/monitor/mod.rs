//! [`Monitor`]: the one value a host keeps and the adapters take. It owns
//! the collector, the error log, the alert router, labelled counters, the
//! host's HTTP request stats, the event bus, operator actions, the audit
//! log, persistence and the process's resources, wired together.

mod activities;
mod builder;
mod persistence;
mod queues;
mod replace;
mod summary;
mod tasks;
mod trend;
mod wiring;

pub use activities::MAX_ACTIVITY_KINDS;
pub use builder::{
    DEFAULT_METRICS_INTERVAL, DEFAULT_QUEUE_STATS_INTERVAL, DEFAULT_SNAPSHOT_INTERVAL,
    MonitorBuilder,
};
pub use persistence::{PersistStatus, RestoreOutcome};
pub use queues::{MAX_QUEUES, OTHER_QUEUE};
pub use replace::RestoreSummary;

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::task::JoinHandle;

use crate::actions::Actions;
use crate::activity::ActivityTracker;
use crate::alerts::AlertHandle;
use crate::analytics::{Analytics, HeatmapReport, TopUsers};
use crate::audit::AuditLog;
use crate::bus::{Channel, EventBus, EventData, MessageEvent, MonitorEvent};
use crate::clock::Clock;
use crate::collector::MetricsCollector;
use crate::counters::{EventCounter, EventCounters};
use crate::errors::{ErrorEvent, ErrorLog, Logged};
use crate::health::{Health, PoolFigures, PoolStats};
use crate::persist::SnapshotError;
use crate::queue::QueueHandle;
use crate::requests::RequestStats;
use crate::system::{Sampler, SystemStats};
use activities::Activities;
use persistence::Persistence;
use queues::Queues;

/// The monitor: cheap to clone (an `Arc` inside), every clone the same.
///
/// ```
/// use monitor_core::Monitor;
/// use monitor_core::bus::{Audience, ChannelSet};
/// use monitor_core::errors::ErrorEvent;
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let monitor = Monitor::builder().start()?;
/// let mut feed = monitor.bus().subscribe(Audience::Operators, ChannelSet::all())?;
///
/// monitor.record_message("user-42", Duration::from_millis(245));
/// monitor.events("buttons").record("UNLOCK_CONTENT");
/// monitor.log_error(ErrorEvent::new("db", "query", "Timeout", "took 31 s").client("acme"));
///
/// assert_eq!(monitor.collector().current_stats().messages.total, 1);
/// let event = feed.recv().await.expect("error:logged");
/// assert_eq!(event.event().event_type, "error:logged");
/// monitor.shutdown().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Monitor {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    clock: Clock,
    collector: MetricsCollector,
    analytics: Analytics,
    errors: ErrorLog,
    health: Health,
    activities: Activities,
    queues: Queues,
    pool: Option<Arc<dyn PoolStats>>,
    alerts: Option<AlertHandle>,
    counters: EventCounters,
    requests: RequestStats,
    bus: EventBus,
    actions: Actions,
    audit: AuditLog,
    persistence: Persistence,
    system: Sampler,
    cards: crate::trend::cards::CardHistory,
    anomaly_watch: Option<crate::trend::AnomalyWatch>,
    summaries: Option<Arc<crate::summary::Schedule>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Monitor {
    /// Starts configuring a monitor.
    pub fn builder() -> MonitorBuilder {
        MonitorBuilder::new()
    }

    /// Records one handled message (the collector's hot path).
    #[inline]
    pub fn record_message(&self, user_id: &str, response_time: Duration) {
        self.inner.collector.record_message(user_id, response_time);
    }

    /// Counts a handled message for [`top_users`](Self::top_users) (tenant,
    /// user, name) and publishes `message:new` for it (the text reaches
    /// operators only; skipped when no one listens). Call it once per
    /// message, beside [`record_message`](Self::record_message), which
    /// feeds everything else.
    pub fn publish_message(&self, client_id: Option<&str>, message: MessageEvent) {
        let i = &*self.inner;
        i.analytics
            .top_users
            .record(client_id, &message.user_id, message.user_name.as_deref());
        if i.bus.has_subscribers(Channel::Messages) {
            let data = EventData::Message(message);
            let at = i.clock.now();
            i.bus.publish(MonitorEvent::new(
                "message:new",
                Channel::Messages,
                client_id,
                at,
                data,
            ));
        }
    }

    /// Logs an error (classified, grouped, routed, published).
    pub fn log_error(&self, event: ErrorEvent) -> Logged {
        self.inner.errors.log(event)
    }

    /// The activity tracker of `kind` (`monitor.activities("call")`),
    /// created on first use (at most [`MAX_ACTIVITY_KINDS`] kinds; further
    /// kinds share the `__other__` tracker).
    pub fn activities(&self, kind: &str) -> ActivityTracker {
        self.inner.activities.get_or_create(kind)
    }

    /// The tracker of `kind` if it exists (readers should not create kinds).
    pub fn activity_kind(&self, kind: &str) -> Option<ActivityTracker> {
        self.inner.activities.get(kind)
    }

    /// Every activity tracker, by kind.
    pub fn activity_trackers(&self) -> Vec<ActivityTracker> {
        self.inner.activities.all()
    }

    /// The queue `name` (`monitor.queue("whatsapp")`), created on first
    /// use (at most [`MAX_QUEUES`]; further names, and names that are
    /// empty, over 64 bytes or with control characters, share the
    /// [`OTHER_QUEUE`], counted by [`queues_overflowed`](Self::queues_overflowed)).
    /// Keep the handle rather than looking it up per message.
    ///
    /// ```
    /// use monitor_core::Monitor;
    /// use monitor_core::queue::Enqueue;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let monitor = Monitor::builder().start()?;
    /// let whatsapp = monitor.queue("whatsapp");
    /// whatsapp.enqueue("msg-1", Enqueue::new().client("acme"));
    /// whatsapp.processing("msg-1");
    /// whatsapp.sent("msg-1");
    /// assert_eq!(monitor.find_queue("whatsapp").map(|q| q.stats().totals.sent), Some(1));
    /// # Ok(())
    /// # }
    /// ```
    pub fn queue(&self, name: &str) -> QueueHandle {
        self.inner.queues.get_or_create(name)
    }

    /// The queue `name` if it exists (readers should not create queues).
    pub fn find_queue(&self, name: &str) -> Option<QueueHandle> {
        self.inner.queues.get(name)
    }

    /// Every queue, by name.
    pub fn queues(&self) -> Vec<QueueHandle> {
        self.inner.queues.all()
    }

    /// Lookups of [`queue`](Self::queue) sent to the [`OTHER_QUEUE`] (past
    /// the cap, or an invalid name).
    pub fn queues_overflowed(&self) -> u64 {
        self.inner.queues.overflowed()
    }

    /// Publishes `queue:stats` now for every queue whose figures changed
    /// since its last one (it also runs every
    /// [`queue_stats_interval`](MonitorBuilder::queue_stats_interval)).
    /// Nothing when no one listens on `queue`; returns how many went out.
    pub fn publish_queue_stats(&self) -> usize {
        self.inner.queues.publish_stats()
    }

    /// Notes that `source` (a webhook, a worker) is alive now; see
    /// [`Health::heartbeat`]. Also the collector's last heartbeat.
    pub fn heartbeat(&self, source: &str) -> bool {
        self.inner.collector.heartbeat();
        self.inner.health.heartbeat(source)
    }

    /// Health: cached checks, heartbeats and thresholds.
    pub fn health(&self) -> &Health {
        &self.inner.health
    }

    /// Database pool figures, when a provider was configured.
    pub fn pool_stats(&self) -> Option<PoolFigures> {
        self.inner.pool.as_ref().map(|p| p.pool_stats())
    }

    /// The labelled counter family `name` (`monitor.events("buttons")`).
    pub fn events(&self, family: &str) -> EventCounter {
        self.inner.counters.family(family)
    }

    /// The message collector.
    pub fn collector(&self) -> &MetricsCollector {
        &self.inner.collector
    }

    /// The heaviest users over 24 h and 7 d, per tenant (fed by
    /// [`publish_message`](Self::publish_message); see
    /// [`crate::analytics`]).
    pub fn top_users(&self) -> &TopUsers {
        &self.inner.analytics.top_users
    }

    /// Messages by day of week × hour of day over the last `weeks` weeks
    /// (1 to 4), brought up to date with the collector first.
    pub fn heatmap(&self, weeks: usize) -> HeatmapReport {
        let i = &*self.inner;
        i.analytics.heatmap.sync_from(&i.collector);
        i.analytics.heatmap.report(i.clock.now(), weeks)
    }

    /// Top users and the heatmap together (for snapshots and summaries).
    pub fn analytics(&self) -> &Analytics {
        &self.inner.analytics
    }

    /// The error log.
    pub fn errors(&self) -> &ErrorLog {
        &self.inner.errors
    }

    /// The alert router, when one was configured.
    pub fn alerts(&self) -> Option<&AlertHandle> {
        self.inner.alerts.as_ref()
    }

    /// Every labelled counter family.
    pub fn counters(&self) -> &EventCounters {
        &self.inner.counters
    }

    /// The host's own HTTP requests per method and matched route (fed by
    /// monitor-axum's `RequestMetricsLayer`, or by [`RequestStats::record`]).
    pub fn requests(&self) -> &RequestStats {
        &self.inner.requests
    }

    /// The event bus.
    pub fn bus(&self) -> &EventBus {
        &self.inner.bus
    }

    /// Operator actions: register handlers, start runs, list them
    /// (see [`crate::actions`]).
    pub fn actions(&self) -> &Actions {
        &self.inner.actions
    }

    /// The audit log of state-changing requests (see [`crate::audit`]):
    /// `monitor.audit().record(AuditRecord::new(&role, "snapshot.restore"))`.
    pub fn audit(&self) -> &AuditLog {
        &self.inner.audit
    }

    /// The process's resources as last sampled by the monitor's periodic
    /// task (every [`MonitorBuilder::system_interval`]); cheap, no I/O.
    pub fn system(&self) -> SystemStats {
        self.inner.system.latest()
    }

    /// Samples the process's resources now and keeps the result as the
    /// latest. Blocking I/O (a few `/proc` reads, one `statvfs`): from
    /// async code, call it through `spawn_blocking`. The periodic task
    /// does this already; this is for tests and hosts on their own
    /// schedule.
    pub fn sample_system(&self) -> SystemStats {
        self.inner.system.sample()
    }

    /// The clock every part reads.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// Sets every part's series on the installed `metrics` recorder (call
    /// it before rendering `/metrics`).
    pub fn publish_metrics(&self) {
        let i = &*self.inner;
        i.collector.publish_metrics();
        i.analytics.top_users.publish_metrics();
        i.errors.publish_metrics();
        i.counters.publish_metrics();
        i.requests.publish_metrics();
        i.bus.publish_metrics();
        i.health.publish_metrics();
        i.actions.publish_metrics();
        i.audit.publish_metrics();
        if let Some(s) = &i.summaries {
            s.publish_metrics();
        }
        for tracker in i.activities.all() {
            tracker.publish_metrics();
        }
        for queue in i.queues.all() {
            queue.publish_metrics();
        }
        metrics::describe_counter!(
            "monitor_queues_overflowed_total",
            metrics::Unit::Count,
            "Queue lookups sent to the __other__ queue (past the cap or an invalid name)."
        );
        metrics::counter!("monitor_queues_overflowed_total").absolute(i.queues.overflowed());
        if let Some(alerts) = &i.alerts {
            alerts.publish_metrics();
        }
        i.persistence.publish_metrics();
        i.system.publish_metrics();
    }

    /// Publishes `metrics:update` now (it also goes out every interval).
    pub fn publish_metrics_update(&self) {
        tasks::publish_metrics_update(self);
    }

    /// Stops the background tasks, writes a final snapshot (when
    /// persistence is on) and closes the bus. Other clones keep working
    /// as plain data structures.
    pub async fn shutdown(&self) -> Result<(), SnapshotError> {
        for task in self.inner.tasks.lock().drain(..) {
            task.abort();
        }
        self.inner.health.shutdown();
        let me = self.clone();
        let saved = tokio::task::spawn_blocking(move || me.save_snapshot()).await;
        self.inner.bus.close();
        match saved {
            Ok(result) => result.map(|_| ()),
            Err(join) => Err(SnapshotError::Encode(format!(
                "snapshot task failed: {join}"
            ))),
        }
    }
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor")
            .field("collector", &self.inner.collector)
            .field("errors", &self.inner.errors)
            .field("bus", &self.inner.bus)
            .finish_non_exhaustive()
    }
}
