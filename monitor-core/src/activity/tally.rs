//! Running counts of a tracker: lifecycle totals, durations, and bounded
//! counts by category, outcome and outcome label.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::outcome::ABANDONED;
use super::state::ActivityRecord;
use crate::sketch::{LatencyHistogram, ResponseTimes};

/// Most categories counted apart; further ones share [`OTHER`].
pub const MAX_CATEGORIES: usize = 64;
/// Most outcome results counted apart; further ones share [`OTHER`].
pub const MAX_OUTCOMES: usize = 32;
/// Most label keys with a distribution; further keys are not tracked (and
/// counted in [`ActivityCounters::overflowed_labels`]).
pub const MAX_LABEL_KEYS: usize = 8;
/// Most values per label key counted apart; further ones share [`OTHER`].
pub const MAX_LABEL_VALUES: usize = 32;
/// The bucket that takes what is past a cap.
pub const OTHER: &str = "__other__";

/// A tracker's figures, for the JSON API and the dashboard. No ids, no
/// tenants, no attributes: nothing here is PII.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityStats {
    /// The tracker's kind.
    pub kind: String,
    /// Activities active now.
    pub active: u64,
    /// Activities started (refused starts not included).
    pub started: u64,
    /// Activities ended, abandoned ones included.
    pub ended: u64,
    /// Activities expired as abandoned.
    pub abandoned: u64,
    /// Starts refused because `max_active` was reached.
    pub refused: u64,
    /// Durations of ended activities, abandoned ones left out.
    pub duration: ResponseTimes,
    /// Started activities by category, most first (those without a
    /// category are not listed).
    pub by_category: Vec<CategoryCount>,
    /// Ended activities by outcome result, most first; percentages of
    /// `ended`.
    pub by_outcome: Vec<OutcomeCount>,
    /// Per outcome label key, ended activities by label value, most first;
    /// percentages of the ended activities carrying that key.
    pub distributions: BTreeMap<String, Vec<LabelCount>>,
}

/// Activities in one category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    /// The category (or [`OTHER`]).
    pub category: String,
    /// How many started.
    pub count: u64,
}

/// Activities with one outcome result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutcomeCount {
    /// The result (or [`OTHER`]).
    pub outcome: String,
    /// How many ended with it.
    pub count: u64,
    /// Share of all ended activities, 0–100, rounded to 0.01.
    pub percent: f64,
}

/// Activities with one value of an outcome label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelCount {
    /// The label value (or [`OTHER`]).
    pub value: String,
    /// How many ended with it.
    pub count: u64,
    /// Share of the ended activities carrying this label key, 0–100,
    /// rounded to 0.01.
    pub percent: f64,
}

/// What a tracker's bounds have cut so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityCounters {
    /// Starts refused because `max_active` was reached.
    pub refused: u64,
    /// Fields truncated, stripped of control characters or dropped past a
    /// cap (ids, meta, notes, outcomes, and entries trimmed on restore).
    pub cleaned_fields: u64,
    /// Categories, outcomes and label values counted under [`OTHER`], and
    /// label keys past [`MAX_LABEL_KEYS`].
    pub overflowed_labels: u64,
}

/// Counts per name, at most `cap` names plus [`OTHER`].
#[derive(Clone, Debug)]
pub(crate) struct Counts {
    pub(crate) map: BTreeMap<String, u64>,
    cap: usize,
}

impl Counts {
    pub(crate) fn new(cap: usize) -> Self {
        Counts {
            map: BTreeMap::new(),
            cap,
        }
    }

    /// Adds `n` to `name`, or to [`OTHER`] past the cap; returns whether it
    /// overflowed.
    pub(crate) fn add(&mut self, name: &str, n: u64) -> bool {
        if let Some(c) = self.map.get_mut(name) {
            *c = c.saturating_add(n);
            return false;
        }
        let named = self.map.len() - usize::from(self.map.contains_key(OTHER));
        let overflow = name != OTHER && named >= self.cap;
        let key = if overflow || name == OTHER {
            OTHER
        } else {
            name
        };
        let c = self.map.entry(key.to_owned()).or_default();
        *c = c.saturating_add(n);
        overflow
    }

    fn total(&self) -> u64 {
        self.map.values().fold(0u64, |a, &b| a.saturating_add(b))
    }

    /// `(name, count, percent of the total)`, most first, then by name.
    fn ranked(&self) -> Vec<(String, u64, f64)> {
        let total = self.total();
        let mut rows: Vec<_> = self
            .map
            .iter()
            .map(|(k, &n)| (k.clone(), n, percent(n, total)))
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        rows
    }
}

fn percent(n: u64, total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    (n as f64 * 10_000.0 / total as f64).round() / 100.0
}

/// Every running count of one tracker.
#[derive(Clone, Debug)]
pub(crate) struct Tally {
    pub(crate) started: u64,
    pub(crate) ended: u64,
    pub(crate) abandoned: u64,
    pub(crate) refused: u64,
    pub(crate) cleaned: u64,
    pub(crate) overflowed: u64,
    pub(crate) durations: LatencyHistogram,
    pub(crate) categories: Counts,
    pub(crate) outcomes: Counts,
    pub(crate) distributions: BTreeMap<String, Counts>,
}

impl Tally {
    pub(crate) fn new() -> Self {
        Tally {
            started: 0,
            ended: 0,
            abandoned: 0,
            refused: 0,
            cleaned: 0,
            overflowed: 0,
            durations: LatencyHistogram::new(),
            categories: Counts::new(MAX_CATEGORIES),
            outcomes: Counts::new(MAX_OUTCOMES),
            distributions: BTreeMap::new(),
        }
    }

    pub(crate) fn on_start(&mut self, category: Option<&str>) {
        self.started += 1;
        if let Some(c) = category {
            self.overflowed += u64::from(self.categories.add(c, 1));
        }
    }

    /// Counts an ended record (its outcome and `ended_ms` set).
    pub(crate) fn on_end(&mut self, record: &ActivityRecord, duration_ms: u64) {
        self.ended += 1;
        let outcome = record.outcome.as_deref().unwrap_or(ABANDONED);
        if outcome == ABANDONED {
            self.abandoned += 1;
        } else {
            self.durations.record(duration_ms.saturating_mul(1_000));
        }
        self.overflowed += u64::from(self.outcomes.add(outcome, 1));
        for (key, value) in &record.labels {
            self.add_label(key, value, 1);
        }
    }

    /// Adds `n` to `key` = `value` in the distributions, within the caps.
    pub(crate) fn add_label(&mut self, key: &str, value: &str, n: u64) {
        if let Some(counts) = self.distributions.get_mut(key) {
            self.overflowed += u64::from(counts.add(value, n));
        } else if self.distributions.len() < MAX_LABEL_KEYS {
            let mut counts = Counts::new(MAX_LABEL_VALUES);
            self.overflowed += u64::from(counts.add(value, n));
            self.distributions.insert(key.to_owned(), counts);
        } else {
            self.overflowed += 1;
        }
    }

    pub(crate) fn stats(&self, kind: &str, active: usize) -> ActivityStats {
        ActivityStats {
            kind: kind.to_owned(),
            active: active as u64,
            started: self.started,
            ended: self.ended,
            abandoned: self.abandoned,
            refused: self.refused,
            duration: self.durations.summary(),
            by_category: self
                .categories
                .ranked()
                .into_iter()
                .map(|(category, count, _)| CategoryCount { category, count })
                .collect(),
            by_outcome: self
                .outcomes
                .ranked()
                .into_iter()
                .map(|(outcome, count, percent)| OutcomeCount {
                    outcome,
                    count,
                    percent,
                })
                .collect(),
            distributions: self
                .distributions
                .iter()
                .map(|(key, counts)| {
                    let rows = counts
                        .ranked()
                        .into_iter()
                        .map(|(value, count, percent)| LabelCount {
                            value,
                            count,
                            percent,
                        })
                        .collect();
                    (key.clone(), rows)
                })
                .collect(),
        }
    }

    pub(crate) fn counters(&self) -> ActivityCounters {
        ActivityCounters {
            refused: self.refused,
            cleaned_fields: self.cleaned,
            overflowed_labels: self.overflowed,
        }
    }
}
