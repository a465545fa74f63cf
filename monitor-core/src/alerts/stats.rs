//! Delivery counts, per sink and for the router, and their Prometheus
//! series.

use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Acquire, Relaxed};

use metrics::{Unit, counter, describe_counter};
use parking_lot::Mutex;
use serde::Serialize;

/// One sink's counters (shared by the handle and the delivery tasks).
#[derive(Default)]
pub(crate) struct SinkCounters {
    pub(crate) sent: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) retried: AtomicU64,
    pub(crate) last_error: Mutex<Option<String>>,
}

/// A sink's delivery record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SinkStats {
    /// The sink's name.
    pub name: String,
    /// Notifications delivered.
    pub sent: u64,
    /// Notifications given up after every attempt.
    pub failed: u64,
    /// Notifications not attempted because the sink's backlog was full.
    pub dropped: u64,
    /// Attempts repeated after a retryable failure.
    pub retried: u64,
    /// The latest failure, if any.
    pub last_error: Option<String>,
}

impl SinkCounters {
    pub(crate) fn snapshot(&self, name: &str) -> SinkStats {
        SinkStats {
            name: name.to_owned(),
            sent: self.sent.load(Relaxed),
            // Acquire: the error of every failure counted is in
            // `last_error`, read after this.
            failed: self.failed.load(Acquire),
            dropped: self.dropped.load(Relaxed),
            retried: self.retried.load(Relaxed),
            last_error: self.last_error.lock().clone(),
        }
    }
}

/// The router's delivery record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AlertStats {
    /// Occurrences dropped because the router's queue was full.
    pub queue_dropped: u64,
    /// Notifications withheld by a silence.
    pub silenced: u64,
    /// Silences refused because [`MAX_SILENCES`](super::MAX_SILENCES)
    /// were in force.
    pub silences_refused: u64,
    /// Groups dropped because the router tracked too many.
    pub evicted_groups: u64,
    /// Per sink, in route order.
    pub sinks: Vec<SinkStats>,
}

impl AlertStats {
    /// Sets these counts on the installed `metrics` recorder.
    pub fn publish(&self) {
        describe_counter!(
            "monitor_alerts_sent_total",
            Unit::Count,
            "Alert notifications delivered, by sink."
        );
        describe_counter!(
            "monitor_alerts_failed_total",
            Unit::Count,
            "Alert notifications given up after retries, by sink."
        );
        describe_counter!(
            "monitor_alerts_dropped_total",
            Unit::Count,
            "Alert notifications dropped before delivery, by sink (queue = router queue full)."
        );
        describe_counter!(
            "monitor_alerts_retried_total",
            Unit::Count,
            "Alert delivery attempts repeated, by sink."
        );
        describe_counter!(
            "monitor_alerts_silenced_total",
            Unit::Count,
            "Alert notifications withheld by silences."
        );
        describe_counter!(
            "monitor_alerts_silences_refused_total",
            Unit::Count,
            "Silences refused because the most allowed were in force."
        );
        for s in &self.sinks {
            let sink = s.name.clone();
            counter!("monitor_alerts_sent_total", "sink" => sink.clone()).absolute(s.sent);
            counter!("monitor_alerts_failed_total", "sink" => sink.clone()).absolute(s.failed);
            counter!("monitor_alerts_dropped_total", "sink" => sink.clone()).absolute(s.dropped);
            counter!("monitor_alerts_retried_total", "sink" => sink).absolute(s.retried);
        }
        counter!("monitor_alerts_dropped_total", "sink" => "queue").absolute(self.queue_dropped);
        counter!("monitor_alerts_silenced_total").absolute(self.silenced);
        counter!("monitor_alerts_silences_refused_total").absolute(self.silences_refused);
    }
}
