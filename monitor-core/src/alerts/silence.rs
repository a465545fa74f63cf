//! Muting alerts for a while.

use std::time::SystemTime;

use serde::Serialize;

use super::{AlertInput, Matcher};
use crate::clock::rfc3339;

/// Most silences in force at once; further ones are refused and counted
/// ([`AlertStats::silences_refused`](super::AlertStats::silences_refused)).
pub const MAX_SILENCES: usize = 256;

/// Why [`AlertHandle::silence`](super::AlertHandle::silence) refused a
/// silence.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SilenceError {
    /// [`MAX_SILENCES`] silences are in force already.
    #[error("too many silences in force (limit {limit})")]
    TooMany {
        /// [`MAX_SILENCES`].
        limit: usize,
    },
}

/// Alerts matching `matcher` are not sent until `ends_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Silence {
    /// Identifies it for removal.
    pub id: u64,
    /// What it mutes.
    pub matcher: Matcher,
    /// When it stops.
    #[serde(with = "rfc3339")]
    pub ends_at: SystemTime,
    /// Why (for the audit and the dashboard).
    pub comment: String,
}

impl Silence {
    pub(crate) fn mutes(&self, input: &AlertInput, now: SystemTime) -> bool {
        now < self.ends_at && self.matcher.matches(input)
    }
}
