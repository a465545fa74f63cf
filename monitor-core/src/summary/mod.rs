//! Scheduled summaries (SPEC §2.13): a closed UTC day or ISO week in one
//! report — totals, errors by severity, top users, anomalies — as JSON
//! and CSV files in a directory and/or one message to an alert sink, and
//! on demand through [`Monitor::summary`](crate::Monitor::summary).
//!
//! # Periods
//! `daily` is the previous UTC day [00:00, 24:00); `weekly` the previous
//! ISO week, Monday 00:00 to Monday 00:00 UTC. Summaries are in UTC even
//! when [`AnalyticsConfig::utc_offset_hours`](crate::analytics::AnalyticsConfig::utc_offset_hours)
//! shifts the heatmap: the collector's days, the top-users days and the
//! error counts are UTC-aligned, so a summary of a local day could only
//! be pieced together from hours, without distinct users or top users.
//!
//! # Schedule
//! With [`MonitorBuilder::summaries`](crate::MonitorBuilder::summaries), a
//! task checks every minute (see [`SummaryConfig::check_every`]) against
//! the monitor's clock whether a period closed since the last one done,
//! and writes `summary-daily-2026-11-21.{json,csv}` /
//! `summary-weekly-2026-W47.{json,csv}` (temp file, fsync, rename) and/or
//! sends it to the sink. The files are the memory: a period whose files
//! exist is not written (nor sent) again, so a restart on the same
//! directory duplicates nothing; without a directory, periods closed
//! before the start count as sent. A failed write or send is logged
//! (`tracing`, target `monitor_core::summary`), counted
//! ([`SummaryStats`], `monitor_summaries_total{outcome}`) and tried again
//! at the next check. Past [`SummaryConfig::keep`] the oldest files are
//! deleted. Only the last closed period is produced: periods that closed
//! while the monitor was down are not back-filled.
//!
//! # Sink
//! The summary goes straight to the configured [`AlertSink`](crate::alerts::AlertSink)
//! as one `info` [`Alert`](crate::alerts::Alert) (service `analytics`,
//! error type `Summary`, fingerprint `summary:daily:2026-11-21`) whose
//! text is [`Summary::text`], not through the alert router: a report is
//! due once per period, and the router's severity routes, grouping waits,
//! repeats and silences are made for incidents (a `critical`-only route
//! would drop it; a silence would hide it).
//!
//! ```
//! use monitor_core::{ManualClock, Monitor};
//! use monitor_core::summary::{PeriodKind, SummaryPeriod};
//! use std::time::{Duration, UNIX_EPOCH};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(20_000 * 86_400));
//! let monitor = Monitor::builder().clock(clock.clone()).start()?;
//! monitor.record_message("u-1", Duration::from_millis(40));
//! clock.advance(Duration::from_secs(86_400));
//!
//! let day = SummaryPeriod::last_closed(PeriodKind::Daily, clock.now());
//! let summary = monitor.summary(day, 10)?;
//! assert_eq!(summary.totals.messages, 1);
//! let csv = String::from_utf8(summary.to_csv()?)?;
//! assert!(csv.contains("totals,,messages,1"));
//! # Ok(())
//! # }
//! ```

mod config;
mod csv;
mod period;
mod report;
mod schedule;
mod text;
mod writer;

pub use config::{
    DEFAULT_KEEP_DAILY, DEFAULT_KEEP_WEEKLY, DEFAULT_SUMMARY_CHECK, DEFAULT_TOP, MAX_TOP,
    SummaryConfig,
};
pub use csv::{CSV_COLUMNS, FORMULA_STARTS, spreadsheet_text};
pub use period::{PeriodKind, SummaryPeriod, UnknownPeriod};
pub use report::{Summary, Totals};
pub use schedule::SummaryStats;
pub use writer::WriteError;

pub(crate) use schedule::Schedule;

use std::time::SystemTime;

use crate::clock::rfc3339;

/// Why a summary cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SummaryError {
    /// The period has not ended yet.
    #[error("the period {name} has not closed yet")]
    NotClosed {
        /// The period's name.
        name: String,
    },
    /// The period began before the oldest day the collector keeps.
    #[error("the period {name} is older than the oldest day kept ({})", rfc3339::format(*.oldest))]
    NotKept {
        /// The period's name.
        name: String,
        /// Start of the oldest day kept.
        oldest: SystemTime,
    },
}
