//! `POST /webhook/message`: a chat message to handle.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use monitor_axum::ApiError;
use monitor_core::Monitor;
use monitor_core::bus::MessageEvent;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::body::{Fields, JsonBody};
use super::{MAX_NAME_CHARS, MAX_TEXT_CHARS};
use crate::sim::log_normal;

/// Median of the simulated handling work.
const WORK_MEDIAN_MS: f64 = 3.0;
/// Longest simulated handling work.
const WORK_MAX: Duration = Duration::from_millis(50);

/// Every field of the body, checked before anything is recorded.
pub(super) struct MessageBody<'a> {
    client_id: &'a str,
    user_id: &'a str,
    user_name: &'a str,
    text: &'a str,
}

impl<'a> MessageBody<'a> {
    pub(super) fn read(f: &'a Fields) -> Result<Self, ApiError> {
        Ok(MessageBody {
            client_id: f.id("client_id")?,
            user_id: f.id("user_id")?,
            user_name: f.text("user_name", MAX_NAME_CHARS)?,
            text: f.text("text", MAX_TEXT_CHARS)?,
        })
    }
}

pub(super) async fn message(
    State(monitor): State<Monitor>,
    JsonBody(f): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let MessageBody {
        client_id,
        user_id,
        user_name,
        text,
    } = MessageBody::read(&f)?;

    let started = Instant::now();
    let work = log_normal(&mut rand::rng(), WORK_MEDIAN_MS, 0.5).min(WORK_MAX);
    tokio::time::sleep(work).await;
    let reply = reply_to(user_name, text);
    let elapsed = started.elapsed();

    monitor.record_message(user_id, elapsed);
    let name = Some(user_name).filter(|n| !n.trim().is_empty());
    monitor.publish_message(
        Some(client_id),
        MessageEvent::new(user_id, name, Some(text), elapsed.as_secs_f64() * 1000.0),
    );
    Ok(Json(json!({ "reply": reply })))
}

/// What the demo bot says back.
fn reply_to(name: &str, text: &str) -> String {
    let who = if name.trim().is_empty() {
        "there"
    } else {
        name
    };
    let text = text.trim();
    if text.is_empty() {
        format!("Hi {who}! Did you mean to send something?")
    } else if text.ends_with('?') {
        format!("Good question, {who}. Let me find out and get back to you.")
    } else {
        format!(
            "Thanks {who}, got it ({} characters).",
            text.chars().count()
        )
    }
}
