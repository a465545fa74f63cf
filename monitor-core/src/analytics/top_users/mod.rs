//! [`TopUsers`]: the heaviest users over 24 hours and 7 days, per tenant,
//! in bounded memory.
//!
//! # What feeds it, and why not `record_message`
//! [`Monitor::publish_message`](crate::Monitor::publish_message) feeds it
//! (whether or not anyone listens on the bus), and a host may call
//! [`TopUsers::record`] itself for messages it does not publish. Both
//! carry what a top-users list needs and `record_message` does not: the
//! tenant (so a tenant sees only its users) and the display name.
//!
//! `record_message` stays as it is, for the SPEC §7 budget (≤ 25 ns, no
//! lock, no allocation, no shared cache line per call). To count users
//! from there, the user id itself (a borrowed string of any length) would
//! have to leave the hot path: an allocation per call, or a copy into a
//! per-thread buffer that a background task drains, which drops records
//! whenever a thread outruns the drain, still knows no tenant and no
//! name, and would count twice every message a host also publishes. So a
//! host that only calls `record_message` gets no top users; it must call
//! `publish_message` (or [`TopUsers::record`]) once per message, which
//! takes a mutex and updates four summaries and a label: about 1.3× an
//! exact `Mutex<HashMap<String, u64>>` count (`benches/top_users.rs`).
//!
//! # Memory and accuracy
//! Each scope (everyone, and each of at most
//! [`TopUsersConfig::max_tenants`] tenants) keeps one Space-Saving
//! summary per hour for the last 24 hours and one per UTC day for the last
//! 8 days (the 7-day window and the day before, so a summary written on
//! Monday still has the closed week); a read merges the window's summaries
//! (see the `windows` module). Everyone's summaries have [`TopUsersConfig::capacity`]
//! counters, a tenant's [`TopUsersConfig::tenant_capacity`]. Every listed
//! count is an upper bound of the user's true count, at most
//! `max_overcount` above it, and `max_overcount <= N / capacity` for the
//! `N` messages of the window. A tenant past the cap is counted for
//! everyone but gets no view of its own (counted in
//! [`TopUsersStats::tenants_overflowed`]). Ids, names and tenants are cut
//! to [`MAX_USER_ID_BYTES`], [`MAX_USER_NAME_BYTES`] and
//! [`MAX_CLIENT_ID_BYTES`]; labels are kept only for users some summary
//! counts.
//!
//! A user is a (tenant, user id) pair: the same id under two tenants is
//! two users.

mod book;
mod config;
mod labels;
mod report;
mod space_saving;
mod state;
mod windows;

pub use config::{MAX_CAPACITY, MAX_TENANTS, TopUsersConfig};
pub use labels::{MAX_CLIENT_ID_BYTES, MAX_USER_ID_BYTES, MAX_USER_NAME_BYTES};
pub use report::{DaysTopUsers, TopUser, TopUsersReport, TopUsersStats, UnknownWindow, Window};
pub use space_saving::Counter;
pub use state::{InvalidState, LabelState, PeriodSketch, TopUsersState, WindowsState};

use std::sync::Arc;
use std::time::SystemTime;

use parking_lot::Mutex;

use crate::clock::{Clock, unix_ms};
use book::Book;

/// Milliseconds in an hour.
pub(crate) const HOUR_MS: u64 = 3_600_000;
/// Hours in a day.
pub(crate) const DAY_HOURS: u64 = 24;

/// The top-users feed and its summaries. Cheap to clone (an `Arc`
/// inside); clones share the same data.
///
/// ```
/// use monitor_core::analytics::{TopUsers, TopUsersConfig, Window};
/// use monitor_core::ManualClock;
/// use std::time::SystemTime;
///
/// let clock = ManualClock::new(SystemTime::now());
/// let top = TopUsers::new(TopUsersConfig::default(), clock.into());
/// for _ in 0..3 {
///     top.record(Some("acme"), "u-1", Some("Ada"));
/// }
/// top.record(Some("globex"), "u-2", None);
///
/// let everyone = top.top(Window::Day, None, 10);
/// assert_eq!(everyone.total_messages, 4);
/// assert_eq!(everyone.users[0].user_name.as_deref(), Some("Ada"));
/// assert_eq!((everyone.users[0].count, everyone.users[0].max_overcount), (3, 0));
///
/// let globex = top.top(Window::Week, Some("globex"), 10);
/// assert_eq!(globex.users.len(), 1);
/// assert_eq!(globex.users[0].user_id, "u-2");
/// ```
#[derive(Clone)]
pub struct TopUsers {
    inner: Arc<Shared>,
}

struct Shared {
    clock: Clock,
    book: Mutex<Book>,
}

impl TopUsers {
    /// An empty feed reading `clock`.
    pub fn new(config: TopUsersConfig, clock: Clock) -> Self {
        TopUsers {
            inner: Arc::new(Shared {
                clock,
                book: Mutex::new(Book::new(config)),
            }),
        }
    }

    /// Counts one message of `user_id` (of tenant `client_id`, if any)
    /// now; `user_name`, when given, becomes the name shown.
    pub fn record(&self, client_id: Option<&str>, user_id: &str, user_name: Option<&str>) {
        let now = self.inner.clock.now_ms();
        self.inner
            .book
            .lock()
            .record((client_id, user_id, user_name), 1, now, now);
    }

    /// Counts one message handled at `at` (a time in the future counts
    /// as now; one older than both windows is not counted, see
    /// [`TopUsersStats::late`]).
    pub fn record_at(
        &self,
        client_id: Option<&str>,
        user_id: &str,
        user_name: Option<&str>,
        at: SystemTime,
    ) {
        self.record_many_at(client_id, user_id, user_name, at, 1);
    }

    /// Counts `n` messages handled at `at`, with the bounds of `n` calls
    /// of [`record_at`](Self::record_at), under one lock and in one
    /// weighted update (its cost does not grow with `n`): for loading
    /// history a host counted elsewhere (the demo bot's backfilled week).
    pub fn record_many_at(
        &self,
        client_id: Option<&str>,
        user_id: &str,
        user_name: Option<&str>,
        at: SystemTime,
        n: u64,
    ) {
        if n == 0 {
            return;
        }
        let now = self.inner.clock.now_ms();
        let at = unix_ms(at).min(now);
        self.inner
            .book
            .lock()
            .record((client_id, user_id, user_name), n, at, now);
    }

    /// The `limit` heaviest users of `window`: everyone's when
    /// `client_id` is `None`, else only that tenant's (empty for a tenant
    /// never seen).
    pub fn top(&self, window: Window, client_id: Option<&str>, limit: usize) -> TopUsersReport {
        let now = self.inner.clock.now_ms();
        self.inner.book.lock().top(window, client_id, limit, now)
    }

    /// The `limit` heaviest users of the `days` whole UTC days from
    /// `first_day` (days since the epoch), from the daily summaries the
    /// feed still keeps (today and the 7 days before): a closed period,
    /// where [`top`](Self::top) reads a rolling window.
    pub fn top_days(
        &self,
        first_day: u64,
        days: u64,
        client_id: Option<&str>,
        limit: usize,
    ) -> DaysTopUsers {
        let now = self.inner.clock.now_ms();
        self.inner
            .book
            .lock()
            .top_days(first_day, days, client_id, limit, now)
    }

    /// The feed's counts.
    pub fn stats(&self) -> TopUsersStats {
        self.inner.book.lock().stats()
    }

    /// The summaries and labels, for a snapshot.
    pub fn export(&self) -> TopUsersState {
        let now = self.inner.clock.now_ms();
        self.inner.book.lock().export(now)
    }

    /// Checks that `state` could be restored, changing nothing.
    pub fn check(&self, state: &TopUsersState) -> Result<(), InvalidState> {
        let config = self.inner.book.lock().config();
        Book::restore(config, state).map(drop)
    }

    /// Replaces everything with `state` (checked first: an invalid state
    /// is an error and changes nothing).
    pub fn replace(&self, state: &TopUsersState) -> Result<(), InvalidState> {
        let config = self.inner.book.lock().config();
        let book = Book::restore(config, state)?;
        *self.inner.book.lock() = book;
        Ok(())
    }

    /// Sets the feed's counts on the installed `metrics` recorder.
    pub fn publish_metrics(&self) {
        let s = self.stats();
        metrics::describe_counter!(
            "monitor_top_users_tenants_overflowed_total",
            metrics::Unit::Count,
            "Top-users records of a tenant past the tenant cap (counted for everyone only)."
        );
        metrics::describe_counter!(
            "monitor_top_users_late_total",
            metrics::Unit::Count,
            "Top-users records older than the 7-day window, not counted."
        );
        metrics::describe_gauge!(
            "monitor_top_users_tenants",
            metrics::Unit::Count,
            "Tenants with top-users summaries."
        );
        metrics::counter!("monitor_top_users_tenants_overflowed_total")
            .absolute(s.tenants_overflowed);
        metrics::counter!("monitor_top_users_late_total").absolute(s.late);
        metrics::gauge!("monitor_top_users_tenants").set(s.tenants as f64);
    }
}

impl std::fmt::Debug for TopUsers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TopUsers")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
