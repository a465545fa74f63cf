//! Where the monitor reads "now": the system's wall clock, cheaply, or a
//! manual clock that tests move by hand.
//!
//! The recording hot path cannot afford a clock read per call
//! (`SystemTime::now()` costs 50–70 ns on a virtualised host, the coarse
//! vDSO clock about 12 ns), so the system clock is the `coarsetime` crate's
//! cached wall time, refreshed by one background thread per process every
//! [`TICK`]. Reading it is one relaxed atomic load. Timestamps are therefore
//! accurate to about [`TICK`], which is plenty for minute buckets.

mod manual;
pub mod rfc3339;

pub use manual::ManualClock;

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How often the process-wide coarse clock is refreshed.
pub const TICK: Duration = Duration::from_millis(5);

/// A source of wall-clock time in milliseconds since the Unix epoch.
///
/// Cheap to clone. [`Clock::system`] follows the real wall clock (including
/// its jumps); [`ManualClock`] only moves when told to, so tests can walk
/// through hours and days without sleeping.
///
/// ```
/// use monitor_core::{Clock, ManualClock};
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let manual = ManualClock::new(UNIX_EPOCH + Duration::from_secs(86_400));
/// let clock = Clock::from(manual.clone());
/// manual.advance(Duration::from_secs(90));
/// assert_eq!(clock.now_ms(), 86_490_000);
/// ```
#[derive(Clone, Debug)]
pub struct Clock(Source);

#[derive(Clone, Debug)]
enum Source {
    System,
    Manual(ManualClock),
}

impl Clock {
    /// The system wall clock, read through a cached value refreshed every
    /// [`TICK`] by a background thread started on first use.
    pub fn system() -> Self {
        start_ticker();
        Clock(Source::System)
    }

    /// Milliseconds since the Unix epoch.
    #[inline]
    pub fn now_ms(&self) -> u64 {
        match &self.0 {
            Source::System => system_now_ms(),
            Source::Manual(m) => m.now_ms(),
        }
    }

    /// The current time as a [`SystemTime`].
    pub fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.now_ms())
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl From<ManualClock> for Clock {
    fn from(manual: ManualClock) -> Self {
        Clock(Source::Manual(manual))
    }
}

/// Milliseconds since the Unix epoch for `t`; times before the epoch are 0.
pub fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The `SystemTime` `ms` milliseconds after the Unix epoch.
pub fn from_unix_ms(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

/// Started once per process; the updater then runs for the rest of it.
static TICKER: OnceLock<()> = OnceLock::new();

fn start_ticker() {
    TICKER.get_or_init(|| {
        // Every clock in the process shares the one cached value, so the
        // updater is leaked on purpose. If its thread cannot be spawned the
        // cached value stays 0 and reads fall back to `SystemTime::now()`.
        let period = u64::try_from(TICK.as_millis()).unwrap_or(5);
        if let Ok(updater) = coarsetime::Updater::new(period).start() {
            std::mem::forget(updater);
        }
    });
}

#[inline]
fn system_now_ms() -> u64 {
    match coarsetime::Clock::recent_since_epoch().as_millis() {
        0 => unix_ms(SystemTime::now()),
        ms => ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_tracks_wall_time_within_a_tick() {
        let clock = Clock::system();
        let wall = unix_ms(SystemTime::now());
        let coarse = clock.now_ms();
        // The cached value lags by at most a few ticks (scheduling noise aside).
        assert!(coarse <= wall + 1, "coarse {coarse} ahead of wall {wall}");
        assert!(wall - coarse < 1_000, "coarse {coarse} lags wall {wall}");
    }

    #[test]
    fn unix_ms_round_trips_and_clamps_before_epoch() {
        assert_eq!(unix_ms(from_unix_ms(1_700_000_000_123)), 1_700_000_000_123);
        assert_eq!(unix_ms(UNIX_EPOCH - Duration::from_secs(5)), 0);
    }
}
