//! [`AuditLog`]: a bounded, queryable record of state-changing requests.

use std::collections::VecDeque;
use std::sync::Arc;

use metrics::{Unit, counter, describe_counter, describe_gauge, gauge};
use parking_lot::Mutex;
use serde::Serialize;

use super::entry::{
    ACTION_BYTES, ACTOR_BYTES, Actor, AuditEntry, AuditRecord, DETAIL_BYTES, TARGET_BYTES,
};
use super::query::{AuditPage, AuditQuery};
use crate::clock::Clock;

/// Entries kept by default.
pub const DEFAULT_AUDIT_CAPACITY: usize = 1_000;
/// Largest capacity accepted.
pub const MAX_AUDIT_CAPACITY: usize = 100_000;

/// The audit log: who (role and tenant, never a token) asked for which
/// state change, on what, when, and how it ended. Cheap to clone.
///
/// Bounded: past its capacity the oldest entry is dropped and counted
/// ([`AuditCounters::evicted`]); every text is cleaned (control
/// characters stripped) and cut to its limit, and each cut is counted.
/// Recording takes one mutex for a push, so it suits requests, not hot
/// paths.
///
/// ```
/// use monitor_core::Role;
/// use monitor_core::audit::{AuditLog, AuditQuery, AuditRecord};
///
/// let audit = AuditLog::new(2, Default::default());
/// audit.record(AuditRecord::new(&Role::Admin, "error.resolve").target("1"));
/// audit.record(AuditRecord::new(&Role::Admin, "error.resolve").target("2"));
/// audit.record(AuditRecord::new(&Role::Monitor, "action.run").refused("this needs the admin role"));
/// let page = audit.query(&AuditQuery::default());
/// assert_eq!(page.entries[0].action, "action.run"); // newest first
/// assert_eq!((page.total, page.evicted), (2, 1));
/// ```
#[derive(Clone)]
pub struct AuditLog {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Clock,
    capacity: usize,
    state: Mutex<State>,
}

pub(super) struct State {
    /// Oldest first.
    pub(super) entries: VecDeque<AuditEntry>,
    pub(super) next_id: u64,
    pub(super) recorded: u64,
    pub(super) evicted: u64,
    pub(super) cleaned: u64,
}

/// What the log has taken and what its bounds cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AuditCounters {
    /// Entries recorded since the log began (restored ones included).
    pub recorded: u64,
    /// Oldest entries dropped to stay within the capacity.
    pub evicted: u64,
    /// Texts cleaned or cut to their limits.
    pub cleaned: u64,
    /// Entries held now.
    pub len: usize,
    /// Most entries held.
    pub capacity: usize,
}

impl AuditLog {
    /// An empty log keeping at most `capacity` entries (1 to
    /// [`MAX_AUDIT_CAPACITY`]), timestamped by `clock`.
    pub fn new(capacity: usize, clock: Clock) -> Self {
        AuditLog {
            inner: Arc::new(Inner {
                clock,
                capacity: capacity.clamp(1, MAX_AUDIT_CAPACITY),
                state: Mutex::new(State {
                    entries: VecDeque::new(),
                    next_id: 1,
                    recorded: 0,
                    evicted: 0,
                    cleaned: 0,
                }),
            }),
        }
    }

    /// Writes `record` now; returns the entry as stored (cleaned, with
    /// its id and time).
    pub fn record(&self, record: AuditRecord) -> AuditEntry {
        let mut cuts = 0;
        let mut entry = AuditEntry {
            id: 0,
            at: std::time::UNIX_EPOCH,
            actor: clean_actor(record.actor, &mut cuts),
            action: clean(record.action, ACTION_BYTES, &mut cuts),
            target: record.target.map(|t| clean(t, TARGET_BYTES, &mut cuts)),
            outcome: record.outcome,
            reason: record.reason.map(|r| clean(r, DETAIL_BYTES, &mut cuts)),
            detail: record.detail.map(|d| clean(d, DETAIL_BYTES, &mut cuts)),
        };
        let mut st = self.inner.state.lock();
        // Time and id under the lock: ids and times increase together.
        entry.at = self.inner.clock.now();
        entry.id = st.next_id;
        st.next_id = st.next_id.saturating_add(1);
        st.recorded = st.recorded.saturating_add(1);
        st.cleaned = st.cleaned.saturating_add(cuts);
        self.push(&mut st, entry.clone());
        entry
    }

    /// Adds `entry` as the newest, dropping the oldest past the capacity.
    pub(super) fn push(&self, st: &mut State, entry: AuditEntry) {
        while st.entries.len() >= self.inner.capacity {
            st.entries.pop_front();
            st.evicted = st.evicted.saturating_add(1);
        }
        st.entries.push_back(entry);
    }

    /// The entries matching `query`, newest first, one page of them.
    pub fn query(&self, query: &AuditQuery) -> AuditPage {
        let st = self.inner.state.lock();
        let mut total = 0;
        let mut entries = Vec::new();
        for entry in st.entries.iter().rev().filter(|e| query.matches(e)) {
            if total >= query.offset && entries.len() < query.limit {
                entries.push(entry.clone());
            }
            total += 1;
        }
        AuditPage {
            entries,
            total,
            evicted: st.evicted,
            capacity: self.inner.capacity,
        }
    }

    /// The newest entry, if any.
    pub fn last(&self) -> Option<AuditEntry> {
        self.inner.state.lock().entries.back().cloned()
    }

    /// Entries held now.
    pub fn len(&self) -> usize {
        self.inner.state.lock().entries.len()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Most entries held.
    pub fn capacity(&self) -> usize {
        self.inner.capacity
    }

    /// Counts of what was recorded and cut.
    pub fn counters(&self) -> AuditCounters {
        let st = self.inner.state.lock();
        AuditCounters {
            recorded: st.recorded,
            evicted: st.evicted,
            cleaned: st.cleaned,
            len: st.entries.len(),
            capacity: self.inner.capacity,
        }
    }

    /// Sets `monitor_audit_entries_total`, `monitor_audit_evicted_total`
    /// and `monitor_audit_log_entries` on the installed `metrics` recorder.
    pub fn publish_metrics(&self) {
        let c = self.counters();
        describe_counter!(
            "monitor_audit_entries_total",
            Unit::Count,
            "State-changing requests written to the audit log."
        );
        describe_counter!(
            "monitor_audit_evicted_total",
            Unit::Count,
            "Audit entries dropped, oldest first, to stay within the log's capacity."
        );
        describe_gauge!(
            "monitor_audit_log_entries",
            Unit::Count,
            "Audit entries held now."
        );
        counter!("monitor_audit_entries_total").absolute(c.recorded);
        counter!("monitor_audit_evicted_total").absolute(c.evicted);
        gauge!("monitor_audit_log_entries").set(c.len as f64);
    }

    pub(super) fn lock(&self) -> parking_lot::MutexGuard<'_, State> {
        self.inner.state.lock()
    }

    pub(super) fn clock(&self) -> &Clock {
        &self.inner.clock
    }
}

/// `text` cleaned to `max` bytes, adding one to `cuts` if it changed.
pub(super) fn clean(mut text: String, max: usize, cuts: &mut u64) -> String {
    *cuts += u64::from(crate::text::clean(&mut text, max, false));
    text
}

pub(super) fn clean_actor(actor: Actor, cuts: &mut u64) -> Actor {
    Actor {
        role: clean(actor.role, ACTOR_BYTES, cuts),
        tenant: actor
            .tenant
            .map(|t| clean(t, ACTOR_BYTES, cuts))
            .filter(|t| !t.is_empty()),
    }
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("counters", &self.counters())
            .finish_non_exhaustive()
    }
}
