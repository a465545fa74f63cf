//! Tenant isolation as a property: for random tenants (2–4, random names,
//! some prefixes of others) with random objects each (errors that share
//! fingerprints across tenants, with a group cap small enough to spill
//! into the shared overflow group; calls active and ended; messages;
//! labelled events), no tenant token reads another tenant's object on any
//! route of the table, writes one (404, and it is unchanged), or receives
//! another tenant's event over SSE or the WebSocket.
//!
//! Every object of tenant `i` carries the marker `M{i}M` (tenant names are
//! lower-case letters, so a marker never occurs by chance), and every
//! answer is also scanned for another tenant's `"client_id":"name"`.

use crate::common::*;
use crate::ws::harness::{ALL_CHANNELS, Server, drain};

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use monitor_axum::{MonitorAuth, RouterConfig};
use monitor_core::Monitor;
use monitor_core::activity::{ActivityMeta, Outcome};
use monitor_core::bus::{Channel, EventData, MessageEvent, MonitorEvent};
use monitor_core::errors::{ErrorEvent, ErrorLog};
use proptest::prelude::*;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::route_table::{Access, authenticated};

/// What one tenant owns at the start.
#[derive(Clone, Debug)]
struct Seed {
    /// (service, error type) picks: the same picks in two tenants share
    /// a fingerprint.
    errors: Vec<(u8, u8)>,
    /// Calls, `true` when ended.
    calls: Vec<bool>,
    messages: u8,
    events: u8,
}

/// One live step, after the streams are open.
#[derive(Clone, Debug)]
enum Step {
    Error {
        tenant: usize,
        service: u8,
    },
    Call {
        tenant: usize,
    },
    Message {
        tenant: usize,
    },
    /// An event published straight on the bus, for a tenant or for none.
    Raw {
        tenant: Option<usize>,
        channel: u8,
    },
}

#[derive(Clone, Debug)]
struct World {
    names: Vec<String>,
    seeds: Vec<Seed>,
    max_groups: usize,
    steps: Vec<Step>,
}

fn seed() -> impl Strategy<Value = Seed> {
    (
        prop::collection::vec((0u8..3, 0u8..2), 0..5),
        prop::collection::vec(any::<bool>(), 0..4),
        0u8..3,
        0u8..3,
    )
        .prop_map(|(errors, calls, messages, events)| Seed {
            errors,
            calls,
            messages,
            events,
        })
}

fn world() -> impl Strategy<Value = World> {
    prop::collection::btree_set("[a-z]{1,4}", 2..=4).prop_flat_map(|names| {
        let n = names.len();
        let step = prop_oneof![
            (0..n, 0u8..3).prop_map(|(tenant, service)| Step::Error { tenant, service }),
            (0..n).prop_map(|tenant| Step::Call { tenant }),
            (0..n).prop_map(|tenant| Step::Message { tenant }),
            (prop::option::of(0..n), 0u8..4)
                .prop_map(|(tenant, channel)| Step::Raw { tenant, channel }),
        ];
        (
            Just(names.into_iter().collect::<Vec<_>>()),
            prop::collection::vec(seed(), n),
            prop_oneof![Just(3usize), Just(6), Just(10_000)],
            prop::collection::vec(step, 1..16),
        )
            .prop_map(|(names, seeds, max_groups, steps)| World {
                names,
                seeds,
                max_groups,
                steps,
            })
    })
}

fn marker(i: usize) -> String {
    format!("M{i}M")
}

fn token(names: &[String], i: usize) -> String {
    format!("tok-{}-{i}-s3cret", names[i])
}

/// Logs an error for tenant `i`; returns its id.
fn log_error(monitor: &Monitor, names: &[String], i: usize, service: u8, kind: u8) -> u64 {
    let event = ErrorEvent::new(
        format!("svc{service}"),
        "op",
        format!("Kind{kind}"),
        format!("{} failed", marker(i)),
    )
    .client(&names[i]);
    monitor.log_error(event).id
}

fn call(monitor: &Monitor, names: &[String], i: usize, n: usize, ended: bool) {
    let calls = monitor.activities("call");
    let id = format!("{}-call-{n}", marker(i));
    let meta = ActivityMeta::new()
        .client(&names[i])
        .category(format!("{}-cat", marker(i)))
        .attr("note", marker(i));
    calls.start(&id, meta).expect("a new id");
    if ended {
        calls
            .end(
                &id,
                Outcome::new("completed").label("quality", format!("{}-q", marker(i))),
            )
            .expect("active");
    }
}

fn message(monitor: &Monitor, names: &[String], i: usize, n: usize) {
    let user = format!("{}-user-{n}", marker(i));
    monitor.record_message(&user, Duration::from_millis(20));
    let text = format!("{} says hi", marker(i));
    monitor.publish_message(
        Some(&names[i]),
        MessageEvent::new(&user, Some(&user), Some(&text), 20.0),
    );
}

/// Seeds every tenant; returns each tenant's error ids.
fn seed_world(monitor: &Monitor, world: &World) -> Vec<Vec<u64>> {
    let names = &world.names;
    let mut ids = vec![Vec::new(); names.len()];
    for (i, seed) in world.seeds.iter().enumerate() {
        for &(service, kind) in &seed.errors {
            ids[i].push(log_error(monitor, names, i, service, kind));
        }
        for (n, &ended) in seed.calls.iter().enumerate() {
            call(monitor, names, i, n, ended);
        }
        for n in 0..seed.messages {
            message(monitor, names, i, usize::from(n));
        }
        for _ in 0..seed.events {
            monitor
                .events("buttons")
                .record(&format!("{}-label", marker(i)));
        }
    }
    ids
}

/// What `text` shows of tenant `j` (marker or client id), if anything.
fn shows(text: &str, names: &[String], j: usize) -> Option<String> {
    let id = format!(r#""client_id":"{}""#, names[j]);
    [marker(j), id].into_iter().find(|s| text.contains(s))
}

/// The requests that read `template` as tenant `me`, with parameters that
/// try to widen the view towards tenant `other`. A route of the table this
/// does not know fails the test, so a new route cannot go unchecked.
fn reads(template: &str, names: &[String], other: usize) -> Vec<String> {
    let them = &names[other];
    let m = marker(other);
    let paths: Vec<String> = match template {
        "/api/errors" => vec![
            String::new(),
            format!("?client={them}"),
            format!("?q={m}"),
            "?resolved=true".into(),
            "?limit=500&sort=time_asc".into(),
        ],
        "/api/export" => vec![
            "?series=errors&format=json".into(),
            "?series=errors&format=csv".into(),
            format!("?series=errors&format=csv&client={them}"),
            "?series=hourly".into(),
            "?series=daily&format=csv".into(),
        ],
        "/api/me"
        | "/api/metrics"
        | "/api/metrics/current"
        | "/api/metrics/hourly"
        | "/api/metrics/daily"
        | "/api/metrics/sessions"
        | "/api/events"
        | "/api/events/{family}"
        | "/api/errors/stats"
        | "/api/errors/unresolved"
        | "/api/activities/{kind}/active"
        | "/api/activities/{kind}/recent"
        | "/api/activities/{kind}/tree" => vec![String::new()],
        // Writes, the SSE stream and the WebSocket have their own checks.
        "/api/errors/{id}/resolve" | "/api/errors/{id}/acknowledge" | "/api/stream" | "/ws" => {
            Vec::new()
        }
        unknown => panic!("the isolation test does not know {unknown}"),
    };
    let base = super::route_table::concrete(template, 0);
    paths.into_iter().map(|q| format!("{base}{q}")).collect()
}

/// Every error's (resolved, acknowledged), to compare after the writes.
fn error_states(monitor: &Monitor, ids: &[Vec<u64>]) -> BTreeMap<u64, (bool, bool)> {
    ids.iter()
        .flatten()
        .filter_map(|&id| {
            let e = monitor.errors().get(id)?;
            Some((id, (e.resolved, e.acknowledged)))
        })
        .collect()
}

async fn reads_stay_home(app: &Router, world: &World) {
    let names = &world.names;
    let mut saw_own = 0;
    for me in 0..names.len() {
        let tok = token(names, me);
        for other in (0..names.len()).filter(|&o| o != me) {
            for route in authenticated() {
                for path in reads(route.template, names, other) {
                    let (status, _, bytes) =
                        send(app, request(Method::GET, &path, Some(&tok))).await;
                    assert!(
                        status == StatusCode::OK || status == StatusCode::FORBIDDEN,
                        "{path} as {}: {status}",
                        names[me]
                    );
                    let text = String::from_utf8_lossy(&bytes);
                    if let Some(leak) = shows(&text, names, other) {
                        panic!(
                            "{} read {} ({leak}) at {path}: {text}",
                            names[me], names[other]
                        );
                    }
                    saw_own += usize::from(text.contains(&marker(me)));
                }
            }
        }
    }
    let seeded = world
        .seeds
        .iter()
        .any(|s| !s.errors.is_empty() || !s.calls.is_empty());
    assert!(
        !seeded || saw_own > 0,
        "no route showed a tenant its own objects"
    );
}

async fn writes_stay_home(app: &Router, monitor: &Monitor, world: &World, ids: &[Vec<u64>]) {
    let names = &world.names;
    for me in 0..names.len() {
        let tok = token(names, me);
        let before = error_states(monitor, ids);
        // Another tenant's errors: 404, as if they did not exist.
        for (other, theirs) in ids.iter().enumerate().filter(|&(o, _)| o != me) {
            for id in theirs {
                for action in ["acknowledge", "resolve"] {
                    let path = format!("/monitor/api/errors/{id}/{action}");
                    let (status, body) = post(app, &path, Some(&tok)).await;
                    assert_eq!(
                        status,
                        StatusCode::NOT_FOUND,
                        "{} {action} {}'s error {id}: {body}",
                        names[me],
                        names[other]
                    );
                }
            }
        }
        assert_eq!(
            before,
            error_states(monitor, ids),
            "{} changed another tenant's error",
            names[me]
        );
        // Its own: acknowledging touches no one else's error.
        for id in &ids[me] {
            let path = format!("/monitor/api/errors/{id}/acknowledge");
            let (status, body) = post(app, &path, Some(&tok)).await;
            assert!(
                status == StatusCode::OK || status == StatusCode::FORBIDDEN,
                "{path}: {status} {body}"
            );
            if let Some(leak) = (0..names.len())
                .filter(|&o| o != me)
                .find_map(|o| shows(&body.to_string(), names, o))
            {
                panic!("{} acknowledging {id} saw {leak}: {body}", names[me]);
            }
            let (status, _) = post(
                app,
                &format!("/monitor/api/errors/{id}/resolve"),
                Some(&tok),
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "a tenant never resolves");
        }
        let after = error_states(monitor, ids);
        for (other, theirs) in ids.iter().enumerate().filter(|&(o, _)| o != me) {
            for id in theirs {
                assert_eq!(
                    before.get(id),
                    after.get(id),
                    "{} acknowledging its own errors changed {}'s error {id}",
                    names[me],
                    names[other]
                );
            }
        }
    }
}

/// An SSE response read through `oneshot`, frame by frame.
struct Sse {
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

fn raw_event(names: &[String], tenant: Option<usize>, channel: u8, n: usize) -> MonitorEvent {
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
fn admissible(event: &Value, names: &[String], me: usize) -> bool {
    match event["client_id"].as_str() {
        Some(c) => c == names[me],
        None => event["type"] == "health:changed",
    }
}

fn assert_own_events(how: &str, events: &[Value], names: &[String], me: usize) {
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

async fn streams_stay_home(app: &Router, monitor: &Monitor, world: &World) {
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
            Step::Raw { tenant, channel } => {
                monitor.bus().publish(raw_event(names, tenant, channel, n));
                // `queue:stats` and `health:changed` coalesce (latest
                // wins), so only the others are sure to arrive one by one.
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

fn auth_for(names: &[String]) -> MonitorAuth {
    names.iter().enumerate().fold(
        MonitorAuth::new().admin(ADMIN).rate_limit(0),
        |auth, (i, name)| auth.client(name, token(names, i)),
    )
}

async fn check(world: World) {
    let monitor = Monitor::builder()
        .metrics_interval(Duration::from_secs(3600))
        .error_log(ErrorLog::builder().max_groups(world.max_groups))
        .start()
        .expect("inside a runtime");
    let app: Router = Router::new().nest(
        "/monitor",
        RouterConfig::new().router(monitor.clone(), auth_for(&world.names)),
    );
    monitor.activities("call"); // the kind exists even with no call yet
    monitor.events("buttons");
    let ids = seed_world(&monitor, &world);
    reads_stay_home(&app, &world).await;
    streams_stay_home(&app, &monitor, &world).await;
    writes_stay_home(&app, &monitor, &world, &ids).await;
    // And the same reads once the live steps and the writes happened.
    reads_stay_home(&app, &world).await;
}

#[test]
fn the_isolation_test_covers_every_authenticated_route() {
    let names = vec!["a".to_owned(), "b".to_owned()];
    let mut checked: BTreeSet<&str> = BTreeSet::new();
    for route in authenticated() {
        if !reads(route.template, &names, 1).is_empty() {
            checked.insert(route.template);
        }
    }
    // The rest are checked by `writes_stay_home` and `streams_stay_home`.
    for other in [
        "/api/errors/{id}/resolve",
        "/api/errors/{id}/acknowledge",
        "/api/stream",
        "/ws",
    ] {
        checked.insert(other);
    }
    let all: BTreeSet<&str> = authenticated().map(|r| r.template).collect();
    assert_eq!(checked, all);
    assert!(authenticated().any(|r| r.access == Access::WebSocket));
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_tenant_reads_writes_or_hears_another(world in world()) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(check(world));
    }
}
