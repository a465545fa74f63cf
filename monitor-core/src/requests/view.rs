//! What a reader sees of one route.

use std::collections::BTreeMap;

use serde::Serialize;

/// One method + route's requests since start.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteStatsView {
    /// `GET`, `POST`, … or `OTHER`.
    pub method: String,
    /// The route template (`/users/{id}`), `__other__` past the cap.
    pub route: String,
    /// Requests answered.
    pub count: u64,
    /// Requests answered with a 5xx status.
    pub errors: u64,
    /// Requests by status: exact codes (`"200"`), then classes (`"4xx"`)
    /// once the route's exact slots are taken, `"other"` outside 100–599.
    pub by_status: BTreeMap<String, u64>,
    /// Median latency in milliseconds (`None` before the first request).
    pub p50_ms: Option<f64>,
    /// 95th percentile latency in milliseconds.
    pub p95_ms: Option<f64>,
    /// 99th percentile latency in milliseconds.
    pub p99_ms: Option<f64>,
    /// Mean latency in milliseconds.
    pub avg_ms: Option<f64>,
}
