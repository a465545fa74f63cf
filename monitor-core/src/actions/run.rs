//! One run from spawn to outcome: the handler on its own task, its panic
//! or error caught and reported, the timeout enforced, and the run's
//! slot released whatever happens.

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use super::context::ActionContext;
use super::registry::{Entry, Handler, Inner, LAST_RUNS, since_ms};
use super::view::RunResult;
use crate::activity::{NOTE_BYTES, Outcome};

/// Finishes a run exactly once: by [`finish`](Self::finish), or, if the
/// supervising task is dropped first (its runtime shutting down), as
/// `cancelled` on drop, so the concurrency slot is never leaked.
pub(crate) struct RunGuard {
    actions: Arc<Inner>,
    entry: Arc<Entry>,
    run_id: String,
    done: bool,
}

impl RunGuard {
    pub(crate) fn new(actions: Arc<Inner>, entry: Arc<Entry>, run_id: String) -> Self {
        RunGuard {
            actions,
            entry,
            run_id,
            done: false,
        }
    }

    /// Records the run's end: its activity's last note and outcome, the
    /// action's counts and last runs; frees its slot.
    pub(crate) fn finish(mut self, result: RunResult, message: String) {
        self.done = true;
        self.record(result, message);
    }

    /// The slot is freed before the activity ends, so whoever sees
    /// `action:ended` may start the action again at once.
    fn record(&self, result: RunResult, mut message: String) {
        crate::text::clean(&mut message, NOTE_BYTES, false);
        let now = self.actions.clock.now();
        {
            let mut st = self.entry.state.lock();
            if let Some(at) = st.running.iter().position(|r| r.run_id == self.run_id) {
                let mut run = st.running.remove(at);
                run.ended_at = Some(now);
                run.duration_ms = since_ms(run.started_at, now);
                run.result = Some(result);
                run.message = (!message.is_empty()).then(|| message.clone());
                st.counts.count(result);
                st.last.push_front(run);
                st.last.truncate(LAST_RUNS);
            }
        }
        let tracker = &self.actions.tracker;
        let pct = match result {
            RunResult::Succeeded => 100.0,
            _ => tracker
                .get(&self.run_id)
                .and_then(|a| a.progress_pct)
                .unwrap_or(0.0),
        };
        let _ = tracker.progress(&self.run_id, pct, &message);
        // The activity may be gone (expired after the tracker's timeout).
        let _ = tracker.end(&self.run_id, Outcome::new(result.as_str()));
        let action = &self.entry.spec.name;
        match result {
            RunResult::Succeeded => {
                tracing::info!(action = %action, run = %self.run_id, "action run succeeded");
            }
            _ => tracing::warn!(
                action = %action,
                run = %self.run_id,
                result = result.as_str(),
                message = %message,
                "action run did not succeed"
            ),
        }
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        if !self.done {
            self.done = true;
            self.record(
                RunResult::Cancelled,
                "the run was stopped before it finished (runtime shutting down)".to_owned(),
            );
        }
    }
}

/// Runs `handler` on a task of its own (so a panic, even one raised
/// before its future is built, is caught as that task's `JoinError`),
/// waits at most `timeout`, and reports how it ended.
pub(crate) async fn supervise(
    guard: RunGuard,
    handler: Handler,
    ctx: ActionContext,
    timeout: Duration,
    runtime: tokio::runtime::Handle,
) {
    let task = runtime.spawn(async move { handler(ctx).await });
    let abort = task.abort_handle();
    let (result, message) = match tokio::time::timeout(timeout, task).await {
        Ok(Ok(Ok(summary))) => (RunResult::Succeeded, summary),
        Ok(Ok(Err(error))) => (RunResult::Failed, error),
        Ok(Err(join)) if join.is_panic() => (
            RunResult::Panicked,
            format!("panicked: {}", panic_message(join.into_panic())),
        ),
        Ok(Err(_)) => (
            RunResult::Cancelled,
            "the run's task was cancelled".to_owned(),
        ),
        Err(_) => {
            abort.abort();
            (
                RunResult::TimedOut,
                format!("no result within {} ms; stopped", timeout.as_millis()),
            )
        }
    };
    guard.finish(result, message);
}

/// The text of a panic's payload (`panic!("...")` gives a `&str` or a
/// `String`).
fn panic_message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(s) => (*s).to_owned(),
            Err(_) => "a panic without a message".to_owned(),
        },
    }
}
