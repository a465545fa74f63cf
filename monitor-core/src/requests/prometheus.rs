//! Publishing request stats through the `metrics` facade. Labels are the
//! method (10 values), the route (capped) and the status (capped per
//! route), so the series stay bounded.

use metrics::{Unit, counter, describe_counter, describe_gauge, gauge};

use super::RequestStats;

/// Metric names, for hosts and tests that look them up.
pub mod names {
    /// Counter: requests answered (`method`, `route`, `status`).
    pub const REQUESTS_TOTAL: &str = "monitor_http_requests_total";
    /// Gauge: latency quantiles since start in seconds (`method`, `route`,
    /// `percentile` = `50` | `95` | `99`).
    pub const REQUEST_DURATION: &str = "monitor_http_request_duration_seconds";
    /// Counter: requests counted under `__other__` for want of room.
    pub const ROUTES_OVERFLOWED: &str = "monitor_http_routes_overflowed_total";
}

impl RequestStats {
    /// Sets the request series on the installed `metrics` recorder (one
    /// [`routes`](Self::routes); call it before rendering a scrape).
    ///
    /// ```
    /// use metrics_exporter_prometheus::PrometheusBuilder;
    /// use monitor_core::requests::RequestStats;
    /// use std::time::Duration;
    ///
    /// let recorder = PrometheusBuilder::new().build_recorder();
    /// let handle = recorder.handle();
    /// let requests = RequestStats::default();
    /// requests.record("GET", "/users/{id}", 200, Duration::from_millis(5));
    /// metrics::with_local_recorder(&recorder, || requests.publish_metrics());
    /// assert!(handle.render().contains(
    ///     r#"monitor_http_requests_total{method="GET",route="/users/{id}",status="200"} 1"#
    /// ));
    /// ```
    pub fn publish_metrics(&self) {
        use names::*;
        describe_counter!(
            REQUESTS_TOTAL,
            Unit::Count,
            "HTTP requests answered, by method, matched route and status."
        );
        describe_gauge!(
            REQUEST_DURATION,
            Unit::Seconds,
            "HTTP request latency quantiles since start, by method and matched route."
        );
        describe_counter!(
            ROUTES_OVERFLOWED,
            Unit::Count,
            "HTTP requests counted under route __other__ because the route table was full."
        );
        for r in self.routes() {
            for (status, n) in &r.by_status {
                counter!(
                    REQUESTS_TOTAL,
                    "method" => r.method.clone(),
                    "route" => r.route.clone(),
                    "status" => status.clone()
                )
                .absolute(*n);
            }
            for (q, ms) in [("50", r.p50_ms), ("95", r.p95_ms), ("99", r.p99_ms)] {
                gauge!(
                    REQUEST_DURATION,
                    "method" => r.method.clone(),
                    "route" => r.route.clone(),
                    "percentile" => q
                )
                .set(ms.map_or(f64::NAN, |ms| ms / 1_000.0));
            }
        }
        counter!(ROUTES_OVERFLOWED).absolute(self.overflowed());
    }
}
