//! `/ws` (and the standalone server, which runs the same driver) against
//! frames built to grow a connection's state: 10 000 channels in one
//! `subscribe`, huge frames, thousands of keys, a query naming 10 000
//! channels. Each is refused (an error frame, 1009 over the frame limit, a
//! JSON 400 before the upgrade); the connection's subscriptions are what
//! they were, and other connections never notice.

use futures_util::SinkExt;
use monitor_axum::monitor_ws::WsConfig;
use monitor_axum::monitor_ws::protocol::MAX_CHANNELS_PER_FRAME;
use serde_json::json;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

use super::Served;
use crate::common::{ACME, ADMIN};
use crate::ws::harness::{DEADLINE, Entry, Server, channels, monitor, set};

/// A `subscribe` frame listing `name` `n` times.
fn subscribe(name: &str, n: usize) -> String {
    json!({"type": "subscribe", "channels": vec![name; n]}).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_channels_in_one_subscribe() {
    for entry in Entry::ALL {
        let monitor = monitor();
        let server = Server::start(entry, &monitor, WsConfig::new()).await;
        let mut client = server.open(ACME, "calls").await;

        // Under the frame limit: 10 000 short names, refused as a whole.
        for name in ["e", "", " "] {
            let frame = subscribe(name, 10_000);
            assert!(frame.len() < 64 * 1024);
            client.send_text(&frame).await;
            let e = client.expect_error("invalid_frame").await;
            let message = e["data"]["message"].as_str().unwrap_or_default();
            assert!(
                message.contains("10000") && message.contains("32"),
                "{entry:?}: the message names the count and the limit: {e}"
            );
        }
        // Over it (10 000 real names are ~90 KB): closed with 1009.
        let frame = subscribe("errors", 10_000);
        assert!(frame.len() > 64 * 1024);
        client.send_text(&frame).await;
        assert_eq!(client.close_code().await.0, 1009, "{entry:?}");

        // At the limit, duplicates: one channel, however often named.
        let mut client = server.open(ACME, "calls").await;
        client
            .send_text(&subscribe("errors", MAX_CHANNELS_PER_FRAME))
            .await;
        let ack = client.reply().await;
        assert_eq!(channels(&ack), set(["calls", "errors"]), "{entry:?}: {ack}");
        client
            .send_text(&subscribe("errors", MAX_CHANNELS_PER_FRAME + 1))
            .await;
        client.expect_error("invalid_frame").await;
        client
            .send(json!({"type": "unsubscribe", "channels": ["alerts"]}))
            .await;
        let ack = client.reply().await;
        assert_eq!(
            channels(&ack),
            set(["calls", "errors"]),
            "{entry:?}: refused frames changed nothing: {ack}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_frames_close_with_1009_and_others_carry_on() {
    for entry in Entry::ALL {
        let monitor = monitor();
        let server = Server::start(entry, &monitor, WsConfig::new()).await;
        let mut bystander = server.open(ADMIN, "").await;
        for size in [64 * 1024 + 1, 1024 * 1024, 16 * 1024 * 1024] {
            let mut client = server.open(ADMIN, "").await;
            let frame = format!(r#"{{"type":"ping","pad":"{}"}}"#, "x".repeat(size));
            // The server may close before the whole frame is written.
            let _ = timeout(DEADLINE, client.socket().send(Message::text(frame))).await;
            let ended = client.ended().await;
            assert!(
                matches!(ended.code, Some(1009) | None),
                "{entry:?} {size}: {ended:?}"
            );
            bystander.ping().await;
        }
        // Before authentication too.
        let mut client = server.connect("").await;
        let auth = json!({"type": "auth", "token": ADMIN, "pad": "x".repeat(1024 * 1024)});
        let _ = timeout(
            DEADLINE,
            client.socket().send(Message::text(auth.to_string())),
        )
        .await;
        let ended = client.ended().await;
        assert!(
            matches!(ended.code, Some(1009) | None),
            "{entry:?}: {ended:?}"
        );
        bystander.ping().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_keys_and_repeated_keys_are_invalid_frames() {
    for entry in Entry::ALL {
        let monitor = monitor();
        let server = Server::start(entry, &monitor, WsConfig::new().frame_rate(1_000)).await;
        let mut client = server.open(ACME, "calls").await;
        let many: String = (0..5_000).map(|i| format!(r#","k{i}":0"#)).collect();
        let repeated = r#","type":"ping""#.repeat(3_000);
        let channels_twice = r#","channels":["errors"]"#.repeat(2_000);
        for frame in [
            format!(r#"{{"type":"ping"{many}}}"#),
            format!(r#"{{"type":"ping"{repeated}}}"#),
            format!(r#"{{"type":"subscribe","channels":["errors"]{channels_twice}}}"#),
            format!(r#"{{"type":"subscribe","client_id":"globex","channels":["errors"]{many}}}"#),
        ] {
            assert!(frame.len() < 64 * 1024);
            client.send_text(&frame).await;
            let e = client.expect_error("invalid_frame").await;
            let message = e["data"]["message"].as_str().unwrap_or_default();
            assert!(message.len() <= 256, "{entry:?}: {e}");
            client.ping().await;
        }
        client
            .send(json!({"type": "unsubscribe", "channels": ["alerts"]}))
            .await;
        assert_eq!(channels(&client.reply().await), set(["calls"]), "{entry:?}");
    }
}

#[tokio::test]
async fn a_query_naming_ten_thousand_channels_is_a_json_400() {
    let served = Served::start().await;
    let upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\
                   Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    for (query, field) in [
        (format!("channels={}", "e,".repeat(10_000)), "query"),
        (
            format!("token={ADMIN}&channels={}", "errors,".repeat(1_000)),
            "query",
        ),
        (format!("token={ADMIN}&channels=errors,%00"), "channels"),
        (format!("token={ADMIN}&channels=%ff"), "channels"),
        (format!("token={ADMIN}&token={ADMIN}"), "token"),
        (format!("{}=1", "k".repeat(3_000)), "kkkk"),
    ] {
        let target = format!("/monitor/ws?{query}");
        // `Connection: close` from the helper is replaced by the upgrade's.
        let answer = served
            .request(b"GET", target.as_bytes(), None, upgrade.as_bytes(), b"")
            .await;
        let what: String = target.chars().take(80).collect();
        answer.refused(&what, 400, "invalid_parameter", field);
        assert!(answer.body.len() < 1024, "{what}: {answer:?}");
    }
    served.still_serves().await;
}
