//! Analytics over what the monitor already records (SPEC §2.13): the
//! heaviest users over 24 hours and 7 days ([`TopUsers`]) and the
//! day-of-week × hour-of-day message matrix of the last four weeks
//! ([`Heatmap`]).
//!
//! Both are fed off the recording hot path (`record_message` is
//! unchanged): top users from
//! [`Monitor::publish_message`](crate::Monitor::publish_message), the
//! heatmap from the collector's hourly series. Both are plain functions
//! of the monitor, so a scheduled summary can call them without HTTP:
//!
//! ```
//! use monitor_core::Monitor;
//! use monitor_core::analytics::Window;
//! use monitor_core::bus::MessageEvent;
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let monitor = Monitor::builder().start()?;
//! for _ in 0..2 {
//!     monitor.record_message("u-1", Duration::from_millis(40));
//!     monitor.publish_message(Some("acme"), MessageEvent::new("u-1", Some("Ada"), None, 40.0));
//! }
//!
//! let top = monitor.top_users().top(Window::Day, Some("acme"), 10);
//! assert_eq!(top.users[0].user_name.as_deref(), Some("Ada"));
//! assert_eq!(top.users[0].count, 2);
//!
//! let heat = monitor.heatmap(4);
//! assert_eq!(heat.total, 2);
//! # Ok(())
//! # }
//! ```

mod heatmap;
pub mod top_users;

pub use heatmap::{DAY_NAMES, HEATMAP_WEEKS, Heatmap, HeatmapReport, HeatmapState};
pub use top_users::{
    DaysTopUsers, TopUser, TopUsers, TopUsersConfig, TopUsersReport, TopUsersStats, Window,
};

use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use top_users::TopUsersState;

/// Analytics settings of a [`Monitor`](crate::Monitor).
///
/// ```
/// use monitor_core::analytics::{AnalyticsConfig, TopUsersConfig};
///
/// let config = AnalyticsConfig::default()
///     .top_users(TopUsersConfig::default().capacity(1_024))
///     .utc_offset_hours(2);
/// # let _ = config;
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AnalyticsConfig {
    top_users: TopUsersConfig,
    utc_offset_hours: i8,
}

impl AnalyticsConfig {
    /// Top-users summary sizes and tenant cap.
    pub fn top_users(mut self, config: TopUsersConfig) -> Self {
        self.top_users = config;
        self
    }

    /// The heatmap's zone: whole hours from UTC, −12 to 14 (default 0,
    /// UTC).
    pub fn utc_offset_hours(mut self, hours: i8) -> Self {
        self.utc_offset_hours = hours.clamp(-12, 14);
        self
    }
}

/// The analytics a monitor keeps.
#[derive(Clone, Debug)]
pub struct Analytics {
    /// The top-users feed.
    pub top_users: TopUsers,
    /// The four-week heatmap.
    pub heatmap: Heatmap,
}

impl Analytics {
    /// Empty analytics reading `clock`.
    pub fn new(config: AnalyticsConfig, clock: Clock) -> Self {
        Analytics {
            top_users: TopUsers::new(config.top_users, clock),
            heatmap: Heatmap::new(config.utc_offset_hours),
        }
    }

    /// Both parts' durable state.
    pub fn export(&self) -> AnalyticsState {
        AnalyticsState {
            top_users: self.top_users.export(),
            heatmap: self.heatmap.export(),
        }
    }

    /// Checks `state` without changing anything.
    pub fn check(&self, state: &AnalyticsState) -> Result<(), String> {
        Heatmap::new(0).replace(&state.heatmap)?;
        self.top_users
            .check(&state.top_users)
            .map_err(|e| e.to_string())
    }

    /// Checks `state` whole, then replaces both parts with it.
    pub fn replace(&self, state: &AnalyticsState) -> Result<(), String> {
        self.check(state)?;
        self.top_users
            .replace(&state.top_users)
            .map_err(|e| e.to_string())?;
        self.heatmap.replace(&state.heatmap)
    }
}

/// Analytics as a snapshot keeps them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsState {
    /// Top-users summaries and labels.
    pub top_users: TopUsersState,
    /// Heatmap hours.
    pub heatmap: HeatmapState,
}
