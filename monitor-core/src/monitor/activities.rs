//! The monitor's activity trackers, one per kind, created on first use
//! and wired to the bus.

use std::collections::BTreeMap;

use parking_lot::RwLock;

use crate::activity::{ActivityTracker, ActivityTrackerBuilder, OTHER};
use crate::bus::EventBus;
use crate::clock::Clock;

/// Most activity kinds one monitor tracks; further kinds share the
/// `__other__` tracker.
pub const MAX_ACTIVITY_KINDS: usize = 32;

pub(super) struct Activities {
    trackers: RwLock<BTreeMap<String, ActivityTracker>>,
    /// Kinds configured by the host, built on first use.
    configured: parking_lot::Mutex<BTreeMap<String, ActivityTrackerBuilder>>,
    clock: Clock,
    bus: EventBus,
}

impl Activities {
    pub(super) fn new(
        configured: BTreeMap<String, ActivityTrackerBuilder>,
        clock: Clock,
        bus: EventBus,
    ) -> Self {
        Activities {
            trackers: RwLock::new(BTreeMap::new()),
            configured: parking_lot::Mutex::new(configured),
            clock,
            bus,
        }
    }

    pub(super) fn get_or_create(&self, kind: &str) -> ActivityTracker {
        if let Some(t) = self.trackers.read().get(kind) {
            return t.clone();
        }
        let mut trackers = self.trackers.write();
        if let Some(t) = trackers.get(kind) {
            return t.clone();
        }
        let kind = if trackers.len() < MAX_ACTIVITY_KINDS && !kind.is_empty() && kind.len() <= 64 {
            kind
        } else {
            OTHER
        };
        let builder = self
            .configured
            .lock()
            .remove(kind)
            .unwrap_or_else(|| ActivityTracker::builder(kind));
        let tracker = builder
            .clock(self.clock.clone())
            .listener(super::wiring::activities_to_bus(&self.bus, &self.clock))
            .build();
        trackers.insert(kind.to_owned(), tracker.clone());
        tracker
    }

    pub(super) fn get(&self, kind: &str) -> Option<ActivityTracker> {
        self.trackers.read().get(kind).cloned()
    }

    pub(super) fn all(&self) -> Vec<ActivityTracker> {
        self.trackers.read().values().cloned().collect()
    }

    /// Builds every configured kind now, so its tracker (and its expiry)
    /// exists before the first start.
    pub(super) fn build_configured(&self) {
        let kinds: Vec<String> = self.configured.lock().keys().cloned().collect();
        for kind in kinds {
            self.get_or_create(&kind);
        }
    }
}
