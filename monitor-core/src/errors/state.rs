//! The error log's durable state for snapshots: groups with their
//! resolve/acknowledge watermarks, the records still in the log, the
//! counts behind error rates and the log's own counters.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use rapidhash::RapidHashMap;
use serde::{Deserialize, Serialize};

use super::counts::{CountsState, ErrorCounts};
use super::group::{Group, GroupState};
use super::hygiene::{clean, clean_context};
use super::log::{ErrorLog, OVERFLOW_FINGERPRINT, State, group_id};
use super::record::ErrorRecord;
use super::{Severity, fingerprint};
use crate::clock::{from_unix_ms, unix_ms};
use crate::ring::RingBuffer;

/// Everything an error log needs to continue after a restart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorLogState {
    /// The id the next error gets.
    pub next_id: u64,
    /// Every tracked group.
    pub groups: Vec<GroupState>,
    /// Records still in the log, oldest first.
    pub records: Vec<RecordState>,
    /// Counts by minute, hour, severity and service.
    pub counts: CountsState,
    /// Errors logged, all time.
    pub logged: u64,
    /// Errors pushed out of the log.
    pub evicted: u64,
    /// Fields cleaned.
    pub cleaned: u64,
    /// Errors filed under the overflow group.
    pub overflowed: u64,
}

/// One stored error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordState {
    /// Its id.
    pub id: u64,
    /// When it was logged, ms since the epoch.
    pub timestamp_ms: u64,
    /// Failing service.
    pub service: String,
    /// What it was doing.
    pub operation: String,
    /// Kind of failure.
    pub error_type: String,
    /// Detail.
    pub message: String,
    /// Severity.
    pub severity: Severity,
    /// Tenant.
    pub client_id: Option<String>,
    /// Extra detail.
    pub context: Vec<(String, String)>,
    /// Index of its group in [`ErrorLogState::groups`].
    pub group: u32,
}

/// Why a state was not restored; nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    /// The log already holds errors; restore into a fresh one.
    #[error("the error log already holds errors; restore into a fresh log")]
    NotEmpty,
    /// The state contradicts itself.
    #[error("invalid error log state: {0}")]
    Invalid(&'static str),
}

impl ErrorLog {
    /// The log's durable state.
    pub fn export(&self) -> ErrorLogState {
        let inner = &*self.inner;
        // The lock is held only to copy group pointers and counts; records
        // are read lock-free after, so loggers never wait on an export. A
        // record whose group appeared meanwhile brings its group along.
        let (mut groups, counts, overflowed) = {
            let state = inner.state.lock();
            let groups: Vec<Arc<Group>> = state.groups.values().cloned().collect();
            (
                groups,
                state.counts.to_state(inner.clock.now_ms()),
                state.overflowed,
            )
        };
        groups.sort_by(|a, b| {
            (a.last_seen_ms(), a.last_id(), &a.key).cmp(&(b.last_seen_ms(), b.last_id(), &b.key))
        });
        let mut index: RapidHashMap<*const Group, u32> = groups
            .iter()
            .enumerate()
            .map(|(i, g)| (Arc::as_ptr(g), i as u32))
            .collect();
        let mut records = Vec::with_capacity(inner.entries().len());
        self.visit(|r| {
            let group = *index.entry(Arc::as_ptr(&r.group)).or_insert_with(|| {
                groups.push(Arc::clone(&r.group));
                (groups.len() - 1) as u32
            });
            records.push(RecordState {
                id: r.id,
                timestamp_ms: unix_ms(r.timestamp),
                service: r.service.clone(),
                operation: r.operation.clone(),
                error_type: r.error_type.clone(),
                message: r.message.clone(),
                severity: r.severity,
                client_id: r.client_id.clone(),
                context: r
                    .context
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                group,
            });
        });
        let counters = (counts, overflowed);
        let log_counters = self.counters();
        ErrorLogState {
            next_id: inner.next_id.load(Relaxed),
            groups: groups.iter().map(|g| g.to_state()).collect(),
            records,
            counts: counters.0,
            logged: log_counters.logged,
            evicted: log_counters.evicted,
            cleaned: log_counters.cleaned_fields,
            overflowed: counters.1,
        }
    }

    /// Restores a snapshot into this log, which must not hold errors yet.
    /// Strings are cleaned to the log's limits; records beyond its
    /// capacity and groups beyond `max_groups` (least recently seen
    /// first) are left out and counted as evicted.
    pub fn restore(&self, s: &ErrorLogState) -> Result<(), RestoreError> {
        let rebuilt = self.rebuild(s)?;
        let mut state = self.inner.state.lock();
        if self.inner.entries().total_pushed() > 0 || !state.groups.is_empty() {
            return Err(RestoreError::NotEmpty);
        }
        self.install(&mut state, rebuilt);
        Ok(())
    }

    /// Replaces everything the log holds (groups, records, counts, its
    /// own counters) with the snapshot's, cleaned and capped as
    /// [`restore`](Self::restore) does. The state is rebuilt aside first:
    /// an invalid one changes nothing. No notices are sent for what was
    /// dropped or restored; an error logged while the log is replaced
    /// may be lost.
    pub fn replace(&self, s: &ErrorLogState) -> Result<(), RestoreError> {
        let rebuilt = self.rebuild(s)?;
        self.install_rebuilt(rebuilt);
        Ok(())
    }

    /// Puts a state built by [`rebuild`](Self::rebuild) in place.
    pub(crate) fn install_rebuilt(&self, rebuilt: Rebuilt) {
        let mut state = self.inner.state.lock();
        self.install(&mut state, rebuilt);
    }

    /// `s` as a new state and ring, built without touching this log.
    pub(crate) fn rebuild(&self, s: &ErrorLogState) -> Result<Rebuilt, RestoreError> {
        let inner = &*self.inner;
        check(s)?;
        let mut state = State::new();
        let limits = &inner.limits;
        let cleaned = std::cell::Cell::new(0u64);
        let cut = |n: u64| cleaned.set(cleaned.get() + n);
        let name = |text: &str| {
            let mut t = text.to_owned();
            cut(u64::from(clean(&mut t, limits.name_bytes, false)));
            t
        };

        // Newest groups first, up to the cap.
        let mut order: Vec<usize> = (0..s.groups.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(s.groups[i].last_seen_ms));
        let mut built: Vec<Option<Arc<Group>>> = vec![None; s.groups.len()];
        for i in order.into_iter().take(inner.max_groups) {
            let g = &s.groups[i];
            let mut g = GroupState {
                fingerprint: name(&g.fingerprint),
                client_id: g.client_id.as_deref().map(name).filter(|c| !c.is_empty()),
                service: name(&g.service),
                operation: name(&g.operation),
                error_type: name(&g.error_type),
                ..g.clone()
            };
            g.fingerprint = if g.fingerprint.is_empty() {
                "unknown".into()
            } else {
                g.fingerprint
            };
            let computed = fingerprint(&g.service, &g.operation, &g.error_type);
            let id = if *g.fingerprint == *OVERFLOW_FINGERPRINT && g.client_id.is_none() {
                (0, 0)
            } else {
                let explicit = (g.fingerprint != computed).then_some(g.fingerprint.as_str());
                group_id(
                    explicit,
                    &g.service,
                    &g.operation,
                    &g.error_type,
                    g.client_id.as_deref(),
                )
                .1
            };
            if state.groups.contains_key(&id) {
                return Err(RestoreError::Invalid("two groups with the same key"));
            }
            let group = Arc::new(Group::from_state(&g));
            state.groups.insert(id, Arc::clone(&group));
            built[i] = Some(group);
        }

        let entries = RingBuffer::new(inner.entries().capacity());
        let skip = s.records.len().saturating_sub(entries.capacity());
        let mut pushed = 0u64;
        let mut left_out = skip as u64;
        for r in &s.records[skip..] {
            let Some(group) = built[r.group as usize].clone() else {
                left_out += 1;
                continue;
            };
            let mut message = r.message.clone();
            cut(u64::from(clean(&mut message, limits.message_bytes, true)));
            let mut context: BTreeMap<String, String> = r.context.iter().cloned().collect();
            cut(clean_context(&mut context, limits));
            entries.push(ErrorRecord {
                id: r.id,
                timestamp: from_unix_ms(r.timestamp_ms),
                service: name(&r.service),
                operation: name(&r.operation),
                error_type: name(&r.error_type),
                message,
                severity: r.severity,
                client_id: r.client_id.as_deref().map(name).filter(|c| !c.is_empty()),
                context,
                group,
            });
            pushed += 1;
        }
        state.counts = ErrorCounts::from_state(&s.counts, inner.clock.now_ms());
        state.overflowed = s.overflowed;
        let last_id = s.records.last().map_or(0, |r| r.id);
        Ok(Rebuilt {
            state,
            entries: Arc::new(entries),
            next_id: s.next_id.max(last_id + 1).max(1),
            cleaned: s.cleaned.saturating_add(cleaned.get()),
            logged: s.logged.saturating_sub(pushed),
            evicted: s.evicted.saturating_add(left_out),
        })
    }

    /// Puts `r` in place of what the log holds; `state` is the log's
    /// locked state.
    fn install(&self, state: &mut State, r: Rebuilt) {
        let inner = &*self.inner;
        *state = r.state;
        // The id first: a logger that sees the new ring sees the new ids.
        inner.next_id.store(r.next_id, Relaxed);
        inner.cleaned.store(r.cleaned, Relaxed);
        inner.restored_logged.store(r.logged, Relaxed);
        inner.restored_evicted.store(r.evicted, Relaxed);
        *inner.entries.write() = r.entries;
    }
}

/// A log state built from a snapshot, waiting to be installed.
pub(crate) struct Rebuilt {
    state: State,
    entries: Arc<RingBuffer<ErrorRecord>>,
    next_id: u64,
    cleaned: u64,
    logged: u64,
    evicted: u64,
}

impl ErrorLogState {
    /// Checks that records point to groups and ids increase, without
    /// restoring anything.
    pub fn validate(&self) -> Result<(), RestoreError> {
        check(self)
    }
}

/// What must hold for a state to be used at all.
fn check(s: &ErrorLogState) -> Result<(), RestoreError> {
    let mut previous = 0;
    for r in &s.records {
        if r.group as usize >= s.groups.len() {
            return Err(RestoreError::Invalid("a record points to a missing group"));
        }
        if r.id <= previous {
            return Err(RestoreError::Invalid("record ids are not increasing"));
        }
        previous = r.id;
    }
    if s.next_id == u64::MAX || previous == u64::MAX {
        return Err(RestoreError::Invalid("ids exhausted"));
    }
    Ok(())
}
