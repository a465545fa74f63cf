//! Publishing a collector's figures through the `metrics` facade.
//!
//! The hot path never touches the facade: at scrape time the host (or
//! monitor-axum's `/metrics`) calls [`MetricsCollector::publish_metrics`],
//! which takes one [`CurrentStats`] and sets absolute
//! counters and gauges on whatever recorder is installed, next to the
//! host's own `metrics::` series. No label carries a user id: every label
//! set here is fixed and small.

use metrics::{Unit, counter, describe_counter, describe_gauge, gauge};

use super::MetricsCollector;
use super::stats::{CollectorCounters, CurrentStats};

/// Metric names, for hosts and tests that look them up.
pub mod names {
    /// Counter: messages recorded.
    pub const MESSAGES_TOTAL: &str = "monitor_messages_total";
    /// Gauge: messages in a recent window (`window` = `1h` | `24h`).
    pub const MESSAGES_WINDOW: &str = "monitor_messages_in_window";
    /// Gauge: response-time quantiles in seconds (`window`, `percentile` = `50` | `95` | `99`).
    pub const RESPONSE_TIME: &str = "monitor_response_time_seconds";
    /// Gauge: mean response time in seconds (`window`).
    pub const RESPONSE_TIME_AVG: &str = "monitor_response_time_avg_seconds";
    /// Gauge: distinct users (`window` = `30m` | `today` | `7d` | `all`).
    pub const USERS: &str = "monitor_users";
    /// Gauge: the host's active connections.
    pub const ACTIVE_CONNECTIONS: &str = "monitor_active_connections";
    /// Gauge: seconds since the collector started.
    pub const UPTIME: &str = "monitor_uptime_seconds";
    /// Gauge: Unix time of the last heartbeat (absent before the first).
    pub const LAST_HEARTBEAT: &str = "monitor_last_heartbeat_timestamp_seconds";
    /// Counter: records the collector handled off its fast path (`kind`).
    pub const COLLECTOR_EDGE: &str = "monitor_collector_edge_records_total";
}

impl MetricsCollector {
    /// Sets this collector's series on the installed `metrics` recorder.
    ///
    /// Call it right before rendering a scrape (it costs one
    /// [`current_stats`](Self::current_stats)).
    ///
    /// ```
    /// use metrics_exporter_prometheus::PrometheusBuilder;
    /// use monitor_core::{CollectorConfig, MetricsCollector};
    /// use std::time::Duration;
    ///
    /// let recorder = PrometheusBuilder::new().build_recorder();
    /// let handle = recorder.handle();
    /// let c = MetricsCollector::new(CollectorConfig::default());
    /// c.record_message("u1", Duration::from_millis(80));
    /// metrics::with_local_recorder(&recorder, || c.publish_metrics());
    /// assert!(handle.render().contains("monitor_messages_total 1"));
    /// ```
    pub fn publish_metrics(&self) {
        publish(&self.current_stats(), &self.counters());
    }
}

fn seconds(ms: Option<f64>) -> f64 {
    ms.map_or(f64::NAN, |ms| ms / 1000.0)
}

fn publish(s: &CurrentStats, c: &CollectorCounters) {
    use names::*;
    describe_counter!(MESSAGES_TOTAL, Unit::Count, "Messages recorded.");
    describe_gauge!(
        MESSAGES_WINDOW,
        Unit::Count,
        "Messages in the last hour or 24 hours."
    );
    describe_gauge!(
        RESPONSE_TIME,
        Unit::Seconds,
        "Response-time quantiles (NaN when no messages)."
    );
    describe_gauge!(
        RESPONSE_TIME_AVG,
        Unit::Seconds,
        "Mean response time (NaN when no messages)."
    );
    describe_gauge!(USERS, Unit::Count, "Distinct users (HyperLogLog estimate).");
    describe_gauge!(
        ACTIVE_CONNECTIONS,
        Unit::Count,
        "Connections the host reports open."
    );
    describe_gauge!(
        UPTIME,
        Unit::Seconds,
        "Seconds since the collector started."
    );
    describe_gauge!(
        LAST_HEARTBEAT,
        Unit::Seconds,
        "Unix time of the host's last heartbeat."
    );
    describe_counter!(
        COLLECTOR_EDGE,
        Unit::Count,
        "Records that took a slow or lossy path, by kind."
    );

    let m = &s.messages;
    counter!(MESSAGES_TOTAL).absolute(m.total);
    gauge!(MESSAGES_WINDOW, "window" => "1h").set(m.last_hour as f64);
    gauge!(MESSAGES_WINDOW, "window" => "24h").set(m.last_24h as f64);

    let day = &s.response_time_24h;
    for (q, hour_ms, day_ms) in [
        ("50", m.p50_ms, day.p50_ms),
        ("95", m.p95_ms, day.p95_ms),
        ("99", m.p99_ms, day.p99_ms),
    ] {
        gauge!(RESPONSE_TIME, "window" => "1h", "percentile" => q).set(seconds(hour_ms));
        gauge!(RESPONSE_TIME, "window" => "24h", "percentile" => q).set(seconds(day_ms));
    }
    gauge!(RESPONSE_TIME_AVG, "window" => "1h").set(seconds(m.avg_response_time_ms));
    gauge!(RESPONSE_TIME_AVG, "window" => "24h").set(seconds(day.avg_ms));

    let u = &s.users;
    for (window, n) in [
        ("30m", u.active_now),
        ("today", u.active_today),
        ("7d", u.active_this_week),
        ("all", u.total),
    ] {
        gauge!(USERS, "window" => window).set(n as f64);
    }
    gauge!(ACTIVE_CONNECTIONS).set(s.active_connections as f64);
    gauge!(UPTIME).set(s.uptime_seconds as f64);
    if let Some(t) = s.last_heartbeat {
        gauge!(LAST_HEARTBEAT).set(crate::clock::unix_ms(t) as f64 / 1000.0);
    }

    for (kind, n) in [
        ("late", c.late_records),
        ("expired", c.expired_records),
        ("future", c.future_records),
        ("overflow", c.overflow_records),
    ] {
        counter!(COLLECTOR_EDGE, "kind" => kind).absolute(n);
    }
}
