//! Subscribes to the monitor's WebSocket and prints every event, one line
//! each: the demo's live feed in a terminal.
//!
//! Run the bot, then, with the admin token it printed:
//!
//! ```text
//! MONITOR_TOKEN=... cargo run --release --example ws_client -- errors,calls,messages
//! ```
//!
//! - argument: channels, comma-separated (default: every channel);
//! - `MONITOR_WS_URL`: default `ws://127.0.0.1:8080/monitor/ws`;
//! - `MONITOR_TOKEN` (else `MONITOR_ADMIN_TOKEN`): sent in the first frame,
//!   not the URL, so it stays out of proxy and access logs.
//!
//! Ctrl-C closes the connection cleanly.

use std::process::ExitCode;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

const DEFAULT_URL: &str = "ws://127.0.0.1:8080/monitor/ws";
const ALL: &str = "metrics,messages,errors,calls,health,queue,alerts";
/// Longest `data` shown per line, in characters.
const SHOWN: usize = 160;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ws_client: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("MONITOR_WS_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned());
    let token = std::env::var("MONITOR_TOKEN")
        .or_else(|_| std::env::var("MONITOR_ADMIN_TOKEN"))
        .map_err(
            |_| "set MONITOR_TOKEN to a token the bot printed (admin, monitor or a client's)",
        )?;
    let channels: Vec<String> = std::env::args()
        .nth(1)
        .unwrap_or_else(|| ALL.to_owned())
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();

    let (mut ws, _response) = connect_async(url.as_str())
        .await
        .map_err(|e| format!("cannot connect to {url}: {e} (is the bot running?)"))?;
    ws.send(Message::text(
        json!({"type": "auth", "token": token}).to_string(),
    ))
    .await?;
    ws.send(Message::text(
        json!({"type": "subscribe", "channels": channels}).to_string(),
    ))
    .await?;
    eprintln!("ws_client: connected to {url}; Ctrl-C to stop");

    loop {
        let message = tokio::select! {
            _ = tokio::signal::ctrl_c() => {
                let _ = ws.close(None).await;
                return Ok(());
            }
            message = ws.next() => message,
        };
        match message {
            None => return Err("the server ended the connection".into()),
            Some(Err(e)) => return Err(e.into()),
            Some(Ok(Message::Text(text))) => println!("{}", line(&text)),
            Some(Ok(Message::Close(frame))) => {
                let why = frame.map_or_else(
                    || "no reason given".to_owned(),
                    |f| format!("{} {}", u16::from(f.code), f.reason),
                );
                return Err(format!("closed by the server: {why}").into());
            }
            Some(Ok(_)) => {}
        }
    }
}

/// `timestamp type client data`, with `data` cut to [`SHOWN`] characters.
fn line(text: &str) -> String {
    let Ok(frame) = serde_json::from_str::<Value>(text) else {
        return text.to_owned();
    };
    let field = |name: &str| frame[name].as_str().unwrap_or("-").to_owned();
    let data = frame["data"].to_string();
    let mut shown: String = data.chars().take(SHOWN).collect();
    if shown.len() < data.len() {
        shown.push('…');
    }
    format!(
        "{} {:<18} {:<8} {shown}",
        field("timestamp"),
        field("type"),
        field("client_id")
    )
}
