//! Body size limits that answer in [`ApiError`] JSON.
//!
//! A declared `Content-Length` (or a body whose exact size is known) over
//! the limit is refused before the handler runs, and nothing is read. A
//! body of unknown length (chunked) is read here up to the limit: past
//! it, the request is refused with the same 413 and the rest is never
//! read; within it, the handler gets the bytes read. Most routes read no
//! body, and without this a chunked 20 MiB body would get their ordinary
//! answer while a declared one gets a 413; the routes that read JSON
//! (action runs, silences) get a body already within the limit.

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::{ApiError, AppState};

/// Default body limit for the monitor's routes: 64 KiB.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// Default body limit of `POST /api/snapshot` (a restore upload): 64 MiB.
/// Real snapshots are a few MiB (the collector's sketches, the error log).
pub const DEFAULT_SNAPSHOT_BODY_LIMIT: usize = 64 * 1024 * 1024;

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
        Some(Some(_)) => next.run(req).await,
        None if known.is_some() => next.run(req).await,
        None => match read_within(req, app.body_limit).await {
            Ok(req) => next.run(req).await,
            Err(e) => {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    app.gate.count_too_large();
                }
                e.into_response()
            }
        },
    }
}

/// `req` with its body of unknown length read into memory, if it is at
/// most `limit` bytes; a 413 past that, a 400 when it cannot be read.
async fn read_within(req: Request, limit: usize) -> Result<Request, ApiError> {
    let (parts, body) = req.into_parts();
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(Request::from_parts(parts, Body::from(collected.to_bytes()))),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(ApiError::too_large(limit)),
        Err(_) => Err(ApiError::invalid("body", "could not be read")),
    }
}
