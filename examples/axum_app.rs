//! Mounting the monitor into an existing axum app in a few lines.
//!
//! Run with: cargo run --release --example axum_app
//!
//! The app is a tiny "echo bot" with its own routes (`GET /`,
//! `POST /chat`) and its own state (a greeting and a reply counter). The
//! monitor joins it in three places, marked `// monitor:` below: build a
//! `Monitor`, record each handled message from the app's own handler, and
//! nest `monitor_axum::router` under `/monitor`. Listens on
//! `APP_ADDR` (default 127.0.0.1:3000); the admin token is
//! `APP_ADMIN_TOKEN` or a random one, printed.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use monitor_axum::MonitorAuth;
use monitor_core::Monitor;
use monitor_examples::config::{display_addr, parse_addr, parse_token, random_token};
use serde_json::{Value, json};

/// The app's own state; the monitor is one more field in it.
#[derive(Clone)]
struct AppState {
    greeting: Arc<str>,
    replies: Arc<AtomicU64>,
    monitor: Monitor, // monitor: a cheap clone, like any handle
}

async fn home(State(app): State<AppState>) -> String {
    format!(
        "{} ({} replies so far)\n",
        app.greeting,
        app.replies.load(Ordering::Relaxed)
    )
}

/// `POST /chat {"user": "...", "text": "..."}` → `{"reply": "..."}`.
async fn chat(State(app): State<AppState>, Json(body): Json<Value>) -> Json<Value> {
    let started = Instant::now();
    let user = body["user"].as_str().unwrap_or("anonymous");
    let text = body["text"].as_str().unwrap_or_default();
    let reply = format!("{user}, you said {} characters", text.chars().count());
    app.replies.fetch_add(1, Ordering::Relaxed);
    app.monitor.record_message(user, started.elapsed()); // monitor: one call per message
    Json(json!({ "reply": reply }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = match std::env::var("APP_ADDR") {
        Ok(raw) => parse_addr(&raw).map_err(|e| format!("APP_ADDR: {e}"))?,
        Err(_) => parse_addr("127.0.0.1:3000")?,
    };
    let admin = match std::env::var("APP_ADMIN_TOKEN") {
        Ok(raw) => parse_token(&raw).map_err(|e| format!("APP_ADMIN_TOKEN: {e}"))?,
        Err(_) => random_token(),
    };

    // monitor: build it, and give the router its tokens.
    let monitor = Monitor::builder().start()?;
    let auth = MonitorAuth::new().admin(admin.expose());

    let state = AppState {
        greeting: "Hello from the echo bot".into(),
        replies: Arc::new(AtomicU64::new(0)),
        monitor: monitor.clone(),
    };
    let app = Router::new()
        .route("/", get(home))
        .route("/chat", post(chat))
        .with_state(state)
        // monitor: one line mounts the API, /health and /metrics.
        .nest("/monitor", monitor_axum::router(monitor.clone(), auth));

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e} (set APP_ADDR to another address)"))?;
    let shown = display_addr(addr);
    let mut out = std::io::stdout();
    let _ = writeln!(
        out,
        "axum_app on http://{shown}/ with the monitor under /monitor/. Try:\n\
         \n  curl -s http://{shown}/\
         \n  curl -s -X POST http://{shown}/chat -H 'content-type: application/json' -d '{{\"user\":\"ada\",\"text\":\"hello\"}}'\
         \n  curl -s http://{shown}/monitor/health\
         \n  curl -s -H 'Authorization: Bearer {token}' http://{shown}/monitor/api/metrics\
         \n\ndashboard: http://{shown}/monitor#token={token}\nCtrl-C to stop",
        token = admin.expose()
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    monitor.shutdown().await?;
    Ok(())
}
