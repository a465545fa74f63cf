//! The two status scales: one per component ([`CheckStatus`]) and the
//! overall verdict ([`HealthStatus`]), plus what a check returns.

use serde::{Deserialize, Serialize};

/// Longest `detail` kept from a check, in characters; beyond it is cut.
pub const MAX_DETAIL_CHARS: usize = 512;

/// The overall verdict, ordered from best to worst so the worst of several
/// is their `max()`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    /// Everything required works and the live metrics are within bounds.
    #[default]
    Healthy,
    /// Something optional is down, something is slow, or a metric is past
    /// its degraded threshold; still serving.
    Degraded,
    /// Something required is down or a metric is past its critical
    /// threshold.
    Critical,
}

impl HealthStatus {
    /// `"healthy"`, `"degraded"` or `"critical"`.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Healthy => "healthy",
            HealthStatus::Degraded => "degraded",
            HealthStatus::Critical => "critical",
        }
    }

    /// The HTTP status `GET /health` answers with: 200 while serving
    /// (healthy or degraded), 503 when critical.
    pub fn http_status(self) -> u16 {
        match self {
            HealthStatus::Healthy | HealthStatus::Degraded => 200,
            HealthStatus::Critical => 503,
        }
    }

    /// The gauge value: 0 healthy, 1 degraded, 2 critical.
    pub fn gauge(self) -> f64 {
        match self {
            HealthStatus::Healthy => 0.0,
            HealthStatus::Degraded => 1.0,
            HealthStatus::Critical => 2.0,
        }
    }
}

impl std::fmt::Display for HealthStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of one check or heartbeat source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Working.
    Up,
    /// Working, but slow or partly failing.
    Degraded,
    /// Not working, timed out, panicked, or (a heartbeat) not seen within
    /// its interval.
    Down,
    /// No verdict yet: a check that has not finished its first run, or a
    /// heartbeat source never seen whose first interval has not run out.
    /// Pending components do not lower the overall status.
    Pending,
}

impl CheckStatus {
    /// `"up"`, `"degraded"`, `"down"` or `"pending"`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Up => "up",
            CheckStatus::Degraded => "degraded",
            CheckStatus::Down => "down",
            CheckStatus::Pending => "pending",
        }
    }

    /// What this component does to the overall status: a required
    /// component down is critical; an optional one down, or any one
    /// degraded, is degraded; up and pending change nothing.
    pub fn contribution(self, required: bool) -> HealthStatus {
        match (self, required) {
            (CheckStatus::Down, true) => HealthStatus::Critical,
            (CheckStatus::Down, false) | (CheckStatus::Degraded, _) => HealthStatus::Degraded,
            (CheckStatus::Up | CheckStatus::Pending, _) => HealthStatus::Healthy,
        }
    }
}

impl std::fmt::Display for CheckStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one run of a check found. Latency is measured by the runner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The verdict.
    pub status: CheckStatus,
    /// A short human-readable explanation (never a secret: it is served
    /// on the unauthenticated `/health`).
    pub detail: String,
}

impl CheckResult {
    /// Working.
    pub fn up(detail: impl Into<String>) -> Self {
        Self::new(CheckStatus::Up, detail)
    }

    /// Working but slow or partly failing.
    pub fn degraded(detail: impl Into<String>) -> Self {
        Self::new(CheckStatus::Degraded, detail)
    }

    /// Not working.
    pub fn down(detail: impl Into<String>) -> Self {
        Self::new(CheckStatus::Down, detail)
    }

    fn new(status: CheckStatus, detail: impl Into<String>) -> Self {
        CheckResult {
            status,
            detail: detail.into(),
        }
    }
}

/// `text` without control characters, at most `max` characters long.
pub(crate) fn clean_text(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}
