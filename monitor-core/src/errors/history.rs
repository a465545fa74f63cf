//! Error counts from history a host counted elsewhere
//! ([`ErrorLog::count_at`]): the numbers without the errors.

use std::sync::atomic::Ordering::Relaxed;
use std::time::SystemTime;

use super::hygiene::clean;
use super::{ErrorLog, Severity};
use crate::clock::unix_ms;

impl ErrorLog {
    /// Counts `n` errors of `severity` from `service` that happened at
    /// `at` (a time in the future counts as now), without entries: for
    /// loading history a host counted elsewhere, as the demo bot's
    /// filled-in week.
    ///
    /// They add to the counts behind error rates, `/api/errors/stats`,
    /// the hourly and daily series, anomalies, summaries and
    /// `monitor_errors_total`; they make no entry, group, notice or alert
    /// (there is no error to show or route). An `at` older than the hourly
    /// counts keep (192 hours) adds to the totals and the service's count
    /// only. `service` is cleaned like a logged one (cuts counted).
    ///
    /// ```
    /// use monitor_core::errors::{ErrorLog, Severity};
    /// use monitor_core::ManualClock;
    /// use std::time::{Duration, UNIX_EPOCH};
    ///
    /// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(20_000 * 86_400));
    /// let log = ErrorLog::builder().clock(clock.clone()).build();
    /// let two_hours_ago = clock.now() - Duration::from_secs(2 * 3_600);
    /// log.count_at(two_hours_ago, "payments", Severity::Critical, 3);
    /// let now_hour = 20_000 * 24;
    /// assert_eq!(log.errors_per_hour(now_hour - 2, 3), [Some(3), Some(0), Some(0)]);
    /// assert_eq!(log.query(&Default::default()).total, 0, "no entries");
    /// ```
    pub fn count_at(&self, at: SystemTime, service: &str, severity: Severity, n: u64) {
        if n == 0 {
            return;
        }
        let inner = &*self.inner;
        let mut service = service.to_owned();
        if clean(&mut service, inner.limits.name_bytes, false) {
            inner.cleaned.fetch_add(1, Relaxed);
        }
        if service.is_empty() {
            service.push_str("unknown");
        }
        let now_ms = inner.clock.now_ms();
        inner
            .state
            .lock()
            .counts
            .add_at(unix_ms(at), now_ms, severity, &service, n);
    }
}
