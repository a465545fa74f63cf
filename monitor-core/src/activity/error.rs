//! [`ActivityError`]: why a start, progress or end was refused.

/// Why a tracker refused a call.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ActivityError {
    /// No active activity has this id (never started, already ended, or
    /// expired as abandoned).
    #[error("no active activity with id {0:?}")]
    NotFound(String),
    /// An activity with this id is already active.
    #[error("an activity with id {0:?} is already active")]
    Duplicate(String),
    /// The id is empty once cleaned.
    #[error("an activity id must not be empty")]
    EmptyId,
    /// The tracker already holds its maximum of active activities; the
    /// refusal is counted.
    #[error("too many active activities (limit {limit})")]
    TooManyActive {
        /// The tracker's `max_active`.
        limit: usize,
    },
    /// Progress must be a number (it is clamped to 0–100); NaN is refused.
    #[error("progress must be a number, got {0}")]
    InvalidProgress(f64),
}
