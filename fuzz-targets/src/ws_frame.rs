//! `ws_frame`: the WebSocket protocol handler, frames in, frames out.
//!
//! The input is one client text frame (invalid UTF-8 replaced, as
//! tungstenite only delivers UTF-8 text). It goes through
//! [`parse_client_frame`] and through the connection's own decision step
//! ([`Action::from_frame`] then [`Action::apply`], what the driver in
//! `monitor-ws/src/connection.rs` runs) from several starting channel
//! sets. Checked:
//!
//! - nothing panics;
//! - a refused frame carries a known error code and a short, non-empty
//!   message (client input is echoed clipped);
//! - an accepted frame re-encodes to a frame that parses to the same
//!   thing, and a subscribe or unsubscribe names at least one channel;
//! - every answer is one JSON object in the bus envelope (`type`, object
//!   `data`, RFC 3339 `timestamp`, null `client_id`);
//! - a `subscribed` answer lists only known channel names, each once, in
//!   [`Channel::ALL`] order, and exactly the channels the connection now
//!   has; an `error` answer names a known code and the same message;
//! - a binary frame and a second `auth` are errors that leave the channels
//!   alone.

use monitor_core::bus::{Channel, ChannelSet};
use monitor_ws::protocol::{
    ClientFrame, FrameError, authenticated_frame, lagged_frame, parse_client_frame,
};
use monitor_ws::reply::Action;
use serde_json::{Value, json};

/// Longest error message a frame may earn, in bytes: the echo of client
/// input is clipped to 64 characters, each at most 10 bytes escaped.
pub const MAX_MESSAGE_BYTES: usize = 1024;

/// Runs one input (see the module docs).
pub fn run(data: &[u8]) {
    let text = crate::text(data);
    let parsed = parse_client_frame(&text);
    match &parsed {
        Ok(frame) => check_accepted(frame),
        Err(e) => {
            check_error(e);
            assert!(
                [
                    FrameError::INVALID_JSON,
                    FrameError::INVALID_FRAME,
                    FrameError::UNKNOWN_TYPE,
                    FrameError::UNKNOWN_CHANNEL
                ]
                .contains(&e.code),
                "parsing cannot refuse with {:?}",
                e.code
            );
        }
    }

    let action = Action::from_frame(Some(&text));
    match (&parsed, &action) {
        (Ok(ClientFrame::Subscribe(a)), Action::Subscribe(b))
        | (Ok(ClientFrame::Unsubscribe(a)), Action::Unsubscribe(b)) => assert_eq!(a, b),
        (Ok(ClientFrame::Ping), Action::Pong) => {}
        (Ok(ClientFrame::Auth { .. }), Action::Error(e)) => {
            assert_eq!(e.code, FrameError::ALREADY_AUTHENTICATED);
        }
        (Err(a), Action::Error(b)) => assert_eq!(a, b),
        (parsed, action) => panic!("{parsed:?} became {action:?}"),
    }
    let seed = data.first().copied().unwrap_or(0);
    for start in starting_sets(seed) {
        check_reply(&action, start);
        check_reply(&Action::from_frame(None), start);
    }

    // The other server frames, fed from the same bytes.
    let role = text.chars().take(64).collect::<String>();
    for frame in [
        authenticated_frame(&role, channel_set(seed)),
        lagged_frame(u64::from(seed) << 56 | data.len() as u64),
    ] {
        envelope(&frame);
    }
}

/// A few channel sets a connection could be in when the frame arrives.
fn starting_sets(seed: u8) -> [ChannelSet; 3] {
    [ChannelSet::empty(), ChannelSet::all(), channel_set(seed)]
}

/// The channels whose bits are set in `bits`.
fn channel_set(bits: u8) -> ChannelSet {
    Channel::ALL
        .into_iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, c)| c)
        .collect()
}

fn check_error(e: &FrameError) {
    assert!(
        FrameError::CODES.contains(&e.code),
        "unknown code {:?}",
        e.code
    );
    assert!(!e.message.is_empty(), "{e:?} has no message");
    assert!(
        e.message.len() <= MAX_MESSAGE_BYTES,
        "{} has a {}-byte message",
        e.code,
        e.message.len()
    );
}

/// An accepted frame, written out again, parses to itself.
fn check_accepted(frame: &ClientFrame) {
    let again = match frame {
        ClientFrame::Auth { token } => json!({"type": "auth", "token": token}),
        ClientFrame::Subscribe(set) | ClientFrame::Unsubscribe(set) => {
            assert!(!set.is_empty(), "{frame:?} names no channel");
            let kind = match frame {
                ClientFrame::Subscribe(_) => "subscribe",
                _ => "unsubscribe",
            };
            let names: Vec<&str> = set.iter().map(Channel::as_str).collect();
            json!({"type": kind, "channels": names})
        }
        ClientFrame::Ping => json!({"type": "ping"}),
    };
    assert_eq!(
        parse_client_frame(&again.to_string()).as_ref(),
        Ok(frame),
        "{again}"
    );
}

/// Applies `action` from `start` and checks the answer.
fn check_reply(action: &Action, start: ChannelSet) {
    let reply = action.apply(start);
    let v = envelope(&reply.frame);
    let kind = v["type"].as_str().unwrap_or_default();
    match action {
        Action::Subscribe(set) | Action::Unsubscribe(set) => {
            let want = match action {
                Action::Subscribe(_) => set.iter().fold(start, ChannelSet::with),
                _ => set.iter().fold(start, ChannelSet::without),
            };
            assert_eq!(reply.channels, Some(want));
            assert_eq!(kind, "subscribed");
            let listed = v["data"]["channels"]
                .as_array()
                .unwrap_or_else(|| panic!("no channel list in {}", reply.frame));
            let names: Vec<&str> = listed.iter().filter_map(Value::as_str).collect();
            assert_eq!(names.len(), listed.len(), "{}", reply.frame);
            let known: Vec<&str> = Channel::ALL.iter().map(|c| c.as_str()).collect();
            for name in &names {
                assert!(known.contains(name), "unknown channel {name:?} answered");
            }
            let expected: Vec<&str> = want.iter().map(Channel::as_str).collect();
            assert_eq!(names, expected, "{}", reply.frame);
        }
        Action::Pong => {
            assert_eq!(reply.channels, None);
            assert_eq!(kind, "pong");
        }
        Action::Error(e) => {
            check_error(e);
            assert_eq!(reply.channels, None);
            assert_eq!(kind, "error");
            assert_eq!(v["data"]["code"], e.code, "{}", reply.frame);
            assert_eq!(v["data"]["message"], e.message.as_str(), "{}", reply.frame);
        }
    }
}

/// Parses a server frame and checks the bus envelope.
fn envelope(frame: &str) -> Value {
    let v: Value = serde_json::from_str(frame)
        .unwrap_or_else(|e| panic!("server frame is not JSON ({e}): {frame}"));
    let Value::Object(map) = &v else {
        panic!("server frame is not an object: {frame}");
    };
    let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["client_id", "data", "timestamp", "type"], "{frame}");
    assert!(v["type"].is_string() && v["data"].is_object(), "{frame}");
    assert!(v["client_id"].is_null(), "{frame}");
    let stamp = v["timestamp"].as_str().unwrap_or_default();
    assert!(
        monitor_core::clock::rfc3339::parse(stamp).is_ok(),
        "bad timestamp in {frame}"
    );
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_of_every_kind() {
        for frame in [
            r#"{"type":"auth","token":"t"}"#,
            r#"{"type":"subscribe","channels":["errors","calls","errors"]}"#,
            r#"{"type":"unsubscribe","channels":["metrics"]}"#,
            r#"{"type":"ping"}"#,
            r#"{"type":"subscribe","channels":["secrets"]}"#,
            r#"{"type":"join","room":"admin"}"#,
            "not json",
            "",
        ] {
            run(frame.as_bytes());
        }
        run(&[0xff, 0xfe, b'{']);
    }
}
