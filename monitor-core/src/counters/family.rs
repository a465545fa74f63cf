//! One family of labelled counters (`"buttons"`): per-label totals, the
//! last 24 hours by hour and the last 30 days by day.

use std::sync::Arc;
use std::time::SystemTime;

use parking_lot::Mutex;
use rapidhash::RapidHashMap;
use serde::{Deserialize, Serialize};

use super::stats::{FamilyStats, LabelStats, SeriesPoint};
use crate::clock::{Clock, from_unix_ms};
use crate::period::KeyedRing;

/// Label that takes counts once a family holds its maximum of labels.
pub const OTHER_LABEL: &str = "__other__";
/// Longest label kept, in bytes (longer ones are cut at a char boundary).
pub const MAX_LABEL_BYTES: usize = 128;
/// Hours of per-label history.
pub const HOURS: usize = 24;
/// Days of per-label history.
pub const DAYS: usize = 30;

const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 86_400_000;

struct LabelCounts {
    total: u64,
    hours: KeyedRing<u64>,
    days: KeyedRing<u64>,
}

impl LabelCounts {
    fn new() -> Self {
        LabelCounts {
            total: 0,
            hours: KeyedRing::new(HOURS),
            days: KeyedRing::new(DAYS),
        }
    }

    fn add(&mut self, n: u64, now_ms: u64) {
        self.total = self.total.saturating_add(n);
        if let Some(h) = self.hours.entry(now_ms / HOUR_MS, now_ms / HOUR_MS) {
            *h = h.saturating_add(n);
        }
        if let Some(d) = self.days.entry(now_ms / DAY_MS, now_ms / DAY_MS) {
            *d = d.saturating_add(n);
        }
    }
}

struct State {
    labels: RapidHashMap<Box<str>, LabelCounts>,
    overflowed: u64,
    cleaned: u64,
}

pub(crate) struct Family {
    name: Arc<str>,
    max_labels: usize,
    clock: Clock,
    state: Mutex<State>,
}

/// A handle on one family of labelled counters; cheap to clone.
///
/// ```
/// use monitor_core::counters::EventCounters;
///
/// let counters = EventCounters::new(Default::default());
/// let buttons = counters.family("buttons");
/// buttons.record("UNLOCK_CONTENT");
/// buttons.record("UNLOCK_CONTENT");
/// buttons.record("SHARE");
/// let stats = buttons.stats();
/// assert_eq!(stats.total, 3);
/// assert_eq!(stats.labels[0].label, "UNLOCK_CONTENT");
/// assert_eq!(stats.labels[0].last_24h, 2);
/// ```
#[derive(Clone)]
pub struct EventCounter {
    pub(crate) family: Arc<Family>,
}

impl EventCounter {
    pub(crate) fn new(name: &str, max_labels: usize, clock: Clock) -> Self {
        EventCounter {
            family: Arc::new(Family {
                name: name.into(),
                max_labels: max_labels.max(1),
                clock,
                state: Mutex::new(State {
                    labels: RapidHashMap::default(),
                    overflowed: 0,
                    cleaned: 0,
                }),
            }),
        }
    }

    /// The family's name.
    pub fn name(&self) -> &str {
        &self.family.name
    }

    /// Counts one occurrence of `label`.
    pub fn record(&self, label: &str) {
        self.record_n(label, 1);
    }

    /// Counts `n` occurrences of `label`. A new label beyond the family's
    /// cap is counted under [`OTHER_LABEL`] (and the overflow is counted).
    pub fn record_n(&self, label: &str, n: u64) {
        let f = &*self.family;
        let now = f.clock.now_ms();
        let (label, cleaned) = clean_label(label);
        let mut s = f.state.lock();
        s.cleaned += u64::from(cleaned);
        if let Some(c) = s.labels.get_mut(&*label) {
            c.add(n, now);
            return;
        }
        let key: &str = if s.labels.len() < f.max_labels {
            &label
        } else {
            s.overflowed += n;
            OTHER_LABEL
        };
        s.labels
            .entry(key.into())
            .or_insert_with(LabelCounts::new)
            .add(n, now);
    }

    /// Totals, hourly distribution (last `hours` ≤ 24) and daily totals
    /// (last `days` ≤ 30), labels sorted by total, most first.
    pub fn stats_for(&self, hours: usize, days: usize) -> FamilyStats {
        let f = &*self.family;
        let now = f.clock.now_ms();
        let (hours, days) = (hours.clamp(1, HOURS), days.clamp(1, DAYS));
        let (this_hour, today) = (now / HOUR_MS, now / DAY_MS);
        let s = f.state.lock();
        let mut labels: Vec<LabelStats> = s
            .labels
            .iter()
            .map(|(label, c)| {
                let series = |ring: &KeyedRing<u64>, last: u64, n: usize| -> Vec<u64> {
                    (0..n as u64)
                        .rev()
                        .map(|back| {
                            last.checked_sub(back)
                                .and_then(|k| ring.get(k))
                                .copied()
                                .unwrap_or(0)
                        })
                        .collect()
                };
                let hourly = series(&c.hours, this_hour, hours);
                let last_24h = series(&c.hours, this_hour, HOURS).iter().sum();
                LabelStats {
                    label: label.to_string(),
                    total: c.total,
                    last_24h,
                    hourly,
                    daily: series(&c.days, today, days),
                }
            })
            .collect();
        let (overflowed, cleaned) = (s.overflowed, s.cleaned);
        drop(s);
        labels.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.label.cmp(&b.label)));
        let point =
            |unit: u64, last: u64, i: usize, n: usize, pick: fn(&LabelStats) -> &Vec<u64>| {
                SeriesPoint {
                    timestamp: start_of(unit, last, n - 1 - i),
                    total: labels.iter().map(|l| pick(l)[i]).sum(),
                }
            };
        FamilyStats {
            family: f.name.to_string(),
            total: labels.iter().map(|l| l.total).sum(),
            hourly: (0..hours)
                .map(|i| point(HOUR_MS, this_hour, i, hours, |l| &l.hourly))
                .collect(),
            daily: (0..days)
                .map(|i| point(DAY_MS, today, i, days, |l| &l.daily))
                .collect(),
            overflowed,
            cleaned_labels: cleaned,
            labels,
        }
    }

    /// [`stats_for`](Self::stats_for) over 24 hours and 7 days.
    pub fn stats(&self) -> FamilyStats {
        self.stats_for(HOURS, 7)
    }

    /// The family's durable state, for snapshots.
    pub fn export(&self) -> FamilyState {
        let now = self.family.clock.now_ms();
        let s = self.family.state.lock();
        let mut labels: Vec<LabelState> = s
            .labels
            .iter()
            .map(|(label, c)| LabelState {
                label: label.to_string(),
                total: c.total,
                hours: c
                    .hours
                    .iter_within(now / HOUR_MS)
                    .map(|(k, v)| (k, *v))
                    .collect(),
                days: c
                    .days
                    .iter_within(now / DAY_MS)
                    .map(|(k, v)| (k, *v))
                    .collect(),
            })
            .collect();
        labels.sort_by(|a, b| a.label.cmp(&b.label));
        FamilyState {
            name: self.family.name.to_string(),
            labels,
            overflowed: s.overflowed,
        }
    }

    /// Adds `state` (a snapshot of this family) to the current counts.
    /// Labels beyond the cap go to [`OTHER_LABEL`]; periods older than the
    /// kept history are ignored.
    pub fn restore(&self, state: &FamilyState) {
        let f = &*self.family;
        let now = f.clock.now_ms();
        f.add_state(&mut f.state.lock(), state, now);
    }

    /// Drops every count (handles stay valid); what cleaning cut is kept.
    pub(crate) fn clear(&self) {
        let mut s = self.family.state.lock();
        s.labels = RapidHashMap::default();
        s.overflowed = 0;
    }
}

impl Family {
    fn add_state(&self, s: &mut State, state: &FamilyState, now: u64) {
        s.overflowed = s.overflowed.saturating_add(state.overflowed);
        for l in &state.labels {
            let (label, _) = clean_label(&l.label);
            let key: Box<str> =
                if s.labels.contains_key(&*label) || s.labels.len() < self.max_labels {
                    label.into()
                } else {
                    OTHER_LABEL.into()
                };
            let c = s.labels.entry(key).or_insert_with(LabelCounts::new);
            c.total = c.total.saturating_add(l.total);
            for &(k, v) in l.hours.iter().take(HOURS) {
                if let Some(h) = c.hours.entry(k, now / HOUR_MS) {
                    *h = h.saturating_add(v);
                }
            }
            for &(k, v) in l.days.iter().take(DAYS) {
                if let Some(d) = c.days.entry(k, now / DAY_MS) {
                    *d = d.saturating_add(v);
                }
            }
        }
    }
}

fn start_of(unit: u64, last: u64, back: usize) -> SystemTime {
    from_unix_ms(last.saturating_sub(back as u64).saturating_mul(unit))
}

/// A label as counted: control characters removed, at most
/// [`MAX_LABEL_BYTES`], never empty. The flag says whether it changed.
fn clean_label(label: &str) -> (std::borrow::Cow<'_, str>, bool) {
    if !label.is_empty() && label.len() <= MAX_LABEL_BYTES && !label.chars().any(char::is_control) {
        return (label.into(), false);
    }
    let mut out = label.to_owned();
    crate::text::clean(&mut out, MAX_LABEL_BYTES, false);
    if out.is_empty() {
        out.push_str("unknown");
    }
    (out.into(), true)
}

/// A family's durable state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FamilyState {
    /// Family name.
    pub name: String,
    /// Its labels.
    pub labels: Vec<LabelState>,
    /// Occurrences counted under [`OTHER_LABEL`] for want of room.
    pub overflowed: u64,
}

/// One label's durable counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelState {
    /// The label.
    pub label: String,
    /// All-time total.
    pub total: u64,
    /// `(hour since the epoch, count)` pairs.
    pub hours: Vec<(u64, u64)>,
    /// `(day since the epoch, count)` pairs.
    pub days: Vec<(u64, u64)>,
}
