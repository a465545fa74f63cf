//! Authentication: by `?token=`, by an `auth` first frame, by the
//! `Authorization` header (axum); every other start closes with 1008; bad
//! queries and a full house are refused at the HTTP upgrade.

use std::time::Duration;

use axum::http::StatusCode;
use monitor_axum::monitor_ws::{CloseReason, WsConfig};
use monitor_core::bus::Channel;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};

use super::harness::*;
use crate::common::*;

both_entries!(
    by_query_token,
    by_first_frame,
    wrong_token_is_1008,
    non_auth_first_frame_is_1008,
    silence_past_the_deadline_is_1008,
    authorization_header,
    bad_query_is_refused_at_the_upgrade,
    connection_cap_is_refused_at_the_upgrade,
);

const ROLES: [(&str, &str); 4] = [
    (ADMIN, "admin"),
    (MONITOR, "monitor"),
    (ACME, "client:acme"),
    (GLOBEX, "client:globex"),
];

async fn by_query_token(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, WsConfig::new()).await;
    for (token, role) in ROLES {
        let mut client = server.connect(&format!("token={token}")).await;
        let hello = client.reply().await;
        assert_eq!(hello["type"], "authenticated", "{entry:?}: {hello}");
        assert_eq!(hello["data"]["role"], role, "{entry:?}: {hello}");
        assert!(channels(&hello).is_empty(), "no channels asked: {hello}");
        assert_eq!(
            channels(&json!({"data": {"channels": hello["data"]["available"]}})),
            set([
                "metrics", "messages", "errors", "calls", "health", "queue", "alerts"
            ]),
            "{hello}"
        );
        client.ping().await;
        client.close().await;
    }

    // `channels=` in the URL is the starting subscription.
    let mut client = server
        .connect(&format!("token={ACME}&channels=errors,calls"))
        .await;
    let hello = client.reply().await;
    assert_eq!(hello["data"]["role"], "client:acme");
    assert_eq!(channels(&hello), set(["errors", "calls"]));
    publish(&monitor, "queue:stats", Channel::Queue, Some("acme"), "q");
    publish(&monitor, "error:logged", Channel::Errors, Some("acme"), "e");
    let got = client.event().await;
    assert_eq!(tag(&got), Some("e"), "queue is not subscribed: {got}");
}

async fn by_first_frame(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, WsConfig::new()).await;
    for (token, role) in ROLES {
        let mut client = server.connect("").await;
        client.send(json!({"type": "auth", "token": token})).await;
        let hello = client.reply().await;
        assert_eq!(hello["type"], "authenticated", "{entry:?}: {hello}");
        assert_eq!(hello["data"]["role"], role, "{entry:?}: {hello}");
        client
            .send(json!({"type": "subscribe", "channels": ["errors"]}))
            .await;
        let ack = client.reply().await;
        assert_eq!(ack["type"], "subscribed", "{ack}");
        assert_eq!(channels(&ack), set(["errors"]));
        let tenant = role.strip_prefix("client:").unwrap_or("acme");
        publish(
            &monitor,
            "error:logged",
            Channel::Errors,
            Some(tenant),
            role,
        );
        assert_eq!(tag(&client.event().await), Some(role));
        client.close().await;
    }
}

async fn wrong_token_is_1008(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, WsConfig::new()).await;

    let mut client = server.connect("token=not-a-token").await;
    let (code, before) = client.close_code().await;
    assert_eq!(code, 1008, "{entry:?}: wrong ?token=");
    assert!(before.is_empty(), "nothing before the close: {before:?}");

    let mut client = server.connect("").await;
    client
        .send(json!({"type": "auth", "token": "not-a-token"}))
        .await;
    let (code, before) = client.close_code().await;
    assert_eq!(code, 1008, "{entry:?}: wrong auth frame");
    assert!(before.is_empty(), "nothing before the close: {before:?}");

    // A valid token with surrounding junk is not a valid token.
    let mut client = server.connect("").await;
    client
        .send(json!({"type": "auth", "token": format!(" {ADMIN}")}))
        .await;
    assert_eq!(client.close_code().await.0, 1008, "{entry:?}: padded token");

    if entry == Entry::Standalone {
        // Counted once the server's side has ended, which may trail the
        // close frame.
        eventually("three auth closes counted", || {
            server
                .stats()
                .is_some_and(|s| s.closed(CloseReason::Auth) == 3)
        })
        .await;
    }
}

async fn non_auth_first_frame_is_1008(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, WsConfig::new()).await;
    let firsts = [
        Message::text(json!({"type": "ping"}).to_string()),
        Message::text(json!({"type": "subscribe", "channels": ["errors"]}).to_string()),
        Message::text("not json"),
        // An auth frame smuggling anything else is not an auth frame.
        Message::text(json!({"type": "auth", "token": ADMIN, "room": "globex"}).to_string()),
        Message::binary(ADMIN.as_bytes().to_vec()),
    ];
    for first in firsts {
        let shown = format!("{first:?}");
        let mut client = server.connect("").await;
        client.send_message(first).await;
        let (code, before) = client.close_code().await;
        assert_eq!(code, 1008, "{entry:?}: first frame {shown}");
        assert!(before.is_empty(), "{entry:?}: {shown}: {before:?}");
    }
}

async fn silence_past_the_deadline_is_1008(entry: Entry) {
    let monitor = monitor();
    let config = WsConfig::new().auth_timeout(Duration::from_millis(300));
    let server = Server::start(entry, &monitor, config).await;
    let mut client = server.connect("").await;
    let (code, before) = client.close_code().await;
    assert_eq!(code, 1008, "{entry:?}");
    assert!(before.is_empty(), "{before:?}");
}

/// Both entry points also take `Authorization: Bearer` on the upgrade
/// request (the URL's token wins).
async fn authorization_header(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, WsConfig::new()).await;
    let with_header = |query: &str, token: &str| {
        let mut request = server
            .url(query)
            .into_client_request()
            .expect("a valid URL");
        let value = HeaderValue::from_str(&format!("Bearer {token}")).expect("header value");
        request.headers_mut().insert(header::AUTHORIZATION, value);
        request
    };

    let mut client = server.connect_request(with_header("", ACME)).await;
    let hello = client.reply().await;
    assert_eq!(hello["type"], "authenticated", "{entry:?}: {hello}");
    assert_eq!(hello["data"]["role"], "client:acme", "{entry:?}: {hello}");
    client.ping().await;

    let mut client = server
        .connect_request(with_header(&format!("token={MONITOR}"), ACME))
        .await;
    let hello = client.reply().await;
    assert_eq!(
        hello["data"]["role"], "monitor",
        "{entry:?}: the URL's token wins"
    );

    let mut client = server.connect_request(with_header("", "not-a-token")).await;
    assert_eq!(
        client.close_code().await.0,
        1008,
        "{entry:?}: wrong bearer token"
    );
}

async fn bad_query_is_refused_at_the_upgrade(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, WsConfig::new()).await;
    for (query, field) in [
        ("room=x".to_owned(), "room"),
        (format!("token={ACME}&room=globex"), "room"),
        (format!("token={ACME}&client_id=globex"), "client_id"),
        ("channels=bogus".to_owned(), "channels"),
        (format!("token={ACME}&channels=errors,bogus"), "channels"),
        (format!("token={ACME}&token={ADMIN}"), "token"),
    ] {
        // The same answer from both entry points: the router's 400.
        let (status, body) = server.refused(&query).await;
        let status = StatusCode::from_u16(status).expect("an HTTP status");
        assert_names_field(status, &body, field);
    }
    // Nothing was admitted on the way.
    let mut client = server.open(ACME, "").await;
    client.ping().await;
}

async fn connection_cap_is_refused_at_the_upgrade(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, WsConfig::new().max_connections(1)).await;
    let first = server.open(ADMIN, "").await;
    let (status, body) = server.refused(&format!("token={ADMIN}")).await;
    assert_eq!(status, 503, "{entry:?}: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{entry:?}: {body}"
    );
    // The place is freed when the first connection ends.
    first.close().await;
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let attempt = tokio_tungstenite::connect_async(server.url(&format!("token={ADMIN}"))).await;
        match attempt {
            Ok(_) => break,
            Err(e) => assert!(
                tokio::time::Instant::now() < deadline,
                "{entry:?}: the place was not freed: {e}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
