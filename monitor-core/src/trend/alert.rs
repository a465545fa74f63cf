//! Anomaly alerts: the last complete hour judged once, each flagged
//! figure routed through the alert router as one alert.

use std::time::Duration;

use parking_lot::Mutex;

use super::series::{Flagged, Metric};
use crate::alerts::{AlertHandle, AlertInput};
use crate::clock::rfc3339;
use crate::errors::{GroupKey, Severity};

/// How often the background check looks for a newly completed hour.
pub const DEFAULT_CHECK_EVERY: Duration = Duration::from_secs(60);

/// Settings of anomaly alerts (off unless given to
/// [`MonitorBuilder::anomaly_alerts`](crate::MonitorBuilder::anomaly_alerts)).
///
/// Once an hour closes, the check judges it against the 24 hours before
/// (see [`HOURLY`](super::HOURLY)) and routes one alert per flagged figure
/// to the monitor's alert router: service `analytics`, operation
/// `messages` or `error_rate`, alert name `Anomaly`, fingerprint
/// `anomaly:<figure>:<hour start>` (so each fires once). The alert is
/// resolved when the next hour has been judged. Only the last complete
/// hour is judged: hours that closed while the monitor was down (or while
/// a test clock jumped) are not judged later.
///
/// ```
/// use monitor_core::errors::Severity;
/// use monitor_core::trend::AnomalyAlerts;
///
/// let alerts = AnomalyAlerts::new(Severity::Warning).error_rate(false);
/// assert!(alerts.watches_messages() && !alerts.watches_error_rate());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnomalyAlerts {
    severity: Severity,
    messages: bool,
    error_rate: bool,
    check_every: Duration,
}

impl AnomalyAlerts {
    /// Alerts of `severity` on message volume and error rate anomalies.
    pub fn new(severity: Severity) -> Self {
        AnomalyAlerts {
            severity,
            messages: true,
            error_rate: true,
            check_every: DEFAULT_CHECK_EVERY,
        }
    }

    /// Whether message volume anomalies alert (default yes).
    pub fn messages(mut self, on: bool) -> Self {
        self.messages = on;
        self
    }

    /// Whether error rate anomalies alert (default yes).
    pub fn error_rate(mut self, on: bool) -> Self {
        self.error_rate = on;
        self
    }

    /// How often to look for a newly completed hour (default 60 s, at
    /// least 1 s).
    pub fn check_every(mut self, every: Duration) -> Self {
        self.check_every = every.max(Duration::from_secs(1));
        self
    }

    /// The alerts' severity.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// Message volume anomalies alert.
    pub fn watches_messages(&self) -> bool {
        self.messages
    }

    /// Error rate anomalies alert.
    pub fn watches_error_rate(&self) -> bool {
        self.error_rate
    }

    /// The check's interval.
    pub fn interval(&self) -> Duration {
        self.check_every
    }

    fn watches(&self, metric: Metric) -> bool {
        match metric {
            Metric::Messages => self.messages,
            Metric::ErrorRate => self.error_rate,
        }
    }
}

/// The check's memory: the last hour judged and the alerts still open.
pub(crate) struct AnomalyWatch {
    config: AnomalyAlerts,
    state: Mutex<WatchState>,
}

#[derive(Default)]
struct WatchState {
    judged_hour: Option<u64>,
    open: Vec<GroupKey>,
}

impl AnomalyWatch {
    pub(crate) fn new(config: AnomalyAlerts) -> Self {
        AnomalyWatch {
            config,
            state: Mutex::new(WatchState::default()),
        }
    }

    pub(crate) fn config(&self) -> &AnomalyAlerts {
        &self.config
    }

    /// Whether `hour` (hours since the epoch) still needs judging; marks
    /// it judged.
    pub(crate) fn claim(&self, hour: u64) -> bool {
        let mut state = self.state.lock();
        if state.judged_hour.is_some_and(|h| h >= hour) {
            return false;
        }
        state.judged_hour = Some(hour);
        true
    }

    /// Resolves the alerts of earlier hours, then routes one alert per
    /// watched figure of `flags` (the judged hour's); returns how many
    /// were routed.
    pub(crate) fn route(&self, alerts: &AlertHandle, flags: &[Flagged]) -> usize {
        let mut state = self.state.lock();
        for key in state.open.drain(..) {
            alerts.resolve(key);
        }
        let mut routed = 0;
        for f in flags.iter().filter(|f| self.config.watches(f.metric)) {
            let input = input_for(f, self.config.severity);
            let key = input.key.clone();
            if alerts.notify(input) {
                state.open.push(key);
                routed += 1;
            }
        }
        routed
    }
}

/// The alert for one flagged figure.
fn input_for(f: &Flagged, severity: Severity) -> AlertInput {
    let start = rfc3339::format(f.start);
    let a = &f.anomaly;
    let (what, value, mean, sd) = match f.metric {
        Metric::Messages => (
            "message volume",
            format!("{:.0} messages", a.value),
            format!("{:.1}", a.mean),
            format!("{:.1}", a.std_dev),
        ),
        Metric::ErrorRate => (
            "error rate",
            format!("{:.2}%", a.value * 100.0),
            format!("{:.2}%", a.mean * 100.0),
            format!("{:.2} points", a.std_dev * 100.0),
        ),
    };
    let summary = format!(
        "Anomalous {what} ({}) in the hour from {start}: {value}, {:.1} standard deviations {} the mean of the 24 hours before ({mean}, standard deviation {sd})",
        a.direction.as_str(),
        a.deviations.abs(),
        match a.direction {
            super::Direction::High => "above",
            super::Direction::Low => "below",
        },
    );
    let fingerprint = format!("anomaly:{}:{start}", f.metric.as_str());
    AlertInput::new(
        &fingerprint,
        None,
        "analytics",
        f.metric.as_str(),
        "Anomaly",
        severity,
        &summary,
    )
}
