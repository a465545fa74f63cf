//! [`SummaryConfig`]: which summaries, where they go, how many are kept.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::alerts::AlertSink;

/// Default interval of the check for a newly closed period.
pub const DEFAULT_SUMMARY_CHECK: Duration = Duration::from_secs(60);
/// Daily summaries kept in the directory by default (file pairs).
pub const DEFAULT_KEEP_DAILY: usize = 90;
/// Weekly summaries kept in the directory by default (file pairs).
pub const DEFAULT_KEEP_WEEKLY: usize = 52;
/// Users listed in a summary by default.
pub const DEFAULT_TOP: usize = 10;
/// Most users a summary lists.
pub const MAX_TOP: usize = 100;

/// Scheduled summaries (off unless given to
/// [`MonitorBuilder::summaries`](crate::MonitorBuilder::summaries)).
///
/// ```
/// use monitor_core::alerts::LogSink;
/// use monitor_core::summary::SummaryConfig;
///
/// let config = SummaryConfig::new()
///     .daily(true)
///     .weekly(true)
///     .directory("/var/lib/bot/summaries")
///     .sink(LogSink)
///     .keep(30, 12);
/// assert!(config.writes_daily() && config.writes_weekly());
/// assert_eq!(config.kept(), (30, 12));
/// ```
#[derive(Clone)]
pub struct SummaryConfig {
    pub(crate) daily: bool,
    pub(crate) weekly: bool,
    pub(crate) directory: Option<PathBuf>,
    pub(crate) sink: Option<Arc<dyn AlertSink>>,
    pub(crate) check_every: Duration,
    pub(crate) keep_daily: usize,
    pub(crate) keep_weekly: usize,
    pub(crate) top: usize,
}

impl SummaryConfig {
    /// Daily and weekly summaries on, with neither a directory nor a sink
    /// yet (without one of them nothing is produced).
    pub fn new() -> Self {
        SummaryConfig {
            daily: true,
            weekly: true,
            directory: None,
            sink: None,
            check_every: DEFAULT_SUMMARY_CHECK,
            keep_daily: DEFAULT_KEEP_DAILY,
            keep_weekly: DEFAULT_KEEP_WEEKLY,
            top: DEFAULT_TOP,
        }
    }

    /// Whether a summary of each UTC day is produced (default yes).
    pub fn daily(mut self, on: bool) -> Self {
        self.daily = on;
        self
    }

    /// Whether a summary of each ISO week is produced (default yes).
    pub fn weekly(mut self, on: bool) -> Self {
        self.weekly = on;
        self
    }

    /// Writes each summary as `<stem>.json` and `<stem>.csv` into `dir`
    /// (created if missing).
    pub fn directory(mut self, dir: impl Into<PathBuf>) -> Self {
        self.directory = Some(dir.into());
        self
    }

    /// Sends each summary to `sink` as one informational alert.
    pub fn sink(mut self, sink: impl AlertSink) -> Self {
        self.sink = Some(Arc::new(sink));
        self
    }

    /// The same with a shared sink (one also given to the alert router).
    pub fn shared_sink(mut self, sink: Arc<dyn AlertSink>) -> Self {
        self.sink = Some(sink);
        self
    }

    /// How often to look for a newly closed period (default 60 s, at
    /// least 1 s).
    pub fn check_every(mut self, every: Duration) -> Self {
        self.check_every = every.max(Duration::from_secs(1));
        self
    }

    /// Most daily and weekly summaries kept in the directory (default 90
    /// and 52, at least 1 each): past them the oldest file pairs are
    /// deleted.
    pub fn keep(mut self, daily: usize, weekly: usize) -> Self {
        self.keep_daily = daily.max(1);
        self.keep_weekly = weekly.max(1);
        self
    }

    /// Users listed (default 10, 1 to [`MAX_TOP`]).
    pub fn top(mut self, users: usize) -> Self {
        self.top = users.clamp(1, MAX_TOP);
        self
    }

    /// Daily summaries are on.
    pub fn writes_daily(&self) -> bool {
        self.daily
    }

    /// Weekly summaries are on.
    pub fn writes_weekly(&self) -> bool {
        self.weekly
    }

    /// The directory, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.directory.as_deref()
    }

    /// Daily and weekly file pairs kept.
    pub fn kept(&self) -> (usize, usize) {
        (self.keep_daily, self.keep_weekly)
    }

    /// Users listed.
    pub fn top_len(&self) -> usize {
        self.top
    }

    /// The check's interval.
    pub fn interval(&self) -> Duration {
        self.check_every
    }
}

impl Default for SummaryConfig {
    fn default() -> Self {
        SummaryConfig::new()
    }
}

impl std::fmt::Debug for SummaryConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SummaryConfig")
            .field("daily", &self.daily)
            .field("weekly", &self.weekly)
            .field("directory", &self.directory)
            .field("sink", &self.sink.as_ref().map(|s| s.name().to_owned()))
            .field("check_every", &self.check_every)
            .field("keep_daily", &self.keep_daily)
            .field("keep_weekly", &self.keep_weekly)
            .field("top", &self.top)
            .finish()
    }
}
