//! `GET /api/audit` and the error workflow's entries: resolve and
//! acknowledge are audited with role and tenant whatever their answer;
//! the log is admin-only, paged and filtered with 400s naming the field,
//! and holds no token.

use crate::common::*;

use axum::http::{Method, StatusCode};
use monitor_core::errors::ErrorEvent;
use serde_json::Value;

#[tokio::test]
async fn resolve_and_acknowledge_are_audited_whatever_the_answer() {
    let (app, monitor) = app();
    let acme = monitor
        .log_error(ErrorEvent::new("db", "query", "Timeout", "slow").client("acme"))
        .id;
    let globex = monitor
        .log_error(ErrorEvent::new("api", "call", "Refused", "no").client("globex"))
        .id;
    let path = |id: &dyn std::fmt::Display, what: &str| format!("/monitor/api/errors/{id}/{what}");

    let attempts: [(&str, String, StatusCode); 7] = [
        (ACME, path(&acme, "acknowledge"), StatusCode::OK),
        (ACME, path(&globex, "acknowledge"), StatusCode::NOT_FOUND),
        (ACME, path(&acme, "resolve"), StatusCode::FORBIDDEN),
        (MONITOR, path(&acme, "acknowledge"), StatusCode::FORBIDDEN),
        (ADMIN, path(&"abc", "resolve"), StatusCode::BAD_REQUEST),
        (ADMIN, path(&999, "resolve"), StatusCode::NOT_FOUND),
        (ADMIN, path(&globex, "resolve"), StatusCode::OK),
    ];
    for (token, path, want) in &attempts {
        let (status, body) = post(&app, path, Some(token)).await;
        assert_eq!(status, *want, "{path}: {body}");
    }
    let (status, _) = post(&app, &path(&acme, "resolve"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let mut entries = audit_entries(&app).await;
    entries.reverse(); // oldest first, like the attempts
    assert_eq!(entries.len(), attempts.len(), "the 401 is not audited");
    let row = |e: &Value| {
        format!(
            "{} {} {} {} {}",
            e["actor"]["role"].as_str().unwrap_or_default(),
            e["actor"]["tenant"].as_str().unwrap_or("-"),
            e["action"].as_str().unwrap_or_default(),
            e["target"].as_str().unwrap_or_default(),
            e["outcome"].as_str().unwrap_or_default(),
        )
    };
    let rows: Vec<String> = entries.iter().map(row).collect();
    assert_eq!(
        rows,
        [
            format!("client acme error.acknowledge {acme} ok"),
            format!("client acme error.acknowledge {globex} refused"),
            format!("client acme error.resolve {acme} refused"),
            format!("monitor - error.acknowledge {acme} refused"),
            "admin - error.resolve abc refused".to_owned(),
            "admin - error.resolve 999 refused".to_owned(),
            format!("admin - error.resolve {globex} ok"),
        ]
    );
    assert!(
        entries[0]["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("group "))
    );
    assert!(
        entries[2]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("admin role")),
        "{}",
        entries[2]
    );
    assert!(
        entries[1]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("no error with id"))
    );
    let ids: Vec<u64> = entries.iter().filter_map(|e| e["id"].as_u64()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let (_, _, raw) = send(
        &app,
        request(Method::GET, "/monitor/api/audit?limit=500", Some(ADMIN)),
    )
    .await;
    assert_no_token(&String::from_utf8_lossy(&raw));
}

#[tokio::test]
async fn the_log_is_admin_only_paged_and_filtered() {
    let (app, monitor) = app();
    for n in 0..5 {
        let id = monitor
            .log_error(ErrorEvent::new("db", "q", "T", "m").client("acme"))
            .id;
        let (status, _) = post(
            &app,
            &format!("/monitor/api/errors/{id}/resolve"),
            Some(if n % 2 == 0 { ADMIN } else { ACME }),
        )
        .await;
        assert!(status == StatusCode::OK || status == StatusCode::FORBIDDEN);
    }
    for token in [MONITOR, ACME, GLOBEX] {
        let (status, body) = get(&app, "/monitor/api/audit", Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_error(&body, "forbidden");
    }
    let (status, _) = get(&app, "/monitor/api/audit", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, page) = get(&app, "/monitor/api/audit?limit=2&offset=1", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (page["total"].as_u64(), page["evicted"].as_u64()),
        (Some(5), Some(0))
    );
    assert_eq!(page["entries"].as_array().map(Vec::len), Some(2));
    assert!(page["capacity"].as_u64().is_some_and(|c| c >= 5));
    let (_, refused) = get(
        &app,
        "/monitor/api/audit?outcome=refused&action=error",
        Some(ADMIN),
    )
    .await;
    assert_eq!(refused["total"], 2);
    let (_, none) = get(&app, "/monitor/api/audit?action=action.run", Some(ADMIN)).await;
    assert_eq!(none["total"], 0);
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
        ("outcome=maybe", "outcome"),
        ("action=a%20b", "action"),
        ("actor=admin", "actor"),
        ("limit=1&limit=2", "limit"),
    ] {
        let (status, body) = get(&app, &format!("/monitor/api/audit?{query}"), Some(ADMIN)).await;
        assert_names_field(status, &body, field);
    }
}
