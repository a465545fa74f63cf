//! `POST /webhook/error`: an upstream system reporting a failure.

use axum::Json;
use axum::extract::State;
use monitor_axum::ApiError;
use monitor_core::Monitor;
use monitor_core::errors::{ErrorEvent, Severity};
use serde_json::{Value, json};

use super::MAX_ERROR_MESSAGE_CHARS;
use super::body::{Fields, JsonBody};

/// The body, checked, as the event to log.
pub(super) fn read(f: &Fields) -> Result<ErrorEvent, ApiError> {
    let service = f.id("service")?;
    let operation = f.id("operation")?;
    let error_type = f.id("error_type")?;
    let message = f.text("message", MAX_ERROR_MESSAGE_CHARS)?;
    let client_id = f.id("client_id")?;
    let severity = f
        .opt_text("severity", 64)?
        .map(|s| s.parse::<Severity>())
        .transpose()
        .map_err(|e| ApiError::invalid("severity", e))?;

    let mut event = ErrorEvent::new(service, operation, error_type, message).client(client_id);
    if let Some(severity) = severity {
        event = event.severity(severity);
    }
    Ok(event)
}

pub(super) async fn error(
    State(monitor): State<Monitor>,
    JsonBody(f): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let logged = monitor.log_error(read(&f)?);
    Ok(Json(json!({
        "id": logged.id,
        "fingerprint": &*logged.fingerprint,
        "severity": logged.severity,
        "regressed": logged.regressed,
    })))
}
