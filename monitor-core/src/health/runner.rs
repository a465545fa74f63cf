//! Running one check: on its own task (so a panic is caught), under its
//! timeout, timed, its verdict stored in the cache reads are served from.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::task::JoinHandle;

use super::status::{MAX_DETAIL_CHARS, clean_text};
use super::{CheckOptions, CheckReport, CheckResult, CheckStatus, HealthCheck};
use crate::clock::{Clock, from_unix_ms};

/// Runner counts.
#[derive(Default)]
pub(crate) struct RunCounters {
    pub(crate) runs: AtomicU64,
    pub(crate) timeouts: AtomicU64,
    pub(crate) panics: AtomicU64,
}

/// The last run's outcome.
#[derive(Clone, Debug)]
struct Outcome {
    status: CheckStatus,
    detail: String,
    latency_ms: f64,
    checked_at_ms: u64,
}

/// One registered check and its cached verdict.
pub(crate) struct CheckSlot {
    pub(crate) name: String,
    pub(crate) options: CheckOptions,
    check: Arc<dyn HealthCheck>,
    last: Mutex<Option<Outcome>>,
}

/// Aborts the task when dropped, so an abandoned run (timed out, or its
/// runner stopped) does not keep going in the background.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl CheckSlot {
    pub(crate) fn new(name: String, check: Arc<dyn HealthCheck>, options: CheckOptions) -> Self {
        CheckSlot {
            name,
            options: options.bounded(),
            check,
            last: Mutex::new(None),
        }
    }

    /// Runs the check once and stores the verdict. Returns whether the
    /// status differs from the one stored before.
    pub(crate) async fn run(&self, clock: &Clock, counters: &RunCounters) -> bool {
        counters.runs.fetch_add(1, Relaxed);
        let started = tokio::time::Instant::now();
        let check = Arc::clone(&self.check);
        let mut task = AbortOnDrop(tokio::spawn(async move { check.check().await }));
        let timeout = self.options.timeout;
        let result = match tokio::time::timeout(timeout, &mut task.0).await {
            Ok(Ok(result)) if result.status == CheckStatus::Pending => {
                CheckResult::down("check returned no verdict")
            }
            Ok(Ok(result)) => result,
            Ok(Err(_)) => {
                counters.panics.fetch_add(1, Relaxed);
                CheckResult::down("check panicked")
            }
            Err(_) => {
                counters.timeouts.fetch_add(1, Relaxed);
                CheckResult::down(format!("timed out after {}", show(timeout)))
            }
        };
        drop(task);
        let elapsed = started.elapsed().min(timeout);
        let outcome = Outcome {
            status: result.status,
            detail: clean_text(&result.detail, MAX_DETAIL_CHARS),
            latency_ms: elapsed.as_secs_f64() * 1_000.0,
            checked_at_ms: clock.now_ms(),
        };
        let mut last = self.last.lock();
        let changed = last.as_ref().map(|o| o.status) != Some(outcome.status);
        *last = Some(outcome);
        changed
    }

    pub(crate) fn report(&self) -> CheckReport {
        let required = self.options.required;
        match &*self.last.lock() {
            Some(o) => CheckReport {
                status: o.status,
                required,
                detail: o.detail.clone(),
                latency_ms: Some(o.latency_ms),
                checked_at: Some(from_unix_ms(o.checked_at_ms)),
            },
            None => CheckReport {
                status: CheckStatus::Pending,
                required,
                detail: "not run yet".to_owned(),
                latency_ms: None,
                checked_at: None,
            },
        }
    }
}

/// A duration as people write it: `2s`, `1.5s`, `250ms`.
fn show(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{}s", d.as_secs())
    } else if d.as_secs() > 0 {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(show(Duration::from_secs(2)), "2s");
        assert_eq!(show(Duration::from_millis(1_500)), "1.5s");
        assert_eq!(show(Duration::from_millis(250)), "250ms");
    }
}
