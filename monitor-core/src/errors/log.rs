//! [`ErrorLog`]: the bounded, queryable log of errors and their groups.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use parking_lot::Mutex;

use super::counts::ErrorCounts;
use super::group::{Group, GroupKey, GroupView};
use super::hygiene::{Limits, clean, clean_context};
use super::record::ErrorRecord;
use super::{ErrorClassifier, ErrorEvent, RuleClassifier, Severity, fingerprint};
use crate::clock::{Clock, from_unix_ms};
use crate::ring::RingBuffer;

/// Default number of errors kept.
pub const DEFAULT_CAPACITY: usize = 8_192;
/// Default number of groups tracked.
pub const DEFAULT_MAX_GROUPS: usize = 10_000;
/// Fingerprint of the group that takes errors once `max_groups` is reached.
pub const OVERFLOW_FINGERPRINT: &str = "__other__";

/// What happened in the log, for listeners (alert routing, the event bus).
#[derive(Clone, Debug)]
pub enum LogNotice {
    /// An error was logged; `regressed` when it re-opened a resolved group.
    Logged {
        /// The stored record.
        record: Arc<ErrorRecord>,
        /// It fired a resolved group again.
        regressed: bool,
    },
    /// An operator resolved a group.
    Resolved(GroupView),
    /// A tenant acknowledged a group.
    Acknowledged(GroupView),
}

type Listener = Arc<dyn Fn(&LogNotice) + Send + Sync>;

/// The outcome of [`ErrorLog::log`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    /// The record's id.
    pub id: u64,
    /// Its group's fingerprint.
    pub fingerprint: String,
    /// The severity it was given.
    pub severity: Severity,
    /// It fired a resolved group again.
    pub regressed: bool,
}

/// No error with that id is still in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no error with id {0} in the log")]
pub struct NotFound(pub u64);

/// The log's own bookkeeping: what its bounds cut.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LogCounters {
    /// Errors logged.
    pub logged: u64,
    /// Errors pushed out of the log by newer ones (their counts remain).
    pub evicted: u64,
    /// Fields truncated or stripped of control characters.
    pub cleaned_fields: u64,
    /// Errors filed under the overflow group because `max_groups` was
    /// reached.
    pub overflowed_groups: u64,
}

struct State {
    groups: HashMap<GroupKey, Arc<Group>>,
    counts: ErrorCounts,
    overflowed: u64,
    last_prune_ms: u64,
}

pub(crate) struct Inner {
    pub(crate) clock: Clock,
    limits: Limits,
    max_groups: usize,
    classifier: Box<dyn ErrorClassifier>,
    pub(crate) entries: RingBuffer<Arc<ErrorRecord>>,
    next_id: AtomicU64,
    state: Mutex<State>,
    listeners: Vec<Listener>,
    cleaned: AtomicU64,
}

/// A bounded log of errors with grouping, queries and a resolve /
/// acknowledge workflow. Cheap to clone (an `Arc` inside).
///
/// Logging never waits on readers (records live in a lock-free
/// [`RingBuffer`]) nor on alert sinks (listeners only enqueue).
///
/// ```
/// use monitor_core::errors::{ErrorEvent, ErrorLog, ErrorQuery, GroupStatus, Severity};
///
/// let log = ErrorLog::builder().build();
/// let first = log.log(ErrorEvent::new("db", "query", "Timeout", "took 31 s"));
/// assert_eq!(first.severity, Severity::Error); // the default classifier's fallback
/// log.resolve(first.id).expect("still in the log");
/// let again = log.log(ErrorEvent::new("db", "query", "Timeout", "took 45 s"));
/// assert!(again.regressed);
///
/// let page = log.query(&ErrorQuery::parse([("service", "db"), ("resolved", "false")])?);
/// assert_eq!(page.total, 1);
/// assert_eq!(page.errors[0].status, GroupStatus::Regressed);
/// # Ok::<(), monitor_core::errors::QueryError>(())
/// ```
#[derive(Clone)]
pub struct ErrorLog {
    pub(crate) inner: Arc<Inner>,
}

/// Settings for an [`ErrorLog`].
pub struct ErrorLogBuilder {
    clock: Option<Clock>,
    capacity: usize,
    max_groups: usize,
    limits: Limits,
    classifier: Box<dyn ErrorClassifier>,
    listeners: Vec<Listener>,
}

impl ErrorLogBuilder {
    /// Reads time from `clock` (default: the system clock).
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = Some(clock.into());
        self
    }

    /// Keeps the last `capacity` errors (rounded up to a power of two;
    /// default 8192).
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// Tracks at most `max_groups` groups (default 10 000); errors of new
    /// groups beyond that share the overflow group, and are counted.
    pub fn max_groups(mut self, max_groups: usize) -> Self {
        self.max_groups = max_groups.max(1);
        self
    }

    /// Text and context bounds (default: 4 KiB messages).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Decides severities (default: [`RuleClassifier`] with no rules,
    /// everything [`Severity::Error`]).
    pub fn classifier(mut self, classifier: impl ErrorClassifier + 'static) -> Self {
        self.classifier = Box::new(classifier);
        self
    }

    /// Calls `listener` on every logged, resolved and acknowledged error.
    /// Listeners run on the logging thread: they must only enqueue.
    pub fn listener(mut self, listener: impl Fn(&LogNotice) + Send + Sync + 'static) -> Self {
        self.listeners.push(Arc::new(listener));
        self
    }

    /// The log.
    pub fn build(self) -> ErrorLog {
        ErrorLog {
            inner: Arc::new(Inner {
                clock: self.clock.unwrap_or_default(),
                limits: self.limits,
                max_groups: self.max_groups,
                classifier: self.classifier,
                entries: RingBuffer::new(self.capacity),
                next_id: AtomicU64::new(1),
                state: Mutex::new(State {
                    groups: HashMap::new(),
                    counts: ErrorCounts::new(),
                    overflowed: 0,
                    last_prune_ms: 0,
                }),
                listeners: self.listeners,
                cleaned: AtomicU64::new(0),
            }),
        }
    }
}

impl ErrorLog {
    /// Starts configuring a log.
    pub fn builder() -> ErrorLogBuilder {
        ErrorLogBuilder {
            clock: None,
            capacity: DEFAULT_CAPACITY,
            max_groups: DEFAULT_MAX_GROUPS,
            limits: Limits::default(),
            classifier: Box::new(RuleClassifier::default()),
            listeners: Vec::new(),
        }
    }

    /// Logs `event`: cleans it, classifies it (unless it carries its own
    /// severity), files it under its group and tells the listeners.
    pub fn log(&self, mut event: ErrorEvent) -> Logged {
        let inner = &*self.inner;
        let cleaned = inner.clean(&mut event);
        if cleaned > 0 {
            inner.cleaned.fetch_add(cleaned, Relaxed);
        }
        let severity = event
            .severity
            .unwrap_or_else(|| inner.classifier.classify(&event));
        let fingerprint = match event.fingerprint.take() {
            Some(f) => f,
            None => fingerprint(&event.service, &event.operation, &event.error_type),
        };
        let now_ms = inner.clock.now_ms();
        let id = inner.next_id.fetch_add(1, Relaxed);
        let key = GroupKey {
            fingerprint,
            client_id: event.client_id.clone(),
        };
        let group = inner.group_for(key, &event, severity, now_ms);
        let regressed = group.fire(id, now_ms, severity);
        let record = Arc::new(ErrorRecord {
            id,
            timestamp: from_unix_ms(now_ms),
            fingerprint: group.key.fingerprint.clone(),
            service: event.service,
            operation: event.operation,
            error_type: event.error_type,
            message: event.message,
            severity,
            client_id: event.client_id,
            context: event.context,
            group,
        });
        inner.entries.push(Arc::clone(&record));
        let logged = Logged {
            id,
            fingerprint: record.fingerprint.clone(),
            severity,
            regressed,
        };
        inner.tell(&LogNotice::Logged { record, regressed });
        logged
    }

    /// The record with `id`, if it is still in the log.
    pub fn get(&self, id: u64) -> Option<Arc<ErrorRecord>> {
        let mut found = None;
        self.inner.entries.visit_latest(usize::MAX, |r| {
            if r.id == id {
                found = Some(Arc::clone(r));
            }
        });
        found
    }

    /// Resolves the group of error `id` (operator action). A later error in
    /// the group re-opens it as regressed.
    pub fn resolve(&self, id: u64) -> Result<GroupView, NotFound> {
        let record = self.get(id).ok_or(NotFound(id))?;
        let changed = record.group.resolve();
        let view = record.group.view();
        if changed {
            self.inner.tell(&LogNotice::Resolved(view.clone()));
        }
        Ok(view)
    }

    /// Acknowledges the group of error `id` (tenant action): seen, not
    /// fixed.
    pub fn acknowledge(&self, id: u64) -> Result<GroupView, NotFound> {
        let record = self.get(id).ok_or(NotFound(id))?;
        if record.group.acknowledge() {
            self.inner
                .tell(&LogNotice::Acknowledged(record.group.view()));
        }
        Ok(record.group.view())
    }

    /// Groups that are open or regressed, most recent first; only
    /// `client_id`'s when given.
    pub fn unresolved(&self, client_id: Option<&str>) -> Vec<GroupView> {
        let mut groups = Vec::new();
        self.for_each_group(|g| {
            if client_id.is_none_or(|c| g.key.client_id.as_deref() == Some(c))
                && g.status() != super::GroupStatus::Resolved
            {
                groups.push(g.view());
            }
        });
        groups.sort_by_key(|g| std::cmp::Reverse(g.last_seen));
        groups
    }

    /// Calls `f` on every tracked group, under the state lock.
    pub(crate) fn for_each_group(&self, mut f: impl FnMut(&Group)) {
        for g in self.inner.state.lock().groups.values() {
            f(g);
        }
    }

    /// What the log's bounds have cut so far.
    pub fn counters(&self) -> LogCounters {
        let inner = &*self.inner;
        LogCounters {
            logged: inner.entries.total_pushed(),
            evicted: inner.entries.overwritten(),
            cleaned_fields: inner.cleaned.load(Relaxed),
            overflowed_groups: inner.state.lock().overflowed,
        }
    }

    /// Runs `f` over the error counters under the state lock.
    pub(crate) fn with_counts<R>(&self, f: impl FnOnce(&ErrorCounts) -> R) -> R {
        f(&self.inner.state.lock().counts)
    }

    /// Every record still in the log, oldest first.
    pub(crate) fn records(&self) -> Vec<Arc<ErrorRecord>> {
        self.inner.entries.snapshot()
    }
}

impl Inner {
    /// Applies the limits; returns how many fields were changed.
    fn clean(&self, e: &mut ErrorEvent) -> u64 {
        let l = &self.limits;
        let mut cuts = 0;
        for name in [&mut e.service, &mut e.operation, &mut e.error_type] {
            cuts += u64::from(clean(name, l.name_bytes, false));
            if name.is_empty() {
                name.push_str("unknown");
            }
        }
        cuts += u64::from(clean(&mut e.message, l.message_bytes, true));
        if let Some(client) = &mut e.client_id {
            cuts += u64::from(clean(client, l.name_bytes, false));
        }
        if let Some(f) = &mut e.fingerprint {
            cuts += u64::from(clean(f, l.name_bytes, false));
        }
        if e.client_id.as_deref() == Some("") {
            e.client_id = None;
        }
        if e.fingerprint.as_deref() == Some("") {
            e.fingerprint = None;
        }
        cuts + clean_context(&mut e.context, l)
    }

    /// The group for `key`, created if needed; past `max_groups`, groups no
    /// record points to any more are dropped first (at most once a
    /// minute), and if still full the overflow group takes the error.
    fn group_for(
        &self,
        key: GroupKey,
        e: &ErrorEvent,
        severity: Severity,
        now_ms: u64,
    ) -> Arc<Group> {
        let mut state = self.state.lock();
        state.counts.add(now_ms, severity, &e.service);
        if let Some(g) = state.groups.get(&key) {
            return Arc::clone(g);
        }
        if state.groups.len() >= self.max_groups && now_ms >= state.last_prune_ms + 60_000 {
            state.last_prune_ms = now_ms;
            state.groups.retain(|_, g| Arc::strong_count(g) > 1);
        }
        let key = if state.groups.len() < self.max_groups {
            key
        } else {
            state.overflowed += 1;
            GroupKey {
                fingerprint: OVERFLOW_FINGERPRINT.to_owned(),
                client_id: None,
            }
        };
        let group = state.groups.entry(key).or_insert_with_key(|key| {
            Arc::new(Group::new(
                key.clone(),
                &e.service,
                &e.operation,
                &e.error_type,
                now_ms,
            ))
        });
        Arc::clone(group)
    }

    fn tell(&self, notice: &LogNotice) {
        for listener in &self.listeners {
            listener(notice);
        }
    }
}

impl std::fmt::Debug for ErrorLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrorLog")
            .field("counters", &self.counters())
            .finish_non_exhaustive()
    }
}
