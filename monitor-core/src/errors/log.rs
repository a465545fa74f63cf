//! [`ErrorLog`]: the bounded, queryable log of errors and their groups.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use parking_lot::{Mutex, RwLock};
use rapidhash::RapidHashMap;

use super::counts::ErrorCounts;
use super::fingerprint::fingerprint_hash;
use super::group::{Group, GroupKey, GroupView};
use super::hygiene::{Limits, clean, clean_context};
use super::record::{ErrorRecord, ErrorView};
use super::{ErrorClassifier, ErrorEvent, RuleClassifier, Severity};
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
pub enum LogNotice<'a> {
    /// An error was logged; `regressed` when it re-opened a resolved group.
    Logged {
        /// The record being stored.
        record: &'a ErrorRecord,
        /// It fired a resolved group again.
        regressed: bool,
    },
    /// An operator resolved a group.
    Resolved(GroupView),
    /// A tenant acknowledged a group.
    Acknowledged(GroupView),
}

type Listener = Arc<dyn Fn(&LogNotice<'_>) + Send + Sync>;

/// The outcome of [`ErrorLog::log`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    /// The record's id.
    pub id: u64,
    /// Its group's fingerprint.
    pub fingerprint: Arc<str>,
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

/// A group's map key: the fingerprint's hash (computed, or of the caller's
/// own fingerprint) and the tenant's hash. Checked against the group's own
/// fields on every hit, so a hash collision can never merge two groups.
pub(crate) type GroupId = (u64, u64);

pub(crate) struct State {
    pub(crate) groups: RapidHashMap<GroupId, Arc<Group>>,
    pub(crate) counts: ErrorCounts,
    pub(crate) overflowed: u64,
    last_prune_ms: u64,
}

pub(crate) struct Inner {
    pub(crate) clock: Clock,
    pub(crate) limits: Limits,
    pub(crate) max_groups: usize,
    classifier: Box<dyn ErrorClassifier>,
    /// The records; swapped whole by [`ErrorLog::replace`].
    pub(crate) entries: RwLock<Arc<RingBuffer<ErrorRecord>>>,
    pub(crate) next_id: AtomicU64,
    pub(crate) state: Mutex<State>,
    listeners: Vec<Listener>,
    pub(crate) cleaned: AtomicU64,
    /// Logged and evicted counts carried over from a restored snapshot.
    pub(crate) restored_logged: AtomicU64,
    pub(crate) restored_evicted: AtomicU64,
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
    pub fn listener(mut self, listener: impl Fn(&LogNotice<'_>) + Send + Sync + 'static) -> Self {
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
                entries: RwLock::new(Arc::new(RingBuffer::new(self.capacity))),
                next_id: AtomicU64::new(1),
                state: Mutex::new(State::new()),
                listeners: self.listeners,
                cleaned: AtomicU64::new(0),
                restored_logged: AtomicU64::new(0),
                restored_evicted: AtomicU64::new(0),
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
        // Taken first: an error logged while the log is replaced goes to
        // the ring it started with (the replaced one), never half-way.
        let entries = inner.entries();
        let cleaned = inner.clean(&mut event);
        if cleaned > 0 {
            inner.cleaned.fetch_add(cleaned, Relaxed);
        }
        let severity = event
            .severity
            .unwrap_or_else(|| inner.classifier.classify(&event));
        let now_ms = inner.clock.now_ms();
        let id = inner.next_id.fetch_add(1, Relaxed);
        let group = inner.group_for(&mut event, severity, now_ms);
        let regressed = group.fire(id, now_ms, severity);
        let record = ErrorRecord {
            id,
            timestamp: from_unix_ms(now_ms),
            service: event.service,
            operation: event.operation,
            error_type: event.error_type,
            message: event.message,
            severity,
            client_id: event.client_id,
            context: event.context,
            group,
        };
        let logged = Logged {
            id,
            fingerprint: Arc::clone(&record.group.key.fingerprint),
            severity,
            regressed,
        };
        inner.tell(&LogNotice::Logged {
            record: &record,
            regressed,
        });
        entries.push(record);
        logged
    }

    /// The error with `id`, if it is still in the log.
    pub fn get(&self, id: u64) -> Option<ErrorView> {
        self.find(id, ErrorRecord::view)
    }

    /// The group error `id` is filed under, if that error is still in the
    /// log. Its `client_id` is `None` for tenant-free groups and for the
    /// [overflow group](OVERFLOW_FINGERPRINT), which every tenant shares.
    pub fn group(&self, id: u64) -> Option<GroupView> {
        self.find(id, |r| r.group.view())
    }

    /// The group of error `id`, if that error is still in the log.
    fn group_of(&self, id: u64) -> Option<Arc<Group>> {
        self.find(id, |r| Arc::clone(&r.group))
    }

    /// `f` of the record with `id`, if it is still in the log.
    fn find<T>(&self, id: u64, f: impl FnOnce(&ErrorRecord) -> T) -> Option<T> {
        let mut f = Some(f);
        let mut found = None;
        self.visit(|r| {
            if r.id == id
                && let Some(f) = f.take()
            {
                found = Some(f(r));
            }
        });
        found
    }

    /// Resolves the group of error `id` (operator action). A later error in
    /// the group re-opens it as regressed.
    pub fn resolve(&self, id: u64) -> Result<GroupView, NotFound> {
        let group = self.group_of(id).ok_or(NotFound(id))?;
        let changed = group.resolve();
        let view = group.view();
        if changed {
            self.inner.tell(&LogNotice::Resolved(view.clone()));
        }
        Ok(view)
    }

    /// Acknowledges the group of error `id` (tenant action): seen, not
    /// fixed.
    pub fn acknowledge(&self, id: u64) -> Result<GroupView, NotFound> {
        let group = self.group_of(id).ok_or(NotFound(id))?;
        let changed = group.acknowledge();
        let view = group.view();
        if changed {
            self.inner.tell(&LogNotice::Acknowledged(view.clone()));
        }
        Ok(view)
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
        let entries = inner.entries();
        LogCounters {
            logged: entries.total_pushed() + inner.restored_logged.load(Relaxed),
            evicted: entries.overwritten() + inner.restored_evicted.load(Relaxed),
            cleaned_fields: inner.cleaned.load(Relaxed),
            overflowed_groups: inner.state.lock().overflowed,
        }
    }

    /// Runs `f` over the error counters under the state lock.
    pub(crate) fn with_counts<R>(&self, f: impl FnOnce(&ErrorCounts) -> R) -> R {
        f(&self.inner.state.lock().counts)
    }

    /// Calls `f` on every record still in the log, oldest first, without
    /// copying them and without stopping loggers.
    pub(crate) fn visit(&self, f: impl FnMut(&ErrorRecord)) {
        self.inner.entries().visit_latest(usize::MAX, f);
    }
}

impl Inner {
    /// The current records ring.
    pub(crate) fn entries(&self) -> Arc<RingBuffer<ErrorRecord>> {
        Arc::clone(&self.entries.read())
    }

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

    /// The group of `e` (taking its fingerprint out of it), created if
    /// needed; past `max_groups`, groups no record points to any more are
    /// dropped first (at most once a minute), and if still full the
    /// overflow group takes the error.
    fn group_for(&self, e: &mut ErrorEvent, severity: Severity, now_ms: u64) -> Arc<Group> {
        let explicit = e.fingerprint.take();
        let (fp_hash, id) = group_id(
            explicit.as_deref(),
            &e.service,
            &e.operation,
            &e.error_type,
            e.client_id.as_deref(),
        );
        let same = |g: &Group| {
            g.key.client_id.as_deref() == e.client_id.as_deref()
                && match &explicit {
                    Some(f) => *g.key.fingerprint == **f,
                    None => {
                        *g.service == *e.service
                            && *g.operation == *e.operation
                            && *g.error_type == *e.error_type
                    }
                }
        };

        let mut state = self.state.lock();
        state.counts.add(now_ms, severity, &e.service);
        if let Some(g) = state.groups.get(&id) {
            if same(g) {
                return Arc::clone(g);
            }
            state.overflowed += 1; // a 64-bit collision: never merge groups
            return state.overflow_group(e, now_ms);
        }
        if state.groups.len() >= self.max_groups && now_ms >= state.last_prune_ms + 60_000 {
            state.last_prune_ms = now_ms;
            state.groups.retain(|_, g| Arc::strong_count(g) > 1);
        }
        if state.groups.len() >= self.max_groups {
            state.overflowed += 1;
            return state.overflow_group(e, now_ms);
        }
        let key = GroupKey {
            fingerprint: explicit.unwrap_or_else(|| format!("{fp_hash:016x}")).into(),
            client_id: e.client_id.as_deref().map(Arc::from),
        };
        let group = Arc::new(Group::new(
            key,
            &e.service,
            &e.operation,
            &e.error_type,
            now_ms,
        ));
        state.groups.insert(id, Arc::clone(&group));
        group
    }

    pub(crate) fn tell(&self, notice: &LogNotice<'_>) {
        for listener in &self.listeners {
            listener(notice);
        }
    }
}

/// The map key of a group, and the hash its computed fingerprint is made
/// of (`explicit` fingerprints are hashed on their own).
pub(crate) fn group_id(
    explicit: Option<&str>,
    service: &str,
    operation: &str,
    error_type: &str,
    client_id: Option<&str>,
) -> (u64, GroupId) {
    let fp_hash = match explicit {
        Some(f) => rapidhash::v3::rapidhash_v3(f.as_bytes()) ^ 0x5bd1_e995_5bd1_e995,
        None => fingerprint_hash(service, operation, error_type),
    };
    let client_hash = client_id.map_or(0, |c| rapidhash::v3::rapidhash_v3(c.as_bytes()) | 1);
    (fp_hash, (fp_hash, client_hash))
}

impl State {
    /// No groups, no counts.
    pub(crate) fn new() -> Self {
        State {
            groups: RapidHashMap::default(),
            counts: ErrorCounts::new(),
            overflowed: 0,
            last_prune_ms: 0,
        }
    }

    /// The group errors share once `max_groups` is reached.
    fn overflow_group(&mut self, e: &ErrorEvent, now_ms: u64) -> Arc<Group> {
        let group = self.groups.entry((0, 0)).or_insert_with(|| {
            let key = GroupKey {
                fingerprint: OVERFLOW_FINGERPRINT.into(),
                client_id: None,
            };
            Arc::new(Group::new(
                key,
                &e.service,
                &e.operation,
                &e.error_type,
                now_ms,
            ))
        });
        Arc::clone(group)
    }
}

impl std::fmt::Debug for ErrorLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErrorLog")
            .field("counters", &self.counters())
            .finish_non_exhaustive()
    }
}
