//! The background tasks: one loop per check, and one evaluation task that
//! refreshes the threshold verdict, folds everything into the overall
//! status and tells listeners about changes.
//!
//! Only the evaluation task calls listeners, so changes arrive in order,
//! one at a time, and under no lock.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::MissedTickBehavior;

use super::handle::Shared;
use super::{HealthChange, HealthStatus};

/// Runs check `index` now, then again `interval` after each run ends,
/// until aborted. A status change wakes the evaluation task.
pub(crate) async fn check_loop(shared: Arc<Shared>, index: usize) {
    let Some(slot) = shared.checks.get(index) else {
        return;
    };
    loop {
        if slot.run(&shared.clock, &shared.counters).await {
            shared.wake.notify_one();
        }
        tokio::time::sleep(slot.options.interval).await;
    }
}

/// The component statuses and overall status last told to listeners.
type Seen = (HealthStatus, BTreeMap<String, &'static str>);

/// Evaluates every `every` (thresholds and staleness), when a check's
/// status changed, and when [`Health::refresh`](super::Health::refresh)
/// asks (answering once done). The first evaluation sets the baseline and
/// tells no one.
pub(crate) async fn evaluate_loop(
    shared: Arc<Shared>,
    every: Duration,
    mut requests: mpsc::Receiver<oneshot::Sender<()>>,
) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut seen: Option<Seen> = None;
    loop {
        let mut ack = None;
        tokio::select! {
            _ = ticker.tick() => shared.update_thresholds(),
            () = shared.wake.notified() => {}
            request = requests.recv() => match request {
                Some(request) => {
                    shared.update_thresholds();
                    ack = Some(request);
                }
                None => return,
            },
        }
        evaluate(&shared, &mut seen);
        if let Some(ack) = ack {
            // The refresher may have given up waiting; nothing to do then.
            let _ = ack.send(());
        }
    }
}

fn evaluate(shared: &Shared, seen: &mut Option<Seen>) {
    let report = shared.report();
    let components = report.components();
    let Some(before) = seen.as_ref() else {
        *seen = Some((report.status, components));
        return;
    };
    let Some(changed) = HealthChange::between(before, &report, &components) else {
        return;
    };
    let change = HealthChange {
        previous: before.0,
        status: report.status,
        report,
        changed,
    };
    *seen = Some((change.status, components));
    for listener in &shared.listeners {
        // A listener's panic must not end evaluations for everyone else.
        if std::panic::catch_unwind(AssertUnwindSafe(|| listener(&change))).is_err() {
            tracing::warn!("a health listener panicked");
        }
    }
}
