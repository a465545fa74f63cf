//! Operator actions through the monitor: a run's progress, steps and
//! outcome as an activity and as events; failures, panics and timeouts
//! reported, never crashing anything; the concurrency guard; the caps;
//! runs interrupted by a restart.

use crate::support::value_of;

use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusBuilder;
use monitor_core::Monitor;
use monitor_core::actions::{
    ACTION_KIND, ActionContext, ActionParams, ActionResult, ActionSpec, ActionView, INTERRUPTED,
    MAX_ACTIONS, RegisterError, RunError, RunResult,
};
use monitor_core::activity::Outcome;
use monitor_core::audit::Actor;
use monitor_core::bus::{Audience, ChannelSet, EventData};
use tokio::sync::Semaphore;

fn monitor() -> Monitor {
    Monitor::builder()
        .metrics_interval(Duration::from_secs(3_600))
        .start()
        .expect("inside a runtime")
}

fn admin() -> Actor {
    Actor::new("admin", None)
}

/// Waits until action `name` has no run in progress and no run's
/// activity is active (the slot is freed just before the activity ends);
/// returns its view.
async fn settled(monitor: &Monitor, name: &str) -> ActionView {
    for _ in 0..2_000 {
        let view = monitor.actions().get(name).expect("registered");
        let active = monitor
            .actions()
            .tracker()
            .active()
            .iter()
            .any(|a| a.category.as_deref() == Some(name));
        if view.running.is_empty() && !active {
            return view;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{name} still running");
}

/// A handler that waits for a permit before it returns `Ok("done")`.
fn gated(
    gate: &Arc<Semaphore>,
) -> impl Fn(ActionContext) -> std::pin::Pin<Box<dyn std::future::Future<Output = ActionResult> + Send>>
+ Send
+ Sync
+ 'static {
    let gate = gate.clone();
    move |_ctx| {
        let gate = gate.clone();
        Box::pin(async move {
            gate.acquire().await.map_err(|e| e.to_string())?.forget();
            Ok("done".to_owned())
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_reports_progress_steps_and_success_as_an_activity() {
    let monitor = monitor();
    let mut feed = monitor
        .bus()
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("a subscriber");
    let gate = Arc::new(Semaphore::new(0));
    let g = gate.clone();
    monitor
        .actions()
        .register(
            "run-content-engine",
            "Run the content engine now",
            move |ctx| {
                let g = g.clone();
                async move {
                    let step = ctx.step("fetch").map_err(|e| e.to_string())?;
                    step.progress(50.0, "3 of 6 feeds");
                    ctx.progress(40.0, "fetching");
                    g.acquire().await.map_err(|e| e.to_string())?.forget();
                    step.end(Outcome::new("completed"));
                    let posts = ctx.params().get_f64("posts").unwrap_or(0.0);
                    Ok(format!("{posts} posts by {}", ctx.requested_by()))
                }
            },
        )
        .expect("registers");

    let params = ActionParams::new().with("posts", 12).expect("a number");
    let run = monitor
        .actions()
        .run("run-content-engine", params, admin())
        .expect("starts");
    assert_eq!(run.kind, ACTION_KIND);
    assert!(
        run.run_id.starts_with("run-content-engine-"),
        "{}",
        run.run_id
    );

    // Live: the run and its step are active, the run's progress visible.
    let tracker = monitor.actions().tracker().clone();
    for _ in 0..1_000 {
        if tracker.get(&run.run_id).and_then(|a| a.progress_pct) == Some(40.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let live = tracker.get(&run.run_id).expect("active");
    assert!(live.is_active());
    assert_eq!(live.category.as_deref(), Some("run-content-engine"));
    assert_eq!(live.attributes["requested_by"], "admin");
    assert_eq!(live.attributes["param.posts"], "12");
    let view = monitor
        .actions()
        .get("run-content-engine")
        .expect("registered");
    assert_eq!(view.running.len(), 1);
    assert_eq!(view.running[0].note.as_deref(), Some("fetching"));
    let tree = tracker.tree();
    assert_eq!(tree[0].activity.id, run.run_id);
    assert_eq!(
        tree[0].children[0].activity.id,
        format!("{}/fetch", run.run_id)
    );

    gate.add_permits(1);
    let view = settled(&monitor, "run-content-engine").await;
    let last = &view.last[0];
    assert_eq!(last.result, Some(RunResult::Succeeded));
    assert_eq!(last.message.as_deref(), Some("12 posts by admin"));
    assert_eq!((view.counts.started, view.counts.succeeded), (1, 1));
    let ended = tracker.get(&run.run_id).expect("recent");
    assert_eq!(ended.outcome.as_deref(), Some("succeeded"));
    assert_eq!(ended.progress_pct, Some(100.0));
    assert_eq!(ended.note.as_deref(), Some("12 posts by admin"));
    let step = tracker
        .get(&format!("{}/fetch", run.run_id))
        .expect("recent");
    assert_eq!(step.outcome.as_deref(), Some("completed"));

    // The same story on the bus: started, progress, ended.
    let mut seen = Vec::new();
    while let Ok(Some(event)) = tokio::time::timeout(Duration::from_millis(200), feed.recv()).await
    {
        let e = event.event();
        if let EventData::Activity(a) = &e.data
            && a.id == run.run_id
        {
            seen.push((e.event_type.to_string(), a.outcome.clone()));
        }
    }
    assert_eq!(seen.first().map(|s| s.0.as_str()), Some("action:started"));
    assert!(seen.iter().any(|s| s.0 == "action:progress"), "{seen:?}");
    assert_eq!(
        seen.last(),
        Some(&("action:ended".to_owned(), Some("succeeded".to_owned())))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_panics_and_timeouts_are_outcomes_and_the_host_carries_on() {
    let monitor = monitor();
    let actions = monitor.actions();
    actions
        .register("fails", "Returns an error", |ctx| async move {
            ctx.progress(30.0, "trying");
            Err::<String, _>("the upstream said 503".to_owned())
        })
        .expect("registers");
    actions
        .register("panics", "Panics inside its future", |_ctx| async move {
            let v: Vec<u8> = Vec::new();
            if v.is_empty() {
                panic!("index out of range in the handler");
            }
            Ok(String::new())
        })
        .expect("registers");
    actions
        .register("panics-early", "Panics before its future exists", |ctx| {
            if ctx.params().is_empty() {
                panic!("no future at all");
            }
            async move { Ok(String::new()) }
        })
        .expect("registers");
    actions
        .register_with(
            ActionSpec::new("hangs", "Never returns").timeout(Duration::from_millis(50)),
            |_ctx| async move {
                tokio::time::sleep(Duration::from_secs(3_600)).await;
                Ok(String::new())
            },
        )
        .expect("registers");

    for (name, result, message) in [
        ("fails", RunResult::Failed, "the upstream said 503"),
        (
            "panics",
            RunResult::Panicked,
            "panicked: index out of range in the handler",
        ),
        (
            "panics-early",
            RunResult::Panicked,
            "panicked: no future at all",
        ),
        (
            "hangs",
            RunResult::TimedOut,
            "no result within 50 ms; stopped",
        ),
    ] {
        let run = actions
            .run(name, ActionParams::new(), admin())
            .expect("starts");
        let view = settled(&monitor, name).await;
        assert_eq!(view.last[0].result, Some(result), "{name}");
        assert_eq!(view.last[0].message.as_deref(), Some(message), "{name}");
        assert_eq!(view.counts.ended(result), 1, "{name}");
        let activity = actions.tracker().get(&run.run_id).expect("recent");
        assert_eq!(activity.outcome.as_deref(), Some(result.as_str()), "{name}");
        assert_eq!(activity.note.as_deref(), Some(message), "{name}");
        // A failed run keeps the progress it had reached.
        if name == "fails" {
            assert_eq!(activity.progress_pct, Some(30.0));
        }
        // The slot is free again: the action runs again.
        actions
            .run(name, ActionParams::new(), admin())
            .expect("runs again");
        settled(&monitor, name).await;
    }
    // And the monitor is untouched.
    monitor.record_message("u1", Duration::from_millis(10));
    assert_eq!(monitor.collector().current_stats().messages.total, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_start_is_refused_unless_the_action_is_concurrent() {
    let monitor = monitor();
    let actions = monitor.actions();
    let gate = Arc::new(Semaphore::new(0));
    actions
        .register("once", "One at a time", gated(&gate))
        .expect("registers");
    actions
        .register_with(
            ActionSpec::new("many", "Two at a time")
                .concurrent(true)
                .max_concurrent(2),
            gated(&gate),
        )
        .expect("registers");

    let first = actions
        .run("once", ActionParams::new(), admin())
        .expect("starts");
    match actions.run("once", ActionParams::new(), admin()) {
        Err(RunError::AlreadyRunning { action, run_id }) => {
            assert_eq!((action.as_str(), run_id), ("once", first.run_id.clone()));
        }
        other => panic!("expected AlreadyRunning, got {other:?}"),
    }
    let a = actions
        .run("many", ActionParams::new(), admin())
        .expect("first");
    let b = actions
        .run("many", ActionParams::new(), admin())
        .expect("second");
    assert_ne!(a.run_id, b.run_id);
    assert_eq!(
        actions.run("many", ActionParams::new(), admin()),
        Err(RunError::TooManyRuns {
            action: "many".into(),
            limit: 2
        })
    );
    let view = actions.get("many").expect("registered");
    assert_eq!((view.running.len(), view.counts.refused), (2, 1));
    assert!(view.concurrent);
    assert_eq!(actions.get("once").expect("registered").counts.refused, 1);
    assert_eq!(
        actions.tracker().active().len(),
        3,
        "three runs, three activities"
    );

    gate.add_permits(3);
    settled(&monitor, "once").await;
    settled(&monitor, "many").await;
    actions
        .run("once", ActionParams::new(), admin())
        .expect("free again");
    gate.add_permits(1);
    let view = settled(&monitor, "once").await;
    assert_eq!((view.counts.started, view.counts.succeeded), (2, 2));
    assert_eq!(view.last.len(), 2);
    assert!(
        view.last[0].ended_at >= view.last[1].ended_at,
        "newest first"
    );
}

#[tokio::test]
async fn registrations_are_checked_and_capped() {
    let monitor = monitor();
    let actions = monitor.actions();
    let ok = |_ctx: ActionContext| async move { Ok::<_, String>(String::new()) };
    assert_eq!(
        actions.register("a/b", "slash", ok),
        Err(RegisterError::InvalidName("a/b".into()))
    );
    for i in 0..MAX_ACTIONS {
        actions
            .register(&format!("a{i}"), "", ok)
            .expect("under the cap");
    }
    assert_eq!(
        actions.register("a0", "again", ok),
        Err(RegisterError::Duplicate("a0".into()))
    );
    assert_eq!(
        actions.register("one-more", "", ok),
        Err(RegisterError::TooMany { limit: MAX_ACTIONS })
    );
    assert_eq!(actions.refused_registrations(), 1);
    assert_eq!(actions.list().len(), MAX_ACTIONS);
    assert_eq!(
        actions.run("nope", ActionParams::new(), admin()),
        Err(RunError::Unknown("nope".into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_are_capped_and_dropped_steps_end_abandoned() {
    let monitor = monitor();
    monitor
        .actions()
        .register("stepper", "Many steps", |ctx| async move {
            let kept = ctx.step("kept").map_err(|e| e.to_string())?;
            assert!(ctx.step("kept").is_err(), "a step name active twice");
            assert!(ctx.step("\u{1b}").is_err(), "an empty name");
            let mut made = 1;
            while let Ok(step) = ctx.step(&format!("s{made}")) {
                step.end(Outcome::new("completed"));
                made += 1;
            }
            drop(kept);
            Ok(format!("{made} steps"))
        })
        .expect("registers");
    let run = monitor
        .actions()
        .run("stepper", ActionParams::new(), admin())
        .expect("starts");
    let view = settled(&monitor, "stepper").await;
    assert_eq!(view.last[0].message.as_deref(), Some("64 steps"));
    let kept = monitor
        .actions()
        .tracker()
        .get(&format!("{}/kept", run.run_id))
        .expect("recent");
    assert_eq!(kept.outcome.as_deref(), Some("abandoned"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_in_progress_at_a_snapshot_end_interrupted_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("monitor.snap");
    let first = Monitor::builder()
        .snapshot_file(&path)
        .start()
        .expect("runtime");
    let gate = Arc::new(Semaphore::new(0));
    first
        .actions()
        .register("long", "Takes a while", gated(&gate))
        .expect("registers");
    let run = first
        .actions()
        .run("long", ActionParams::new(), admin())
        .expect("starts");
    let saving = first.clone();
    tokio::task::spawn_blocking(move || saving.save_snapshot())
        .await
        .expect("joined")
        .expect("written");

    let second = Monitor::builder()
        .snapshot_file(&path)
        .start()
        .expect("runtime");
    let tracker = second.activity_kind(ACTION_KIND).expect("the action kind");
    assert!(tracker.active().is_empty(), "nothing runs after a restart");
    let was = tracker.get(&run.run_id).expect("restored");
    assert_eq!(was.outcome.as_deref(), Some(INTERRUPTED));
    gate.add_permits(1);
    settled(&first, "long").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_counts_reach_prometheus() {
    let monitor = monitor();
    monitor
        .actions()
        .register("quick", "Done at once", |_ctx| async move {
            Ok::<_, String>("ok".into())
        })
        .expect("registers");
    monitor
        .actions()
        .run("quick", ActionParams::new(), admin())
        .expect("starts");
    settled(&monitor, "quick").await;
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || monitor.publish_metrics());
    let text = handle.render();
    assert_eq!(
        value_of(
            &text,
            r#"monitor_action_runs_total{action="quick",result="succeeded"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value_of(
            &text,
            r#"monitor_action_runs_total{action="quick",result="refused"}"#
        ),
        Some(0.0)
    );
    assert_eq!(
        value_of(&text, r#"monitor_action_running{action="quick"}"#),
        Some(0.0)
    );
}
