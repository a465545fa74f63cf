//! `POST /webhook/call`: a telephony provider's call lifecycle, driving
//! the monitor's `call` activity (rules in the [module docs](super#calls)).

use axum::Json;
use axum::extract::State;
use monitor_axum::ApiError;
use monitor_core::Monitor;
use monitor_core::activity::{ActivityError, ActivityMeta, ActivityTracker, ActivityView, Outcome};
use monitor_core::errors::ErrorEvent;
use serde_json::{Value, json};

use super::body::{Fields, JsonBody};
use super::{MAX_ERROR_MESSAGE_CHARS, MAX_PHONE_CHARS, MAX_STATUS_CHARS};

/// The activity kind calls are tracked under.
const KIND: &str = "call";
/// The event family `call_analyzed` statuses are counted in.
const ANALYSIS: &str = "call_analysis";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Event {
    Started,
    Ended,
    Analyzed,
    Failed,
}

impl Event {
    fn parse(raw: &str) -> Result<Self, ApiError> {
        Ok(match raw {
            "call_started" => Event::Started,
            "call_ended" => Event::Ended,
            "call_analyzed" => Event::Analyzed,
            "call_failed" => Event::Failed,
            other => {
                return Err(ApiError::invalid(
                    "event",
                    format!(
                        "unknown event {other:?} (expected call_started, call_ended, call_analyzed or call_failed)"
                    ),
                ));
            }
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Event::Started => "call_started",
            Event::Ended => "call_ended",
            Event::Analyzed => "call_analyzed",
            Event::Failed => "call_failed",
        }
    }
}

/// Every field of the body, checked before anything is recorded.
pub(super) struct CallBody<'a> {
    event: Event,
    call_id: &'a str,
    client_id: &'a str,
    phone: Option<&'a str>,
    direction: Option<&'a str>,
    status: Option<&'a str>,
    error: Option<&'a str>,
}

impl<'a> CallBody<'a> {
    pub(super) fn read(f: &'a Fields) -> Result<Self, ApiError> {
        let event = Event::parse(f.id("event")?)?;
        let call_id = f.id("call_id")?;
        let client_id = f.id("client_id")?;
        let phone = f.opt_text("phone", MAX_PHONE_CHARS)?;
        let direction = f.opt_text("direction", MAX_STATUS_CHARS)?;
        if let Some(d) = direction {
            if d != "inbound" && d != "outbound" {
                return Err(ApiError::invalid(
                    "direction",
                    format!("{d:?} is neither inbound nor outbound"),
                ));
            }
        }
        f.opt_u64("duration_ms")?;
        let status = f.opt_text("status", MAX_STATUS_CHARS)?;
        let error = f.opt_text("error", MAX_ERROR_MESSAGE_CHARS)?;
        Ok(CallBody {
            event,
            call_id,
            client_id,
            phone,
            direction,
            status,
            error,
        })
    }
}

pub(super) async fn call(
    State(monitor): State<Monitor>,
    JsonBody(f): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let body = CallBody::read(&f)?;
    let calls = monitor.activities(KIND);
    let mut answer = json!({ "call_id": body.call_id, "event": body.event.as_str() });
    let call = match body.event {
        Event::Started => Some(start(&calls, &body)?),
        Event::Ended => {
            let known = find(&calls, &body)?;
            if !known.is_active() {
                return Err(ApiError::conflict(format!(
                    "call_id: call {:?} already ended",
                    body.call_id
                )));
            }
            let outcome = Outcome::new(body.status.unwrap_or("completed"));
            Some(
                calls
                    .end(body.call_id, outcome)
                    .map_err(|e| refused(&body, e))?,
            )
        }
        Event::Analyzed => {
            let known = find(&calls, &body)?;
            let status = body.status.unwrap_or("analyzed");
            monitor.events(ANALYSIS).record(status);
            if known.is_active() {
                let pct = known.progress_pct.unwrap_or(0.0);
                // Ending between the lookup and here is fine: the analysis
                // is counted either way.
                let _ = calls.progress(body.call_id, pct, &format!("analyzed: {status}"));
            }
            calls.get(body.call_id)
        }
        Event::Failed => {
            let mut event = ErrorEvent::new(
                "calls",
                "call",
                "CallFailed",
                body.error.unwrap_or("call failed"),
            )
            .client(body.client_id)
            .context("call_id", body.call_id);
            if let Some(status) = body.status {
                event = event.context("status", status);
            }
            let logged = monitor.log_error(event);
            answer["error"] = json!({
                "id": logged.id,
                "fingerprint": &*logged.fingerprint,
                "severity": logged.severity,
            });
            match find(&calls, &body) {
                Ok(known) if known.is_active() => {
                    calls.end(body.call_id, Outcome::new("failed")).ok()
                }
                _ => None,
            }
        }
    };
    answer["call"] = serde_json::to_value(call).unwrap_or(Value::Null);
    Ok(Json(answer))
}

fn start(calls: &ActivityTracker, body: &CallBody<'_>) -> Result<ActivityView, ApiError> {
    let mut meta = ActivityMeta::new().client(body.client_id);
    if let Some(phone) = body.phone {
        meta = meta.pii("phone", phone);
    }
    if let Some(direction) = body.direction {
        meta = meta.attr("direction", direction);
    }
    calls
        .start(body.call_id, meta)
        .map_err(|e| refused(body, e))?;
    calls.get(body.call_id).ok_or_else(|| {
        ApiError::not_found(format!("call_id: call {:?} ended already", body.call_id))
    })
}

/// The call `call_id` of this client: active, or ended recently enough to
/// be remembered; 404 otherwise (another client's call included).
fn find(calls: &ActivityTracker, body: &CallBody<'_>) -> Result<ActivityView, ApiError> {
    calls
        .get(body.call_id)
        .filter(|v| v.client_id.as_deref() == Some(body.client_id))
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "call_id: no call {:?} for client {:?} (never started, or ended too long ago)",
                body.call_id, body.client_id
            ))
        })
}

/// A tracker refusal as an answer.
fn refused(body: &CallBody<'_>, e: ActivityError) -> ApiError {
    match e {
        ActivityError::Duplicate(_) => ApiError::conflict(format!(
            "call_id: call {:?} is already active",
            body.call_id
        )),
        ActivityError::NotFound(_) => {
            ApiError::not_found(format!("call_id: no active call {:?}", body.call_id))
        }
        ActivityError::TooManyActive { limit } => ApiError::unavailable(format!(
            "too many active calls (limit {limit}); end some first"
        )),
        other => ApiError::invalid("call_id", other),
    }
}
