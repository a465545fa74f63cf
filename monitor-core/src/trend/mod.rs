//! Trends: period-over-period changes and anomaly flags on the hourly and
//! daily series, and what `/api/metrics`' cards compare with.
//!
//! Everything here runs when a series is read, never when a message is
//! recorded. The pure parts ([`Change::between`], [`period_over_period`],
//! [`judge`], [`flag`], [`analyse`]) work on any series; the
//! [`Monitor`](crate::Monitor) puts them together:
//!
//! - [`Monitor::hourly_trend`](crate::Monitor::hourly_trend) and
//!   [`daily_trend`](crate::Monitor::daily_trend): the collector's buckets
//!   with errors, error rate, the previous period ([`HOURLY`]: the same
//!   hour one day earlier; [`DAILY`]: the same weekday one week earlier)
//!   and anomaly flags (more than 2 standard deviations from the mean of
//!   the trailing 24 hours / 14 days, with at least 12 / 7 of them known);
//! - [`flagged`]: the flagged figures of a series, for summaries;
//! - [`Monitor::card_changes`](crate::Monitor::card_changes): the cards'
//!   changes (see [`cards`]);
//! - [`AnomalyAlerts`]: optional alerts when a completed hour is flagged.
//!
//! ```
//! use monitor_core::{ManualClock, Monitor};
//! use monitor_core::trend::flagged;
//! use std::time::{Duration, UNIX_EPOCH};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
//! let monitor = Monitor::builder().clock(clock.clone()).start()?;
//! for hour in 0..30 {
//!     let n = if hour == 29 { 400 } else { 100 };
//!     for i in 0..n {
//!         monitor.record_message(&format!("u{i}"), Duration::from_millis(50));
//!     }
//!     clock.advance(Duration::from_secs(3600));
//! }
//! let hours = monitor.hourly_trend(24);
//! let spike = &hours[22]; // the hour before the current one
//! assert!(spike.anomaly);
//! assert_eq!(spike.change.count.previous, Some(100.0));
//! assert_eq!(spike.change.count.change_pct, Some(300.0));
//! assert_eq!(flagged(&hours).len(), 1);
//! # Ok(())
//! # }
//! ```

mod alert;
mod anomaly;
pub mod cards;
mod change;
mod series;
#[cfg(test)]
mod tests;

pub(crate) use alert::AnomalyWatch;
pub use alert::{AnomalyAlerts, DEFAULT_CHECK_EVERY};
pub use anomaly::{Anomaly, AnomalyRule, Direction, Floor, flag, judge};
pub use cards::CardChanges;
pub use change::{Change, period_over_period};
pub use series::{
    Changes, DAILY, Flagged, Flags, HOURLY, Metric, SeriesKind, TrendBucket, analyse, flagged,
};
