//! Backup and restore (admin only).
//!
//! - `GET /api/snapshot`: the monitor's state now, as a snapshot file
//!   (the format of `monitor_core::persist`), `application/octet-stream`,
//!   `Content-Disposition: attachment; filename="monitor-<yyyymmddThhmmss>.snap"`.
//! - `POST /api/snapshot`: the body is a snapshot file. It is read up to
//!   [`RouterConfig::snapshot_body_limit`](crate::RouterConfig::snapshot_body_limit)
//!   (413 past it, before a byte is read when `Content-Length` says so),
//!   decoded and checked whole (header, version, length, checksum, every
//!   part's content), and only then replaces the live state
//!   ([`Monitor::replace_state`](monitor_core::Monitor::replace_state)). A
//!   file that fails any check is a 400 whose code names the reason, and
//!   nothing changed. With persistence on, the restored state is written
//!   to the snapshot file at once, so a restart keeps it.
//!
//! The token is checked before the body is read: a caller without the
//! admin role never gets a 64 MiB body buffered.

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use monitor_core::RestoreSummary;
use monitor_core::audit::AuditRecord;
use monitor_core::clock::rfc3339;
use monitor_core::persist::Snapshot;
use serde::Serialize;

use super::audit::audited;
use super::export::utc_stamp;
use crate::gate::Caller;
use crate::{ApiError, AppState, Role};

/// `POST /api/snapshot`'s answer.
#[derive(Serialize)]
pub(crate) struct Restored {
    /// What the snapshot held.
    restored: RestoreSummary,
    /// Size of the uploaded file.
    bytes: u64,
    /// Whether the restored state was written to the snapshot file
    /// (false when persistence is off or the write failed).
    persisted: bool,
}

fn admin_only(role: &Role) -> Result<(), ApiError> {
    if role.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden("admin"))
    }
}

pub(crate) async fn download(
    State(app): State<AppState>,
    Caller(role): Caller,
) -> Result<Response, ApiError> {
    admin_only(&role)?;
    let monitor = app.monitor.clone();
    // Encoding a large state is CPU work: off the async workers.
    let bytes = tokio::task::spawn_blocking(move || monitor.snapshot().encode())
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|_| ApiError::internal())?;
    let name = format!("monitor-{}.snap", utc_stamp(app.monitor.clock().now()));
    let disposition = HeaderValue::try_from(format!("attachment; filename=\"{name}\""))
        .map_err(|_| ApiError::internal())?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        bytes,
    )
        .into_response())
}

pub(crate) async fn restore(
    State(app): State<AppState>,
    Caller(role): Caller,
    req: Request,
) -> Result<Json<Restored>, ApiError> {
    let outcome = match admin_only(&role) {
        Ok(()) => read_and_replace(&app, req).await,
        Err(refused) => Err(refused),
    };
    // Every attempt is audited, refusals and bad files included; the
    // audit log itself is never replaced by a restore.
    let record = AuditRecord::new(&role, "snapshot.restore");
    audited(&app, record, outcome, |r, done| {
        r.detail(format!(
            "{} bytes taken at {}, {} messages",
            done.bytes,
            rfc3339::format(done.restored.taken_at),
            done.restored.messages
        ))
    })
    .map(Json)
}

async fn read_and_replace(app: &AppState, req: Request) -> Result<Restored, ApiError> {
    let limit = app.snapshot_limit;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .map(|v| v.to_str().ok().and_then(|s| s.parse::<u64>().ok()));
    match declared {
        Some(None) => return Err(ApiError::invalid("content-length", "not a number")),
        Some(Some(len)) if len > limit as u64 => {
            app.gate.count_too_large();
            return Err(ApiError::too_large(limit));
        }
        _ => {}
    }
    let bytes = read_body(req.into_body(), limit).await.inspect_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            app.gate.count_too_large();
        }
    })?;
    if bytes.is_empty() {
        return Err(ApiError::invalid(
            "body",
            "empty: expected a snapshot file (as GET /api/snapshot gives)",
        ));
    }
    let size = bytes.len() as u64;
    let monitor = app.monitor.clone();
    // Checksum, decoding and the swap are CPU work on up to the limit's
    // bytes: off the async workers.
    let summary = tokio::task::spawn_blocking(move || {
        let snapshot = Snapshot::decode(&bytes).map_err(|e| ApiError::invalid_snapshot(&e))?;
        drop(bytes);
        let summary = monitor
            .replace_state(&snapshot)
            .map_err(|e| ApiError::invalid_snapshot(&e))?;
        let persisted = monitor.save_snapshot().is_ok_and(|written| written > 0);
        Ok::<_, ApiError>((summary, persisted))
    })
    .await
    .map_err(|_| ApiError::internal())??;
    app.api_cache.clear();
    Ok(Restored {
        restored: summary.0,
        bytes: size,
        persisted: summary.1,
    })
}

/// The body, if it is at most `limit` bytes: a 413 past that, a 400 when
/// it cannot be read.
async fn read_body(body: Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(ApiError::too_large(limit)),
        Err(_) => Err(ApiError::invalid("body", "could not be read")),
    }
}
