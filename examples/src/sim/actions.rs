//! The demo's operator actions, for the dashboard's buttons and
//! `POST /monitor/api/actions/{name}/run`:
//!
//! - `run-content-engine`: fetches feeds, generates posts, publishes them
//!   (three steps with progress, a few seconds); one run at a time;
//!   `{"params":{"dry_run":true}}` publishes nothing; one run in ten fails
//!   the way a flaky upstream does.
//! - `flush-caches`: done at once; runs may overlap (two at a time).

use std::time::Duration;

use monitor_core::Monitor;
use monitor_core::actions::{ActionContext, ActionSpec, RegisterError};
use monitor_core::activity::Outcome;
use rand::Rng;

/// Registers the demo's actions on `monitor`.
pub fn register(monitor: &Monitor) -> Result<(), RegisterError> {
    let actions = monitor.actions();
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

    #[tokio::test]
    async fn the_demo_actions_run_to_an_end() {
        let monitor = Monitor::builder().start().expect("a runtime");
        register(&monitor).expect("registers");
        let dry = ActionParams::new().with("dry_run", true).expect("a flag");
        for (name, params) in [
            ("run-content-engine", dry),
            ("flush-caches", ActionParams::new()),
        ] {
            let run = monitor
                .actions()
                .run(name, params, Actor::system())
                .expect("starts");
            let last = loop {
                let view = monitor.actions().get(name).expect("registered");
                if let Some(last) = view.last.first() {
                    break last.clone();
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            };
            assert_eq!(last.run_id, run.run_id);
            let message = last.message.unwrap_or_default();
            match last.result {
                Some(RunResult::Succeeded) => {
                    assert!(
                        message.contains("flushed") || message.contains("dry run"),
                        "{message}"
                    );
                }
                Some(RunResult::Failed) => assert!(message.contains("503"), "{message}"),
                other => panic!("{name} ended {other:?}: {message}"),
            }
        }
    }
}
