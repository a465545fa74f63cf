//! Publishing a tracker's figures through the `metrics` facade.

use metrics::{Unit, counter, describe_counter, describe_gauge, gauge};

use super::tracker::ActivityTracker;

/// Metric names, for hosts and tests that look them up.
pub mod names {
    /// Gauge: activities active now (`kind`).
    pub const ACTIVE: &str = "monitor_activities_active";
    /// Counter: activities ended (`kind`, `outcome`; outcomes bounded, the
    /// rest under `__other__`).
    pub const TOTAL: &str = "monitor_activities_total";
    /// Counter: starts refused at `max_active` (`kind`).
    pub const REFUSED: &str = "monitor_activities_refused_total";
    /// Gauge: duration quantiles of ended activities in seconds (`kind`,
    /// `percentile` = `50` | `95`).
    pub const DURATION: &str = "monitor_activity_duration_seconds";
}

impl ActivityTracker {
    /// Sets this tracker's series on the installed `metrics` recorder. Label
    /// sets are bounded: the kind, and at most 33 outcomes; never ids or
    /// tenants. Call it right before rendering a scrape.
    pub fn publish_metrics(&self) {
        use names::*;
        let stats = self.stats();
        describe_gauge!(ACTIVE, Unit::Count, "Activities active now, by kind.");
        describe_counter!(TOTAL, Unit::Count, "Activities ended, by kind and outcome.");
        describe_counter!(REFUSED, Unit::Count, "Activity starts refused at the cap.");
        describe_gauge!(
            DURATION,
            Unit::Seconds,
            "Activity duration quantiles (NaN before any ended)."
        );
        let kind = stats.kind.clone();
        gauge!(ACTIVE, "kind" => kind.clone()).set(stats.active as f64);
        counter!(REFUSED, "kind" => kind.clone()).absolute(stats.refused);
        for o in &stats.by_outcome {
            counter!(TOTAL, "kind" => kind.clone(), "outcome" => o.outcome.clone())
                .absolute(o.count);
        }
        for (q, ms) in [("50", stats.duration.p50_ms), ("95", stats.duration.p95_ms)] {
            gauge!(DURATION, "kind" => kind.clone(), "percentile" => q)
                .set(ms.map_or(f64::NAN, |ms| ms / 1000.0));
        }
    }
}
