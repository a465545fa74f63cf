//! Muting alerts for a while.

use std::time::SystemTime;

use serde::Serialize;

use super::{AlertInput, Matcher};
use crate::clock::rfc3339;

/// Alerts matching `matcher` are not sent until `ends_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Silence {
    /// Identifies it for removal.
    pub id: u64,
    /// What it mutes.
    #[serde(skip)]
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
