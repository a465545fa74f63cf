//! Reading the registry: actions and their runs, and the runs a restart
//! interrupted.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use super::registry::{Actions, Entry, since_ms};
use super::view::ActionView;
use crate::activity::{ActivityTracker, Outcome};

impl Actions {
    /// Every registered action, by name, with its runs.
    pub fn list(&self) -> Vec<ActionView> {
        let entries: Vec<Arc<Entry>> = self.inner.entries.read().values().cloned().collect();
        entries.iter().map(|e| self.view(e)).collect()
    }

    /// Action `name`, if registered.
    pub fn get(&self, name: &str) -> Option<ActionView> {
        let entry = self.inner.entries.read().get(name).cloned()?;
        Some(self.view(&entry))
    }

    /// How many actions are registered.
    pub fn len(&self) -> usize {
        self.inner.entries.read().len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Registrations refused past [`MAX_ACTIONS`](super::MAX_ACTIONS).
    pub fn refused_registrations(&self) -> u64 {
        self.inner.refused_registrations.load(Relaxed)
    }

    /// The tracker runs are recorded in (kind [`ACTION_KIND`](super::ACTION_KIND)).
    pub fn tracker(&self) -> &ActivityTracker {
        &self.inner.tracker
    }

    fn view(&self, entry: &Entry) -> ActionView {
        let now = self.inner.clock.now();
        let st = entry.state.lock();
        let running = st
            .running
            .iter()
            .map(|run| {
                let mut run = run.clone();
                run.duration_ms = since_ms(run.started_at, now);
                if let Some(activity) = self.inner.tracker.get(&run.run_id) {
                    run.progress_pct = activity.progress_pct;
                    run.note = activity.note;
                }
                run
            })
            .collect();
        ActionView {
            name: entry.spec.name.clone(),
            description: entry.spec.description.clone(),
            concurrent: entry.spec.concurrent,
            max_concurrent: entry.spec.run_limit(),
            timeout_ms: u64::try_from(entry.spec.timeout.as_millis()).unwrap_or(u64::MAX),
            running,
            last: st.last.iter().cloned().collect(),
            counts: st.counts,
        }
    }

    /// Ends, as [`INTERRUPTED`](super::INTERRUPTED), every activity of kind
    /// `action` that is active but not a run of this registry: runs that
    /// were in progress when a snapshot was taken and whose process is
    /// gone. Returns how many. The monitor calls it after restoring.
    pub(crate) fn end_interrupted(&self) -> usize {
        let running: Vec<String> = self
            .inner
            .entries
            .read()
            .values()
            .flat_map(|e| {
                e.state
                    .lock()
                    .running
                    .iter()
                    .map(|r| r.run_id.clone())
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut ended = 0;
        for activity in self.inner.tracker.active() {
            let mine = running
                .iter()
                .any(|r| activity.id == *r || activity.id.starts_with(&format!("{r}/")));
            if !mine
                && self
                    .inner
                    .tracker
                    .end(&activity.id, Outcome::new(super::INTERRUPTED))
                    .is_ok()
            {
                ended += 1;
            }
        }
        ended
    }
}

impl std::fmt::Debug for Actions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self.inner.entries.read().keys().cloned().collect();
        f.debug_struct("Actions")
            .field("names", &names)
            .finish_non_exhaustive()
    }
}
