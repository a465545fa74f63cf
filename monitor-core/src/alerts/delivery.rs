//! The router's task: one owner of all group state, driven by commands
//! from the handles and by timers; every delivery runs on its own task
//! with a timeout and retries, so one slow sink delays nobody.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;
use std::sync::atomic::Ordering::{Relaxed, Release};
use std::time::{Duration, SystemTime};

use tokio::sync::{Semaphore, mpsc};
use tokio::time::{Instant, sleep, sleep_until, timeout};

use super::pause::Pause;
use super::route::select;
use super::router::{RetryPolicy, Shared};
use super::stats::SinkCounters;
use super::{Alert, AlertInput, AlertSink, AlertStatus, Route, SinkError};
use crate::errors::group::Group;
use crate::errors::{GroupKey, Severity};

/// How often the router looks at its queue.
pub(crate) const POLL: Duration = Duration::from_millis(25);

/// What the handles send.
pub(crate) enum Command {
    /// One occurrence of anything.
    Fire(Box<AlertInput>),
    /// An error group fired at least once since it was last queued; its
    /// own counters say how often. `marked_count` is its count when it was
    /// queued, `summary` and `severity` those of that first error.
    Group {
        group: Arc<Group>,
        marked_count: u64,
        summary: String,
        severity: Severity,
    },
    Resolve(GroupKey),
}

/// A sink with its counters and its backlog.
pub(crate) struct SinkRuntime {
    pub(crate) name: String,
    sink: Arc<dyn AlertSink>,
    pub(crate) counters: Arc<SinkCounters>,
    backlog: mpsc::Sender<Arc<Alert>>,
}

fn same_sink(a: &Arc<dyn AlertSink>, b: &Arc<dyn AlertSink>) -> bool {
    std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
}

/// Told of every notification a sink accepted.
pub(crate) type SentHook = Arc<dyn Fn(&Alert, &str) + Send + Sync>;

/// How many notifications a sink may have waiting, and in flight at once,
/// how to retry, and whom to tell of a delivery.
#[derive(Clone)]
pub(crate) struct SinkLimits {
    pub(crate) backlog: usize,
    pub(crate) in_flight: usize,
    pub(crate) retry: RetryPolicy,
    pub(crate) on_sent: Option<SentHook>,
}

/// One runtime per distinct sink (a sink shared by routes counts once),
/// with names made unique for the counters, each drained by its own
/// dispatcher task on `runtime`.
pub(crate) fn sink_runtimes(
    routes: &[Route],
    limits: SinkLimits,
    runtime: &tokio::runtime::Handle,
) -> Vec<SinkRuntime> {
    let mut out: Vec<SinkRuntime> = Vec::new();
    for sink in routes.iter().flat_map(|r| &r.sinks) {
        if out.iter().any(|s| same_sink(&s.sink, sink)) {
            continue;
        }
        let base = sink.name().to_owned();
        let mut name = base.clone();
        let mut n = 2;
        while out.iter().any(|s| s.name == name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        let (backlog, waiting) = mpsc::channel(limits.backlog.max(1));
        let runtime_sink = SinkRuntime {
            name,
            sink: Arc::clone(sink),
            counters: Arc::default(),
            backlog,
        };
        runtime.spawn(dispatch(
            Arc::clone(sink),
            runtime_sink.name.clone(),
            Arc::clone(&runtime_sink.counters),
            waiting,
            limits.clone(),
        ));
        out.push(runtime_sink);
    }
    out
}

/// Drains one sink's backlog, at most `in_flight` deliveries at a time.
async fn dispatch(
    sink: Arc<dyn AlertSink>,
    name: String,
    counters: Arc<SinkCounters>,
    mut waiting: mpsc::Receiver<Arc<Alert>>,
    limits: SinkLimits,
) {
    let permits = Arc::new(Semaphore::new(limits.in_flight.max(1)));
    let pause = Arc::new(Pause::default());
    while let Some(alert) = waiting.recv().await {
        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
            return;
        };
        let (sink, name, counters) = (Arc::clone(&sink), name.clone(), Arc::clone(&counters));
        let on_sent = limits.on_sent.clone();
        let pause = Arc::clone(&pause);
        tokio::spawn(async move {
            let sent = deliver(&*sink, &name, &counters, &pause, &alert, limits.retry).await;
            drop(permit);
            if let (true, Some(hook)) = (sent, on_sent) {
                hook(&alert, &name);
            }
        });
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Notify,
    Refresh,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Timer {
    at: Instant,
    key: GroupKey,
    route: usize,
    kind: Kind,
    generation: u64,
}

struct RouteState {
    route: usize,
    notified: bool,
    unsent: u64,
    last_sent: Option<Instant>,
    due: Instant,
    generation: u64,
    refresh_generation: u64,
}

struct GroupState {
    input: AlertInput,
    severity: Severity,
    first_seen: SystemTime,
    last_seen: SystemTime,
    last_seen_at: Instant,
    total: u64,
    /// For error groups: the group's own count last time it was read.
    source_count: Option<u64>,
    resolved_at: Option<SystemTime>,
    routes: Vec<RouteState>,
}

pub(crate) struct Task {
    routes: Vec<Route>,
    /// For each route, its sinks' indexes in `sinks`.
    route_sinks: Vec<Vec<usize>>,
    /// For each route, how often its refresh-asking sinks want firing
    /// alerts again.
    route_refresh: Vec<Option<Duration>>,
    sinks: Vec<SinkRuntime>,
    shared: Arc<Shared>,
    /// This router's bit in every error group's `pending` mask.
    bit: u64,
    max_groups: usize,
    resolve_after: Option<Duration>,
    groups: rapidhash::RapidHashMap<GroupKey, GroupState>,
    timers: BinaryHeap<Reverse<Timer>>,
    /// Source of timer generations, unique for the task's life, so a
    /// timer left from an earlier episode never matches a later state.
    generations: u64,
    next_sweep: Option<Instant>,
}

impl Task {
    pub(crate) fn new(
        routes: Vec<Route>,
        sinks: Vec<SinkRuntime>,
        shared: Arc<Shared>,
        bit: u64,
        max_groups: usize,
        resolve_after: Option<Duration>,
    ) -> Self {
        let route_sinks = routes
            .iter()
            .map(|r| {
                r.sinks
                    .iter()
                    .filter_map(|s| sinks.iter().position(|rt| same_sink(&rt.sink, s)))
                    .collect()
            })
            .collect();
        let route_refresh = routes
            .iter()
            .map(|r| r.sinks.iter().filter_map(|s| s.refresh_interval()).min())
            .collect();
        Task {
            routes,
            route_sinks,
            route_refresh,
            sinks,
            shared,
            bit,
            max_groups,
            resolve_after,
            groups: rapidhash::RapidHashMap::default(),
            timers: BinaryHeap::new(),
            generations: 0,
            next_sweep: resolve_after
                .map(|after| Instant::now() + after.min(Duration::from_secs(60))),
        }
    }

    /// Drains the queue every [`POLL`] (or sooner when a timer is due).
    /// Loggers never wake this task: a wake-up per error would cost each
    /// logger a system call, and nothing here needs a reaction faster than
    /// the poll.
    pub(crate) async fn run(mut self, mut rx: mpsc::Receiver<Command>) {
        loop {
            loop {
                match rx.try_recv() {
                    Ok(Command::Fire(input)) => self.fire(*input, 1, None),
                    Ok(Command::Group {
                        group,
                        marked_count,
                        summary,
                        severity,
                    }) => self.fire_group(&group, marked_count, summary, severity),
                    Ok(Command::Resolve(key)) => self.resolve(&key),
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => return,
                }
            }
            self.fire_due_timers();
            let poll = Instant::now() + POLL;
            let next = self
                .timers
                .peek()
                .map(|Reverse(t)| t.at)
                .into_iter()
                .chain(self.next_sweep)
                .fold(poll, Instant::min);
            sleep_until(next).await;
        }
    }

    /// Reads an error group's counters: everything it fired since the
    /// router last looked counts now.
    fn fire_group(
        &mut self,
        group: &Group,
        marked_count: u64,
        summary: String,
        severity: Severity,
    ) {
        // Clear first: an error arriving from now on queues the group again,
        // and whatever this read includes, the next read will not repeat.
        group.clear_pending(self.bit);
        let count = group.count();
        let severity = group
            .take_window_severity()
            .map_or(severity, |w| w.max(severity));
        let previous = self
            .groups
            .get(&group.key)
            .and_then(|g| g.source_count)
            .unwrap_or(marked_count.saturating_sub(1));
        let input = AlertInput {
            key: group.key.clone(),
            service: Arc::clone(&group.service),
            operation: Arc::clone(&group.operation),
            error_type: Arc::clone(&group.error_type),
            severity,
            summary,
        };
        self.fire(input, count.saturating_sub(previous).max(1), Some(count));
    }

    /// Counts `n` occurrences of `input`'s group.
    fn fire(&mut self, input: AlertInput, n: u64, source_count: Option<u64>) {
        let now = Instant::now();
        let wall = self.shared.clock.now();
        if !self.groups.contains_key(&input.key) && self.groups.len() >= self.max_groups {
            self.evict_oldest();
        }
        let key = input.key.clone();
        let group = self
            .groups
            .entry(key.clone())
            .or_insert_with(|| GroupState {
                input: input.clone(),
                severity: input.severity,
                first_seen: wall,
                last_seen: wall,
                last_seen_at: now,
                total: 0,
                source_count: None,
                resolved_at: None,
                routes: Vec::new(),
            });
        if group.resolved_at.is_some() {
            // Fired again after resolving: a new episode.
            group.resolved_at = None;
            group.total = 0;
            group.first_seen = wall;
            group.last_seen = wall;
            group.severity = input.severity;
            group.routes.clear();
        }
        group.total += n;
        group.source_count = source_count.or(group.source_count);
        // A wall clock stepped back never moves an alert's times backwards
        // (Alertmanager refuses an alert that ends before it starts).
        group.last_seen = group.last_seen.max(wall);
        group.last_seen_at = now;
        group.severity = group.severity.max(input.severity);
        let mut schedule = Vec::new();
        // Routes are chosen on every occurrence: a group that starts as a
        // warning no route takes and escalates to critical reaches the
        // critical routes then.
        for route in select(&self.routes, &input) {
            if group.routes.iter().any(|rs| rs.route == route) {
                continue;
            }
            let due = now + self.routes[route].timing.group_wait;
            self.generations += 1;
            group.routes.push(RouteState {
                route,
                notified: false,
                unsent: 0,
                last_sent: None,
                due,
                generation: self.generations,
                refresh_generation: 0,
            });
            schedule.push((route, due, self.generations));
        }
        for rs in &mut group.routes {
            rs.unsent += n;
            if let Some(last) = rs.last_sent {
                let at = (last + self.routes[rs.route].timing.group_interval).max(now);
                if at < rs.due {
                    self.generations += 1;
                    rs.due = at;
                    rs.generation = self.generations;
                    schedule.push((rs.route, at, rs.generation));
                }
            }
        }
        group.input = input;
        for (route, at, generation) in schedule {
            self.push(at, key.clone(), route, Kind::Notify, generation);
        }
    }

    fn resolve(&mut self, key: &GroupKey) {
        let now = Instant::now();
        let wall = self.shared.clock.now();
        let Some(group) = self.groups.get_mut(key) else {
            return;
        };
        if group.resolved_at.is_some() {
            return;
        }
        group.resolved_at = Some(wall.max(group.last_seen));
        group.routes.retain(|rs| rs.notified);
        let mut schedule = Vec::new();
        for rs in &mut group.routes {
            let interval = self.routes[rs.route].timing.group_interval;
            rs.due = rs.last_sent.map_or(now, |last| (last + interval).max(now));
            self.generations += 1;
            rs.generation = self.generations;
            schedule.push((rs.route, rs.due, rs.generation));
        }
        if group.routes.is_empty() {
            self.groups.remove(key);
        }
        for (route, at, generation) in schedule {
            self.push(at, key.clone(), route, Kind::Notify, generation);
        }
    }

    fn push(&mut self, at: Instant, key: GroupKey, route: usize, kind: Kind, generation: u64) {
        self.timers.push(Reverse(Timer {
            at,
            key,
            route,
            kind,
            generation,
        }));
    }

    fn fire_due_timers(&mut self) {
        let now = Instant::now();
        while self.timers.peek().is_some_and(|Reverse(t)| t.at <= now) {
            if let Some(Reverse(timer)) = self.timers.pop() {
                match timer.kind {
                    Kind::Notify => self.notify(&timer),
                    Kind::Refresh => self.refresh(&timer),
                }
            }
        }
        if let (Some(at), Some(after)) = (self.next_sweep, self.resolve_after)
            && at <= now
        {
            self.next_sweep = Some(now + after.min(Duration::from_secs(60)));
            let quiet: Vec<GroupKey> = self
                .groups
                .iter()
                .filter(|(_, g)| g.resolved_at.is_none() && g.last_seen_at + after <= now)
                .map(|(k, _)| k.clone())
                .collect();
            for key in quiet {
                self.resolve(&key);
            }
        }
    }

    fn notify(&mut self, timer: &Timer) {
        let now = Instant::now();
        let wall = self.shared.clock.now();
        let Some(group) = self.groups.get_mut(&timer.key) else {
            return;
        };
        let Some(pos) = group.routes.iter().position(|rs| rs.route == timer.route) else {
            return;
        };
        if group.routes[pos].generation != timer.generation {
            return; // rescheduled since
        }
        let route = &self.routes[timer.route];
        if group.resolved_at.is_some() {
            let alert = build(group, &group.routes[pos], route, AlertStatus::Resolved);
            group.routes.remove(pos);
            if group.routes.is_empty() {
                self.groups.remove(&timer.key);
            }
            self.send(timer.route, alert, false);
            return;
        }
        let silenced = self
            .shared
            .silences
            .read()
            .iter()
            .any(|s| s.mutes(&group.input, wall));
        let rs = &mut group.routes[pos];
        self.generations += 1;
        rs.generation = self.generations;
        if silenced {
            self.shared.silenced.fetch_add(1, Relaxed);
            rs.due = now + route.timing.group_interval;
            let (at, generation) = (rs.due, rs.generation);
            self.push(at, timer.key.clone(), timer.route, Kind::Notify, generation);
            return;
        }
        let first = !rs.notified;
        let alert = build(group, &group.routes[pos], route, AlertStatus::Firing);
        let rs = &mut group.routes[pos];
        rs.notified = true;
        rs.unsent = 0;
        rs.last_sent = Some(now);
        rs.due = now + route.timing.repeat_interval;
        let (at, generation) = (rs.due, rs.generation);
        let refresh = self.route_refresh[timer.route].filter(|_| first);
        if refresh.is_some() {
            self.generations += 1;
            rs.refresh_generation = self.generations;
        }
        let refresh_generation = rs.refresh_generation;
        self.push(at, timer.key.clone(), timer.route, Kind::Notify, generation);
        if let Some(every) = refresh {
            self.push(
                now + every,
                timer.key.clone(),
                timer.route,
                Kind::Refresh,
                refresh_generation,
            );
        }
        self.send(timer.route, alert, false);
    }

    fn refresh(&mut self, timer: &Timer) {
        let now = Instant::now();
        let Some(group) = self.groups.get(&timer.key) else {
            return;
        };
        let Some(rs) = group.routes.iter().find(|rs| rs.route == timer.route) else {
            return;
        };
        if group.resolved_at.is_some() || !rs.notified || rs.refresh_generation != timer.generation
        {
            return;
        }
        let alert = build(group, rs, &self.routes[timer.route], AlertStatus::Firing);
        if let Some(every) = self.route_refresh[timer.route] {
            self.push(
                now + every,
                timer.key.clone(),
                timer.route,
                Kind::Refresh,
                timer.generation,
            );
        }
        self.send(timer.route, alert, true);
    }

    /// Queues `alert` for each sink of `route` (only those asking for
    /// refreshes when `refresh_only`); a full backlog drops and counts.
    fn send(&self, route: usize, alert: Alert, refresh_only: bool) {
        let alert = Arc::new(alert);
        for &i in &self.route_sinks[route] {
            let sink = &self.sinks[i];
            if refresh_only && sink.sink.refresh_interval().is_none() {
                continue;
            }
            if sink.backlog.try_send(Arc::clone(&alert)).is_err() {
                sink.counters.dropped.fetch_add(1, Relaxed);
            }
        }
    }

    fn evict_oldest(&mut self) {
        let oldest = self
            .groups
            .iter()
            .min_by_key(|(_, g)| g.last_seen_at)
            .map(|(k, _)| k.clone());
        if let Some(key) = oldest {
            self.groups.remove(&key);
            self.shared.evicted.fetch_add(1, Relaxed);
        }
    }
}

fn build(group: &GroupState, rs: &RouteState, route: &Route, status: AlertStatus) -> Alert {
    let input = &group.input;
    Alert {
        status,
        route: route.name.clone(),
        fingerprint: input.key.fingerprint.to_string(),
        client_id: input.key.client_id.as_deref().map(str::to_owned),
        service: input.service.to_string(),
        operation: input.operation.to_string(),
        error_type: input.error_type.to_string(),
        severity: group.severity,
        summary: input.summary.clone(),
        count: group.total,
        new_since_last: rs.unsent,
        starts_at: group.first_seen,
        last_seen: group.last_seen,
        ends_at: group.resolved_at,
    }
}

/// Tries `alert` on `sink` until it is delivered, fails for good or the
/// attempts run out; counts the outcome and says whether it was sent. No
/// attempt starts while the sink is paused by a `Retry-After`.
async fn deliver(
    sink: &dyn AlertSink,
    name: &str,
    counters: &SinkCounters,
    pause: &Pause,
    alert: &Alert,
    retry: RetryPolicy,
) -> bool {
    for attempt in 1..=retry.attempts.max(1) {
        pause.wait().await;
        let result = match timeout(retry.timeout, sink.send(alert)).await {
            Ok(result) => result,
            Err(_) => Err(SinkError::Timeout(retry.timeout)),
        };
        let error = match result {
            Ok(()) => {
                counters.sent.fetch_add(1, Relaxed);
                return true;
            }
            Err(e) => e,
        };
        if !error.retryable() || attempt >= retry.attempts {
            tracing::warn!(
                target: "monitor_core::alerts",
                sink = %name, attempts = attempt, error = %error,
                "alert delivery failed"
            );
            // The error first, then the count (Release, read with Acquire
            // in `snapshot`): stats showing a failure show its error.
            *counters.last_error.lock() = Some(error.to_string());
            counters.failed.fetch_add(1, Release);
            return false;
        }
        counters.retried.fetch_add(1, Relaxed);
        let wait = backoff(&retry, attempt, error.retry_after());
        if error.retry_after().is_some() {
            // The destination asked for quiet: every delivery to it waits.
            pause.extend_to(Instant::now() + wait);
        }
        sleep(wait).await;
    }
    false
}

/// `base * 2^(attempt-1)` capped, half of it random ("equal jitter"), or
/// the destination's `Retry-After`, capped.
fn backoff(retry: &RetryPolicy, attempt: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(asked) = retry_after {
        return asked.min(retry.max_retry_after);
    }
    let exp = retry
        .base
        .saturating_mul(
            1u32.checked_shl(attempt.saturating_sub(1))
                .unwrap_or(u32::MAX),
        )
        .min(retry.max_backoff);
    exp / 2 + exp.mul_f64(rand::random::<f64>() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_caps_and_honours_retry_after() {
        let retry = RetryPolicy::default();
        for attempt in 1..=10 {
            let exp = (retry.base * 2u32.pow(attempt - 1)).min(retry.max_backoff);
            let d = backoff(&retry, attempt, None);
            assert!(d >= exp / 2 && d <= exp, "attempt {attempt}: {d:?}");
        }
        assert_eq!(
            backoff(&retry, 1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            backoff(&retry, 1, Some(Duration::from_secs(9_999))),
            retry.max_retry_after
        );
    }
}
