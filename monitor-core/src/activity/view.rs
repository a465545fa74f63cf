//! What readers and listeners see of an activity.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;

/// One activity as the JSON API shows it. Attributes marked PII are
/// already masked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityView {
    /// The caller's id (cleaned).
    pub id: String,
    /// The tracker's kind: `call`, `session`, `agent`…
    pub kind: String,
    /// The tenant.
    pub client_id: Option<String>,
    /// The category.
    pub category: Option<String>,
    /// The id of the activity that started this one.
    pub parent: Option<String>,
    /// Attributes, PII masked to the last four digits.
    pub attributes: BTreeMap<String, String>,
    /// When it started.
    #[serde(with = "rfc3339")]
    pub started_at: SystemTime,
    /// When it ended; `None` while active.
    #[serde(with = "rfc3339::option")]
    pub ended_at: Option<SystemTime>,
    /// How long it lasted once ended; while active, how long it has been
    /// running so far.
    pub duration_ms: Option<u64>,
    /// The last reported progress, 0–100.
    pub progress_pct: Option<f64>,
    /// The last non-empty progress note.
    pub note: Option<String>,
    /// The outcome's result once ended (`abandoned` when expired).
    pub outcome: Option<String>,
    /// The outcome's labels once ended.
    pub labels: BTreeMap<String, String>,
}

impl ActivityView {
    /// Whether it has not ended yet.
    pub fn is_active(&self) -> bool {
        self.ended_at.is_none()
    }
}

/// An activity and the activities it started, for agent hierarchies
/// (orchestrator → strategist → generator).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivityNode {
    /// The activity.
    pub activity: ActivityView,
    /// Activities whose parent is this one, oldest first.
    pub children: Vec<ActivityNode>,
}

/// The step of a lifecycle a notice reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// The activity started.
    Started,
    /// The activity reported progress.
    Progress,
    /// The activity ended (including expiry as abandoned).
    Ended,
}

impl Phase {
    /// `"started"`, `"progress"` or `"ended"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Started => "started",
            Phase::Progress => "progress",
            Phase::Ended => "ended",
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a tracker tells its listeners after each change.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ActivityNotice<'a> {
    /// What happened.
    pub phase: Phase,
    /// The activity after the change.
    pub activity: &'a ActivityView,
}

impl ActivityNotice<'_> {
    /// The event type for the bus: `"{kind}:{phase}"`, e.g. `call:started`.
    pub fn event_type(&self) -> String {
        format!("{}:{}", self.activity.kind, self.phase.as_str())
    }
}
