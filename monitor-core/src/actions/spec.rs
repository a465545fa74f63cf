//! [`ActionSpec`]: an action's name, description and how it may run.

use std::time::Duration;

use super::error::RegisterError;
use crate::activity::NAME_BYTES;

/// Most actions one monitor registers; further registrations are refused
/// and counted.
pub const MAX_ACTIONS: usize = 64;
/// Longest action name, in bytes.
pub const ACTION_NAME_BYTES: usize = 64;
/// Longest description kept, in bytes.
pub const DESCRIPTION_BYTES: usize = 256;
/// Default most runs at once of an action that allows concurrency.
pub const DEFAULT_MAX_CONCURRENT: usize = 4;
/// Highest `max_concurrent` accepted.
pub const MAX_CONCURRENT: usize = 64;
/// Default time a run may take before it is stopped as `timed_out`.
pub const DEFAULT_RUN_TIMEOUT: Duration = Duration::from_secs(3_600);
/// Longest run timeout accepted.
pub const MAX_RUN_TIMEOUT: Duration = Duration::from_secs(24 * 3_600);

/// What an action is and how it may run: by default one run at a time
/// (a second start while one runs is refused), stopped after
/// [`DEFAULT_RUN_TIMEOUT`].
///
/// ```
/// use monitor_core::actions::ActionSpec;
/// use std::time::Duration;
///
/// let spec = ActionSpec::new("reindex", "Rebuild the search index")
///     .concurrent(true)
///     .max_concurrent(2)
///     .timeout(Duration::from_secs(600));
/// assert_eq!(spec.name(), "reindex");
/// assert_eq!(spec.run_limit(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionSpec {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) concurrent: bool,
    pub(crate) max_concurrent: usize,
    pub(crate) timeout: Duration,
}

impl ActionSpec {
    /// An action `name` (an API path segment: 1 to 64 of `A-Z a-z 0-9 . _
    /// -`, checked at registration) described for operators by
    /// `description` (cleaned, cut to [`DESCRIPTION_BYTES`]).
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        let mut description = description.into();
        crate::text::clean(&mut description, DESCRIPTION_BYTES, false);
        ActionSpec {
            name: name.into(),
            description,
            concurrent: false,
            max_concurrent: DEFAULT_MAX_CONCURRENT,
            timeout: DEFAULT_RUN_TIMEOUT,
        }
    }

    /// Whether runs may overlap (default no: a start while one runs is
    /// refused). Overlapping runs are still capped by
    /// [`max_concurrent`](Self::max_concurrent).
    pub fn concurrent(mut self, concurrent: bool) -> Self {
        self.concurrent = concurrent;
        self
    }

    /// Most runs at once when [`concurrent`](Self::concurrent) (default
    /// [`DEFAULT_MAX_CONCURRENT`], 1 to [`MAX_CONCURRENT`]).
    pub fn max_concurrent(mut self, max: usize) -> Self {
        self.max_concurrent = max.clamp(1, MAX_CONCURRENT);
        self
    }

    /// How long a run may take before it is stopped and reported as
    /// `timed_out` (default [`DEFAULT_RUN_TIMEOUT`], at most
    /// [`MAX_RUN_TIMEOUT`], at least a millisecond).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.clamp(Duration::from_millis(1), MAX_RUN_TIMEOUT);
        self
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The description.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// How many runs may be in progress at once.
    pub fn run_limit(&self) -> usize {
        if self.concurrent {
            self.max_concurrent
        } else {
            1
        }
    }

    pub(crate) fn check_name(&self) -> Result<(), RegisterError> {
        let n = self.name.as_bytes();
        let ok = !n.is_empty()
            && n.len() <= ACTION_NAME_BYTES.min(NAME_BYTES)
            && n[0] != b'.'
            && n.iter()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(b));
        if ok {
            Ok(())
        } else {
            let shown: String = self.name.chars().take(ACTION_NAME_BYTES).collect();
            Err(RegisterError::InvalidName(shown))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_path_segments() {
        for good in [
            "run-content-engine",
            "a",
            "db.vacuum",
            "X_1",
            &"n".repeat(64),
        ] {
            assert_eq!(ActionSpec::new(good, "").check_name(), Ok(()), "{good}");
        }
        for bad in [
            "",
            ".hidden",
            "a/b",
            "a b",
            "é",
            "a%2f",
            &"n".repeat(65),
            "..",
            "a\n",
        ] {
            assert!(ActionSpec::new(bad, "").check_name().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn limits_are_clamped() {
        let spec = ActionSpec::new("a", "d\u{1b}".repeat(200))
            .max_concurrent(0)
            .timeout(Duration::ZERO);
        assert_eq!(spec.run_limit(), 1, "not concurrent: one run");
        assert_eq!(spec.max_concurrent, 1);
        assert_eq!(spec.timeout, Duration::from_millis(1));
        assert!(spec.description.len() <= DESCRIPTION_BYTES);
        assert!(!spec.description.contains('\u{1b}'));
        let spec = ActionSpec::new("a", "")
            .concurrent(true)
            .max_concurrent(1_000)
            .timeout(Duration::from_secs(1_000_000));
        assert_eq!(spec.run_limit(), MAX_CONCURRENT);
        assert_eq!(spec.timeout, MAX_RUN_TIMEOUT);
    }
}
