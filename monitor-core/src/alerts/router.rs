//! [`AlertRouter`] (configuration) and [`AlertHandle`] (the running router).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, SystemTime};

use parking_lot::RwLock;
use tokio::sync::mpsc;

use super::delivery::{self, Command};
use super::silence::{MAX_SILENCES, SilenceError};
use super::stats::{AlertStats, SinkCounters};
use super::{AlertInput, MAX_SUMMARY_CHARS, Matcher, Route, Silence};
use crate::clock::Clock;
use crate::errors::{GroupKey, LogNotice};

/// Default capacity of the router's queue.
pub const DEFAULT_QUEUE: usize = 4_096;
/// Default number of groups the router tracks.
pub const DEFAULT_MAX_GROUPS: usize = 10_000;
/// Default notifications in flight per sink at once.
pub const DEFAULT_IN_FLIGHT: usize = 8;
/// Default notifications waiting per sink before more are dropped.
pub const DEFAULT_BACKLOG: usize = 256;

/// How a failing delivery is retried: up to `attempts` tries, each bounded
/// by `timeout`, waiting `base * 2^n` (capped at `max_backoff`, half of it
/// random) between them, or what a `Retry-After` asks (capped at
/// `max_retry_after`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all (default 4).
    pub attempts: u32,
    /// Bound on each try (default 10 s).
    pub timeout: Duration,
    /// First backoff (default 500 ms).
    pub base: Duration,
    /// Longest backoff (default 30 s).
    pub max_backoff: Duration,
    /// Longest `Retry-After` honoured (default 5 min).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            timeout: Duration::from_secs(10),
            base: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
        }
    }
}

/// The routing configuration; [`spawn`](AlertRouter::spawn) runs it.
///
/// ```
/// use monitor_core::alerts::{AlertRouter, LogSink, Route};
/// use monitor_core::errors::{ErrorEvent, ErrorLog, Severity};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let alerts = AlertRouter::new()
///     .route(Route::new("critical").min_severity(Severity::Critical).sink(LogSink).continue_matching())
///     .route(Route::new("everything").sink(LogSink))
///     .spawn()
///     .expect("inside a tokio runtime");
/// let log = ErrorLog::builder().listener(alerts.listener()).build();
/// log.log(ErrorEvent::new("db", "query", "Down", "connection refused").severity(Severity::Critical));
/// # }
/// ```
pub struct AlertRouter {
    routes: Vec<Route>,
    queue: usize,
    max_groups: usize,
    in_flight: usize,
    backlog: usize,
    retry: RetryPolicy,
    resolve_after: Option<Duration>,
    clock: Option<Clock>,
    on_sent: Option<delivery::SentHook>,
}

impl std::fmt::Debug for AlertRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertRouter")
            .field("routes", &self.routes)
            .field("queue", &self.queue)
            .field("max_groups", &self.max_groups)
            .field("in_flight", &self.in_flight)
            .field("backlog", &self.backlog)
            .field("retry", &self.retry)
            .field("resolve_after", &self.resolve_after)
            .field("on_sent", &self.on_sent.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for AlertRouter {
    fn default() -> Self {
        Self::new()
    }
}

/// [`AlertRouter::spawn`] was called outside a tokio runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the alert router needs a tokio runtime to run in")]
pub struct NoRuntime;

impl AlertRouter {
    /// No routes yet: alerts go nowhere until routes are added.
    pub fn new() -> Self {
        AlertRouter {
            routes: Vec::new(),
            queue: DEFAULT_QUEUE,
            max_groups: DEFAULT_MAX_GROUPS,
            in_flight: DEFAULT_IN_FLIGHT,
            backlog: DEFAULT_BACKLOG,
            retry: RetryPolicy::default(),
            resolve_after: Some(Duration::from_secs(24 * 3_600)),
            clock: None,
            on_sent: None,
        }
    }

    /// Appends a route (earlier routes are tried first).
    pub fn route(mut self, route: Route) -> Self {
        self.routes.push(route);
        self
    }

    /// Capacity of the queue between loggers and the router (default
    /// 4096); occurrences beyond it are dropped and counted.
    pub fn queue_capacity(mut self, capacity: usize) -> Self {
        self.queue = capacity.max(1);
        self
    }

    /// Most groups tracked at once (default 10 000); beyond, the least
    /// recently seen is forgotten and counted.
    pub fn max_groups(mut self, max: usize) -> Self {
        self.max_groups = max.max(1);
        self
    }

    /// Most deliveries to one sink at once (default 8); more wait in the
    /// sink's backlog.
    pub fn max_in_flight(mut self, max: usize) -> Self {
        self.in_flight = max.max(1);
        self
    }

    /// Most notifications waiting for one sink (default 256); beyond, new
    /// ones for that sink are dropped and counted, so a dead sink costs
    /// bounded memory.
    pub fn sink_backlog(mut self, max: usize) -> Self {
        self.backlog = max.max(1);
        self
    }

    /// How deliveries are retried.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// A firing group not seen for this long is resolved on its own
    /// (default 24 h; `None` keeps it firing until an operator resolves
    /// it). Errors are events, not states: without this, one error would
    /// repeat every `repeat_interval` forever.
    pub fn resolve_after(mut self, after: Option<Duration>) -> Self {
        self.resolve_after = after;
        self
    }

    /// Reads wall time (alert timestamps) from `clock`.
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = Some(clock.into());
        self
    }

    /// Calls `hook(alert, sink_name)` after each notification a sink
    /// accepted (the monitor publishes `alert:sent` this way). Runs on the
    /// delivery task: it must only enqueue.
    pub fn on_sent(mut self, hook: impl Fn(&super::Alert, &str) + Send + Sync + 'static) -> Self {
        self.on_sent = Some(Arc::new(hook));
        self
    }

    /// Starts the router on the current tokio runtime.
    pub fn spawn(self) -> Result<AlertHandle, NoRuntime> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| NoRuntime)?;
        // Each router owns one bit of an error group's "queued" mask (64
        // routers per process before two share a bit, which only costs a
        // little coalescing between them).
        static ROUTERS: AtomicUsize = AtomicUsize::new(0);
        let bit = 1u64 << (ROUTERS.fetch_add(1, Relaxed) % 64);
        let limits = delivery::SinkLimits {
            backlog: self.backlog,
            in_flight: self.in_flight,
            retry: self.retry,
            on_sent: self.on_sent,
        };
        let sinks = delivery::sink_runtimes(&self.routes, limits, &runtime);
        let shared = Arc::new(Shared {
            clock: self.clock.unwrap_or_default(),
            silences: RwLock::new(Vec::new()),
            next_silence: AtomicU64::new(1),
            queue_dropped: AtomicU64::new(0),
            silenced: AtomicU64::new(0),
            silences_refused: AtomicU64::new(0),
            evicted: AtomicU64::new(0),
            sinks: sinks
                .iter()
                .map(|s| (s.name.clone(), Arc::clone(&s.counters)))
                .collect(),
        });
        let (tx, rx) = mpsc::channel(self.queue);
        let task = delivery::Task::new(
            self.routes,
            sinks,
            Arc::clone(&shared),
            bit,
            self.max_groups,
            self.resolve_after,
        );
        runtime.spawn(task.run(rx));
        Ok(AlertHandle { tx, shared, bit })
    }
}

pub(crate) struct Shared {
    pub(crate) clock: Clock,
    pub(crate) silences: RwLock<Vec<Silence>>,
    next_silence: AtomicU64,
    pub(crate) queue_dropped: AtomicU64,
    pub(crate) silenced: AtomicU64,
    silences_refused: AtomicU64,
    pub(crate) evicted: AtomicU64,
    sinks: Vec<(String, Arc<SinkCounters>)>,
}

/// The running router: cheap to clone, never blocks.
#[derive(Clone)]
pub struct AlertHandle {
    tx: mpsc::Sender<Command>,
    shared: Arc<Shared>,
    bit: u64,
}

impl AlertHandle {
    /// Offers one occurrence. Returns `false` (and counts it) when the
    /// queue is full or the router stopped; never waits.
    pub fn notify(&self, input: AlertInput) -> bool {
        self.offer(Command::Fire(Box::new(input)))
    }

    /// Resolves a group: its routes send a resolved notice.
    pub fn resolve(&self, key: GroupKey) -> bool {
        self.offer(Command::Resolve(key))
    }

    fn offer(&self, command: Command) -> bool {
        let sent = self.tx.try_send(command).is_ok();
        if !sent {
            self.shared.queue_dropped.fetch_add(1, Relaxed);
        }
        sent
    }

    /// A listener for [`ErrorLogBuilder::listener`](crate::errors::ErrorLogBuilder::listener):
    /// logged errors fire their group, resolved groups resolve.
    ///
    /// An error only queues its group when the group is not queued
    /// already: a burst of one error costs the router one message, and a
    /// logger at most one small allocation per group per router poll.
    pub fn listener(&self) -> impl Fn(&LogNotice<'_>) + Send + Sync + 'static {
        let handle = self.clone();
        move |notice| match notice {
            LogNotice::Logged { record, .. } => {
                let group = &record.group;
                if group.mark_pending(handle.bit) {
                    let queued = handle.offer(Command::Group {
                        group: Arc::clone(group),
                        marked_count: group.count(),
                        summary: record.message.chars().take(MAX_SUMMARY_CHARS).collect(),
                        severity: record.severity,
                    });
                    if !queued {
                        group.clear_pending(handle.bit);
                    }
                }
            }
            LogNotice::Resolved(group) => {
                handle.resolve(GroupKey {
                    fingerprint: group.fingerprint.as_str().into(),
                    client_id: group.client_id.as_deref().map(Into::into),
                });
            }
            LogNotice::Acknowledged(_) => {}
        }
    }

    /// Mutes alerts matching `matcher` until `ends_at`; returns its id.
    /// Refused (and counted) when [`MAX_SILENCES`] are in force.
    pub fn silence(
        &self,
        matcher: Matcher,
        ends_at: SystemTime,
        comment: impl Into<String>,
    ) -> Result<u64, SilenceError> {
        let now = self.shared.clock.now();
        let mut silences = self.shared.silences.write();
        silences.retain(|s| s.ends_at > now);
        if silences.len() >= MAX_SILENCES {
            self.shared.silences_refused.fetch_add(1, Relaxed);
            return Err(SilenceError::TooMany {
                limit: MAX_SILENCES,
            });
        }
        let id = self.shared.next_silence.fetch_add(1, Relaxed);
        silences.push(Silence {
            id,
            matcher,
            ends_at,
            comment: comment.into(),
        });
        Ok(id)
    }

    /// Ends silence `id` early; `false` if there is none.
    pub fn unsilence(&self, id: u64) -> bool {
        let mut silences = self.shared.silences.write();
        let before = silences.len();
        silences.retain(|s| s.id != id);
        silences.len() < before
    }

    /// Silences still in force.
    pub fn silences(&self) -> Vec<Silence> {
        let now = self.shared.clock.now();
        self.shared
            .silences
            .read()
            .iter()
            .filter(|s| s.ends_at > now)
            .cloned()
            .collect()
    }

    /// Delivery counts so far.
    pub fn stats(&self) -> AlertStats {
        let s = &self.shared;
        AlertStats {
            queue_dropped: s.queue_dropped.load(Relaxed),
            silenced: s.silenced.load(Relaxed),
            silences_refused: s.silences_refused.load(Relaxed),
            evicted_groups: s.evicted.load(Relaxed),
            sinks: s.sinks.iter().map(|(name, c)| c.snapshot(name)).collect(),
        }
    }

    /// Sets the delivery counts on the installed `metrics` recorder.
    pub fn publish_metrics(&self) {
        self.stats().publish();
    }
}

impl std::fmt::Debug for AlertHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertHandle")
            .field("stats", &self.stats())
            .finish()
    }
}
