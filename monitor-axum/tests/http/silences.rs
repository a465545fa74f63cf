//! Alert silences over HTTP: admin only; 201 with the silence, listed,
//! deleted once (then 404); every body field checked with a 400 naming
//! it; 404 without an alert router; each add and delete audited.

use crate::common::*;

use std::time::{Duration, SystemTime};

use axum::Router;
use axum::http::{Method, StatusCode};
use monitor_axum::router;
use monitor_core::Monitor;
use monitor_core::alerts::{AlertRouter, LogSink, Route};
use monitor_core::clock::rfc3339;
use serde_json::Value;

const SILENCES: &str = "/monitor/api/alerts/silences";

fn with_alerts() -> (Router, Monitor) {
    let monitor = Monitor::builder()
        .alerts(AlertRouter::new().route(Route::new("all").sink(LogSink)))
        .start()
        .expect("runtime");
    (
        Router::new().nest("/monitor", router(monitor.clone(), auth())),
        monitor,
    )
}

#[tokio::test]
async fn a_silence_is_added_listed_and_ended_with_an_audit_trail() {
    let (app, monitor) = with_alerts();
    let body = r#"{"services":["db"],"min_severity":"error","clients":["acme"],"duration":"2h","comment":"db maintenance"}"#;
    let (status, created) = send_json(&app, Method::POST, SILENCES, Some(ADMIN), body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_u64().expect("an id");
    assert_eq!(created["matcher"]["services"][0], "db");
    assert_eq!(created["matcher"]["clients"][0], "acme");
    assert_eq!(created["matcher"]["min_severity"], "error");
    assert_eq!(created["comment"], "db maintenance");
    let ends = rfc3339::parse(created["ends_at"].as_str().expect("ends_at")).expect("RFC 3339");
    let in_two_hours = SystemTime::now() + Duration::from_secs(7_200);
    assert!(
        ends <= in_two_hours && ends > in_two_hours - Duration::from_secs(60),
        "{created}"
    );
    assert_eq!(monitor.alerts().expect("a router").silences().len(), 1);

    let (status, listed) = get(&app, SILENCES, Some(ADMIN)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["silences"][0], created);

    let one = format!("{SILENCES}/{id}");
    let (status, deleted) = call(&app, Method::DELETE, &one, Some(ADMIN)).await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted, created);
    let (status, body) = call(&app, Method::DELETE, &one, Some(ADMIN)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = call(
        &app,
        Method::DELETE,
        &format!("{SILENCES}/abc"),
        Some(ADMIN),
    )
    .await;
    assert_names_field(status, &body, "id");
    assert!(monitor.alerts().expect("a router").silences().is_empty());

    let entries = audit_entries(&app).await;
    let summary: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default(),
                e["target"].as_str().unwrap_or_default(),
                e["outcome"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    let id = id.to_string();
    assert_eq!(
        summary,
        [
            ("silence.delete", "abc", "refused"),
            ("silence.delete", id.as_str(), "refused"),
            ("silence.delete", id.as_str(), "ok"),
            ("silence.create", id.as_str(), "ok"),
        ]
    );
    let created_entry = &entries[3];
    assert!(
        created_entry["detail"]
            .as_str()
            .is_some_and(|d| d.ends_with(": db maintenance")),
        "{created_entry}"
    );
    assert_eq!(created_entry["actor"]["role"], "admin");
}

#[tokio::test]
async fn every_field_is_checked_and_named() {
    let (app, monitor) = with_alerts();
    let past = rfc3339::format(SystemTime::now() - Duration::from_secs(60));
    let far = rfc3339::format(SystemTime::now() + Duration::from_secs(31 * 86_400));
    let many: Vec<String> = (0..17).map(|i| format!("\"s{i}\"")).collect();
    let cases = [
        (r#"{"duration":"1h"}"#.to_owned(), "comment"),
        (r#"{"duration":"1h","comment":"   "}"#.to_owned(), "comment"),
        (
            format!(r#"{{"duration":"1h","comment":"{}"}}"#, "c".repeat(257)),
            "comment",
        ),
        (
            r#"{"duration":"1h","comment":"a\u0007b"}"#.to_owned(),
            "comment",
        ),
        (r#"{"comment":"x"}"#.to_owned(), "duration"),
        (
            format!(r#"{{"duration":"1h","ends_at":"{far}","comment":"x"}}"#),
            "duration",
        ),
        (r#"{"duration":"5w","comment":"x"}"#.to_owned(), "duration"),
        (r#"{"duration":"0s","comment":"x"}"#.to_owned(), "duration"),
        (r#"{"duration":3600,"comment":"x"}"#.to_owned(), "duration"),
        (
            format!(r#"{{"ends_at":"{past}","comment":"x"}}"#),
            "ends_at",
        ),
        (format!(r#"{{"ends_at":"{far}","comment":"x"}}"#), "ends_at"),
        (
            r#"{"ends_at":"tomorrow","comment":"x"}"#.to_owned(),
            "ends_at",
        ),
        (
            r#"{"severities":["critical","nope"],"duration":"1h","comment":"x"}"#.to_owned(),
            "severities[1]",
        ),
        (
            r#"{"min_severity":"loud","duration":"1h","comment":"x"}"#.to_owned(),
            "min_severity",
        ),
        (
            r#"{"services":[""],"duration":"1h","comment":"x"}"#.to_owned(),
            "services[0]",
        ),
        (
            format!(
                r#"{{"fingerprints":["{}"],"duration":"1h","comment":"x"}}"#,
                "f".repeat(129)
            ),
            "fingerprints[0]",
        ),
        (
            format!(
                r#"{{"error_types":[{}],"duration":"1h","comment":"x"}}"#,
                many.join(",")
            ),
            "error_types",
        ),
        (
            r#"{"service":["db"],"duration":"1h","comment":"x"}"#.to_owned(),
            "service",
        ),
        (
            r#"{"clients":"acme"","duration":"1h","comment":"x"}"#.to_owned(),
            "clients",
        ),
        ("[]".to_owned(), "body"),
        (String::new(), "body"),
    ];
    for (body, field) in &cases {
        let (status, answer) = send_json(&app, Method::POST, SILENCES, Some(ADMIN), body).await;
        assert_names_field(status, &answer, field);
    }
    assert!(monitor.alerts().expect("a router").silences().is_empty());
    let entries = audit_entries(&app).await;
    assert_eq!(entries.len(), cases.len());
    assert!(
        entries
            .iter()
            .all(|e| e["action"] == "silence.create" && e["outcome"] == "refused")
    );
    // `ends_at` within the window is fine; no matcher silences everything.
    let soon = rfc3339::format(SystemTime::now() + Duration::from_secs(600));
    let (status, body) = send_json(
        &app,
        Method::POST,
        SILENCES,
        Some(ADMIN),
        &format!(r#"{{"ends_at":"{soon}","comment":"all quiet"}}"#),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn only_admins_and_only_with_an_alert_router() {
    let (app, _monitor) = with_alerts();
    let body = r#"{"duration":"1h","comment":"x"}"#;
    for token in [MONITOR, ACME, GLOBEX] {
        let (status, _) = get(&app, SILENCES, Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = send_json(&app, Method::POST, SILENCES, Some(token), body).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = call(&app, Method::DELETE, &format!("{SILENCES}/1"), Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let entries = audit_entries(&app).await;
    assert_eq!(entries.len(), 6, "two writes for each of three tokens");
    assert_eq!(
        entries[0]["actor"],
        serde_json::json!({"role": "client", "tenant": "globex"})
    );
    assert_eq!(
        entries[5]["actor"],
        serde_json::json!({"role": "monitor", "tenant": Value::Null})
    );

    let (plain, _) = app_without_alerts();
    let (status, answer) = get(&plain, SILENCES, Some(ADMIN)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("alert routing")),
        "{answer}"
    );
    let (status, _) = send_json(&plain, Method::POST, SILENCES, Some(ADMIN), body).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &plain,
        Method::DELETE,
        &format!("{SILENCES}/1"),
        Some(ADMIN),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, answer) = call(&plain, Method::PUT, SILENCES, Some(ADMIN)).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error(&answer, "method_not_allowed");
}

fn app_without_alerts() -> (Router, Monitor) {
    app()
}
