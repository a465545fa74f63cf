//! How a collector is set up.

use crate::clock::Clock;

/// Default number of recent response times kept.
pub const DEFAULT_RECENT: usize = 1_000;
/// Upper bound for [`CollectorConfig::with_recent_response_times`].
pub const MAX_RECENT: usize = 65_536;

/// Settings for a [`MetricsCollector`](super::MetricsCollector).
///
/// ```
/// use monitor_core::{CollectorConfig, ManualClock};
/// use std::time::SystemTime;
///
/// let clock = ManualClock::new(SystemTime::now());
/// let config = CollectorConfig::default()
///     .with_clock(clock)
///     .with_recent_response_times(500);
/// assert_eq!(config.recent_response_times(), 500);
/// ```
#[derive(Clone, Debug)]
pub struct CollectorConfig {
    clock: Clock,
    recent: usize,
}

impl Default for CollectorConfig {
    fn default() -> Self {
        CollectorConfig {
            clock: Clock::system(),
            recent: DEFAULT_RECENT,
        }
    }
}

impl CollectorConfig {
    /// Uses `clock` for "now" (default: the system clock).
    pub fn with_clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = clock.into();
        self
    }

    /// Keeps the last `n` response times (default 1000, at most 65 536).
    pub fn with_recent_response_times(mut self, n: usize) -> Self {
        self.recent = n.clamp(1, MAX_RECENT);
        self
    }

    /// The clock in use.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// How many recent response times are kept.
    pub fn recent_response_times(&self) -> usize {
        self.recent
    }
}
