//! Which alerts go where, and how often.

use std::sync::Arc;
use std::time::Duration;

use super::{AlertInput, AlertSink};
use crate::errors::Severity;

/// Conditions on an alert; every one given must hold. Lists match any of
/// their values; names compare exactly.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Matcher {
    /// At least this severe.
    pub min_severity: Option<Severity>,
    /// One of these severities.
    pub severities: Vec<Severity>,
    /// One of these services.
    pub services: Vec<String>,
    /// One of these tenants.
    pub clients: Vec<String>,
    /// One of these error types.
    pub error_types: Vec<String>,
    /// One of these fingerprints.
    pub fingerprints: Vec<String>,
}

impl Matcher {
    /// Matches everything.
    pub fn any() -> Self {
        Matcher::default()
    }

    /// `true` when `input` meets every condition.
    pub fn matches(&self, input: &AlertInput) -> bool {
        let one_of = |list: &[String], value: Option<&str>| {
            list.is_empty() || value.is_some_and(|v| list.iter().any(|l| l == v))
        };
        self.min_severity.is_none_or(|min| input.severity >= min)
            && (self.severities.is_empty() || self.severities.contains(&input.severity))
            && one_of(&self.services, Some(&input.service))
            && one_of(&self.clients, input.key.client_id.as_deref())
            && one_of(&self.error_types, Some(&input.error_type))
            && one_of(&self.fingerprints, Some(&input.key.fingerprint))
    }
}

/// How a route paces one group's notifications (Alertmanager's meaning and
/// defaults): wait `group_wait` before the first, send news at most every
/// `group_interval`, repeat an unchanged firing group every
/// `repeat_interval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Before the first notification (default 30 s).
    pub group_wait: Duration,
    /// Between notifications with news (default 5 min).
    pub group_interval: Duration,
    /// Between repeats of an unchanged firing group (default 4 h).
    pub repeat_interval: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            group_wait: Duration::from_secs(30),
            group_interval: Duration::from_secs(300),
            repeat_interval: Duration::from_secs(4 * 3_600),
        }
    }
}

/// One entry of the routing list: a matcher, sinks and timing.
///
/// ```
/// use monitor_core::alerts::{LogSink, Route};
/// use monitor_core::errors::Severity;
/// use std::time::Duration;
///
/// let route = Route::new("on-call")
///     .min_severity(Severity::Critical)
///     .service("payments")
///     .sink(LogSink)
///     .group_wait(Duration::from_secs(10))
///     .continue_matching();
/// assert_eq!(route.name(), "on-call");
/// ```
#[derive(Clone)]
pub struct Route {
    pub(crate) name: String,
    pub(crate) matcher: Matcher,
    pub(crate) sinks: Vec<Arc<dyn AlertSink>>,
    pub(crate) timing: Timing,
    pub(crate) continue_matching: bool,
}

impl Route {
    /// A route called `name` matching everything, with no sinks yet.
    pub fn new(name: impl Into<String>) -> Self {
        Route {
            name: name.into(),
            matcher: Matcher::any(),
            sinks: Vec::new(),
            timing: Timing::default(),
            continue_matching: false,
        }
    }

    /// The route's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Replaces the matcher.
    pub fn matching(mut self, matcher: Matcher) -> Self {
        self.matcher = matcher;
        self
    }

    /// Only alerts at least this severe.
    pub fn min_severity(mut self, severity: Severity) -> Self {
        self.matcher.min_severity = Some(severity);
        self
    }

    /// Adds a severity to match exactly.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.matcher.severities.push(severity);
        self
    }

    /// Adds a service to match.
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.matcher.services.push(service.into());
        self
    }

    /// Adds a tenant to match.
    pub fn client(mut self, client_id: impl Into<String>) -> Self {
        self.matcher.clients.push(client_id.into());
        self
    }

    /// Adds a sink.
    pub fn sink(mut self, sink: impl AlertSink) -> Self {
        self.sinks.push(Arc::new(sink));
        self
    }

    /// Adds a sink shared with other routes.
    pub fn shared_sink(mut self, sink: Arc<dyn AlertSink>) -> Self {
        self.sinks.push(sink);
        self
    }

    /// Replaces all timing.
    pub fn timing(mut self, timing: Timing) -> Self {
        self.timing = timing;
        self
    }

    /// Sets `group_wait`.
    pub fn group_wait(mut self, wait: Duration) -> Self {
        self.timing.group_wait = wait;
        self
    }

    /// Sets `group_interval`.
    pub fn group_interval(mut self, interval: Duration) -> Self {
        self.timing.group_interval = interval;
        self
    }

    /// Sets `repeat_interval`.
    pub fn repeat_interval(mut self, interval: Duration) -> Self {
        self.timing.repeat_interval = interval;
        self
    }

    /// Keeps looking at later routes after this one matched.
    pub fn continue_matching(mut self) -> Self {
        self.continue_matching = true;
        self
    }
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("name", &self.name)
            .field("matcher", &self.matcher)
            .field(
                "sinks",
                &self.sinks.iter().map(|s| s.name()).collect::<Vec<_>>(),
            )
            .field("timing", &self.timing)
            .field("continue_matching", &self.continue_matching)
            .finish()
    }
}

/// The indexes of the routes `input` goes to: in order, stopping after the
/// first match that does not continue.
pub(crate) fn select(routes: &[Route], input: &AlertInput) -> Vec<usize> {
    let mut chosen = Vec::new();
    for (i, route) in routes.iter().enumerate() {
        if route.matcher.matches(input) {
            chosen.push(i);
            if !route.continue_matching {
                break;
            }
        }
    }
    chosen
}
