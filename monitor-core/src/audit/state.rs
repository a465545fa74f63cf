//! The audit log's durable form, for snapshot files, and its restore.

use serde::{Deserialize, Serialize};

use super::entry::{ACTION_BYTES, Actor, AuditEntry, AuditOutcome, DETAIL_BYTES, TARGET_BYTES};
use super::log::{AuditLog, clean, clean_actor};
use crate::clock::{from_unix_ms, unix_ms};

/// One entry as persisted: its time in Unix milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEntry {
    /// The entry's id.
    pub id: u64,
    /// When it was recorded, Unix ms.
    pub at_ms: u64,
    /// Who asked.
    pub actor: Actor,
    /// What was asked.
    pub action: String,
    /// On what.
    pub target: Option<String>,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// Why it was refused or failed.
    pub reason: Option<String>,
    /// Anything else.
    pub detail: Option<String>,
}

/// The audit log's durable state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditState {
    /// The entries, oldest first.
    pub entries: Vec<StoredEntry>,
    /// The id the next entry gets.
    pub next_id: u64,
    /// Entries recorded in all.
    pub recorded: u64,
    /// Entries dropped to stay within the capacity.
    pub evicted: u64,
}

impl AuditLog {
    /// The log's durable state, for a snapshot.
    pub fn export(&self) -> AuditState {
        let st = self.lock();
        AuditState {
            entries: st
                .entries
                .iter()
                .map(|e| StoredEntry {
                    id: e.id,
                    at_ms: unix_ms(e.at),
                    actor: e.actor.clone(),
                    action: e.action.clone(),
                    target: e.target.clone(),
                    outcome: e.outcome,
                    reason: e.reason.clone(),
                    detail: e.detail.clone(),
                })
                .collect(),
            next_id: st.next_id,
            recorded: st.recorded,
            evicted: st.evicted,
        }
    }

    /// Loads a snapshot's entries, meant for a fresh log at start-up.
    ///
    /// Nothing is replaced: the snapshot's entries go before any already
    /// held (they are older), the newest kept within the capacity (the
    /// rest counted as evicted), and ids continue after the highest seen,
    /// so an id is never reused. Nothing in `state` is trusted: texts are
    /// cleaned and cut (counted), times in the future are clamped to now.
    ///
    /// The monitor calls this once, when it starts from a snapshot file;
    /// restoring a snapshot into a running monitor must leave the audit
    /// log alone (the restore itself is an audited request).
    pub fn restore(&self, state: AuditState) {
        let now = self.clock().now_ms();
        let mut cuts = 0;
        let restored: Vec<AuditEntry> = state
            .entries
            .into_iter()
            .map(|e| AuditEntry {
                id: e.id,
                at: from_unix_ms(e.at_ms.min(now)),
                actor: clean_actor(e.actor, &mut cuts),
                action: clean(e.action, ACTION_BYTES, &mut cuts),
                target: e.target.map(|t| clean(t, TARGET_BYTES, &mut cuts)),
                outcome: e.outcome,
                reason: e.reason.map(|r| clean(r, DETAIL_BYTES, &mut cuts)),
                detail: e.detail.map(|d| clean(d, DETAIL_BYTES, &mut cuts)),
            })
            .collect();
        let mut st = self.lock();
        let held: Vec<AuditEntry> = st.entries.drain(..).collect();
        let highest = restored
            .iter()
            .chain(&held)
            .map(|e| e.id)
            .max()
            .unwrap_or(0);
        st.next_id = st.next_id.max(state.next_id).max(highest.saturating_add(1));
        st.recorded = st.recorded.saturating_add(state.recorded);
        st.evicted = st.evicted.saturating_add(state.evicted);
        st.cleaned = st.cleaned.saturating_add(cuts);
        for entry in restored.into_iter().chain(held) {
            self.push(&mut st, entry);
        }
    }
}
