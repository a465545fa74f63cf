//! The seam every health check implements, a closure adapter, and the
//! per-check options.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::CheckResult;

/// What [`HealthCheck::check`] returns.
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = CheckResult> + Send + 'a>>;

/// Shortest interval between two runs of one check; shorter ones are
/// raised to it so a check can never spin.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);
/// Shortest timeout; shorter ones are raised to it.
pub const MIN_TIMEOUT: Duration = Duration::from_millis(1);

/// Something whose health can be probed: a database, an external API, a
/// queue consumer.
///
/// The runner calls it in the background on its own task, bounds it with
/// the check's timeout (a timeout is [`Down`](super::CheckStatus::Down)),
/// measures its latency and catches its panics; a check only probes once.
/// Returning [`Pending`](super::CheckStatus::Pending) is not a verdict and
/// is reported as down.
pub trait HealthCheck: Send + Sync + 'static {
    /// Probes once.
    fn check(&self) -> CheckFuture<'_>;
}

/// A check from an async closure.
///
/// ```
/// use monitor_core::health::{CheckResult, FnCheck};
///
/// let check = FnCheck::new(|| async { CheckResult::up("ok") });
/// ```
pub struct FnCheck<F> {
    f: F,
}

impl<F, Fut> FnCheck<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = CheckResult> + Send + 'static,
{
    /// A check that runs `f` each time.
    pub fn new(f: F) -> Self {
        FnCheck { f }
    }
}

impl<F, Fut> HealthCheck for FnCheck<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = CheckResult> + Send + 'static,
{
    fn check(&self) -> CheckFuture<'_> {
        Box::pin((self.f)())
    }
}

impl<F> std::fmt::Debug for FnCheck<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FnCheck").finish_non_exhaustive()
    }
}

/// How one check is run: whether it is required, its timeout, and how
/// often it is refreshed (its cache TTL).
///
/// ```
/// use monitor_core::health::CheckOptions;
/// use std::time::Duration;
///
/// let db = CheckOptions::required().timeout(Duration::from_secs(1)).every(Duration::from_secs(15));
/// assert!(db.required);
/// assert!(!CheckOptions::default().required);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckOptions {
    /// Down makes the overall status critical (else degraded). Default
    /// false.
    pub required: bool,
    /// Bound on one run; running out is down. Default 2 s, at least
    /// [`MIN_TIMEOUT`].
    pub timeout: Duration,
    /// Pause between the end of one run and the start of the next: how
    /// long a result is served from cache. Default 10 s, at least
    /// [`MIN_INTERVAL`].
    pub interval: Duration,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            required: false,
            timeout: Duration::from_secs(2),
            interval: Duration::from_secs(10),
        }
    }
}

impl CheckOptions {
    /// A check whose failure is critical.
    pub fn required() -> Self {
        CheckOptions {
            required: true,
            ..Self::default()
        }
    }

    /// A check whose failure is only degraded (the default).
    pub fn optional() -> Self {
        Self::default()
    }

    /// Bounds each run by `timeout`.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Re-runs the check `interval` after each run ends.
    pub fn every(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The options with their floors applied.
    pub(crate) fn bounded(self) -> Self {
        CheckOptions {
            required: self.required,
            timeout: self.timeout.max(MIN_TIMEOUT),
            interval: self.interval.max(MIN_INTERVAL),
        }
    }
}
