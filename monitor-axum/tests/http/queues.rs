//! `/api/queues` and `/api/queues/{queue}`: shapes, roles (operators read,
//! tenants 403, no token 401), unknown queues 404, bad segments and
//! parameters 400, all as JSON; and the WebSocket delivering
//! `queue:message:*` to the message's tenant and `queue:stats` to
//! operators only.

use crate::common::*;
use crate::ws::harness::{ALL_CHANNELS, Server, drain};

use std::time::Duration;

use axum::http::StatusCode;
use monitor_core::queue::Enqueue;

#[tokio::test]
async fn queues_list_and_detail_have_their_shapes() {
    let (app, monitor) = app();
    let q = monitor.queue("whatsapp");
    q.enqueue("m1", Enqueue::new().client("acme"));
    q.enqueue("m2", Enqueue::new().after(Duration::from_secs(600)));
    q.enqueue("m3", Enqueue::new());
    q.processing("m1");
    q.sent("m1");
    q.processing("m3");
    monitor.queue("sms");

    let (status, body) = get(&app, "/monitor/api/queues", Some(MONITOR)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["overflowed"], 0);
    let names: Vec<&str> = body["queues"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|q| q["name"].as_str())
        .collect();
    assert_eq!(names, ["sms", "whatsapp"]);
    let w = &body["queues"][1];
    assert_eq!(
        (
            w["depth"].as_u64(),
            w["scheduled"].as_u64(),
            w["in_flight"].as_u64()
        ),
        (Some(0), Some(1), Some(1))
    );
    assert!(w["oldest_pending_age_ms"].is_null(), "{w}");
    assert_eq!(w["totals"]["enqueued"], 3);
    assert_eq!(w["totals"]["sent"], 1);
    assert_eq!(w["last_24h"]["processing"], 2);
    assert_eq!(w["anomalies"]["refused"], 0);
    assert!(w["max_tracked"].as_u64().is_some_and(|n| n >= 65_536));
    assert!(w.get("hourly").is_none(), "the list has no series");

    let (status, body) = get(&app, "/monitor/api/queues/whatsapp?hours=3", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "whatsapp");
    assert_eq!(body["totals"]["sent"], 1);
    let hourly = body["hourly"].as_array().expect("a series");
    assert_eq!(hourly.len(), 3);
    assert_eq!(hourly[2]["enqueued"], 3, "this hour, last");
    assert!(
        hourly[2]["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with(":00:00.000Z"))
    );
    let (_, body) = get(&app, "/monitor/api/queues/whatsapp", Some(ADMIN)).await;
    assert_eq!(
        body["hourly"].as_array().map(Vec::len),
        Some(24),
        "default 24 hours"
    );
    assert!(
        !body.to_string().contains("acme"),
        "no tenant in the figures: {body}"
    );
}

#[tokio::test]
async fn operators_read_tenants_are_refused_and_no_token_is_401() {
    let (app, monitor) = app();
    monitor
        .queue("whatsapp")
        .enqueue("m1", Enqueue::new().client("acme"));
    for path in ["/monitor/api/queues", "/monitor/api/queues/whatsapp"] {
        for token in [ADMIN, MONITOR] {
            let (status, body) = get(&app, path, Some(token)).await;
            assert_eq!(status, StatusCode::OK, "{path} {token}: {body}");
        }
        for token in [ACME, GLOBEX] {
            let (status, body) = get(&app, path, Some(token)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path} {token}");
            assert_error(&body, "forbidden");
        }
        for token in [None, Some("nope")] {
            let (status, body) = get(&app, path, token).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} {token:?}");
            assert_error(&body, "unauthorized");
        }
    }
}

#[tokio::test]
async fn unknown_queues_bad_segments_and_parameters_are_json_errors() {
    let (app, monitor) = app();
    monitor.queue("whatsapp");
    let (status, body) = get(&app, "/monitor/api/queues/telegram", Some(ADMIN)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
    assert!(
        monitor.find_queue("telegram").is_none(),
        "reading does not create"
    );

    let long = "q".repeat(65);
    for (path, field) in [
        ("/monitor/api/queues/%ff".to_owned(), "queue"),
        ("/monitor/api/queues/%c0%af".to_owned(), "queue"),
        ("/monitor/api/queues/wh%00app".to_owned(), "queue"),
        ("/monitor/api/queues/a%1bb".to_owned(), "queue"),
        (format!("/monitor/api/queues/{long}"), "queue"),
        ("/monitor/api/queues/whatsapp?hours=0".to_owned(), "hours"),
        ("/monitor/api/queues/whatsapp?hours=25".to_owned(), "hours"),
        ("/monitor/api/queues/whatsapp?hours=x".to_owned(), "hours"),
        (
            "/monitor/api/queues/whatsapp?hours=1&hours=2".to_owned(),
            "hours",
        ),
        ("/monitor/api/queues/whatsapp?days=2".to_owned(), "days"),
        ("/monitor/api/queues?hours=2".to_owned(), "hours"),
    ] {
        let (status, body) = get(&app, &path, Some(ADMIN)).await;
        assert_names_field(status, &body, field);
    }
    assert_eq!(monitor.queues().len(), 1, "no queue was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_websocket_carries_queue_events_to_their_tenant_and_stats_to_operators() {
    let monitor = monitor_core::Monitor::builder()
        .metrics_interval(Duration::from_secs(3600))
        .queue_stats_interval(Duration::from_secs(3600))
        .start()
        .expect("runtime");
    let server = Server::axum_with(&monitor, auth()).await;
    let mut admin = server.open(ADMIN, ALL_CHANNELS).await;
    let mut acme = server.open(ACME, ALL_CHANNELS).await;
    let mut globex = server.open(GLOBEX, ALL_CHANNELS).await;
    let q = monitor.queue("whatsapp");
    q.enqueue("acme-1", Enqueue::new().client("acme"));
    q.enqueue("globex-1", Enqueue::new().client("globex"));
    q.processing("acme-1");
    q.sent("acme-1");
    q.processing("globex-1");
    q.retry("globex-1", Duration::from_secs(60), "429");
    assert_eq!(monitor.publish_queue_stats(), 1);

    let seen = |events: &[serde_json::Value]| -> Vec<String> {
        events
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["type"].as_str().unwrap_or(""),
                    e["data"]["message_id"].as_str().unwrap_or("-")
                )
            })
            .collect()
    };
    let got = drain(&mut acme, &monitor, "acme").await;
    assert_eq!(
        seen(&got),
        [
            "queue:message:processing acme-1",
            "queue:message:sent acme-1"
        ]
    );
    assert!(got.iter().all(|e| e["client_id"] == "acme"));
    let got = drain(&mut globex, &monitor, "globex").await;
    assert_eq!(
        seen(&got),
        [
            "queue:message:processing globex-1",
            "queue:message:retry globex-1"
        ]
    );
    let got = drain(&mut admin, &monitor, "acme").await;
    let all = seen(&got);
    assert_eq!(all.len(), 5, "{all:?}");
    assert_eq!(all[4], "queue:stats -");
    let stats = &got[4]["data"];
    assert_eq!(
        (stats["name"].as_str(), stats["scheduled"].as_u64()),
        (Some("whatsapp"), Some(1))
    );
    for client in [admin, acme, globex] {
        client.close().await;
    }
}
