//! Replacing the live state with a snapshot's (a restore from a backup),
//! every part checked before any part changes.

use std::time::SystemTime;

use serde::Serialize;

use super::Monitor;
use crate::activity::ActivityState;
use crate::clock::{from_unix_ms, rfc3339};
use crate::persist::{Snapshot, SnapshotError};
use crate::queue::QueueState;

/// What [`Monitor::replace_state`] put in place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RestoreSummary {
    /// When the snapshot was taken.
    #[serde(with = "rfc3339")]
    pub taken_at: SystemTime,
    /// Messages the restored collector counts, all time.
    pub messages: u64,
    /// Error records in the snapshot.
    pub errors: usize,
    /// Error groups in the snapshot.
    pub error_groups: usize,
    /// Labelled counter families in the snapshot.
    pub counter_families: usize,
    /// Activity kinds in the snapshot.
    pub activity_kinds: usize,
    /// Heartbeat sources in the snapshot.
    pub heartbeat_sources: usize,
    /// Queues in the snapshot.
    pub queues: usize,
}

impl Monitor {
    /// Replaces the monitor's state with `snapshot`'s: the collector,
    /// the error log, labelled counters, activities, heartbeat timelines,
    /// queue counts, top users and the heatmap. Unlike [`restore_snapshot`](Self::restore_snapshot),
    /// which fills a fresh monitor at start, this works on a live one.
    ///
    /// Every part is checked first (sketches, histograms, record and group
    /// consistency; the error log is rebuilt aside): an invalid snapshot
    /// is an error and changes nothing. Then each part is swapped in turn.
    /// What stays as it is:
    ///
    /// - subscribers (SSE, WebSocket, bus) stay connected and get a
    ///   `metrics:update` with the new figures; no other event is sent
    ///   for what was dropped or restored;
    /// - activities active now are dropped with the rest of their kind's
    ///   state (no `ended` event); the snapshot's active ones take their
    ///   place and expire as usual. A host ending a dropped one gets the
    ///   tracker's not-found answer. Kinds the snapshot lacks are emptied;
    /// - queues keep their live figures (pending, scheduled, in flight:
    ///   the host's queue is the truth about what waits); their counts
    ///   and hourly series are the snapshot's, emptied when it lacks them;
    /// - counter families and activity kinds stay registered (the host's
    ///   handles keep working), emptied when the snapshot lacks them;
    /// - heartbeat sources keep their configuration and latest beat;
    ///   health check results, the alert router's groups and silences,
    ///   the HTTP request stats, uptime and the recent response-time
    ///   samples are not part of snapshots and are untouched;
    /// - records made at the very moment of the swap may be lost.
    ///
    /// ```
    /// use monitor_core::Monitor;
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let monitor = Monitor::builder().start()?;
    /// monitor.record_message("user-1", Duration::from_millis(80));
    /// let backup = monitor.snapshot();
    /// monitor.record_message("user-2", Duration::from_millis(90));
    ///
    /// let summary = monitor.replace_state(&backup)?;
    /// assert_eq!(summary.messages, 1);
    /// assert_eq!(monitor.collector().current_stats().messages.total, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn replace_state(&self, snapshot: &Snapshot) -> Result<RestoreSummary, SnapshotError> {
        let i = &*self.inner;
        let invalid = |e: &dyn std::fmt::Display| SnapshotError::Invalid(e.to_string());
        // Checks: nothing below this block fails for a state that passed.
        snapshot.collector.validate().map_err(|e| invalid(&e))?;
        super::persistence::validate_queues(&snapshot.queues)?;
        i.analytics
            .check(&snapshot.analytics)
            .map_err(|e| invalid(&e))?;
        let errors = i
            .errors
            .rebuild(&snapshot.errors)
            .map_err(|e| invalid(&e))?;

        i.errors.install_rebuilt(errors);
        // The same pure check as above, so it cannot fail here.
        i.collector
            .replace(&snapshot.collector)
            .map_err(|e| invalid(&e))?;
        i.counters.replace(&snapshot.counters);
        let mut emptied: Vec<_> = self.activity_trackers();
        for state in &snapshot.activities {
            let tracker = self.activities(&state.kind);
            emptied.retain(|t| t.kind() != tracker.kind());
            tracker.restore(state.clone());
        }
        for tracker in emptied {
            tracker.restore(ActivityState::empty(tracker.kind()));
        }
        i.health.replace(snapshot.health.clone());
        // Checked above: cannot fail.
        let _ = i.analytics.replace(&snapshot.analytics);
        let mut emptied = self.queues();
        for state in &snapshot.queues {
            let queue = self.queue(&state.name);
            emptied.retain(|q| q.name() != queue.name());
            // Validated above: cannot fail.
            let _ = queue.replace(state);
        }
        for queue in emptied {
            let _ = queue.replace(&QueueState::empty(queue.name()));
        }
        // Parts added to `Snapshot` later are swapped here too; an audit
        // log, if any, is never replaced (a restore is itself audited).
        self.publish_metrics_update();
        Ok(RestoreSummary {
            taken_at: from_unix_ms(snapshot.taken_at_ms),
            messages: snapshot.collector.total,
            errors: snapshot.errors.records.len(),
            error_groups: snapshot.errors.groups.len(),
            counter_families: snapshot.counters.len(),
            activity_kinds: snapshot.activities.len(),
            heartbeat_sources: snapshot.health.heartbeats.len(),
            queues: snapshot.queues.len(),
        })
    }
}
