//! Text that is not what it claims: percent-escapes that decode to bytes
//! that are not UTF-8 (invalid, overlong, surrogate halves), NUL, lone
//! surrogates in the JSON of WebSocket frames, tokens of raw bytes. Path
//! segments and parameters answer a JSON 400 naming themselves; frames get
//! an error frame and the connection stays.

use monitor_axum::monitor_ws::WsConfig;
use tokio_tungstenite::tungstenite::Message;

use super::Served;
use crate::common::{ACME, ADMIN};
use crate::ws::harness::{Entry, Server, monitor};

/// Bytes that are not UTF-8 once percent-decoded.
const NOT_UTF8: &[&str] = &[
    "%ff",
    "%c3%28",       // a lead byte without its continuation
    "%80",          // a continuation without a lead
    "%c0%af",       // overlong `/`
    "%e0%80%af",    // overlong `/`, three bytes
    "%ed%a0%80",    // a lone surrogate half (U+D800), UTF-8 encoded
    "%f4%90%80%80", // past U+10FFFF
];

#[tokio::test]
async fn path_segments_that_are_not_utf8_are_json_400s() {
    let served = Served::start().await;
    for bad in NOT_UTF8 {
        for (method, target) in [
            ("GET", format!("/monitor/api/events/{bad}")),
            ("GET", format!("/monitor/api/activities/{bad}/active")),
            ("GET", format!("/monitor/api/activities/{bad}/recent")),
            ("GET", format!("/monitor/api/activities/{bad}/tree")),
            ("POST", format!("/monitor/api/errors/{bad}/resolve")),
            ("POST", format!("/monitor/api/errors/{bad}/acknowledge")),
        ] {
            let answer = served
                .request(method.as_bytes(), target.as_bytes(), Some(ADMIN), b"", b"")
                .await;
            answer.refused(&target, 400, "invalid_parameter", "UTF-8");
        }
    }
    served.still_serves().await;
}

#[tokio::test]
async fn nul_in_paths_and_parameters() {
    let served = Served::start().await;
    for (target, status, code, mentions) in [
        (
            "/monitor/api/events/%00",
            404,
            "not_found",
            "no event family",
        ),
        (
            "/monitor/api/activities/ca%00ll/active",
            404,
            "not_found",
            "no activities",
        ),
        (
            "/monitor/api/errors/1%00/resolve",
            400,
            "invalid_parameter",
            "id",
        ),
        ("/monitor/api/errors?q=%00", 400, "invalid_parameter", "q"),
        (
            "/monitor/api/errors?service=a%00b",
            400,
            "invalid_parameter",
            "service",
        ),
        (
            "/monitor/api/errors?client=%00",
            400,
            "invalid_parameter",
            "client",
        ),
        (
            "/monitor/api/errors?%00=1",
            400,
            "invalid_parameter",
            "unknown",
        ),
        (
            "/monitor/api/metrics/hourly?hours=24%00",
            400,
            "invalid_parameter",
            "hours",
        ),
    ] {
        let method: &[u8] = if target.contains("resolve") {
            b"POST"
        } else {
            b"GET"
        };
        let answer = served
            .request(method, target.as_bytes(), Some(ADMIN), b"", b"")
            .await;
        answer.refused(target, status, code, mentions);
    }
    served.still_serves().await;
}

#[tokio::test]
async fn tokens_of_raw_bytes_are_401s() {
    let served = Served::start().await;
    for header in [
        &b"Authorization: Bearer \xff\xfe\r\n"[..],
        b"Authorization: Bearer admin-token\xc0\xaf\r\n",
        b"Authorization: Bearer \xed\xa0\x80\r\n",
        b"Authorization: \x80\r\n",
    ] {
        let answer = served
            .request(b"GET", b"/monitor/api/me", None, header, b"")
            .await;
        answer.refused(
            &String::from_utf8_lossy(header),
            401,
            "unauthorized",
            "token",
        );
    }
    // NUL and bare CR in a header value are not HTTP: hyper's own 400.
    for header in [
        &b"Authorization: Bearer admin\0token\r\n"[..],
        b"Authorization: Bearer admin\rtoken\r\n",
    ] {
        let answer = served
            .request(b"GET", b"/monitor/api/me", None, header, b"")
            .await;
        answer.not_5xx("NUL in a header");
        assert!(answer.status >= 400, "{answer:?}");
    }
    served.still_serves().await;
}

/// JSON text with a lone surrogate escape (`"\ud800"`), raw NUL or
/// invalid UTF-8 escapes: the `/ws` frames are the router's only JSON.
#[tokio::test]
async fn ws_frames_with_lone_surrogates_and_nul_get_error_frames() {
    let monitor = monitor();
    let server = Server::start(Entry::Axum, &monitor, WsConfig::new().frame_rate(1_000)).await;
    let mut client = server.open(ACME, "").await;
    for (frame, code) in [
        (
            r#"{"type":"subscribe","channels":["\ud800"]}"#,
            "invalid_json",
        ),
        (
            r#"{"type":"subscribe","channels":["\udc00errors"]}"#,
            "invalid_json",
        ),
        (r#"{"type":"ping","\ud800":1}"#, "invalid_json"),
        ("{\"type\":\"ping\u{0}\"}", "invalid_json"),
        (
            r#"{"type":"subscribe","channels":["errors\u0000"]}"#,
            "unknown_channel",
        ),
        (r#"{"type":"ping\u0000"}"#, "unknown_type"),
        (
            r#"{"type":"subscribe","channels":["\u0065rrors","\uFFFF"]}"#,
            "unknown_channel",
        ),
    ] {
        client.send_text(frame).await;
        client.expect_error(code).await;
        client.ping().await;
    }
    // Surrogate escapes in a first `auth` frame: not a token, so the
    // connection is closed as unauthenticated (1008), not a panic.
    let mut unauthenticated = server.connect("").await;
    unauthenticated
        .send_text(r#"{"type":"auth","token":"\ud800\udfff\ud800"}"#)
        .await;
    let (code, _) = unauthenticated.close_code().await;
    assert_eq!(code, 1008);
    // Bytes that are not UTF-8 cannot make a text frame (the client
    // library will not build one); as a binary frame they are refused.
    client
        .send_message(Message::binary(b"{\"type\":\"ping\xff\"}".to_vec()))
        .await;
    client.expect_error("binary_not_supported").await;
    client.ping().await;
    let mut other = server.open(ADMIN, "").await;
    other.ping().await;
}

/// A 60 000-character segment names nothing: a 404 that quotes only the
/// start of it.
#[tokio::test]
async fn long_path_segments_are_quoted_short() {
    let served = Served::start().await;
    let long = "x".repeat(60_000);
    for (target, mentions) in [
        (format!("/monitor/api/events/{long}"), "no event family"),
        (
            format!("/monitor/api/activities/{long}/active"),
            "no activities",
        ),
        (
            format!("/monitor/api/activities/{long}/tree"),
            "no activities",
        ),
    ] {
        let answer = served.get(target.as_bytes(), Some(ADMIN)).await;
        answer.refused(&target[..40], 404, "not_found", mentions);
        assert!(answer.body.len() < 1024, "{answer:?}");
    }
    served.still_serves().await;
}
