//! Alert silences (admin): `GET /api/alerts/silences` lists those in
//! force, `POST` adds one (201), `DELETE /api/alerts/silences/{id}` ends
//! one early. Without an alert router there is nothing to silence: 404.
//! Every add and delete, refused or not, is audited (`silence.create`,
//! `silence.delete`).

mod request;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use monitor_core::alerts::{AlertHandle, Silence};
use monitor_core::audit::AuditRecord;
use monitor_core::clock::rfc3339;
use serde::Serialize;

use super::audit::{admin_only, audited};
use super::params::Params;
use super::segment::Segment;
use crate::error::echo;
use crate::gate::Caller;
use crate::{ApiError, AppState, Role};
use request::NewSilence;

/// `GET /api/alerts/silences`.
#[derive(Serialize)]
pub(crate) struct SilencesBody {
    silences: Vec<Silence>,
}

/// The alert router: 404 when the monitor routes no alerts.
fn router(app: &AppState) -> Result<&AlertHandle, ApiError> {
    app.monitor.alerts().ok_or_else(|| {
        ApiError::not_found("no alert routing is configured, so there are no silences")
    })
}

pub(crate) async fn list(
    State(app): State<AppState>,
    Caller(role): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<SilencesBody>, ApiError> {
    admin_only(&role)?;
    Params::parse(raw.as_deref(), &[])?;
    Ok(Json(SilencesBody {
        silences: router(&app)?.silences(),
    }))
}

pub(crate) async fn create(
    State(app): State<AppState>,
    Caller(role): Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Silence>), ApiError> {
    let result = add(&app, &role, &headers, body);
    audited(
        &app,
        AuditRecord::new(&role, "silence.create"),
        result,
        |r, (_, Json(s))| {
            r.target(s.id.to_string()).detail(format!(
                "until {}: {}",
                rfc3339::format(s.ends_at),
                s.comment
            ))
        },
    )
}

fn add(
    app: &AppState,
    role: &Role,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Silence>), ApiError> {
    admin_only(role)?;
    let alerts = router(app)?;
    let request: NewSilence = super::body::json(app, headers, body)?.ok_or_else(|| {
        ApiError::invalid("body", "a JSON object describing the silence is required")
    })?;
    let checked = request.check(app.monitor.clock().now())?;
    let id = alerts
        .silence(checked.matcher, checked.ends_at, checked.comment)
        .map_err(|e| ApiError::conflict(e.to_string()))?;
    let silence = alerts
        .silences()
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(ApiError::internal)?;
    Ok((StatusCode::CREATED, Json(silence)))
}

pub(crate) async fn delete(
    State(app): State<AppState>,
    Caller(role): Caller,
    id: Result<Segment, ApiError>,
) -> Result<Json<Silence>, ApiError> {
    let mut record = AuditRecord::new(&role, "silence.delete");
    if let Ok(Segment(id)) = &id {
        record = record.target(id.clone());
    }
    let result = remove(&app, &role, id);
    audited(&app, record, result, |r, Json(s)| {
        r.detail(s.comment.clone())
    })
}

fn remove(
    app: &AppState,
    role: &Role,
    id: Result<Segment, ApiError>,
) -> Result<Json<Silence>, ApiError> {
    admin_only(role)?;
    let Segment(raw) = id?;
    let alerts = router(app)?;
    let id: u64 = raw
        .parse()
        .map_err(|_| ApiError::invalid("id", "must be a whole number"))?;
    let missing = || ApiError::not_found(format!("no silence with id {} in force", echo(&raw)));
    let silence = alerts
        .silences()
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(missing)?;
    if alerts.unsilence(id) {
        Ok(Json(silence))
    } else {
        Err(missing())
    }
}
