//! The durable form of a tracker, for snapshot files, and its validation.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::meta::insert_bounded;
use super::outcome::UNKNOWN;
use super::tally::{Counts, MAX_CATEGORIES, MAX_LABEL_KEYS, MAX_OUTCOMES, Tally};
use super::text::{
    ID_BYTES, KEY_BYTES, LABEL_BYTES, MAX_ATTRIBUTES, MAX_OUTCOME_LABELS, NAME_BYTES, NOTE_BYTES,
    VALUE_BYTES, clean_counted, clean_opt,
};
use super::view::ActivityView;
use crate::clock::from_unix_ms;
use crate::sketch::histogram::{BUCKETS, MAX_MICROS};
use crate::sketch::{HistogramState, LatencyHistogram};

/// One activity as stored (and as persisted): times in Unix milliseconds,
/// PII already masked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityRecord {
    /// The caller's id.
    pub id: String,
    /// The tenant.
    pub client_id: Option<String>,
    /// The category.
    pub category: Option<String>,
    /// The parent activity's id.
    pub parent: Option<String>,
    /// Attributes, PII masked.
    pub attributes: BTreeMap<String, String>,
    /// Start, Unix ms.
    pub started_ms: u64,
    /// End, Unix ms; `None` while active.
    pub ended_ms: Option<u64>,
    /// Last progress, 0–100.
    pub progress_pct: Option<f64>,
    /// Last non-empty progress note.
    pub note: Option<String>,
    /// The outcome's result once ended.
    pub outcome: Option<String>,
    /// The outcome's labels once ended.
    pub labels: BTreeMap<String, String>,
}

impl ActivityRecord {
    /// The view of this record for a tracker of `kind` at `now_ms`.
    pub(crate) fn view(&self, kind: &str, now_ms: u64) -> ActivityView {
        let end = self.ended_ms.unwrap_or(now_ms);
        ActivityView {
            id: self.id.clone(),
            kind: kind.to_owned(),
            client_id: self.client_id.clone(),
            category: self.category.clone(),
            parent: self.parent.clone(),
            attributes: self.attributes.clone(),
            started_at: from_unix_ms(self.started_ms),
            ended_at: self.ended_ms.map(from_unix_ms),
            duration_ms: Some(end.saturating_sub(self.started_ms)),
            progress_pct: self.progress_pct,
            note: self.note.clone(),
            outcome: self.outcome.clone(),
            labels: self.labels.clone(),
        }
    }

    /// Applies every bound to a record read from a file; `None` when it has
    /// no usable id. Adds what was cut to `cuts`.
    fn validated(self, active: bool, now_ms: u64, cuts: &mut u64) -> Option<ActivityRecord> {
        let Some(id) = clean_opt(self.id, ID_BYTES, cuts) else {
            *cuts += 1;
            return None;
        };
        let started_ms = self.started_ms.min(now_ms);
        let mut record = ActivityRecord {
            id,
            client_id: self.client_id.and_then(|c| clean_opt(c, NAME_BYTES, cuts)),
            category: self.category.and_then(|c| clean_opt(c, NAME_BYTES, cuts)),
            parent: self.parent.and_then(|p| clean_opt(p, ID_BYTES, cuts)),
            attributes: bounded_map(self.attributes, VALUE_BYTES, MAX_ATTRIBUTES, cuts),
            started_ms,
            ended_ms: self
                .ended_ms
                .map(|e| e.clamp(started_ms, now_ms.max(started_ms))),
            progress_pct: self
                .progress_pct
                .filter(|p| !p.is_nan())
                .map(|p| p.clamp(0.0, 100.0)),
            note: self.note.and_then(|n| clean_opt(n, NOTE_BYTES, cuts)),
            outcome: self.outcome.and_then(|o| clean_opt(o, LABEL_BYTES, cuts)),
            labels: bounded_map(self.labels, LABEL_BYTES, MAX_OUTCOME_LABELS, cuts),
        };
        if record.progress_pct != self.progress_pct {
            *cuts += 1;
        }
        if active && (record.ended_ms.is_some() || record.outcome.is_some()) {
            *cuts += 1;
            record.ended_ms = None;
            record.outcome = None;
            record.labels.clear();
        }
        if !active {
            record.ended_ms = Some(record.ended_ms.unwrap_or(started_ms));
            if record.outcome.is_none() {
                record.outcome = Some(UNKNOWN.to_owned());
            }
        }
        Some(record)
    }
}

fn bounded_map(
    map: BTreeMap<String, String>,
    value_bytes: usize,
    cap: usize,
    cuts: &mut u64,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (key, value) in map {
        let value = clean_counted(value, value_bytes, cuts);
        match clean_opt(key, KEY_BYTES, cuts) {
            Some(key) => insert_bounded(&mut out, key, value, cap, cuts),
            None => *cuts += 1,
        }
    }
    out
}

/// The durations histogram from a stored one, repaired rather than
/// refused (activity stats are a convenience, not a ledger): out-of-range
/// buckets are dropped, the count is the buckets' sum and the sum is
/// capped by it; every repair is counted in `cuts`.
fn durations_from(state: &HistogramState, cuts: &mut u64) -> LatencyHistogram {
    let mut h = LatencyHistogram::new();
    let mut count = 0u64;
    for &(i, n) in &state.buckets {
        let i = usize::from(i);
        if i < BUCKETS {
            h.add_bucket(i, n);
            count = count.saturating_add(n);
        } else {
            *cuts += 1;
        }
    }
    let sum = state.sum_micros.min(count.saturating_mul(MAX_MICROS));
    if count != state.count || sum != state.sum_micros {
        *cuts += 1;
    }
    h.add_totals(count, sum);
    h
}

/// A tracker's durable state: what [`export`](super::ActivityTracker::export)
/// writes and [`restore`](super::ActivityTracker::restore) reads back.
/// Times are Unix milliseconds; every field is plain data, so binary
/// formats such as postcard can encode it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityState {
    /// The tracker's kind (informational: a restore keeps its own).
    pub kind: String,
    /// Active activities, oldest first.
    pub active: Vec<ActivityRecord>,
    /// Recently ended activities, newest first.
    pub recent: Vec<ActivityRecord>,
    /// Activities started.
    pub started: u64,
    /// Activities ended (abandoned included).
    pub ended: u64,
    /// Activities expired as abandoned.
    pub abandoned: u64,
    /// Starts refused at `max_active`.
    pub refused: u64,
    /// Fields cut by the bounds.
    pub cleaned_fields: u64,
    /// Names counted under `__other__` or dropped past the key cap.
    pub overflowed_labels: u64,
    /// Durations of ended, not abandoned, activities.
    pub durations: HistogramState,
    /// Started activities per category.
    pub categories: BTreeMap<String, u64>,
    /// Ended activities per outcome result.
    pub outcomes: BTreeMap<String, u64>,
    /// Per label key, ended activities per label value.
    pub distributions: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Tally {
    /// Fills the counting part of `state`.
    pub(crate) fn export_into(&self, state: &mut ActivityState) {
        state.started = self.started;
        state.ended = self.ended;
        state.abandoned = self.abandoned;
        state.refused = self.refused;
        state.cleaned_fields = self.cleaned;
        state.overflowed_labels = self.overflowed;
        state.durations = self.durations.to_state();
        state.categories = self.categories.map.clone();
        state.outcomes = self.outcomes.map.clone();
        state.distributions = self
            .distributions
            .iter()
            .map(|(k, c)| (k.clone(), c.map.clone()))
            .collect();
    }

    /// A tally rebuilt from `state` within every cap; cuts are counted in
    /// its `cleaned` (and `overflowed`) counters.
    pub(crate) fn restored(state: &ActivityState, cuts: &mut u64) -> Tally {
        let mut t = Tally::new();
        t.started = state.started;
        t.ended = state.ended;
        t.abandoned = state.abandoned.min(state.ended);
        t.refused = state.refused;
        t.cleaned = state.cleaned_fields;
        t.overflowed = state.overflowed_labels;
        t.durations = durations_from(&state.durations, cuts);
        let name = |s: &String, max: usize, cuts: &mut u64| clean_opt(s.clone(), max, cuts);
        t.categories = Counts::new(MAX_CATEGORIES);
        for (k, &n) in &state.categories {
            if let Some(k) = name(k, NAME_BYTES, cuts) {
                t.overflowed += u64::from(t.categories.add(&k, n));
            }
        }
        t.outcomes = Counts::new(MAX_OUTCOMES);
        for (k, &n) in &state.outcomes {
            if let Some(k) = name(k, LABEL_BYTES, cuts) {
                t.overflowed += u64::from(t.outcomes.add(&k, n));
            }
        }
        for (key, values) in state.distributions.iter().take(MAX_LABEL_KEYS) {
            let Some(key) = name(key, KEY_BYTES, cuts) else {
                continue;
            };
            for (v, &n) in values {
                let v = clean_counted(v.clone(), LABEL_BYTES, cuts);
                t.add_label(&key, &v, n);
            }
        }
        *cuts += state.distributions.len().saturating_sub(MAX_LABEL_KEYS) as u64;
        t
    }
}

/// Validates the records of `state`: active ones (oldest first, at most
/// `max_active`, the newest kept, duplicate ids dropped) and recent ones
/// (newest first, at most `recent`).
pub(crate) fn validated_records(
    active: Vec<ActivityRecord>,
    recent: Vec<ActivityRecord>,
    max_active: usize,
    recent_cap: usize,
    now_ms: u64,
    cuts: &mut u64,
) -> (Vec<ActivityRecord>, Vec<ActivityRecord>) {
    let skip = active.len().saturating_sub(max_active);
    *cuts += skip as u64;
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<ActivityRecord> = Vec::new();
    // Newest first so a duplicate keeps its newest entry, then back to
    // oldest first.
    for r in active.into_iter().skip(skip).rev() {
        if let Some(r) = r.validated(true, now_ms, cuts) {
            if seen.insert(r.id.clone()) {
                kept.push(r);
            } else {
                *cuts += 1;
            }
        }
    }
    kept.reverse();
    *cuts += recent.len().saturating_sub(recent_cap) as u64;
    let recent = recent
        .into_iter()
        .take(recent_cap)
        .filter_map(|r| r.validated(false, now_ms, cuts))
        .collect();
    (kept, recent)
}
