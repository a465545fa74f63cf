//! Reads and writes through the router: no answer shows another tenant's
//! object, no write changes one.

use crate::common::{post, request, send};

use std::collections::BTreeMap;

use axum::Router;
use axum::http::{Method, StatusCode};
use monitor_core::Monitor;

use super::world::*;
use crate::security::route_table::{authenticated, concrete};

/// What `text` shows of tenant `j` (marker or client id), if anything.
pub fn shows(text: &str, names: &[String], j: usize) -> Option<String> {
    let id = format!(r#""client_id":"{}""#, names[j]);
    [marker(j), id].into_iter().find(|s| text.contains(s))
}

/// The requests that read `template` as tenant `me`, with parameters that
/// try to widen the view towards tenant `other`. A route of the table this
/// does not know fails the test, so a new route cannot go unchecked.
pub fn reads(template: &str, names: &[String], other: usize) -> Vec<String> {
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
        | "/api/activities/{kind}/tree"
        | "/api/queues"
        | "/api/snapshot" => vec![String::new()],
        "/api/queues/{queue}" => vec![String::new(), "?hours=1".into()],
        "/api/analytics/top-users" => vec![
            String::new(),
            "?window=7d&limit=100".into(),
            format!("?client_id={them}"),
            format!("?window=7d&client_id={them}"),
        ],
        // Operators only: a tenant gets a 403.
        "/api/analytics/heatmap" => vec![String::new(), "?weeks=1".into()],
        // Operators only (host-wide figures): a tenant gets a 403.
        "/api/analytics/summary" => vec![String::new(), "?period=weekly&format=csv".into()],
        // Admin only: a tenant gets a 403, and no tenant's object.
        "/api/actions" | "/api/audit" | "/api/alerts/silences" => vec![String::new()],
        // Writes, the SSE stream and the WebSocket have their own checks.
        "/api/errors/{id}/resolve"
        | "/api/errors/{id}/acknowledge"
        | "/api/actions/{name}/run"
        | "/api/alerts/silences/{id}"
        | "/api/stream"
        | "/ws" => Vec::new(),
        unknown => panic!("the isolation test does not know {unknown}"),
    };
    let base = concrete(template, 0);
    paths.into_iter().map(|q| format!("{base}{q}")).collect()
}

/// A tenant starts no action and adds or ends no silence: 403, nothing
/// run. (The monitor of these tests registers the action `probe`.)
async fn operator_writes_refused(app: &Router, monitor: &Monitor, tok: &str, name: &str) {
    for (method, path) in [
        (Method::POST, "/monitor/api/actions/probe/run"),
        (Method::POST, "/monitor/api/alerts/silences"),
        (Method::DELETE, "/monitor/api/alerts/silences/1"),
    ] {
        let (status, _, bytes) = send(app, request(method.clone(), path, Some(tok))).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{name} {method} {path}: {}",
            String::from_utf8_lossy(&bytes)
        );
    }
    let probe = monitor.actions().get("probe").expect("registered");
    assert_eq!(probe.counts.started, 0, "{name} started an action");
}

/// Every error's (resolved, acknowledged), to compare after the writes.
pub fn error_states(monitor: &Monitor, ids: &[Vec<u64>]) -> BTreeMap<u64, (bool, bool)> {
    ids.iter()
        .flatten()
        .filter_map(|&id| {
            let e = monitor.errors().get(id)?;
            Some((id, (e.resolved, e.acknowledged)))
        })
        .collect()
}

pub async fn reads_stay_home(app: &Router, world: &World) {
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

pub async fn writes_stay_home(app: &Router, monitor: &Monitor, world: &World, ids: &[Vec<u64>]) {
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
        operator_writes_refused(app, monitor, &tok, &names[me]).await;
        // A restore (admin only) replaces every tenant's data: refused.
        let (status, body) = post(app, "/monitor/api/snapshot", Some(&tok)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a tenant restoring: {body}");
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
