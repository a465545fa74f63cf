//! SSE and the WebSocket: each tenant's streams carry its own events
//! (and tenant-free `health:changed`) and no one else's.

use crate::ws::harness::{ALL_CHANNELS, Server, drain};

use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use monitor_core::Monitor;
use monitor_core::bus::{Channel, EventData, MonitorEvent};
use serde_json::{Value, json};
use tower::ServiceExt;

use super::http::shows;
use super::world::*;

/// An SSE response read through `oneshot`, frame by frame.
pub struct Sse {
    body: Body,
    buffer: String,
}

impl Sse {
    async fn open(app: &Router, token: &str) -> Sse {
        let req = Request::get("/monitor/api/stream")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        let res = app.clone().oneshot(req).await.expect("infallible");
        assert_eq!(res.status(), StatusCode::OK);
        Sse {
            body: res.into_body(),
            buffer: String::new(),
        }
    }

    /// Events up to and including the one tagged `end`.
    async fn until(&mut self, end: &str) -> Vec<Value> {
        let mut events = Vec::new();
        loop {
            while let Some(at) = self.buffer.find('\n') {
                let line: String = self.buffer.drain(..=at).collect();
                if let Some(data) = line.strip_prefix("data:") {
                    let v: Value = serde_json::from_str(data.trim()).expect("SSE data is JSON");
                    let done = v["data"]["tag"] == end;
                    events.push(v);
                    if done {
                        return events;
                    }
                }
            }
            let frame = tokio::time::timeout(Duration::from_secs(5), self.body.frame())
                .await
                .expect("an SSE frame within 5 s")
                .expect("the stream is open")
                .expect("a frame");
            if let Ok(data) = frame.into_data() {
                self.buffer.push_str(&String::from_utf8_lossy(&data));
            }
        }
    }
}

pub fn raw_event(names: &[String], tenant: Option<usize>, channel: u8, n: usize) -> MonitorEvent {
    let (kind, channel) = match channel {
        0 => ("queue:stats", Channel::Queue),
        1 => ("alert:sent", Channel::Alerts),
        2 => ("call:progress", Channel::Calls),
        _ => ("health:changed", Channel::Health),
    };
    let owner = tenant.map(marker).unwrap_or_else(|| "nobody".into());
    MonitorEvent::new(
        kind,
        channel,
        tenant.map(|i| names[i].as_str()),
        SystemTime::now(),
        EventData::Json(json!({ "tag": format!("raw-{n}"), "owner": owner })),
    )
}

/// Whether tenant `me` may receive `event`: its own, or tenant-free
/// `health:changed`.
pub fn admissible(event: &Value, names: &[String], me: usize) -> bool {
    match event["client_id"].as_str() {
        Some(c) => c == names[me],
        None => event["type"] == "health:changed",
    }
}

pub fn assert_own_events(how: &str, events: &[Value], names: &[String], me: usize) {
    for e in events {
        assert!(admissible(e, names, me), "{how}: {} got {e}", names[me]);
        let text = e.to_string();
        for other in (0..names.len()).filter(|&o| o != me) {
            assert!(
                shows(&text, names, other).is_none(),
                "{how}: {} got {text}",
                names[me]
            );
        }
    }
}

pub async fn streams_stay_home(app: &Router, monitor: &Monitor, world: &World) {
    let names = &world.names;
    let server = Server::axum_with(monitor, auth_for(names)).await;
    let mut sse = Vec::new();
    let mut ws = Vec::new();
    for i in 0..names.len() {
        sse.push(Sse::open(app, &token(names, i)).await);
        ws.push(server.open(&token(names, i), ALL_CHANNELS).await);
    }
    let mut mine = vec![0usize; names.len()];
    for (n, step) in world.steps.iter().enumerate() {
        match *step {
            Step::Error { tenant, service } => {
                log_error(monitor, names, tenant, service, 0);
                mine[tenant] += 1;
            }
            Step::Call { tenant } => {
                call(monitor, names, tenant, 100 + n, n % 2 == 0);
                mine[tenant] += 1;
            }
            Step::Message { tenant } => {
                message(monitor, names, tenant, 100 + n);
                mine[tenant] += 1;
            }
            Step::Queue { tenant } => {
                // `queue:message:processing` and `queue:message:sent`.
                queued(monitor, names, tenant, 100 + n, true);
                mine[tenant] += 2;
            }
            Step::Raw { tenant, channel } => {
                monitor.bus().publish(raw_event(names, tenant, channel, n));
                // `health:changed` coalesces (latest wins) and a raw
                // `queue:stats` may too, so only the others are sure to
                // arrive one by one.
                if let Some(t) = tenant.filter(|_| matches!(channel, 1 | 2)) {
                    mine[t] += 1;
                }
            }
        }
    }
    for i in 0..names.len() {
        let end = format!("end-{i}");
        monitor.bus().publish(MonitorEvent::new(
            "alert:sent",
            Channel::Alerts,
            Some(&names[i]),
            SystemTime::now(),
            EventData::Json(json!({ "tag": end })),
        ));
        let events = sse[i].until(&end).await;
        assert_own_events("SSE", &events, names, i);
        let own = events
            .iter()
            .filter(|e| e["client_id"] == names[i].as_str())
            .count();
        assert!(
            own > mine[i],
            "SSE: {} got {own} of its {} events",
            names[i],
            mine[i]
        );

        let events = drain(&mut ws[i], monitor, &names[i]).await;
        assert_own_events("WebSocket", &events, names, i);
        let own = events
            .iter()
            .filter(|e| e["client_id"] == names[i].as_str())
            .count();
        assert!(
            own > mine[i],
            "WebSocket: {} got {own} of its {} events",
            names[i],
            mine[i]
        );
    }
    for client in ws {
        client.close().await;
    }
}
