//! Activities: calls, sessions and agent runs with a start, progress and an
//! end.
//!
//! - An [`ActivityTracker`] per kind (`call`, `session`, `agent`) keeps the
//!   active set, a bounded list of recently ended activities, durations
//!   (p50/p95), counts by category and by outcome, and percentage
//!   distributions of outcome labels (e.g. connection quality).
//! - [`ActivityMeta`] carries the tenant, category, parent (agent
//!   hierarchies, see [`ActivityTracker::tree`]) and attributes; attributes
//!   set with [`ActivityMeta::pii`] are masked to their last four digits as
//!   they are set, so the raw value never reaches a view, a notice, a
//!   snapshot or a log.
//! - Listeners receive an [`ActivityNotice`] per change, whose
//!   [`event_type`](ActivityNotice::event_type) is `{kind}:started`,
//!   `{kind}:progress` or `{kind}:ended`.
//! - Activities never ended are expired as `abandoned` after the tracker's
//!   timeout, so memory stays bounded; every cap cuts visibly
//!   ([`ActivityTracker::counters`]).
//! - [`ActivityTracker::export`] / [`ActivityTracker::restore`] carry the
//!   state through snapshot files as an [`ActivityState`].
//!
//! ```
//! use monitor_core::activity::{ActivityMeta, ActivityTracker, Outcome};
//!
//! let agents = ActivityTracker::builder("agent").build();
//! agents.start("orch", ActivityMeta::new().category("orchestrator"))?;
//! agents.start("gen", ActivityMeta::new().category("generator").parent("orch"))?;
//! agents.end("gen", Outcome::new("completed"))?;
//! let tree = agents.tree();
//! assert_eq!(tree.len(), 1);
//! assert_eq!(tree[0].children[0].activity.id, "gen");
//! # Ok::<(), monitor_core::activity::ActivityError>(())
//! ```

mod error;
mod meta;
mod outcome;
mod persist;
mod prometheus;
mod read;
mod state;
mod tally;
mod text;
mod tracker;
mod tree;
mod view;

#[cfg(test)]
mod tests;

pub use error::ActivityError;
pub use meta::ActivityMeta;
pub use outcome::{ABANDONED, Outcome, UNKNOWN};
pub use prometheus::names;
pub use state::{ActivityRecord, ActivityState};
pub use tally::{
    ActivityCounters, ActivityStats, CategoryCount, LabelCount, MAX_CATEGORIES, MAX_LABEL_KEYS,
    MAX_LABEL_VALUES, MAX_OUTCOMES, OTHER, OutcomeCount,
};
pub use text::{
    ID_BYTES, KEY_BYTES, LABEL_BYTES, MAX_ATTRIBUTES, MAX_OUTCOME_LABELS, NAME_BYTES, NOTE_BYTES,
    VALUE_BYTES, mask_pii,
};
pub use tracker::{
    ActivityTracker, ActivityTrackerBuilder, DEFAULT_MAX_ACTIVE, DEFAULT_RECENT, DEFAULT_TIMEOUT,
    EXPIRE_EVERY, MAX_MAX_ACTIVE, MAX_RECENT,
};
pub use tree::MAX_TREE_DEPTH;
pub use view::{ActivityNode, ActivityNotice, ActivityView, Phase};
