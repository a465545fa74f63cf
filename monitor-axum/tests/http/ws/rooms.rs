//! Rooms: a tenant's connection receives its own events and the
//! tenant-free `health:changed`, nothing else, whatever it sends;
//! `admin` and `monitor` connections receive every tenant's.

use monitor_axum::monitor_ws::WsConfig;
use monitor_core::bus::{Channel, MessageEvent};
use monitor_core::errors::ErrorEvent;
use serde_json::{Value, json};

use super::harness::*;
use crate::common::*;

both_entries!(
    tenants_see_their_own_operators_see_all,
    hostile_frames_cannot_widen_a_tenant,
);

/// Every channel's event types, those that coalesce last.
const KINDS: [(&str, Channel); 7] = [
    ("message:new", Channel::Messages),
    ("error:logged", Channel::Errors),
    ("call:started", Channel::Calls),
    ("queue:stats", Channel::Queue),
    ("alert:sent", Channel::Alerts),
    ("metrics:update", Channel::Metrics),
    ("health:changed", Channel::Health),
];

/// Whether a connection of tenant `me` may receive `event`.
fn admitted(me: &str, event: &Value) -> bool {
    match event["client_id"].as_str() {
        Some(owner) => owner == me,
        None => event["type"] == "health:changed",
    }
}

fn assert_only_acme(entry: Entry, events: &[Value]) {
    for e in events {
        assert!(admitted("acme", e), "{entry:?}: acme received {e}");
    }
}

async fn tenants_see_their_own_operators_see_all(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, WsConfig::new()).await;
    let mut acme = server.open(ACME, ALL_CHANNELS).await;
    let mut operators = [
        server.open(ADMIN, ALL_CHANNELS).await,
        server.open(MONITOR, ALL_CHANNELS).await,
    ];
    let owners = [Some("globex"), None, Some("acme")];
    let name = |kind: &str, owner: Option<&str>| format!("{kind}/{}", owner.unwrap_or("-"));

    // The coalescing kinds one at a time, each read before the next, so
    // latest-wins cannot hide one behind another.
    for (kind, channel) in &KINDS[5..] {
        for owner in owners {
            let tag = name(kind, owner);
            publish(&monitor, kind, *channel, owner, &tag);
            let got = drain(&mut acme, &monitor, "acme").await;
            assert_only_acme(entry, &got);
            let expected = owner == Some("acme") || (owner.is_none() && *kind == "health:changed");
            assert_eq!(
                tags(&got).contains(&tag),
                expected,
                "{entry:?}: acme and {tag}: {got:?}"
            );
            for ops in &mut operators {
                let got = drain(ops, &monitor, "ops").await;
                assert!(tags(&got).contains(&tag), "{entry:?}: {tag}: {got:?}");
            }
        }
    }

    // Every other kind for globex, for no tenant and for acme at once,
    // and the same through the monitor's own APIs.
    for (kind, channel) in &KINDS[..5] {
        for owner in owners {
            publish(&monitor, kind, *channel, owner, &name(kind, owner));
        }
    }
    for tenant in ["globex", "acme"] {
        monitor.log_error(
            ErrorEvent::new("payments", "charge", "Timeout", format!("{tenant} is slow"))
                .client(tenant),
        );
        let text = format!("{tenant}'s customer wrote this");
        monitor.publish_message(
            Some(tenant),
            MessageEvent::new("u1", Some("Ann"), Some(&text), 12.0),
        );
    }

    let got = drain(&mut acme, &monitor, "acme").await;
    assert_only_acme(entry, &got);
    let own: Vec<String> = KINDS[..5]
        .iter()
        .map(|(kind, _)| name(kind, Some("acme")))
        .collect();
    assert_eq!(
        tags(&got),
        own.iter().cloned().collect(),
        "{entry:?}: acme's own events, all of them: {got:?}"
    );
    let real_error = got
        .iter()
        .find(|e| e["type"] == "error:logged" && tag(e).is_none())
        .unwrap_or_else(|| panic!("{entry:?}: acme's logged error: {got:?}"));
    assert_eq!(real_error["data"]["message"], "acme is slow");
    let message = got
        .iter()
        .find(|e| e["type"] == "message:new" && tag(e).is_none())
        .unwrap_or_else(|| panic!("{entry:?}: acme's message: {got:?}"));
    assert_eq!(message["client_id"], "acme");
    assert_eq!(
        message["data"]["text"],
        Value::Null,
        "message text is for operators only"
    );

    for ops in &mut operators {
        let got = drain(ops, &monitor, "ops").await;
        let seen = tags(&got);
        for (kind, _) in &KINDS[..5] {
            for owner in owners {
                let tag = name(kind, owner);
                assert!(seen.contains(&tag), "{entry:?}: operators and {tag}");
            }
        }
        for tenant in ["globex", "acme"] {
            let error = got.iter().find(|e| {
                e["type"] == "error:logged" && tag(e).is_none() && e["client_id"] == tenant
            });
            assert!(error.is_some(), "{entry:?}: {tenant}'s error: {got:?}");
            let message = got
                .iter()
                .find(|e| {
                    e["type"] == "message:new" && e["client_id"] == tenant && tag(e).is_none()
                })
                .unwrap_or_else(|| panic!("{entry:?}: {tenant}'s message: {got:?}"));
            assert_eq!(
                message["data"]["text"],
                format!("{tenant}'s customer wrote this")
            );
        }
    }
}

async fn hostile_frames_cannot_widen_a_tenant(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, WsConfig::new()).await;
    // Everything but `errors`, so a refused subscribe shows if it half
    // worked.
    let mut acme = server
        .open(ACME, "metrics,messages,calls,health,queue,alerts")
        .await;
    let invalid = ["invalid_frame"].as_slice();
    for (frame, codes) in [
        (
            json!({"type": "join", "room": "globex"}),
            ["invalid_frame", "unknown_type"].as_slice(),
        ),
        (
            json!({"type": "join", "client_id": "globex"}),
            &["invalid_frame", "unknown_type"],
        ),
        (
            json!({"type": "subscribe", "channels": ["errors"], "client_id": "globex"}),
            invalid,
        ),
        (
            json!({"type": "subscribe", "channels": ["errors"], "room": "globex"}),
            invalid,
        ),
        (
            json!({"type": "subscribe", "channels": ["errors"], "token": ADMIN}),
            invalid,
        ),
        (
            json!({"type": "auth", "token": GLOBEX}),
            &["already_authenticated"],
        ),
        (
            json!({"type": "auth", "token": ADMIN}),
            &["already_authenticated"],
        ),
    ] {
        acme.send(frame.clone()).await;
        let e = acme.reply().await;
        assert_eq!(e["type"], "error", "{entry:?}: {frame} → {e}");
        let code = e["data"]["code"].as_str().unwrap_or_default();
        assert!(codes.contains(&code), "{entry:?}: {frame} → {e}");
    }
    acme.ping().await;

    // Still acme's room, still without `errors`.
    publish(
        &monitor,
        "error:logged",
        Channel::Errors,
        Some("globex"),
        "g-error",
    );
    publish(
        &monitor,
        "call:started",
        Channel::Calls,
        Some("globex"),
        "g-call",
    );
    publish(
        &monitor,
        "health:changed",
        Channel::Health,
        Some("globex"),
        "g-health",
    );
    publish(
        &monitor,
        "error:logged",
        Channel::Errors,
        Some("acme"),
        "a-error",
    );
    publish(
        &monitor,
        "call:started",
        Channel::Calls,
        Some("acme"),
        "a-call",
    );
    let got = drain(&mut acme, &monitor, "acme").await;
    assert_only_acme(entry, &got);
    assert_eq!(tags(&got), set(["a-call"]), "{entry:?}: {got:?}");

    // A proper subscribe still works, within the same room.
    acme.send(json!({"type": "subscribe", "channels": ["errors"]}))
        .await;
    let ack = acme.reply().await;
    assert_eq!(ack["type"], "subscribed", "{ack}");
    assert_eq!(channels(&ack).len(), 7, "{ack}");
    publish(
        &monitor,
        "error:logged",
        Channel::Errors,
        Some("globex"),
        "g-error-2",
    );
    publish(
        &monitor,
        "error:logged",
        Channel::Errors,
        Some("acme"),
        "a-error-2",
    );
    let got = drain(&mut acme, &monitor, "acme").await;
    assert_only_acme(entry, &got);
    assert_eq!(tags(&got), set(["a-error-2"]), "{entry:?}: {got:?}");
}
