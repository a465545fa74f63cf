//! Operator actions over HTTP: `POST /api/actions/{name}/run` answers 202
//! and the run is watched to its end through the activity routes; 409 for
//! a second start, 403 for every role but admin, 404 for an unknown
//! action, 400/415 for bad bodies; every attempt by a known token is in
//! the audit log, with its role and tenant and never its token.

use crate::common::*;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{Method, StatusCode};
use monitor_core::Monitor;
use serde_json::Value;
use tokio::sync::Semaphore;

const RUN: &str = "/monitor/api/actions/run-content-engine/run";

/// The app with three actions: `run-content-engine` (waits for a permit
/// of the returned semaphore), `fails` and `panics`.
fn with_actions() -> (Router, Monitor, Arc<Semaphore>) {
    let (app, monitor) = app();
    let gate = Arc::new(Semaphore::new(0));
    let g = gate.clone();
    let actions = monitor.actions();
    actions
        .register(
            "run-content-engine",
            "Run the content engine now",
            move |ctx| {
                let g = g.clone();
                async move {
                    ctx.progress(50.0, "halfway");
                    g.acquire().await.map_err(|e| e.to_string())?.forget();
                    let dry = ctx.params().get_bool("dry_run") == Some(true);
                    Ok(if dry { "0 posts (dry run)" } else { "12 posts" }.to_owned())
                }
            },
        )
        .expect("registers");
    actions
        .register("fails", "Always fails", |_ctx| async move {
            Err::<String, _>("the feed server answered 503".to_owned())
        })
        .expect("registers");
    actions
        .register("panics", "Always panics", |ctx| async move {
            let posts: Vec<u32> = Vec::new();
            Ok(format!("{} {}", ctx.run_id(), posts[3]))
        })
        .expect("registers");
    (app, monitor, gate)
}

/// Polls `GET /api/activities/action/recent` until `run_id` ended.
async fn ended(app: &Router, run_id: &str) -> Value {
    for _ in 0..1_000 {
        let (status, body) = get(app, "/monitor/api/activities/action/recent", Some(ADMIN)).await;
        assert_eq!(status, StatusCode::OK);
        if let Some(run) = body
            .as_array()
            .and_then(|runs| runs.iter().find(|r| r["id"] == run_id))
        {
            return run.clone();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{run_id} never ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_is_accepted_then_watched_to_its_end() {
    let (app, _monitor, gate) = with_actions();
    let (status, body) = get(&app, "/monitor/api/actions", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::OK);
    let listed = &body["actions"][2];
    assert_eq!(listed["name"], "run-content-engine");
    assert_eq!(listed["description"], "Run the content engine now");
    assert_eq!(listed["concurrent"], false);
    assert_eq!(listed["running"], Value::Array(Vec::new()));

    let (status, body) = send_json(
        &app,
        Method::POST,
        RUN,
        Some(ADMIN),
        r#"{"params":{"dry_run":true}}"#,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["status"], "running");
    assert_eq!(body["kind"], "action");
    assert_eq!(body["action"], "run-content-engine");
    let run_id = body["run_id"].as_str().expect("a run id").to_owned();
    let active = body["watch"]["active"].as_str().expect("where to watch");
    assert_eq!(active, "/api/activities/action/active");

    // Live through the activity route, with its progress.
    let mut live = Value::Null;
    for _ in 0..1_000 {
        let (_, runs) = get(&app, &format!("/monitor{active}"), Some(ADMIN)).await;
        live = runs[0].clone();
        if live["progress_pct"] == 50.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert_eq!(live["id"], run_id.as_str());
    assert_eq!(live["note"], "halfway");
    assert_eq!(live["attributes"]["param.dry_run"], "true");
    assert_eq!(live["attributes"]["requested_by"], "admin");

    // A second start while it runs: 409, naming the run in progress.
    let (status, body) = post(&app, RUN, Some(ADMIN)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_error(&body, "conflict");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(&run_id)),
        "{body}"
    );
    let (_, body) = get(&app, "/monitor/api/actions", Some(ADMIN)).await;
    let action = &body["actions"][2];
    assert_eq!(action["running"][0]["run_id"], run_id.as_str());
    assert_eq!(action["running"][0]["progress_pct"], 50.0);
    assert_eq!(action["counts"]["refused"], 1);

    gate.add_permits(1);
    let done = ended(&app, &run_id).await;
    assert_eq!(done["outcome"], "succeeded");
    assert_eq!(done["note"], "0 posts (dry run)");
    assert_eq!(done["progress_pct"], 100.0);
    let (_, body) = get(&app, "/monitor/api/actions", Some(ADMIN)).await;
    let last = &body["actions"][2]["last"][0];
    assert_eq!(
        (last["run_id"].as_str(), &last["result"]),
        (Some(run_id.as_str()), &Value::from("succeeded"))
    );

    // Both attempts are audited, newest first.
    let entries = audit_entries(&app).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    let (refused, ok) = (&entries[0], &entries[1]);
    assert_eq!(ok["action"], "action.run");
    assert_eq!(ok["target"], "run-content-engine");
    assert_eq!(ok["outcome"], "ok");
    assert_eq!(ok["actor"]["role"], "admin");
    assert_eq!(ok["actor"]["tenant"], Value::Null);
    let detail = ok["detail"].as_str().expect("detail");
    assert_eq!(
        detail,
        format!(r#"run {run_id}; params {{"dry_run":true}}"#)
    );
    assert_eq!(refused["outcome"], "refused");
    assert!(
        refused["reason"]
            .as_str()
            .is_some_and(|r| r.contains("already running")),
        "{refused}"
    );
    assert!(
        ok["at"].as_str().is_some_and(|t| t.ends_with('Z')),
        "RFC 3339: {ok}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_and_panics_end_the_run_and_the_server_stays() {
    let (app, _monitor, _gate) = with_actions();
    for (name, outcome, note) in [
        ("fails", "failed", "the feed server answered 503"),
        ("panics", "panicked", "panicked: index out of bounds"),
    ] {
        let path = format!("/monitor/api/actions/{name}/run");
        let (status, body) = post(&app, &path, Some(ADMIN)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let run = ended(&app, body["run_id"].as_str().expect("run id")).await;
        assert_eq!(run["outcome"], outcome);
        assert!(
            run["note"].as_str().is_some_and(|n| n.starts_with(note)),
            "{run}"
        );
        // Started again: the slot was freed.
        let (status, _) = post(&app, &path, Some(ADMIN)).await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    let (status, body) = get(&app, "/monitor/api/me", Some(ADMIN)).await;
    assert_eq!(
        (status, &body["role"]),
        (StatusCode::OK, &Value::from("admin"))
    );
}

#[tokio::test]
async fn only_admins_list_or_run_and_every_refusal_is_audited() {
    let (app, monitor, _gate) = with_actions();
    for token in [MONITOR, ACME, GLOBEX] {
        let (status, body) = get(&app, "/monitor/api/actions", Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_error(&body, "forbidden");
        let (status, body) = post(&app, RUN, Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    for token in [None, Some("not-a-token")] {
        let (status, _) = post(&app, RUN, token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = post(&app, "/monitor/api/actions/no-such-action/run", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_error(&body, "not_found");
    let view = monitor
        .actions()
        .get("run-content-engine")
        .expect("registered");
    assert_eq!(view.counts.started, 0, "no refused start ran");
    assert!(monitor.actions().tracker().active().is_empty());

    let entries = audit_entries(&app).await;
    let who: Vec<(String, Value, String)> = entries
        .iter()
        .map(|e| {
            (
                e["actor"]["role"].as_str().unwrap_or_default().to_owned(),
                e["actor"]["tenant"].clone(),
                e["outcome"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        who,
        [
            ("admin".to_owned(), Value::Null, "refused".to_owned()),
            (
                "client".to_owned(),
                Value::from("globex"),
                "refused".to_owned()
            ),
            (
                "client".to_owned(),
                Value::from("acme"),
                "refused".to_owned()
            ),
            ("monitor".to_owned(), Value::Null, "refused".to_owned()),
        ],
        "the 401s are not audited: no known actor"
    );
    assert_eq!(entries[0]["target"], "no-such-action");
    assert!(
        entries[1]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("admin"))
    );
    let (_, _, raw) = send(
        &app,
        request(Method::GET, "/monitor/api/audit", Some(ADMIN)),
    )
    .await;
    assert_no_token(&String::from_utf8_lossy(&raw));
}

#[tokio::test]
async fn run_bodies_are_checked_before_anything_starts() {
    let (app, monitor, _gate) = with_actions();
    for (body, field) in [
        (r#"{"params":{"deep":{"x":1}}}"#, "params.deep"),
        (r#"{"params":{"list":[1]}}"#, "params.list"),
        (r#"{"params":{"s":"a\u001b[2Jb"}}"#, "params.s"),
        (r#"{"params":{"bad key":1}}"#, "params.bad key"),
        (r#"{"params":[1]}"#, "params"),
        (r#"{"parms":{}}"#, "parms"),
        (r#"{"params":{}} trailing"#, "body"),
        ("not json", "body"),
        (
            r#"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]"#,
            "body",
        ),
    ] {
        let (status, answer) = send_json(&app, Method::POST, RUN, Some(ADMIN), body).await;
        assert_names_field(status, &answer, field);
    }
    let many: Vec<String> = (0..13).map(|i| format!(r#""k{i}":{i}"#)).collect();
    let (status, answer) = send_json(
        &app,
        Method::POST,
        RUN,
        Some(ADMIN),
        &format!(r#"{{"params":{{{}}}}}"#, many.join(",")),
    )
    .await;
    assert_names_field(status, &answer, "params");
    // Not JSON at all: 415.
    let req = axum::http::Request::post(RUN)
        .header("authorization", format!("Bearer {ADMIN}"))
        .header("content-type", "text/plain")
        .body(axum::body::Body::from("dry_run=true"))
        .expect("request");
    let (status, _, bytes) = send(&app, req).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_error(
        &serde_json::from_slice(&bytes).expect("json"),
        "unsupported_media_type",
    );
    assert_eq!(
        monitor
            .actions()
            .get("run-content-engine")
            .expect("registered")
            .counts
            .started,
        0
    );
    let entries = audit_entries(&app).await;
    assert_eq!(entries.len(), 11);
    assert!(
        entries.iter().all(|e| e["outcome"] == "refused"),
        "{entries:?}"
    );
    // An empty body, and `{}`, mean no parameters.
    let (status, _) = send_json(
        &app,
        Method::POST,
        "/monitor/api/actions/fails/run",
        Some(ADMIN),
        "{}",
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, _) = post(&app, "/monitor/api/actions/panics/run", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
}
