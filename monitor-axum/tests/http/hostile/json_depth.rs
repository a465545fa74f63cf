//! Deeply nested JSON where the router reads JSON (WebSocket frames, on
//! both entry points) and where it reads none (a body on a POST route):
//! refused or ignored within the frame limit, never a stack overflow,
//! the connection and the server still answering.

use monitor_axum::monitor_ws::WsConfig;
use serde_json::Value;

use super::Served;
use crate::common::ADMIN;
use crate::ws::harness::{Client, Entry, Server, monitor};

/// Just under the default 64 KiB frame limit.
const DEPTH: usize = 30_000;

fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    let mut s = String::with_capacity(depth * (open.len() + close.len()) + inner.len());
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

/// The frames: arrays, objects, and depth inside each field of a frame.
fn deep_frames() -> Vec<String> {
    vec![
        nested("[", "", "]", DEPTH),
        nested("{\"a\":", "1", "}", DEPTH / 3),
        format!(
            r#"{{"type":"subscribe","channels":{}}}"#,
            nested("[", "\"errors\"", "]", DEPTH)
        ),
        format!(
            r#"{{"type":"ping","x":{}}}"#,
            nested("{\"x\":", "0", "}", 5_000)
        ),
        format!(r#"{{"type":{}}}"#, nested("[", "", "]", DEPTH)),
        // Unclosed: the parser must give up, not wait or recurse on.
        "[".repeat(60_000),
        "{\"type\":".repeat(7_000),
    ]
}

async fn refused(client: &mut Client, what: &str) {
    let e = client.reply().await;
    assert_eq!(e["type"], "error", "{what}: {e}");
    let code = e["data"]["code"].as_str().unwrap_or_default();
    assert!(
        ["invalid_json", "invalid_frame"].contains(&code),
        "{what}: {e}"
    );
    let message = e["data"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty() && message.len() <= 256, "{what}: {e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_frames_get_error_frames_on_both_entries() {
    for entry in Entry::ALL {
        let monitor = monitor();
        // The default frame rate would refuse a burst of frames; the
        // depth is the point here.
        let config = WsConfig::new().frame_rate(1_000);
        let server = Server::start(entry, &monitor, config).await;
        let mut client = server.open(ADMIN, "errors").await;
        for (i, frame) in deep_frames().into_iter().enumerate() {
            assert!(frame.len() <= 64 * 1024, "frame {i} fits the limit");
            client.send_text(&frame).await;
            refused(&mut client, &format!("{entry:?} frame {i}")).await;
            client.ping().await;
        }
        // A deep first frame is no `auth` frame: 1008, as any other.
        let mut fresh = server.connect("").await;
        fresh.send_text(&nested("[", "", "]", DEPTH)).await;
        assert_eq!(fresh.close_code().await.0, 1008, "{entry:?}");
    }
}

#[tokio::test]
async fn a_deep_body_on_a_post_route_is_not_parsed() {
    let served = Served::start().await;
    let body = nested("[", "", "]", DEPTH);
    let header = format!(
        "Content-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    let answer = served
        .request(
            b"POST",
            b"/monitor/api/errors/1/resolve",
            Some(ADMIN),
            header.as_bytes(),
            body.as_bytes(),
        )
        .await;
    answer.refused("a deep body", 404, "not_found", "1");
    let _: Value = answer.json();
    served.still_serves().await;
}
