//! The bot's own webhooks, as a real bot receives them from its chat and
//! telephony providers: no auth, JSON bodies, every refusal an
//! [`ApiError`] (`{"error":{"code","message"}}`).
//!
//! | route | body | effect | answer |
//! |---|---|---|---|
//! | `POST /webhook/message` | `client_id, user_id, user_name, text` | handles the message (a few ms of simulated work), records it with that handling time, publishes `message:new` | `{"reply"}` |
//! | `POST /webhook/call` | `event, call_id, client_id` and optional `phone, direction, duration_ms, status, error` | drives the `call` activity | `{"call_id", "event", "call"}` (+ `"error"` for `call_failed`) |
//! | `POST /webhook/error` | `service, operation, error_type, message, client_id`, optional `severity` | logs the error (severity overrides the classifier) | `{"id", "fingerprint", "severity", "regressed"}` |
//!
//! Refusals, before anything is recorded:
//! - not `Content-Type: application/json` → 415;
//! - a body over [`MAX_BODY_BYTES`] → 413;
//! - not JSON, not an object, a missing or mistyped field, an empty id,
//!   an id over [`MAX_ID_BYTES`], a text over its limit, an unknown call
//!   `event`, `direction` or `severity` → 400 whose message starts with the
//!   field's name (`body` for the body as a whole);
//! - another method on a webhook route → 405.
//!
//! The call lifecycle ([below](#calls)) adds 404, 409 and, at the call
//! tracker's capacity, 503.
//!
//! # Calls
//!
//! - `call_started` starts call `call_id` for `client_id`; `phone` is
//!   stored masked (last four digits), `direction` (`inbound` or
//!   `outbound`) as an attribute. A call already active → 409.
//! - `call_ended` ends it with `status` as the outcome (default
//!   `completed`). A call this client never started, or one ended too long
//!   ago to be remembered → 404; one that already ended → 409 (a
//!   redelivered webhook).
//! - `call_analyzed` (providers send it after the call, with the
//!   analysis) counts `status` in the `call_analysis` event family and, on
//!   a call still active, notes it as progress. Unknown call → 404.
//! - `call_failed` logs a `calls`/`CallFailed` error through the
//!   classifier (message `error`), and ends the call as `failed` when it is
//!   active. A call may fail before it ever started (a dial that never
//!   connected), so an unknown call is no error here: the failure is
//!   logged and `call` is `null`.
//! - `duration_ms` is checked (a whole number) but the monitor measures
//!   durations itself, from `call_started` to `call_ended`.
//! - A call of another client is as unknown (404).

mod body;
mod call;
mod error;
mod message;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, post};
use monitor_axum::ApiError;
use monitor_core::Monitor;

/// Largest webhook body, in bytes (64 KiB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest id (`client_id`, `user_id`, `call_id`, `service`, `operation`,
/// `error_type`), in bytes.
pub const MAX_ID_BYTES: usize = 128;
/// Longest message `text`, in characters.
pub const MAX_TEXT_CHARS: usize = 4_096;
/// Longest `user_name`, in characters.
pub const MAX_NAME_CHARS: usize = 256;
/// Longest `phone`, in characters.
pub const MAX_PHONE_CHARS: usize = 64;
/// Longest call `status`, in characters.
pub const MAX_STATUS_CHARS: usize = 64;
/// Longest error `message` (and call `error`), in characters; the error
/// log keeps the first 4 KiB of it.
pub const MAX_ERROR_MESSAGE_CHARS: usize = 16_384;

/// The webhook routes, to merge into the host's router
/// (`app.merge(webhooks(monitor))`); they record into `monitor`.
pub fn webhooks<S>(monitor: Monitor) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/webhook/message", post_only(post(message::message)))
        .route("/webhook/call", post_only(post(call::call)))
        .route("/webhook/error", post_only(post(error::error)))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(monitor)
}

/// One of the webhook routes, for [`check_body`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Webhook {
    /// `POST /webhook/message`.
    Message,
    /// `POST /webhook/call`.
    Call,
    /// `POST /webhook/error`.
    Error,
}

impl Webhook {
    /// Every webhook route.
    pub const ALL: [Webhook; 3] = [Webhook::Message, Webhook::Call, Webhook::Error];

    /// The body fields it reads: a 400's message starts with one of
    /// these, or with `body` for the body as a whole.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Webhook::Message => &["client_id", "user_id", "user_name", "text"],
            Webhook::Call => &[
                "event",
                "call_id",
                "client_id",
                "phone",
                "direction",
                "duration_ms",
                "status",
                "error",
            ],
            Webhook::Error => &[
                "service",
                "operation",
                "error_type",
                "message",
                "client_id",
                "severity",
            ],
        }
    }
}

/// Reads `bytes` as a JSON body of `hook` with the very checks its handler
/// runs before recording anything: `Ok` when the handler would go on to
/// record it, else the 400 it answers. Media type and size are the
/// router's business and are not checked here.
///
/// ```
/// use monitor_examples::webhooks::{Webhook, check_body};
///
/// let body = br#"{"client_id":"acme","user_id":"u1","user_name":"Ann","text":"hi"}"#;
/// assert!(check_body(Webhook::Message, body).is_ok());
/// assert!(check_body(Webhook::Call, body).is_err());
/// ```
pub fn check_body(hook: Webhook, bytes: &[u8]) -> Result<(), ApiError> {
    let f = body::Fields::parse(bytes)?;
    match hook {
        Webhook::Message => message::MessageBody::read(&f).map(drop),
        Webhook::Call => call::CallBody::read(&f).map(drop),
        Webhook::Error => error::read(&f).map(drop),
    }
}

/// `route` answering other methods with a JSON 405 and `Allow: POST`.
fn post_only(route: MethodRouter<Monitor>) -> MethodRouter<Monitor> {
    route.fallback(|| async {
        (
            [(header::ALLOW, HeaderValue::from_static("POST"))],
            ApiError::method_not_allowed(),
        )
            .into_response()
    })
}
