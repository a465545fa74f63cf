//! What readers see of actions and their runs.

use std::time::SystemTime;

use serde::Serialize;

use crate::audit::Actor;
use crate::clock::rfc3339;

/// How a run ended; also the result of its activity's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunResult {
    /// The handler returned `Ok(summary)`.
    Succeeded,
    /// The handler returned `Err(message)`.
    Failed,
    /// The handler panicked; the panic was caught and reported.
    Panicked,
    /// The handler did not finish within the action's timeout and was
    /// stopped.
    TimedOut,
    /// The run's task was stopped before it finished (the runtime shut
    /// down).
    Cancelled,
}

impl RunResult {
    /// Every result, in a fixed order.
    pub const ALL: [RunResult; 5] = [
        RunResult::Succeeded,
        RunResult::Failed,
        RunResult::Panicked,
        RunResult::TimedOut,
        RunResult::Cancelled,
    ];

    /// `succeeded`, `failed`, `panicked`, `timed_out` or `cancelled`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunResult::Succeeded => "succeeded",
            RunResult::Failed => "failed",
            RunResult::Panicked => "panicked",
            RunResult::TimedOut => "timed_out",
            RunResult::Cancelled => "cancelled",
        }
    }
}

/// The outcome given to runs that were in progress when the process
/// stopped, found in a snapshot at start.
pub const INTERRUPTED: &str = "interrupted";

/// One run: in progress, or finished with its result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunView {
    /// The run's id, also its activity's id (kind `action`).
    pub run_id: String,
    /// The action.
    pub action: String,
    /// Who started it.
    pub requested_by: Actor,
    /// When it started.
    #[serde(with = "rfc3339")]
    pub started_at: SystemTime,
    /// When it ended; `None` while running.
    #[serde(with = "rfc3339::option")]
    pub ended_at: Option<SystemTime>,
    /// How long it ran (so far, while running).
    pub duration_ms: u64,
    /// The last progress reported, 0–100 (while running).
    pub progress_pct: Option<f64>,
    /// The last progress note (while running).
    pub note: Option<String>,
    /// How it ended; `None` while running.
    pub result: Option<RunResult>,
    /// The handler's summary or error, or what stopped it.
    pub message: Option<String>,
}

/// How many runs of an action started and how they ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunCounts {
    /// Runs started.
    pub started: u64,
    /// Ended `succeeded`.
    pub succeeded: u64,
    /// Ended `failed`.
    pub failed: u64,
    /// Ended `panicked`.
    pub panicked: u64,
    /// Ended `timed_out`.
    pub timed_out: u64,
    /// Ended `cancelled`.
    pub cancelled: u64,
    /// Starts refused: already running, or at the concurrency limit.
    pub refused: u64,
}

impl RunCounts {
    pub(crate) fn count(&mut self, result: RunResult) {
        let slot = match result {
            RunResult::Succeeded => &mut self.succeeded,
            RunResult::Failed => &mut self.failed,
            RunResult::Panicked => &mut self.panicked,
            RunResult::TimedOut => &mut self.timed_out,
            RunResult::Cancelled => &mut self.cancelled,
        };
        *slot += 1;
    }

    /// The count of runs that ended with `result`.
    pub fn ended(&self, result: RunResult) -> u64 {
        match result {
            RunResult::Succeeded => self.succeeded,
            RunResult::Failed => self.failed,
            RunResult::Panicked => self.panicked,
            RunResult::TimedOut => self.timed_out,
            RunResult::Cancelled => self.cancelled,
        }
    }
}

/// One registered action as `GET /api/actions` lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActionView {
    /// Its name (the API path segment).
    pub name: String,
    /// What it does, for operators.
    pub description: String,
    /// Whether runs may overlap.
    pub concurrent: bool,
    /// How many runs may be in progress at once (1 unless concurrent).
    pub max_concurrent: usize,
    /// How long a run may take before it is stopped.
    pub timeout_ms: u64,
    /// Runs in progress, oldest first.
    pub running: Vec<RunView>,
    /// The last finished runs, newest first (at most
    /// [`LAST_RUNS`](super::LAST_RUNS)).
    pub last: Vec<RunView>,
    /// Counts since the monitor started.
    pub counts: RunCounts,
}

/// A run just started: where to find it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunStarted {
    /// The run's id, also its activity's id.
    pub run_id: String,
    /// The action.
    pub action: String,
    /// The activity kind the run is tracked under: `action`.
    pub kind: String,
    /// When it started.
    #[serde(with = "rfc3339")]
    pub started_at: SystemTime,
}
