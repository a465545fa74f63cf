//! Threshold rules on live metrics: error rate and p95 response time.

use serde::{Deserialize, Serialize};

use super::HealthStatus;

/// The limits the live metrics are held to. Each rule is "strictly
/// greater than": an error rate of exactly 5% is degraded, not critical.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Error rate (a fraction, 0.05 = 5%) above which the status is
    /// critical. Default 0.05.
    pub critical_error_rate: f64,
    /// Error rate above which the status is degraded. Default 0.02.
    pub degraded_error_rate: f64,
    /// p95 response time (ms) above which the status is critical.
    /// Default 1000.
    pub critical_p95_ms: f64,
    /// p95 response time (ms) above which the status is degraded.
    /// Default 500.
    pub degraded_p95_ms: f64,
    /// Fewer messages than this in the last hour give no error-rate
    /// verdict (one failure in three messages is not an outage). Default
    /// 20. The p95 rule has no such floor.
    pub min_messages: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            critical_error_rate: 0.05,
            degraded_error_rate: 0.02,
            critical_p95_ms: 1000.0,
            degraded_p95_ms: 500.0,
            min_messages: 20,
        }
    }
}

/// The live figures the thresholds are applied to, provided by the owner
/// (usually from the collector and the error log).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveMetrics {
    /// Errors / messages over the last hour, a fraction (0.05 = 5%).
    pub error_rate: Option<f64>,
    /// p95 response time over the last hour, in milliseconds.
    pub p95_ms: Option<f64>,
    /// Messages in the last hour (the error rate's denominator).
    pub messages_last_hour: u64,
}

/// The thresholds' verdict.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ThresholdReport {
    /// Healthy when no rule fired (or no metrics are provided).
    pub status: HealthStatus,
    /// The error rate judged, a fraction.
    pub error_rate: Option<f64>,
    /// The p95 judged, in milliseconds.
    pub p95_ms: Option<f64>,
    /// The rules that fired, e.g. `"error rate 6.00% > 5.00%"`.
    pub reason: Option<String>,
    /// The limits judged against, so a reader of `/health` (the
    /// dashboard's threshold lines) need not hard-code them.
    #[serde(default)]
    pub limits: Thresholds,
}

impl Thresholds {
    /// Applies the rules to `live` (`None`: nothing to judge, healthy).
    pub fn evaluate(&self, live: Option<LiveMetrics>) -> ThresholdReport {
        let Some(live) = live else {
            return ThresholdReport {
                limits: *self,
                ..ThresholdReport::default()
            };
        };
        // NaN and negative figures are no figures.
        let error_rate = live.error_rate.filter(|r| r.is_finite() && *r >= 0.0);
        let p95_ms = live.p95_ms.filter(|p| p.is_finite() && *p >= 0.0);
        let mut status = HealthStatus::Healthy;
        let mut reasons = Vec::new();
        if let Some(rate) = error_rate.filter(|_| live.messages_last_hour >= self.min_messages) {
            let rule = judge(
                rate,
                self.critical_error_rate,
                self.degraded_error_rate,
                |v| format!("{:.2}%", v * 100.0),
            );
            if let Some((s, limit)) = rule {
                status = status.max(s);
                reasons.push(format!("error rate {:.2}% > {limit}", rate * 100.0));
            }
        }
        if let Some(p95) = p95_ms {
            let rule = judge(p95, self.critical_p95_ms, self.degraded_p95_ms, |v| {
                format!("{v:.0} ms")
            });
            if let Some((s, limit)) = rule {
                status = status.max(s);
                reasons.push(format!("p95 {p95:.0} ms > {limit}"));
            }
        }
        ThresholdReport {
            status,
            error_rate,
            p95_ms,
            reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
            limits: *self,
        }
    }
}

/// The worst rule `value` breaks, with the limit it broke as text.
fn judge(
    value: f64,
    critical: f64,
    degraded: f64,
    show: impl Fn(f64) -> String,
) -> Option<(HealthStatus, String)> {
    if value > critical {
        Some((HealthStatus::Critical, show(critical)))
    } else if value > degraded {
        Some((HealthStatus::Degraded, show(degraded)))
    } else {
        None
    }
}
