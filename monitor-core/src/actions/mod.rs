//! Operator actions: named jobs a host registers (`run-content-engine`:
//! "Run the content engine now") and admins start from the API or the
//! dashboard, each run tracked live as an activity.
//!
//! - [`Actions::register`] takes a name, a description and an async
//!   handler; [`ActionSpec`] adds concurrency, its limit and a timeout.
//! - The handler gets an [`ActionContext`]: the run's id and
//!   [`ActionParams`], progress reports, and steps (child activities).
//!   It returns `Ok(summary)` or `Err(message)`.
//! - [`Actions::run`] starts a run on the monitor's runtime and returns
//!   its id at once. A run is an activity of kind `action` (category: the
//!   action's name), so it shows in `/api/activities/action/active`,
//!   `/recent` and `/tree`, and as `action:started|progress|ended` events
//!   on the `calls` channel. Its outcome is a [`RunResult`].
//! - A second start while a run is in progress is refused
//!   ([`RunError::AlreadyRunning`]) unless the action is concurrent, and
//!   then past its `max_concurrent` ([`RunError::TooManyRuns`]).
//! - The handler runs on a task of its own: an error, a panic (caught as
//!   the task's `JoinError`) or a timeout is the run's reported outcome and
//!   never reaches the host. (Built with `panic = "abort"`, a panic ends
//!   the process whatever anyone catches.)
//! - Bounded: [`MAX_ACTIONS`] actions, [`MAX_PARAMS`] parameters per run,
//!   [`MAX_STEPS`] steps per run, [`LAST_RUNS`] finished runs kept per
//!   action; refusals are counted in [`RunCounts`] and
//!   `monitor_action_runs_total{result="refused"}`.
//!
//! ```
//! use monitor_core::Monitor;
//! use monitor_core::actions::{ActionParams, RunResult};
//! use monitor_core::audit::Actor;
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let monitor = Monitor::builder().start()?;
//! monitor.actions().register("run-content-engine", "Run the content engine now", |ctx| async move {
//!     ctx.progress(50.0, "feeds fetched");
//!     let posts = if ctx.params().get_bool("dry_run") == Some(true) { 0 } else { 12 };
//!     Ok(format!("{posts} posts generated"))
//! })?;
//!
//! let run = monitor.actions().run("run-content-engine", ActionParams::new(), Actor::system())?;
//! while monitor.actions().get("run-content-engine").is_some_and(|a| !a.running.is_empty()) {
//!     tokio::time::sleep(Duration::from_millis(5)).await;
//! }
//! let action = monitor.actions().get("run-content-engine").expect("registered");
//! assert_eq!(action.last[0].run_id, run.run_id);
//! assert_eq!(action.last[0].result, Some(RunResult::Succeeded));
//! assert_eq!(action.last[0].message.as_deref(), Some("12 posts generated"));
//! # Ok(())
//! # }
//! ```

mod context;
mod error;
mod params;
mod prometheus;
mod read;
mod registry;
mod run;
mod spec;
mod view;

pub use context::{ActionContext, ActionStep, MAX_STEPS, STEP_NAME_BYTES};
pub use error::{ParamError, RegisterError, RunError};
pub use params::{ActionParams, MAX_PARAMS, PARAM_KEY_BYTES, PARAM_VALUE_BYTES};
pub use registry::{ACTION_KIND, ActionFuture, ActionResult, Actions, LAST_RUNS};
pub use spec::{
    ACTION_NAME_BYTES, ActionSpec, DEFAULT_MAX_CONCURRENT, DEFAULT_RUN_TIMEOUT, DESCRIPTION_BYTES,
    MAX_ACTIONS, MAX_CONCURRENT, MAX_RUN_TIMEOUT,
};
pub use view::{ActionView, INTERRUPTED, RunCounts, RunResult, RunStarted, RunView};
