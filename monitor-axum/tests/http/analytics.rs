//! `/api/analytics/top-users` and `/api/analytics/heatmap` over a real
//! socket: shapes, tenant filtering (a tenant never sees another's user,
//! whatever it asks), operators' `client_id`, roles and bad parameters.

use std::time::Duration;

use axum::http::StatusCode;
use monitor_core::Monitor;
use monitor_core::bus::MessageEvent;
use serde_json::Value;

use crate::common::{ACME, ADMIN, GLOBEX, MONITOR, assert_error, assert_names_field};
use crate::served::Site;

/// acme: ann ×5, bob ×2; globex: gus ×3, and a user id shared with acme.
fn seed(monitor: &Monitor) {
    for (tenant, user, name, n) in [
        ("acme", "ann", "Ann", 5),
        ("acme", "bob", "Bob", 2),
        ("globex", "gus", "Gus", 3),
        ("globex", "ann", "Other Ann", 1),
    ] {
        for _ in 0..n {
            monitor.record_message(user, Duration::from_millis(10));
            monitor.publish_message(
                Some(tenant),
                MessageEvent::new(user, Some(name), None, 10.0),
            );
        }
    }
}

fn users(body: &Value) -> Vec<(String, String, u64)> {
    body["users"]
        .as_array()
        .expect("a users array")
        .iter()
        .map(|u| {
            (
                u["user_name"].as_str().unwrap_or_default().to_owned(),
                u["client_id"].as_str().unwrap_or_default().to_owned(),
                u["count"].as_u64().expect("a count"),
            )
        })
        .collect()
}

#[tokio::test]
async fn each_tenant_sees_only_its_users_and_operators_see_all() {
    let monitor = Monitor::builder().start().expect("runtime");
    seed(&monitor);
    let site = Site::start(&monitor).await;

    let (status, acme) = site.json("/api/analytics/top-users", Some(ACME)).await;
    assert_eq!(status, StatusCode::OK, "{acme}");
    assert_eq!(
        users(&acme),
        [
            ("Ann".into(), "acme".into(), 5),
            ("Bob".into(), "acme".into(), 2)
        ]
    );
    assert_eq!(
        (acme["window"].as_str(), acme["client_id"].as_str()),
        (Some("24h"), Some("acme"))
    );
    assert_eq!(acme["total_messages"], 7);
    assert_eq!(acme["users"][0]["max_overcount"], 0);
    assert_eq!(acme["users"][0]["user_id"], "ann");
    for key in ["from", "to", "capacity", "tracked", "max_overcount_bound"] {
        assert!(!acme[key].is_null(), "{key} missing: {acme}");
    }

    // Asking for globex's users as acme still answers acme's.
    for q in ["?client_id=globex", "?window=7d&client_id=globex&limit=100"] {
        let (status, body) = site
            .json(&format!("/api/analytics/top-users{q}"), Some(ACME))
            .await;
        assert_eq!(status, StatusCode::OK);
        let text = body.to_string();
        assert!(
            !text.contains("Gus") && !text.contains("Other Ann") && !text.contains("globex"),
            "{q}: {text}"
        );
    }
    let (_, globex) = site
        .json("/api/analytics/top-users?window=7d", Some(GLOBEX))
        .await;
    assert_eq!(
        users(&globex),
        [
            ("Gus".into(), "globex".into(), 3),
            ("Other Ann".into(), "globex".into(), 1)
        ]
    );

    let (_, all) = site
        .json("/api/analytics/top-users?limit=3", Some(MONITOR))
        .await;
    assert_eq!(all["client_id"], Value::Null);
    assert_eq!(all["total_messages"], 11);
    assert_eq!(
        users(&all),
        [
            ("Ann".into(), "acme".into(), 5),
            ("Gus".into(), "globex".into(), 3),
            ("Bob".into(), "acme".into(), 2)
        ]
    );
    let (_, one) = site
        .json("/api/analytics/top-users?client_id=globex", Some(ADMIN))
        .await;
    assert_eq!(one["total_messages"], 4);
    let (_, none) = site
        .json("/api/analytics/top-users?client_id=initech", Some(ADMIN))
        .await;
    assert_eq!(
        (
            none["total_messages"].as_u64(),
            none["users"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
}

#[tokio::test]
async fn heatmap_is_for_operators_and_counts_the_hour() {
    let monitor = Monitor::builder().start().expect("runtime");
    seed(&monitor);
    let site = Site::start(&monitor).await;

    let (status, heat) = site
        .json("/api/analytics/heatmap?weeks=2", Some(MONITOR))
        .await;
    assert_eq!(status, StatusCode::OK, "{heat}");
    assert_eq!(
        (heat["weeks"].as_u64(), heat["timezone"].as_str()),
        (Some(2), Some("UTC"))
    );
    assert_eq!(heat["days"][0], "Mon");
    let rows = heat["counts"].as_array().expect("rows");
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().all(|r| r.as_array().map(Vec::len) == Some(24)));
    assert_eq!(
        (heat["total"].as_u64(), heat["max"].as_u64()),
        (Some(11), Some(11))
    );

    let (status, body) = site.json("/api/analytics/heatmap", Some(ACME)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "forbidden");
    let (status, body) = site.json("/api/analytics/heatmap", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "unauthorized");
    let (status, body) = site.json("/api/analytics/top-users", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "unauthorized");
}

#[tokio::test]
async fn bad_parameters_are_400_naming_the_field() {
    let monitor = Monitor::builder().start().expect("runtime");
    let site = Site::start(&monitor).await;
    for (q, field) in [
        ("?window=1h", "window"),
        ("?window=", "window"),
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=ten", "limit"),
        ("?client_id=", "client_id"),
        ("?clientid=acme", "clientid"),
        ("?limit=5&limit=6", "limit"),
    ] {
        let (status, body) = site
            .json(&format!("/api/analytics/top-users{q}"), Some(ADMIN))
            .await;
        assert_names_field(status, &body, field);
    }
    for (q, field) in [
        ("?weeks=0", "weeks"),
        ("?weeks=5", "weeks"),
        ("?days=3", "days"),
    ] {
        let (status, body) = site
            .json(&format!("/api/analytics/heatmap{q}"), Some(ADMIN))
            .await;
        assert_names_field(status, &body, field);
    }
    // A tenant's bad parameter is a 400 too (not silently replaced).
    let (status, body) = site
        .json("/api/analytics/top-users?window=30d", Some(ACME))
        .await;
    assert_names_field(status, &body, "window");
}
