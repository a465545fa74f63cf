//! One method + route's counters: statuses and latencies, all atomics.

use std::time::Duration;

use super::latency::AtomicLatency;
use super::status::StatusCounts;
use super::view::RouteStatsView;

/// Counters of one method + route key; recorded through `&self`.
pub(crate) struct RouteEntry {
    method: &'static str,
    statuses: StatusCounts,
    latency: AtomicLatency,
}

impl RouteEntry {
    pub(crate) fn new(method: &'static str) -> Self {
        RouteEntry {
            method,
            statuses: StatusCounts::new(),
            latency: AtomicLatency::new(),
        }
    }

    pub(crate) fn method(&self) -> &'static str {
        self.method
    }

    pub(crate) fn record(&self, status: u16, elapsed: Duration) {
        self.statuses.record(status);
        self.latency.record(elapsed);
    }

    /// The entry as seen now, under the name `route`; `None` while it
    /// has not counted anything yet (created, not yet recorded).
    pub(crate) fn view(&self, route: &str) -> Option<RouteStatsView> {
        let by_status: std::collections::BTreeMap<String, u64> =
            self.statuses.counts().into_iter().collect();
        let count = by_status.values().sum();
        if count == 0 {
            return None;
        }
        let times = self.latency.histogram().summary();
        Some(RouteStatsView {
            method: self.method.to_owned(),
            route: route.to_owned(),
            count,
            errors: self.statuses.server_errors(),
            by_status,
            p50_ms: times.p50_ms,
            p95_ms: times.p95_ms,
            p99_ms: times.p99_ms,
            avg_ms: times.avg_ms,
        })
    }
}
