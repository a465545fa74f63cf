//! Labelled event counters: `monitor.events("buttons").record("UNLOCK_CONTENT")`.
//!
//! Each family counts occurrences per label, with the last 24 hours by
//! hour and the last 30 days by day. Families and labels are capped; a new
//! label past the cap is counted under [`OTHER_LABEL`], a new family past
//! the cap shares the family [`OTHER_LABEL`], and both overflows are
//! counted.
//!
//! A record takes one short mutex per family: counters are for clicks,
//! outcomes and sessions (thousands per second), not for the per-message
//! hot path, which is [`MetricsCollector`](crate::MetricsCollector)'s.

mod family;
mod stats;

pub use family::{
    DAYS, EventCounter, FamilyState, HOURS, LabelState, MAX_LABEL_BYTES, OTHER_LABEL,
};
pub use stats::{FamilyStats, LabelStats, SeriesPoint};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use parking_lot::RwLock;
use rapidhash::RapidHashMap;

use crate::clock::Clock;

/// Limits of an [`EventCounters`] registry.
#[derive(Clone, Debug)]
pub struct CountersConfig {
    /// Most families (default 64).
    pub max_families: usize,
    /// Most labels per family (default 100).
    pub max_labels: usize,
    /// Where "now" comes from.
    pub clock: Clock,
}

impl Default for CountersConfig {
    fn default() -> Self {
        CountersConfig {
            max_families: 64,
            max_labels: 100,
            clock: Clock::default(),
        }
    }
}

struct Inner {
    config: CountersConfig,
    families: RwLock<RapidHashMap<Box<str>, EventCounter>>,
    overflowed_families: AtomicU64,
}

/// Every family of labelled counters; cheap to clone.
#[derive(Clone)]
pub struct EventCounters {
    inner: Arc<Inner>,
}

impl EventCounters {
    /// An empty registry.
    pub fn new(config: CountersConfig) -> Self {
        EventCounters {
            inner: Arc::new(Inner {
                config,
                families: RwLock::new(RapidHashMap::default()),
                overflowed_families: AtomicU64::new(0),
            }),
        }
    }

    /// The family `name`, created on first use. Hold on to the handle when
    /// recording often: it skips this lookup.
    pub fn family(&self, name: &str) -> EventCounter {
        if let Some(f) = self.inner.families.read().get(name) {
            return f.clone();
        }
        let mut families = self.inner.families.write();
        if let Some(f) = families.get(name) {
            return f.clone();
        }
        let cfg = &self.inner.config;
        let name = if families.len() < cfg.max_families && name.len() <= MAX_LABEL_BYTES {
            name
        } else {
            self.inner.overflowed_families.fetch_add(1, Relaxed);
            OTHER_LABEL
        };
        families
            .entry(name.into())
            .or_insert_with(|| EventCounter::new(name, cfg.max_labels, cfg.clock.clone()))
            .clone()
    }

    /// The family `name` if it exists (readers should not create families).
    pub fn get(&self, name: &str) -> Option<EventCounter> {
        self.inner.families.read().get(name).cloned()
    }

    /// Names of the families, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .inner
            .families
            .read()
            .keys()
            .map(|k| k.to_string())
            .collect();
        names.sort();
        names
    }

    /// Families that could not be created because of the cap.
    pub fn overflowed_families(&self) -> u64 {
        self.inner.overflowed_families.load(Relaxed)
    }

    /// Every family's durable state.
    pub fn export(&self) -> Vec<FamilyState> {
        let families: Vec<EventCounter> = self.inner.families.read().values().cloned().collect();
        let mut out: Vec<FamilyState> = families.iter().map(EventCounter::export).collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// Adds snapshot `states` to the current counts.
    pub fn restore(&self, states: &[FamilyState]) {
        for state in states {
            self.family(&state.name).restore(state);
        }
    }

    /// Replaces every family's counts with `states`: families the
    /// snapshot lacks are emptied (handles the host holds stay valid),
    /// the snapshot's are filled as [`restore`](Self::restore) does.
    pub fn replace(&self, states: &[FamilyState]) {
        let families: Vec<EventCounter> = self.inner.families.read().values().cloned().collect();
        for family in families {
            family.clear();
        }
        self.restore(states);
    }

    /// Sets `monitor_events_total{family,label}` on the installed `metrics`
    /// recorder (bounded: families and labels are capped).
    pub fn publish_metrics(&self) {
        metrics::describe_counter!(
            "monitor_events_total",
            "Labelled events counted by the host, by family and label."
        );
        let families: Vec<EventCounter> = self.inner.families.read().values().cloned().collect();
        for f in families {
            let stats = f.stats_for(1, 1);
            for l in &stats.labels {
                metrics::counter!(
                    "monitor_events_total",
                    "family" => stats.family.clone(),
                    "label" => l.label.clone()
                )
                .absolute(l.total);
            }
        }
    }
}

impl std::fmt::Debug for EventCounters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventCounters")
            .field("families", &self.names())
            .finish()
    }
}

impl std::fmt::Debug for EventCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventCounter")
            .field("name", &self.name())
            .finish()
    }
}

#[cfg(test)]
mod tests;
