//! What a top-users read returns: [`Window`], [`TopUsersReport`],
//! [`TopUser`] and the feed's own counts, [`TopUsersStats`].

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;

/// The period a top-users list covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Window {
    /// The current hour and the 23 before it (`"24h"`).
    #[serde(rename = "24h")]
    Day,
    /// Today (UTC) and the 6 days before (`"7d"`).
    #[serde(rename = "7d")]
    Week,
}

impl Window {
    /// `"24h"` or `"7d"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Window::Day => "24h",
            Window::Week => "7d",
        }
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A window name that is neither `24h` nor `7d`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown window (known: 24h, 7d)")]
pub struct UnknownWindow;

impl FromStr for Window {
    type Err = UnknownWindow;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "24h" => Ok(Window::Day),
            "7d" => Ok(Window::Week),
            _ => Err(UnknownWindow),
        }
    }
}

/// The heaviest users of one window and scope.
///
/// Counts come from Space-Saving summaries: each `count` is at least the
/// user's true count and at most `max_overcount` above it, and no
/// `max_overcount` exceeds `max_overcount_bound` (`N / capacity` summed
/// over the window's summaries, `N` their messages). A user with more
/// than `max_overcount_bound` messages in the window is always listed
/// among the candidates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TopUsersReport {
    /// The window read.
    pub window: Window,
    /// The tenant the list is for; `None` for every tenant's users.
    pub client_id: Option<String>,
    /// Start of the window's first period.
    #[serde(with = "rfc3339")]
    pub from: SystemTime,
    /// When it was read.
    #[serde(with = "rfc3339")]
    pub to: SystemTime,
    /// Messages fed to the summaries in the window, for this scope.
    pub total_messages: u64,
    /// Counters per summary (one summary per hour or day).
    pub capacity: usize,
    /// Distinct users the window's summaries count (the candidates).
    pub tracked: usize,
    /// No entry's `max_overcount` is above this.
    pub max_overcount_bound: u64,
    /// Heaviest first, at most the limit asked for.
    pub users: Vec<TopUser>,
}

/// The heaviest users of whole past UTC days (a summary's closed day or
/// week), from the feed's daily summaries; same bounds as
/// [`TopUsersReport`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaysTopUsers {
    /// The tenant the list is for; `None` for every tenant's users.
    pub client_id: Option<String>,
    /// Start of the first day.
    #[serde(with = "rfc3339")]
    pub from: SystemTime,
    /// End of the last day (exclusive).
    #[serde(with = "rfc3339")]
    pub to: SystemTime,
    /// How many of the days the feed still covers (it keeps today and
    /// the 7 days before): fewer than asked means the list covers only
    /// the latest of them.
    pub days_counted: u64,
    /// Messages fed to the summaries of those days, for this scope.
    pub total_messages: u64,
    /// No entry's `max_overcount` is above this.
    pub max_overcount_bound: u64,
    /// Heaviest first, at most the limit asked for.
    pub users: Vec<TopUser>,
}

/// One user of a [`TopUsersReport`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopUser {
    /// The host's id for the user.
    pub user_id: String,
    /// The latest display name the host gave, if any.
    pub user_name: Option<String>,
    /// The user's tenant, if the host gave one.
    pub client_id: Option<String>,
    /// Messages in the window: never below the true count.
    pub count: u64,
    /// How far `count` may be above the true count.
    pub max_overcount: u64,
}

/// What the feed turned away or keeps, for `/metrics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TopUsersStats {
    /// Tenants with summaries now.
    pub tenants: usize,
    /// Records of a tenant past the tenant cap: counted for everyone,
    /// not in a tenant view.
    pub tenants_overflowed: u64,
    /// Records older than both windows, not counted.
    pub late: u64,
    /// Labels (id, tenant, name) kept for counted users.
    pub labels: usize,
}
