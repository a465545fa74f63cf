//! The demo's operator actions, for the dashboard's buttons and
//! `POST /monitor/api/actions/{name}/run`:
//!
//! - `run-content-engine`: fetches feeds, generates posts, publishes them
//!   (three steps with progress, a few seconds); one run at a time;
//!   `{"params":{"dry_run":true}}` publishes nothing; one run in ten fails
//!   the way a flaky upstream does.
//! - `flush-dead-letters`: takes every message the outbound queue parked
//!   in its dead-letter queue and re-queues each (with its tenant) for a
//!   fresh set of attempts, reporting progress; one run at a time.
//! - `flush-caches`: done at once; runs may overlap (two at a time).

use std::time::Duration;

use monitor_core::Monitor;
use monitor_core::actions::{ActionContext, ActionSpec, RegisterError};
use monitor_core::activity::Outcome;
use rand::Rng;

use super::outbound::{Outbound, PARKED_CAP, Taken};

/// The pause per re-queued message (the dead-letter store hands them
/// back one round trip at a time), so a flush of a few dozen shows its
/// progress.
const REQUEUE_PACE: Duration = Duration::from_millis(10);

/// Registers the demo's actions on `monitor`; `flush-dead-letters` works
/// on `outbound`'s dead letters.
pub fn register(monitor: &Monitor, outbound: &Outbound) -> Result<(), RegisterError> {
    let actions = monitor.actions();
    let parked = outbound.clone();
    actions.register_with(
        ActionSpec::new(
            "flush-dead-letters",
            "Re-send the WhatsApp messages parked in the dead-letter queue",
        )
        .timeout(Duration::from_secs(300)),
        move |ctx: ActionContext| flush_dead_letters(parked.clone(), ctx),
    )?;
    actions.register_with(
        ActionSpec::new("run-content-engine", "Run the content engine now")
            .timeout(Duration::from_secs(120)),
        content_engine,
    )?;
    actions.register_with(
        ActionSpec::new("flush-caches", "Drop the bot's response caches")
            .concurrent(true)
            .max_concurrent(2),
        |ctx: ActionContext| async move {
            ctx.progress(100.0, "caches dropped");
            Ok("4 caches flushed".to_owned())
        },
    )
}

async fn flush_dead_letters(outbound: Outbound, ctx: ActionContext) -> Result<String, String> {
    let Taken { messages, dropped } = outbound.take_parked();
    let lost = match dropped {
        0 => String::new(),
        n => format!(" ({n} older ones were dropped at the {PARKED_CAP}-message cap)"),
    };
    let total = messages.len();
    if total == 0 {
        ctx.progress(100.0, "nothing parked");
        return Ok(format!("no dead letters{lost}"));
    }
    ctx.progress(0.0, &format!("0 of {total} re-queued"));
    let mut rest = messages.into_iter();
    let mut done = 0usize;
    while let Some(message) = rest.next() {
        if let Err(message) = outbound.requeue(message).await {
            let back: Vec<_> = std::iter::once(message).chain(rest).collect();
            let kept = back.len();
            outbound.put_back(back);
            return Err(format!(
                "the outbound worker is not running: {done} re-queued, {kept} still parked"
            ));
        }
        done += 1;
        tokio::time::sleep(REQUEUE_PACE).await;
        if done % 10 == 0 || done == total {
            ctx.progress(
                done as f64 * 100.0 / total as f64,
                &format!("{done} of {total} re-queued"),
            );
        }
    }
    let noun = if total == 1 {
        "dead letter"
    } else {
        "dead letters"
    };
    Ok(format!("{total} {noun} re-queued{lost}"))
}

async fn content_engine(ctx: ActionContext) -> Result<String, String> {
    let dry_run = ctx.params().get_bool("dry_run") == Some(true);
    let feeds = 6;
    let fetch = ctx.step("fetch-feeds").map_err(|e| e.to_string())?;
    for n in 1..=feeds {
        tokio::time::sleep(Duration::from_millis(300)).await;
        fetch.progress(
            f64::from(n) * 100.0 / f64::from(feeds),
            &format!("{n} of {feeds} feeds"),
        );
        ctx.progress(f64::from(n) * 40.0 / f64::from(feeds), "fetching feeds");
    }
    fetch.end(Outcome::new("completed"));
    if rand::rng().random_ratio(1, 10) {
        return Err("the feed server answered 503 Service Unavailable".to_owned());
    }
    let generate = ctx.step("generate-posts").map_err(|e| e.to_string())?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    generate.end(Outcome::new("completed"));
    ctx.progress(80.0, "12 posts generated");
    if dry_run {
        return Ok("12 posts generated, none published (dry run)".to_owned());
    }
    let publish = ctx.step("publish").map_err(|e| e.to_string())?;
    tokio::time::sleep(Duration::from_millis(400)).await;
    publish.end(Outcome::new("completed"));
    Ok("12 posts generated and published".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use monitor_core::actions::{ActionParams, RunResult};
    use monitor_core::audit::Actor;

    use monitor_core::actions::RunView;

    use crate::sim::outbound;

    /// Runs `name` and waits for that run to end.
    async fn run_to_end(monitor: &Monitor, name: &str, params: ActionParams) -> RunView {
        let run = monitor
            .actions()
            .run(name, params, Actor::system())
            .expect("starts");
        loop {
            let view = monitor.actions().get(name).expect("registered");
            if let Some(last) = view.last.iter().find(|r| r.run_id == run.run_id) {
                return last.clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    #[tokio::test]
    async fn the_demo_actions_run_to_an_end() {
        let monitor = Monitor::builder().start().expect("a runtime");
        let (outbound, _worker) = outbound::new(&monitor);
        register(&monitor, &outbound).expect("registers");
        let names: Vec<String> = monitor
            .actions()
            .list()
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
        let dry = ActionParams::new().with("dry_run", true).expect("a flag");
        for (name, params) in [
            ("run-content-engine", dry),
            ("flush-dead-letters", ActionParams::new()),
            ("flush-caches", ActionParams::new()),
        ] {
            let last = run_to_end(&monitor, name, params).await;
            let message = last.message.unwrap_or_default();
            match last.result {
                Some(RunResult::Succeeded) => {
                    assert!(
                        message.contains("flushed")
                            || message.contains("dry run")
                            || message == "no dead letters",
                        "{name}: {message}"
                    );
                }
                Some(RunResult::Failed) if name == "run-content-engine" => {
                    assert!(message.contains("503"), "{message}");
                }
                other => panic!("{name} ended {other:?}: {message}"),
            }
        }
    }

    #[tokio::test]
    async fn flushing_dead_letters_requeues_each_with_its_tenant() {
        let monitor = Monitor::builder().start().expect("a runtime");
        let (outbound, mut worker) = outbound::new(&monitor);
        register(&monitor, &outbound).expect("registers");
        let queue = outbound.queue().clone();
        for (id, tenant) in [("wa-1", "acme"), ("wa-2", "globex"), ("wa-3", "acme")] {
            queue.enqueue(id, monitor_core::queue::Enqueue::new().client(tenant));
            queue.processing(id);
            outbound.dead_letter(id, tenant, "outside the 24-hour window three times");
        }
        assert_eq!(outbound.parked(), 3);
        let before = queue.stats();
        assert_eq!((before.totals.dead_lettered, before.depth), (3, 0));

        let last = run_to_end(&monitor, "flush-dead-letters", ActionParams::new()).await;
        assert_eq!(last.result, Some(RunResult::Succeeded));
        assert_eq!(last.message.as_deref(), Some("3 dead letters re-queued"));
        assert_eq!(outbound.parked(), 0, "taken from the dead-letter list");
        // On the queue again, due now, and in the worker's hands with
        // their tenants.
        let after = queue.stats();
        assert_eq!(after.totals.enqueued, before.totals.enqueued + 3);
        assert_eq!(after.depth, 3);
        let resent: Vec<(String, String)> = worker
            .drain_inbox()
            .into_iter()
            .map(|m| (m.id, m.tenant))
            .collect();
        let want = [("wa-1", "acme"), ("wa-2", "globex"), ("wa-3", "acme")]
            .map(|(i, t)| (i.to_owned(), t.to_owned()));
        assert_eq!(resent, want);

        let again = run_to_end(&monitor, "flush-dead-letters", ActionParams::new()).await;
        assert_eq!(again.message.as_deref(), Some("no dead letters"));
    }

    #[tokio::test]
    async fn without_a_worker_a_flush_fails_and_keeps_the_dead_letters() {
        let monitor = Monitor::builder().start().expect("a runtime");
        let (outbound, worker) = outbound::new(&monitor);
        register(&monitor, &outbound).expect("registers");
        drop(worker);
        outbound.dead_letter("wa-9", "initech", "rate limited three times");
        let last = run_to_end(&monitor, "flush-dead-letters", ActionParams::new()).await;
        assert_eq!(last.result, Some(RunResult::Failed));
        let message = last.message.unwrap_or_default();
        assert!(
            message.contains("not running") && message.contains("1 still parked"),
            "{message}"
        );
        assert_eq!(outbound.parked(), 1);
    }
}
