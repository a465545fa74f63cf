//! The wire protocol: what a client may send, and the frames the server
//! answers with. Pure functions, no I/O, so every rule is unit-tested
//! and fuzzable on its own.
//!
//! Client → server (text frames, JSON):
//! - `{"type":"auth","token":"T"}` (first frame, when the URL had no token)
//! - `{"type":"subscribe","channels":["errors","calls"]}`
//! - `{"type":"unsubscribe","channels":["calls"]}`
//! - `{"type":"ping"}`
//!
//! Server → client, all in the bus envelope
//! `{"type","data","timestamp","client_id"}`: the bus events themselves,
//! and `authenticated`, `subscribed`, `pong`, `lagged`, `error`.

use std::time::SystemTime;

use monitor_core::bus::{Channel, ChannelSet};
use serde::Deserialize;
use serde_json::{Value, json};

/// Most channel names one `subscribe`/`unsubscribe` frame may list.
pub const MAX_CHANNELS_PER_FRAME: usize = 32;

/// Longest piece of client input quoted back in an error message.
const MAX_ECHO_CHARS: usize = 64;

/// A frame a client sent, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientFrame {
    /// `{"type":"auth","token":...}`.
    Auth {
        /// The presented token.
        token: String,
    },
    /// `{"type":"subscribe","channels":[...]}`: add these channels.
    Subscribe(ChannelSet),
    /// `{"type":"unsubscribe","channels":[...]}`: drop these channels.
    Unsubscribe(ChannelSet),
    /// `{"type":"ping"}`: answered with `pong`.
    Ping,
}

/// Why a client frame was refused: sent back as
/// `{"type":"error","data":{"code","message"}}`, the connection stays open.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct FrameError {
    /// Stable, machine-readable code (see the constants on this type).
    pub code: &'static str,
    /// What was wrong, for a human.
    pub message: String,
}

impl FrameError {
    /// The frame is not JSON.
    pub const INVALID_JSON: &'static str = "invalid_json";
    /// JSON, but not a frame of this protocol (missing or extra fields,
    /// wrong types).
    pub const INVALID_FRAME: &'static str = "invalid_frame";
    /// A `type` this protocol does not know.
    pub const UNKNOWN_TYPE: &'static str = "unknown_type";
    /// A channel name that does not exist.
    pub const UNKNOWN_CHANNEL: &'static str = "unknown_channel";
    /// A binary frame: the protocol is JSON text.
    pub const BINARY: &'static str = "binary_not_supported";
    /// An `auth` frame on an authenticated connection.
    pub const ALREADY_AUTHENTICATED: &'static str = "already_authenticated";
    /// The client sends faster than its frame rate limit.
    pub const RATE_LIMITED: &'static str = "rate_limited";
    /// Every code above: an `error` frame carries one of these and no other.
    pub const CODES: [&'static str; 7] = [
        Self::INVALID_JSON,
        Self::INVALID_FRAME,
        Self::UNKNOWN_TYPE,
        Self::UNKNOWN_CHANNEL,
        Self::BINARY,
        Self::ALREADY_AUTHENTICATED,
        Self::RATE_LIMITED,
    ];

    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        FrameError {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn binary() -> Self {
        FrameError::new(
            FrameError::BINARY,
            "binary frames are not part of the protocol; send JSON text",
        )
    }
}

/// Every key a client frame may carry; anything else is refused, so a
/// frame cannot smuggle a `client_id` or a room in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrame {
    #[serde(rename = "type")]
    kind: Option<String>,
    token: Option<String>,
    channels: Option<Vec<String>>,
}

/// Parses one client text frame.
///
/// ```
/// use monitor_ws::protocol::{ClientFrame, FrameError, parse_client_frame};
/// use monitor_core::bus::{Channel, ChannelSet};
///
/// let frame = parse_client_frame(r#"{"type":"subscribe","channels":["errors"]}"#);
/// assert_eq!(frame, Ok(ClientFrame::Subscribe(ChannelSet::empty().with(Channel::Errors))));
/// let err = parse_client_frame(r#"{"type":"join","room":"globex"}"#).unwrap_err();
/// assert_eq!(err.code, FrameError::INVALID_FRAME);
/// ```
pub fn parse_client_frame(text: &str) -> Result<ClientFrame, FrameError> {
    let raw: RawFrame = match serde_json::from_str(text) {
        Ok(raw) => raw,
        Err(e) if e.is_data() => return Err(FrameError::new(FrameError::INVALID_FRAME, clip(&e))),
        Err(e) => return Err(FrameError::new(FrameError::INVALID_JSON, clip(&e))),
    };
    let Some(kind) = raw.kind else {
        return Err(FrameError::new(
            FrameError::INVALID_FRAME,
            "missing field `type`",
        ));
    };
    let only = |allowed: &str| -> Result<(), FrameError> {
        let extra = [
            ("token", raw.token.is_some()),
            ("channels", raw.channels.is_some()),
        ]
        .into_iter()
        .find(|(name, present)| *present && *name != allowed);
        match extra {
            Some((name, _)) => Err(FrameError::new(
                FrameError::INVALID_FRAME,
                format!("a `{kind}` frame has no field `{name}`"),
            )),
            None => Ok(()),
        }
    };
    match kind.as_str() {
        "auth" => {
            only("token")?;
            let token = raw.token.ok_or_else(|| {
                FrameError::new(FrameError::INVALID_FRAME, "missing field `token`")
            })?;
            Ok(ClientFrame::Auth { token })
        }
        "subscribe" | "unsubscribe" => {
            only("channels")?;
            let names = raw.channels.ok_or_else(|| {
                FrameError::new(FrameError::INVALID_FRAME, "missing field `channels`")
            })?;
            let set = channel_set(&names)?;
            Ok(if kind == "subscribe" {
                ClientFrame::Subscribe(set)
            } else {
                ClientFrame::Unsubscribe(set)
            })
        }
        "ping" => {
            only("")?;
            Ok(ClientFrame::Ping)
        }
        other => Err(FrameError::new(
            FrameError::UNKNOWN_TYPE,
            format!(
                "unknown frame type {:?} (known: auth, subscribe, unsubscribe, ping)",
                echo(other)
            ),
        )),
    }
}

/// The channels named by a frame: at least one, at most
/// [`MAX_CHANNELS_PER_FRAME`], each one known.
fn channel_set(names: &[String]) -> Result<ChannelSet, FrameError> {
    if names.is_empty() {
        return Err(FrameError::new(
            FrameError::INVALID_FRAME,
            "`channels` must name at least one channel",
        ));
    }
    if names.len() > MAX_CHANNELS_PER_FRAME {
        return Err(FrameError::new(
            FrameError::INVALID_FRAME,
            format!(
                "`channels` lists {} names; at most {MAX_CHANNELS_PER_FRAME}",
                names.len()
            ),
        ));
    }
    names
        .iter()
        .map(|name| {
            name.parse::<Channel>()
                .map_err(|e| FrameError::new(FrameError::UNKNOWN_CHANNEL, e.to_string()))
        })
        .collect()
}

fn clip(e: &serde_json::Error) -> String {
    echo(&e.to_string()).chars().take(200).collect()
}

fn echo(s: &str) -> String {
    s.chars().take(MAX_ECHO_CHARS).collect()
}

/// A server frame in the bus envelope, with no tenant.
pub fn server_frame(kind: &str, data: Value) -> String {
    json!({
        "type": kind,
        "data": data,
        "timestamp": monitor_core::clock::rfc3339::format(SystemTime::now()),
        "client_id": null,
    })
    .to_string()
}

/// `{"type":"error","data":{"code","message"}}`.
pub fn error_frame(error: &FrameError) -> String {
    server_frame(
        "error",
        json!({"code": error.code, "message": error.message}),
    )
}

/// `{"type":"lagged","data":{"dropped":N}}`.
pub fn lagged_frame(dropped: u64) -> String {
    server_frame("lagged", json!({"dropped": dropped}))
}

/// `{"type":"subscribed","data":{"channels":[...]}}`: the connection's
/// channels after the change.
pub fn subscribed_frame(channels: ChannelSet) -> String {
    server_frame("subscribed", json!({"channels": names(channels)}))
}

/// `{"type":"pong","data":{}}`.
pub fn pong_frame() -> String {
    server_frame("pong", json!({}))
}

/// `{"type":"authenticated","data":{"role","channels","available"}}`: the
/// first frame after a successful auth.
pub fn authenticated_frame(role: &str, channels: ChannelSet) -> String {
    server_frame(
        "authenticated",
        json!({
            "role": role,
            "channels": names(channels),
            "available": names(ChannelSet::all()),
        }),
    )
}

fn names(channels: ChannelSet) -> Vec<&'static str> {
    channels.iter().map(Channel::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> &'static str {
        parse_client_frame(text).expect_err(text).code
    }

    #[test]
    fn the_four_frames_parse() {
        assert_eq!(
            parse_client_frame(r#"{"type":"auth","token":"t"}"#),
            Ok(ClientFrame::Auth { token: "t".into() })
        );
        let both = ChannelSet::empty()
            .with(Channel::Errors)
            .with(Channel::Calls);
        assert_eq!(
            parse_client_frame(r#"{"type":"subscribe","channels":["errors","calls","errors"]}"#),
            Ok(ClientFrame::Subscribe(both))
        );
        assert_eq!(
            parse_client_frame(r#"{"channels":["errors","calls"],"type":"unsubscribe"}"#),
            Ok(ClientFrame::Unsubscribe(both))
        );
        assert_eq!(
            parse_client_frame(r#" {"type":"ping"} "#),
            Ok(ClientFrame::Ping)
        );
    }

    #[test]
    fn bad_frames_name_what_is_wrong() {
        assert_eq!(code("not json"), FrameError::INVALID_JSON);
        assert_eq!(code(r#"{"type":"ping""#), FrameError::INVALID_JSON);
        assert_eq!(code(""), FrameError::INVALID_JSON);
        assert_eq!(code("[1,2]"), FrameError::INVALID_FRAME);
        assert_eq!(code(r#"{"type":7}"#), FrameError::INVALID_FRAME);
        assert_eq!(code(r#"{}"#), FrameError::INVALID_FRAME);
        assert_eq!(code(r#"{"type":"dance"}"#), FrameError::UNKNOWN_TYPE);
        assert_eq!(code(r#"{"type":"auth"}"#), FrameError::INVALID_FRAME);
        assert_eq!(code(r#"{"type":"subscribe"}"#), FrameError::INVALID_FRAME);
        assert_eq!(
            code(r#"{"type":"subscribe","channels":[]}"#),
            FrameError::INVALID_FRAME
        );
        assert_eq!(
            code(r#"{"type":"subscribe","channels":"errors"}"#),
            FrameError::INVALID_FRAME
        );
        let err = parse_client_frame(r#"{"type":"subscribe","channels":["errors","secrets"]}"#)
            .expect_err("unknown channel");
        assert_eq!(err.code, FrameError::UNKNOWN_CHANNEL);
        assert!(err.message.contains("secrets"), "{}", err.message);
    }

    #[test]
    fn nothing_can_widen_a_connection() {
        // A tenant naming another tenant or a room is refused outright.
        for hostile in [
            r#"{"type":"subscribe","channels":["errors"],"client_id":"globex"}"#,
            r#"{"type":"subscribe","channels":["errors"],"room":"admin"}"#,
            r#"{"type":"join","room":"globex"}"#,
            r#"{"type":"ping","token":"x"}"#,
            r#"{"type":"subscribe","channels":["errors"],"token":"x"}"#,
        ] {
            let err = parse_client_frame(hostile).expect_err(hostile);
            assert!(
                err.code == FrameError::INVALID_FRAME || err.code == FrameError::UNKNOWN_TYPE,
                "{hostile}: {err}"
            );
        }
    }

    #[test]
    fn hostile_sizes_are_refused_cheaply() {
        let many = format!(
            r#"{{"type":"subscribe","channels":[{}]}}"#,
            vec![r#""errors""#; 10_000].join(",")
        );
        assert_eq!(code(&many), FrameError::INVALID_FRAME);
        for deep in [
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
            format!(
                r#"{{"type":"ping","x":{}1{}}}"#,
                "[".repeat(10_000),
                "]".repeat(10_000)
            ),
            "{\"a\":".repeat(10_000),
        ] {
            let c = code(&deep);
            assert!(
                c == FrameError::INVALID_JSON || c == FrameError::INVALID_FRAME,
                "{c}"
            );
        }
        let long_type = format!(r#"{{"type":"{}"}}"#, "x".repeat(100_000));
        let err = parse_client_frame(&long_type).expect_err("long type");
        assert!(err.message.len() < 200, "echo is clipped");
    }

    #[test]
    fn server_frames_use_the_bus_envelope() {
        for frame in [
            pong_frame(),
            lagged_frame(3),
            subscribed_frame(ChannelSet::empty().with(Channel::Errors)),
            error_frame(&FrameError::binary()),
            authenticated_frame("admin", ChannelSet::empty()),
        ] {
            let v: Value = serde_json::from_str(&frame).expect("json");
            assert!(v["type"].is_string() && v["data"].is_object(), "{frame}");
            assert!(v["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
            assert!(v["client_id"].is_null());
        }
        let v: Value = serde_json::from_str(&lagged_frame(3)).expect("json");
        assert_eq!(v["data"]["dropped"], 3);
        let v: Value = serde_json::from_str(&subscribed_frame(
            ChannelSet::empty()
                .with(Channel::Errors)
                .with(Channel::Metrics),
        ))
        .expect("json");
        assert_eq!(v["data"]["channels"], json!(["metrics", "errors"]));
    }
}
