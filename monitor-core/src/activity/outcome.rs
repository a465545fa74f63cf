//! [`Outcome`]: how an activity ended, with labels for distributions.

use std::collections::BTreeMap;

use super::meta::insert_bounded;
use super::text::{KEY_BYTES, LABEL_BYTES, MAX_OUTCOME_LABELS, clean_counted, clean_opt};

/// The result given to activities that were never ended before the
/// tracker's timeout.
pub const ABANDONED: &str = "abandoned";

/// The result given when an outcome's result is empty.
pub const UNKNOWN: &str = "unknown";

/// How an activity ended: a result (`"completed"`, `"failed"`,
/// `"transferred"`…) and labels such as `quality = good` that feed the
/// tracker's percentage distributions.
///
/// Bounded as it is built: text cleaned to [`LABEL_BYTES`] (keys to
/// [`KEY_BYTES`](super::KEY_BYTES)), at most [`MAX_OUTCOME_LABELS`] labels.
///
/// ```
/// use monitor_core::activity::Outcome;
///
/// let outcome = Outcome::new("completed").label("quality", "good");
/// assert_eq!(outcome.result(), "completed");
/// assert_eq!(outcome.labels()["quality"], "good");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub(crate) result: String,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) cuts: u64,
}

impl Outcome {
    /// An outcome with `result` (empty becomes `"unknown"`).
    pub fn new(result: impl Into<String>) -> Self {
        let mut cuts = 0;
        let result =
            clean_opt(result.into(), LABEL_BYTES, &mut cuts).unwrap_or_else(|| UNKNOWN.to_owned());
        Outcome {
            result,
            labels: BTreeMap::new(),
            cuts,
        }
    }

    /// The outcome of an activity expired by the tracker: `"abandoned"`.
    /// Abandoned activities are counted apart and left out of durations.
    pub fn abandoned() -> Self {
        Outcome::new(ABANDONED)
    }

    /// Adds label `key` = `value` (e.g. `quality` = `good`). Empty keys
    /// are dropped and counted.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let value = clean_counted(value.into(), LABEL_BYTES, &mut self.cuts);
        match clean_opt(key.into(), KEY_BYTES, &mut self.cuts) {
            Some(key) => insert_bounded(
                &mut self.labels,
                key,
                value,
                MAX_OUTCOME_LABELS,
                &mut self.cuts,
            ),
            None => self.cuts += 1,
        }
        self
    }

    /// The result.
    pub fn result(&self) -> &str {
        &self.result
    }

    /// The labels.
    pub fn labels(&self) -> &BTreeMap<String, String> {
        &self.labels
    }

    /// Whether this is the expiry outcome.
    pub fn is_abandoned(&self) -> bool {
        self.result == ABANDONED
    }
}
