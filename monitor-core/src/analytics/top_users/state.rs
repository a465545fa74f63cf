//! [`TopUsersState`]: a feed's summaries and labels as a snapshot keeps
//! them, and the checks a restored one must pass.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::TopUsersConfig;
use super::book::{Book, cleaned, key_of};
use super::config::{MAX_CAPACITY, MAX_TENANTS};
use super::labels::{Label, MAX_CLIENT_ID_BYTES, MAX_USER_ID_BYTES, MAX_USER_NAME_BYTES};
use super::space_saving::{Counter, SpaceSaving};
use super::windows::{DAYS_KEPT, HOURS_KEPT, Windows};

/// One summary: its period (hour or day index since the epoch), size,
/// total and counters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodSketch {
    /// Hours (or days) since the Unix epoch.
    pub period: u64,
    /// Counters it may hold.
    pub capacity: u32,
    /// Messages it counted.
    pub total: u64,
    /// Its counters.
    pub counters: Vec<Counter>,
}

/// One scope's summaries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowsState {
    /// Hourly summaries, at most 24.
    pub hours: Vec<PeriodSketch>,
    /// Daily summaries, at most 7.
    pub days: Vec<PeriodSketch>,
}

/// Who a counter's key stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelState {
    /// The tenant, if any.
    pub client_id: Option<String>,
    /// The user id.
    pub user_id: String,
    /// The latest display name.
    pub user_name: Option<String>,
}

/// A [`TopUsers`](super::TopUsers) feed's durable state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopUsersState {
    /// Everyone's summaries.
    pub all: WindowsState,
    /// Each tenant's summaries.
    pub tenants: Vec<(String, WindowsState)>,
    /// Labels of the counted users (keys are derived from them).
    pub labels: Vec<LabelState>,
    /// Records past the tenant cap, so far.
    pub tenants_overflowed: u64,
    /// Records too old to count, so far.
    pub late: u64,
}

/// Why a [`TopUsersState`] cannot be restored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("top users: {0}")]
pub struct InvalidState(String);

fn export_windows(w: &Windows) -> WindowsState {
    let sketches = |m: &std::collections::BTreeMap<u64, SpaceSaving>| {
        m.iter()
            .map(|(&period, s)| PeriodSketch {
                period,
                capacity: s.capacity() as u32,
                total: s.total(),
                counters: s.counters().to_vec(),
            })
            .collect()
    };
    WindowsState {
        hours: sketches(&w.hours),
        days: sketches(&w.days),
    }
}

fn restore_windows(state: &WindowsState, capacity: usize) -> Result<Windows, InvalidState> {
    let mut w = Windows::new(capacity);
    for (list, most, map) in [
        (&state.hours, HOURS_KEPT, &mut w.hours),
        (&state.days, DAYS_KEPT, &mut w.days),
    ] {
        if list.len() as u64 > most {
            return Err(InvalidState(format!(
                "{} summaries, at most {most}",
                list.len()
            )));
        }
        for p in list {
            let cap = p.capacity as usize;
            if cap > MAX_CAPACITY {
                return Err(InvalidState(format!("capacity {cap} over {MAX_CAPACITY}")));
            }
            let s = SpaceSaving::from_parts(cap, p.total, &p.counters)
                .map_err(|e| InvalidState(format!("period {}: {e}", p.period)))?;
            if map.insert(p.period, s).is_some() {
                return Err(InvalidState(format!("period {} twice", p.period)));
            }
        }
    }
    Ok(w)
}

impl Book {
    /// The state, tenants and labels sorted (so equal books export
    /// equal states).
    pub(super) fn export(&mut self, now_ms: u64) -> TopUsersState {
        self.expire(now_ms / super::HOUR_MS);
        let mut state = TopUsersState {
            all: export_windows(&self.all),
            tenants: self
                .tenants
                .iter()
                .map(|(id, w)| (id.to_string(), export_windows(w)))
                .collect(),
            labels: self
                .labels
                .iter()
                .map(|(_, l)| LabelState {
                    client_id: l.client_id.as_deref().map(str::to_owned),
                    user_id: l.user_id.to_string(),
                    user_name: l.user_name.as_deref().map(str::to_owned),
                })
                .collect(),
            tenants_overflowed: self.tenants_overflowed,
            late: self.late,
        };
        state.tenants.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        state
            .labels
            .sort_unstable_by(|a, b| (&a.client_id, &a.user_id).cmp(&(&b.client_id, &b.user_id)));
        state
    }

    /// A book holding `state`, every part checked. Tenants past this
    /// feed's cap are dropped (their users stay in everyone's view).
    pub(super) fn restore(
        config: TopUsersConfig,
        state: &TopUsersState,
    ) -> Result<Self, InvalidState> {
        let mut book = Book::new(config);
        book.all = restore_windows(&state.all, config.get_capacity())?;
        if state.tenants.len() > MAX_TENANTS {
            return Err(InvalidState(format!("{} tenants", state.tenants.len())));
        }
        for (id, w) in &state.tenants {
            if cleaned(id, MAX_CLIENT_ID_BYTES) != id.as_str() {
                return Err(InvalidState("a tenant id that was never cleaned".into()));
            }
            let w = restore_windows(w, config.get_tenant_capacity())?;
            if book.tenants.len() < config.get_max_tenants()
                && book.tenants.insert(Arc::from(id.as_str()), w).is_some()
            {
                return Err(InvalidState(format!("tenant {id} twice")));
            }
        }
        let most = 2
            * (HOURS_KEPT + DAYS_KEPT) as usize
            * (MAX_CAPACITY + config.get_max_tenants() * MAX_CAPACITY);
        if state.labels.len() > most {
            return Err(InvalidState(format!("{} labels", state.labels.len())));
        }
        for l in &state.labels {
            let clean = |s: &str, max| cleaned(s, max) == s;
            if !clean(&l.user_id, MAX_USER_ID_BYTES)
                || !l
                    .client_id
                    .as_deref()
                    .is_none_or(|c| clean(c, MAX_CLIENT_ID_BYTES))
                || !l
                    .user_name
                    .as_deref()
                    .is_none_or(|n| clean(n, MAX_USER_NAME_BYTES))
            {
                return Err(InvalidState("a label that was never cleaned".into()));
            }
            let key = key_of(l.client_id.as_deref(), &l.user_id);
            let client_id = l.client_id.as_deref().map(|c| {
                book.tenants
                    .get_key_value(c)
                    .map_or_else(|| Arc::from(c), |(id, _)| Arc::clone(id))
            });
            book.labels.insert(
                key,
                Label {
                    client_id,
                    user_id: l.user_id.as_str().into(),
                    user_name: l.user_name.as_deref().map(Into::into),
                },
            );
        }
        book.tenants_overflowed = state.tenants_overflowed;
        book.late = state.late;
        Ok(book)
    }
}
