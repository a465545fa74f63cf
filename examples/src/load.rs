//! WebSocket client pieces the load tools (`ws_fanout`, `soak`) share: a
//! client that is authenticated and subscribed before it returns, and what
//! a client that stopped reading finds when it reads again.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// A connected WebSocket client.
pub type WsClient = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Connects to `url` (a `ws://…/ws?token=…` address), subscribes to
/// `channels` and waits for the `authenticated` and `subscribed` frames
/// (10 s at most for each).
pub async fn connect_ws(
    url: &str,
    channels: &[&str],
) -> Result<WsClient, Box<dyn std::error::Error + Send + Sync>> {
    let (mut ws, _) = connect_async(url).await?;
    ws.send(Message::text(
        json!({"type": "subscribe", "channels": channels}).to_string(),
    ))
    .await?;
    for _ in 0..2 {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(Ok(Message::Text(_)))) => {}
            other => return Err(format!("no welcome from the server: {other:?}").into()),
        }
    }
    Ok(ws)
}

/// What a stalled client finds when it finally reads, for at most five
/// seconds (events keep coming): `closed 1013, lagged seen`, `still open`…
pub async fn stalled_end(mut ws: WsClient) -> String {
    let mut lagged = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let lag = if lagged { ", lagged seen" } else { "" };
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return format!("still open{lag}"),
            Ok(None) => return format!("ended without a close frame{lag}"),
            Ok(Some(Err(e))) => return format!("error {e}{lag}"),
            Ok(Some(Ok(Message::Text(text)))) => lagged |= text.contains(r#""type":"lagged""#),
            Ok(Some(Ok(Message::Close(frame)))) => {
                let code = frame.map_or(0, |f| u16::from(f.code));
                return format!("closed {code}{lag}");
            }
            Ok(Some(Ok(_))) => {}
        }
    }
}
