//! What `/health` serves and what listeners receive.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::{CheckStatus, HealthStatus, HeartbeatReport, ThresholdReport};
use crate::clock::rfc3339;

/// One check as reported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    /// The last verdict (`pending` before the first run ends).
    pub status: CheckStatus,
    /// Down is critical (else degraded).
    pub required: bool,
    /// The check's explanation, or the runner's (timeout, panic).
    pub detail: String,
    /// How long the last run took, in milliseconds.
    pub latency_ms: Option<f64>,
    /// When the last run ended.
    #[serde(with = "rfc3339::option")]
    pub checked_at: Option<SystemTime>,
}

/// The cached health of everything, as `GET /health` serves it (with a
/// 200 for healthy and degraded, 503 for critical: see
/// [`HealthStatus::http_status`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HealthReport {
    /// The worst of every check, heartbeat and the thresholds.
    pub status: HealthStatus,
    /// Checks by name.
    pub checks: BTreeMap<String, CheckReport>,
    /// Heartbeat sources by name.
    pub heartbeats: BTreeMap<String, HeartbeatReport>,
    /// The threshold rules' last verdict.
    pub thresholds: ThresholdReport,
    /// Seconds since the health monitor started.
    pub uptime_seconds: u64,
    /// When this report was put together.
    #[serde(with = "rfc3339")]
    pub checked_at: SystemTime,
}

impl HealthReport {
    /// The worst contribution of the checks, heartbeats and thresholds:
    /// a required component down is critical, an optional one down or any
    /// one degraded is degraded, pending counts as up.
    pub fn aggregate(
        checks: &BTreeMap<String, CheckReport>,
        heartbeats: &BTreeMap<String, HeartbeatReport>,
        thresholds: &ThresholdReport,
    ) -> HealthStatus {
        let checks = checks.values().map(|c| c.status.contribution(c.required));
        let beats = heartbeats
            .values()
            .map(|h| h.status.contribution(h.required));
        checks
            .chain(beats)
            .fold(thresholds.status, HealthStatus::max)
    }

    /// Each component's status as text, keyed `check:NAME`,
    /// `heartbeat:NAME` and `thresholds`: what a change is judged on.
    pub(crate) fn components(&self) -> BTreeMap<String, &'static str> {
        let checks = self
            .checks
            .iter()
            .map(|(name, c)| (format!("check:{name}"), c.status.as_str()));
        let beats = self
            .heartbeats
            .iter()
            .map(|(name, h)| (format!("heartbeat:{name}"), h.status.as_str()));
        checks
            .chain(beats)
            .chain([("thresholds".to_owned(), self.thresholds.status.as_str())])
            .collect()
    }
}

/// The overall status or a component's status changed; what listeners
/// receive (the owner turns it into a `health:changed` event and, when it
/// wishes, an alert).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HealthChange {
    /// The overall status before.
    pub previous: HealthStatus,
    /// The overall status now (`report.status`).
    pub status: HealthStatus,
    /// The report the change was seen in.
    pub report: HealthReport,
    /// Components whose status changed (or that appeared), e.g.
    /// `"check:db"`, `"heartbeat:webhook"`, `"thresholds"`.
    pub changed: Vec<String>,
}

impl HealthChange {
    /// The change from `before` (component statuses and overall) to
    /// `report`, or `None` when nothing changed.
    pub(crate) fn between(
        before: &(HealthStatus, BTreeMap<String, &'static str>),
        report: &HealthReport,
        now: &BTreeMap<String, &'static str>,
    ) -> Option<Vec<String>> {
        let (previous, old) = before;
        let changed: Vec<String> = now
            .iter()
            .filter(|(name, status)| old.get(*name) != Some(*status))
            .map(|(name, _)| name.clone())
            .collect();
        (!changed.is_empty() || *previous != report.status).then_some(changed)
    }
}
