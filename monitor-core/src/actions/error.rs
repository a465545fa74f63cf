//! Why a registration or a run was refused.

use crate::activity::ActivityError;

/// Why [`Actions::register`](super::Actions::register) refused an action.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegisterError {
    /// The name is empty, too long, or not made of `A-Z a-z 0-9 . _ -`
    /// (it is a path segment of the API).
    #[error("invalid action name {0:?}: 1 to 64 of A-Z a-z 0-9 . _ - (not starting with .)")]
    InvalidName(String),
    /// An action of this name is already registered.
    #[error("an action named {0:?} is already registered")]
    Duplicate(String),
    /// The registry holds its maximum of actions; the refusal is counted.
    #[error("too many actions (limit {limit})")]
    TooMany {
        /// [`MAX_ACTIONS`](super::MAX_ACTIONS).
        limit: usize,
    },
}

/// Why [`Actions::run`](super::Actions::run) did not start a run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// No action of this name is registered.
    #[error("no action named {0:?}")]
    Unknown(String),
    /// The action does not allow concurrent runs and one is running.
    #[error("action {action:?} is already running (run {run_id})")]
    AlreadyRunning {
        /// The action.
        action: String,
        /// The run in progress.
        run_id: String,
    },
    /// The action allows concurrent runs, and its limit of them run.
    #[error("action {action:?} already runs {limit} times at once, its limit")]
    TooManyRuns {
        /// The action.
        action: String,
        /// Its `max_concurrent`.
        limit: usize,
    },
    /// The activity tracker refused to start the run's activity (it holds
    /// its maximum of active activities).
    #[error("the run's activity could not start: {0}")]
    Activity(ActivityError),
}

/// A run parameter that could not be used: which one, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid `{field}`: {message}")]
pub struct ParamError {
    /// `params`, or `params.<key>` (the key's first 64 characters).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl ParamError {
    pub(crate) fn new(key: Option<&str>, message: impl Into<String>) -> Self {
        let field = match key {
            Some(k) => format!("params.{}", k.chars().take(64).collect::<String>()),
            None => "params".to_owned(),
        };
        ParamError {
            field,
            message: message.into(),
        }
    }
}
