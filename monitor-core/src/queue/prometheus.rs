//! Publishing a queue's figures through the `metrics` facade.

use metrics::{Unit, counter, describe_counter, describe_gauge, gauge};

use super::handle::QueueHandle;
use super::step::MessageStep;

/// Metric names, for hosts and tests that look them up.
pub mod names {
    /// Gauge: due messages waiting (`queue`).
    pub const DEPTH: &str = "monitor_queue_depth";
    /// Gauge: messages scheduled for later (`queue`).
    pub const SCHEDULED: &str = "monitor_queue_scheduled";
    /// Gauge: messages being processed (`queue`).
    pub const IN_FLIGHT: &str = "monitor_queue_in_flight";
    /// Gauge: how long the longest-waiting due message has been due, in
    /// seconds; 0 when none waits (`queue`).
    pub const OLDEST_AGE: &str = "monitor_queue_oldest_pending_age_seconds";
    /// Counter: messages per step (`queue`, `outcome` = `enqueued`,
    /// `processing`, `sent`, `failed`, `retry`, `dead_letter`).
    pub const MESSAGES: &str = "monitor_queue_messages_total";
    /// Counter: steps the live figures could not follow (`queue`, `kind` =
    /// `refused`, `unknown`, `duplicate`, `expired`, `untenanted`).
    pub const ANOMALIES: &str = "monitor_queue_anomalies_total";
}

impl QueueHandle {
    /// Sets this queue's series on the installed `metrics` recorder. Labels
    /// are the queue's name and fixed sets of steps and kinds; never a
    /// message id or a tenant. Call it right before rendering a scrape.
    pub fn publish_metrics(&self) {
        use names::*;
        describe_gauge!(DEPTH, Unit::Count, "Due messages waiting, by queue.");
        describe_gauge!(
            SCHEDULED,
            Unit::Count,
            "Messages scheduled for later, by queue."
        );
        describe_gauge!(
            IN_FLIGHT,
            Unit::Count,
            "Messages being processed, by queue."
        );
        describe_gauge!(
            OLDEST_AGE,
            Unit::Seconds,
            "How long the longest-waiting due message has been due (0 when none)."
        );
        describe_counter!(MESSAGES, Unit::Count, "Queue messages by step.");
        describe_counter!(
            ANOMALIES,
            Unit::Count,
            "Queue steps the live figures could not follow, by kind."
        );
        let s = self.stats();
        let queue = s.name.clone();
        gauge!(DEPTH, "queue" => queue.clone()).set(s.depth as f64);
        gauge!(SCHEDULED, "queue" => queue.clone()).set(s.scheduled as f64);
        gauge!(IN_FLIGHT, "queue" => queue.clone()).set(s.in_flight as f64);
        let age = s.oldest_pending_age_ms.map_or(0.0, |ms| ms as f64 / 1000.0);
        gauge!(OLDEST_AGE, "queue" => queue.clone()).set(age);
        for step in MessageStep::ALL {
            counter!(MESSAGES, "queue" => queue.clone(), "outcome" => step.as_str())
                .absolute(s.totals.get(step));
        }
        let a = s.anomalies;
        for (kind, n) in [
            ("refused", a.refused),
            ("unknown", a.unknown),
            ("duplicate", a.duplicates),
            ("expired", a.expired),
            ("untenanted", a.untenanted),
        ] {
            counter!(ANOMALIES, "queue" => queue.clone(), "kind" => kind).absolute(n);
        }
    }
}
