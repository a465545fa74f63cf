//! Client frames and what they get: `subscribe` / `unsubscribe` /
//! `ping`, latest-wins coalescing, and bad input (error frames that keep
//! the connection open, 1009 for oversized frames, `rate_limited`).

use std::time::Duration;

use futures_util::SinkExt;

use monitor_axum::monitor_ws::WsConfig;
use monitor_core::bus::Channel;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::harness::*;
use crate::common::*;

both_entries!(
    subscribe_unsubscribe_and_ping,
    coalescing_is_latest_wins_for_metrics_and_health_only,
    bad_frames_get_error_frames_and_the_connection_stays,
    oversized_frames_close_with_1009,
    a_flood_gets_one_rate_limited_error,
);

async fn subscribe_unsubscribe_and_ping(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, WsConfig::new()).await;
    let mut client = server.open(ADMIN, "").await;

    // Nothing subscribed: nothing arrives.
    publish(
        &monitor,
        "error:logged",
        Channel::Errors,
        Some("acme"),
        "before",
    );

    client
        .send(json!({"type": "subscribe", "channels": ["errors"]}))
        .await;
    let ack = client.reply().await;
    assert_eq!(ack["type"], "subscribed", "{entry:?}: {ack}");
    assert_eq!(channels(&ack), set(["errors"]));
    publish(
        &monitor,
        "call:started",
        Channel::Calls,
        Some("acme"),
        "call-1",
    );
    publish(
        &monitor,
        "error:logged",
        Channel::Errors,
        Some("acme"),
        "error-1",
    );
    let got = client.event().await;
    assert_eq!(tag(&got), Some("error-1"), "{entry:?}: {got}");

    client
        .send(json!({"type": "subscribe", "channels": ["calls", "errors", "alerts"]}))
        .await;
    let ack = client.reply().await;
    assert_eq!(channels(&ack), set(["errors", "calls", "alerts"]), "{ack}");

    client
        .send(json!({"type": "unsubscribe", "channels": ["errors", "queue"]}))
        .await;
    let ack = client.reply().await;
    assert_eq!(ack["type"], "subscribed", "{ack}");
    assert_eq!(channels(&ack), set(["calls", "alerts"]), "{ack}");
    publish(
        &monitor,
        "error:logged",
        Channel::Errors,
        Some("acme"),
        "error-2",
    );
    publish(
        &monitor,
        "call:started",
        Channel::Calls,
        Some("acme"),
        "call-2",
    );
    let got = drain(&mut client, &monitor, "acme").await;
    assert_eq!(tags(&got), set(["call-2"]), "{entry:?}: {got:?}");

    client
        .send(json!({"type": "unsubscribe", "channels": ["calls"]}))
        .await;
    assert_eq!(channels(&client.reply().await), set(["alerts"]));
    publish(
        &monitor,
        "call:started",
        Channel::Calls,
        Some("acme"),
        "call-3",
    );
    let got = drain(&mut client, &monitor, "acme").await;
    assert!(got.is_empty(), "{entry:?}: {got:?}");

    client.send(json!({"type": "ping"})).await;
    let pong = client.reply().await;
    assert_eq!(pong["type"], "pong", "{pong}");
    assert!(pong["data"].is_object(), "{pong}");
    assert!(pong["timestamp"].is_string(), "{pong}");
}

/// Enough large events to fill any socket buffers between the server and
/// a client that does not read (a few MiB on Linux loopback), so the
/// connection's writer is stuck for as long as the client does not read.
const FILLER_EVENTS: usize = 64;
const FILLER_BYTES: usize = 256 * 1024;

async fn coalescing_is_latest_wins_for_metrics_and_health_only(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, WsConfig::new()).await;
    let mut client = server.open(ADMIN, "metrics,health,errors,alerts").await;

    // The client stops reading; the server's writer is soon stuck.
    let pad = "x".repeat(FILLER_BYTES);
    for i in 0..FILLER_EVENTS {
        monitor.bus().publish(event(
            "error:logged",
            Channel::Errors,
            Some("acme"),
            json!({"tag": "filler", "seq": i, "pad": pad}),
        ));
    }
    // Meanwhile, many updates and a few ordinary events.
    const UPDATES: usize = 200;
    const HEALTH: usize = 50;
    const ORDINARY: usize = 20;
    for i in 0..UPDATES {
        let data = json!({"tag": "update", "seq": i});
        monitor
            .bus()
            .publish(event("metrics:update", Channel::Metrics, None, data));
        if i % (UPDATES / HEALTH) == 0 {
            let data = json!({"tag": "health", "seq": i / (UPDATES / HEALTH)});
            monitor
                .bus()
                .publish(event("health:changed", Channel::Health, None, data));
        }
        if i % (UPDATES / ORDINARY) == 0 {
            let data = json!({"tag": "ordinary", "seq": i / (UPDATES / ORDINARY)});
            monitor
                .bus()
                .publish(event("error:logged", Channel::Errors, Some("acme"), data));
        }
    }

    // Reading again: everything that does not coalesce, in order; a few
    // updates, the last carrying the last data.
    let got = drain(&mut client, &monitor, "acme").await;
    let seqs = |which: &str| -> Vec<u64> {
        got.iter()
            .filter(|e| tag(e) == Some(which))
            .map(|e| e["data"]["seq"].as_u64().expect("seq"))
            .collect()
    };
    let fillers = seqs("filler");
    assert_eq!(
        fillers,
        (0..FILLER_EVENTS as u64).collect::<Vec<_>>(),
        "{entry:?}"
    );
    assert_eq!(
        seqs("ordinary"),
        (0..ORDINARY as u64).collect::<Vec<_>>(),
        "{entry:?}: ordinary events are neither coalesced nor reordered"
    );
    for (which, published) in [("update", UPDATES), ("health", HEALTH)] {
        let seen = seqs(which);
        assert!(
            !seen.is_empty() && seen.len() <= published / 10,
            "{entry:?}: {published} {which} events should arrive as far fewer frames, got {}",
            seen.len()
        );
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "{entry:?}: {seen:?}");
        assert_eq!(
            seen.last().copied(),
            Some(published as u64 - 1),
            "{entry:?}: the latest {which} wins"
        );
    }
    assert!(
        got.iter().all(|e| e["type"] != "lagged"),
        "nothing was dropped"
    );
}

async fn bad_frames_get_error_frames_and_the_connection_stays(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, WsConfig::new()).await;
    let mut client = server.open(ACME, "errors").await;
    let bad: [(Message, &str); 10] = [
        (Message::text("not json"), "invalid_json"),
        (Message::text(r#"{"type":"ping""#), "invalid_json"),
        (Message::text(""), "invalid_json"),
        (Message::text(r#"{"type":"dance"}"#), "unknown_type"),
        (
            Message::text(r#"{"type":"subscribe","channels":["errors","secrets"]}"#),
            "unknown_channel",
        ),
        (
            Message::text(r#"{"type":"unsubscribe","channels":["nope"]}"#),
            "unknown_channel",
        ),
        (Message::text(r#"{"type":"subscribe"}"#), "invalid_frame"),
        (Message::text("[1,2,3]"), "invalid_frame"),
        (Message::text(r#"{"type":7}"#), "invalid_frame"),
        (
            Message::binary(b"{\"type\":\"ping\"}".to_vec()),
            "binary_not_supported",
        ),
    ];
    for (frame, code) in bad {
        let shown = format!("{frame:?}");
        client.send_message(frame).await;
        let e = client.expect_error(code).await;
        assert_eq!(e["client_id"], Value::Null, "{e}");
        assert!(e["timestamp"].is_string(), "{e}");
        if code == "unknown_channel" {
            let message = e["data"]["message"].as_str().unwrap_or_default();
            assert!(
                message.contains("secrets") || message.contains("nope"),
                "{entry:?}: {shown}: the message names the channel: {e}"
            );
        }
        client.ping().await;
    }
    // The refused subscribe changed nothing; the connection still works.
    publish(
        &monitor,
        "error:logged",
        Channel::Errors,
        Some("acme"),
        "still",
    );
    assert_eq!(tag(&client.event().await), Some("still"), "{entry:?}");
    if let Some(stats) = server.stats() {
        let count = |code: &str| {
            stats
                .client_errors
                .iter()
                .find(|(c, _)| *c == code)
                .map_or(0, |(_, n)| *n)
        };
        assert_eq!(count("invalid_json"), 3);
        assert_eq!(count("binary_not_supported"), 1);
    }
}

async fn oversized_frames_close_with_1009(entry: Entry) {
    let monitor = monitor();
    let limit = 1024;
    let server = Server::start(entry, &monitor, WsConfig::new().max_frame_bytes(limit)).await;

    // At the limit is fine (a ping padded with blanks).
    let mut client = server.open(ADMIN, "").await;
    let padded = format!(r#"{{"type":"ping"}}{}"#, " ".repeat(limit - 15));
    assert_eq!(padded.len(), limit);
    client.send_text(&padded).await;
    assert_eq!(client.reply().await["type"], "pong");

    // Over it: 1009, after authentication...
    let over = format!(r#"{{"type":"ping"}}{}"#, " ".repeat(4 * limit));
    client.send_text(&over).await;
    let (code, _) = client.close_code().await;
    assert_eq!(code, 1009, "{entry:?}: oversized frame");

    // ...and as the first frame, before it.
    let mut client = server.connect("").await;
    let auth = json!({"type": "auth", "token": ADMIN, "pad": "x".repeat(4 * limit)});
    client.send(auth).await;
    let (code, before) = client.close_code().await;
    assert_eq!(code, 1009, "{entry:?}: oversized first frame");
    assert!(before.is_empty(), "{before:?}");
}

async fn a_flood_gets_one_rate_limited_error(entry: Entry) {
    let monitor = monitor();
    // One frame a second: a burst of 40 is far over it, whatever the
    // machine's speed.
    let server = Server::start(entry, &monitor, WsConfig::new().frame_rate(1)).await;
    let mut client = server.open(ACME, "").await;
    const FLOOD: usize = 40;
    for _ in 0..FLOOD {
        client
            .socket()
            .feed(Message::text(r#"{"type":"ping"}"#))
            .await
            .expect("queued");
    }
    client.socket().flush().await.expect("flushed");

    // Once the rate allows again, a subscribe marks the end of the flood's
    // answers.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    client
        .send(json!({"type": "subscribe", "channels": ["errors"]}))
        .await;
    let mut answers = Vec::new();
    loop {
        let reply = client.reply().await;
        if reply["type"] == "subscribed" {
            break;
        }
        answers.push(reply);
    }
    let kinds: Vec<&str> = answers
        .iter()
        .map(|a| match (a["type"].as_str(), a["data"]["code"].as_str()) {
            (Some("pong"), _) => "pong",
            (Some("error"), Some("rate_limited")) => "rate_limited",
            _ => panic!("{entry:?}: unexpected answer to a flood: {a}"),
        })
        .collect();
    // The burst's first frame passes; the first refused one is answered
    // with one error and the rest of that run are ignored. (Should the
    // machine stall the server for a second mid-flood, the rate lets a
    // frame through and a new run starts: never two errors in a row.)
    assert_eq!(kinds.first(), Some(&"pong"), "{entry:?}: {kinds:?}");
    assert!(kinds.contains(&"rate_limited"), "{entry:?}: {kinds:?}");
    assert!(
        kinds
            .windows(2)
            .all(|w| w != ["rate_limited", "rate_limited"]),
        "{entry:?}: one error per run of refused frames: {kinds:?}"
    );
    assert!(
        kinds.len() < FLOOD / 2,
        "{entry:?}: most of the flood is ignored: {kinds:?}"
    );

    // Still usable.
    publish(
        &monitor,
        "error:logged",
        Channel::Errors,
        Some("acme"),
        "after",
    );
    assert_eq!(tag(&client.event().await), Some("after"), "{entry:?}");
}
