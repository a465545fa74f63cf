//! [`ActionContext`]: what a handler gets to report on its run, and
//! [`ActionStep`], a child activity of the run.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use super::params::ActionParams;
use crate::activity::{ActivityError, ActivityMeta, ActivityTracker, Outcome};
use crate::audit::Actor;

/// Most steps one run may start; further ones are refused.
pub const MAX_STEPS: usize = 64;
/// Longest step name kept, in bytes.
pub const STEP_NAME_BYTES: usize = 48;

/// Handed to an action's handler: the run's id, its parameters, who
/// asked, and the means to report progress and start steps (child
/// activities, shown under the run in `/api/activities/action/tree`).
pub struct ActionContext {
    pub(crate) run_id: String,
    pub(crate) action: String,
    pub(crate) params: ActionParams,
    pub(crate) requested_by: Actor,
    pub(crate) tracker: ActivityTracker,
    pub(crate) steps: Arc<AtomicUsize>,
}

impl ActionContext {
    /// The run's id (its activity's id).
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The action's name.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The parameters the run was given.
    pub fn params(&self) -> &ActionParams {
        &self.params
    }

    /// Who started the run.
    pub fn requested_by(&self) -> &Actor {
        &self.requested_by
    }

    /// Reports progress `pct` (clamped to 0–100) with a `note` (cleaned;
    /// empty keeps the last one): an `action:progress` event. `false` when
    /// it was not recorded (NaN, or the run's activity is gone).
    pub fn progress(&self, pct: f64, note: &str) -> bool {
        self.tracker.progress(&self.run_id, pct, note).is_ok()
    }

    /// Starts step `name` of this run: an activity `{run_id}/{name}` whose
    /// parent is the run. End it with [`ActionStep::end`]; a step dropped
    /// unended ends as `abandoned`. Refused past [`MAX_STEPS`] per run,
    /// for an empty name, or for a name already active in this run.
    pub fn step(&self, name: &str) -> Result<ActionStep, ActivityError> {
        let mut name = name.to_owned();
        crate::text::clean(&mut name, STEP_NAME_BYTES, false);
        if name.is_empty() {
            return Err(ActivityError::EmptyId);
        }
        if self.steps.fetch_add(1, Relaxed) >= MAX_STEPS {
            self.steps.fetch_sub(1, Relaxed);
            return Err(ActivityError::TooManyActive { limit: MAX_STEPS });
        }
        let id = format!("{}/{name}", self.run_id);
        let meta = ActivityMeta::new()
            .category(self.action.as_str())
            .parent(self.run_id.as_str());
        if let Err(e) = self.tracker.start(&id, meta) {
            self.steps.fetch_sub(1, Relaxed);
            return Err(e);
        }
        Ok(ActionStep {
            id,
            tracker: self.tracker.clone(),
            ended: false,
        })
    }
}

impl std::fmt::Debug for ActionContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionContext")
            .field("run_id", &self.run_id)
            .field("params", &self.params)
            .field("requested_by", &self.requested_by)
            .finish_non_exhaustive()
    }
}

/// One step of a run, tracked as a child activity of the run.
#[derive(Debug)]
pub struct ActionStep {
    id: String,
    tracker: ActivityTracker,
    ended: bool,
}

impl ActionStep {
    /// The step's activity id, `{run_id}/{name}`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Reports the step's progress; `false` when not recorded.
    pub fn progress(&self, pct: f64, note: &str) -> bool {
        self.tracker.progress(&self.id, pct, note).is_ok()
    }

    /// Ends the step with `outcome` (e.g. `Outcome::new("completed")`);
    /// `false` when its activity was already gone.
    pub fn end(mut self, outcome: Outcome) -> bool {
        self.ended = true;
        self.tracker.end(&self.id, outcome).is_ok()
    }
}

impl Drop for ActionStep {
    fn drop(&mut self) {
        if !self.ended {
            let _ = self.tracker.end(&self.id, Outcome::abandoned());
        }
    }
}
