//! Publishing health through the `metrics` facade. Labels are check and
//! source names, both capped, so the series stay bounded.

use metrics::{Unit, counter, describe_counter, describe_gauge, gauge};

use super::{CheckStatus, Health};
use crate::clock::unix_ms;

/// Metric names, for hosts and tests that look them up.
pub mod names {
    /// Gauge: overall status, 0 healthy, 1 degraded, 2 critical.
    pub const STATUS: &str = "monitor_health_status";
    /// Gauge: 1 when a check is up or degraded, 0 when down (`check`);
    /// absent before its first run.
    pub const CHECK_UP: &str = "monitor_health_check_up";
    /// Gauge: the last run's latency in seconds (`check`).
    pub const CHECK_LATENCY: &str = "monitor_health_check_latency_seconds";
    /// Gauge: seconds since a source's last beat (`source`); absent before
    /// its first.
    pub const HEARTBEAT_AGE: &str = "monitor_heartbeat_age_seconds";
    /// Counter: check runs started.
    pub const CHECK_RUNS: &str = "monitor_health_check_runs_total";
    /// Counter: runs cut short by the runner (`reason` = `timeout` | `panic`).
    pub const CHECK_ABORTED: &str = "monitor_health_check_aborted_total";
    /// Counter: registrations refused (`kind` = `check` | `heartbeat`).
    pub const REJECTED: &str = "monitor_health_rejected_total";
}

impl Health {
    /// Sets the health series on the installed `metrics` recorder (one
    /// [`report`](Self::report); call it before rendering a scrape).
    pub fn publish_metrics(&self) {
        describe();
        let report = self.report();
        gauge!(names::STATUS).set(report.status.gauge());
        for (name, check) in &report.checks {
            let up = match check.status {
                CheckStatus::Up | CheckStatus::Degraded => 1.0,
                CheckStatus::Down => 0.0,
                CheckStatus::Pending => continue,
            };
            gauge!(names::CHECK_UP, "check" => name.clone()).set(up);
            if let Some(ms) = check.latency_ms {
                gauge!(names::CHECK_LATENCY, "check" => name.clone()).set(ms / 1_000.0);
            }
        }
        let now = unix_ms(report.checked_at);
        for (name, beat) in &report.heartbeats {
            if let Some(seen) = beat.last_seen {
                #[allow(clippy::cast_precision_loss)] // ms ages stay far below 2^52
                let age = now.saturating_sub(unix_ms(seen)) as f64 / 1_000.0;
                gauge!(names::HEARTBEAT_AGE, "source" => name.clone()).set(age);
            }
        }
        let c = self.counters();
        counter!(names::CHECK_RUNS).absolute(c.check_runs);
        counter!(names::CHECK_ABORTED, "reason" => "timeout").absolute(c.check_timeouts);
        counter!(names::CHECK_ABORTED, "reason" => "panic").absolute(c.check_panics);
        counter!(names::REJECTED, "kind" => "check").absolute(c.rejected_checks);
        counter!(names::REJECTED, "kind" => "heartbeat").absolute(c.rejected_heartbeats);
    }
}

fn describe() {
    describe_gauge!(
        names::STATUS,
        "Overall health: 0 healthy, 1 degraded, 2 critical."
    );
    describe_gauge!(
        names::CHECK_UP,
        "Whether a health check is up (1) or down (0)."
    );
    describe_gauge!(
        names::CHECK_LATENCY,
        Unit::Seconds,
        "Latency of a health check's last run."
    );
    describe_gauge!(
        names::HEARTBEAT_AGE,
        Unit::Seconds,
        "Time since a heartbeat source was last seen."
    );
    describe_counter!(names::CHECK_RUNS, Unit::Count, "Health check runs started.");
    describe_counter!(
        names::CHECK_ABORTED,
        Unit::Count,
        "Health check runs that timed out or panicked."
    );
    describe_counter!(
        names::REJECTED,
        Unit::Count,
        "Health checks and heartbeat sources refused (empty name or past the cap)."
    );
}
