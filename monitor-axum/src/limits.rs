//! Body size limits that answer in [`ApiError`] JSON.
//!
//! A declared `Content-Length` (or a body whose exact size is known) over
//! the limit is refused before the handler runs, and nothing is read; a
//! chunked body is cut off at the limit by axum's `DefaultBodyLimit` in
//! whichever extractor reads it.

use axum::body::HttpBody;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::{ApiError, AppState};

/// Default body limit for the monitor's routes: 64 KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

pub(crate) async fn limit_body(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .map(|v| v.to_str().ok().and_then(|s| s.parse::<u64>().ok()));
    let known = req.body().size_hint().exact();
    match declared {
        Some(None) => ApiError::invalid("content-length", "not a number").into_response(),
        Some(Some(len)) if len > app.body_limit as u64 => {
            app.gate.count_too_large();
            ApiError::too_large(app.body_limit).into_response()
        }
        _ if known.is_some_and(|len| len > app.body_limit as u64) => {
            app.gate.count_too_large();
            ApiError::too_large(app.body_limit).into_response()
        }
        _ => next.run(req).await,
    }
}
