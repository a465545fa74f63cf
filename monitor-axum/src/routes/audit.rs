//! `GET /api/audit` (admin): the audit log, newest first; and
//! [`audited`], which every state-changing handler runs its answer
//! through, so the log says who asked for what and how it ended.
//!
//! What is audited: every request to a state-changing route by a caller
//! the gate let through (a known token within its rate limit), whatever
//! the answer: `ok`, or `refused` with the answer's message for a 4xx
//! (400, 403, 404, 409, 413, 415), `failed` for a 5xx. What is not: a 401
//! (no known token, so no actor to name; counted in
//! `monitor_api_rejected_total{reason="unauthorized"}`) and a 429 (a
//! flood of them would push real entries out; counted there too).

use axum::Json;
use axum::extract::{RawQuery, State};
use monitor_core::audit::{AuditPage, AuditQuery, AuditRecord};

use super::params::pairs;
use crate::gate::Caller;
use crate::{ApiError, AppState, Role};

/// 403 unless `role` is admin.
pub(crate) fn admin_only(role: &Role) -> Result<(), ApiError> {
    if role.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden("admin"))
    }
}

/// Writes `record` to the audit log with the outcome of `result` (its
/// message when refused or failed; `on_ok` adds what only success knows)
/// and hands `result` back unchanged.
///
/// ```text
/// let result = restore(&app, body);
/// audited(&app, AuditRecord::new(&role, "snapshot.restore"), result, |r, _| r)
/// ```
pub(crate) fn audited<T>(
    app: &AppState,
    record: AuditRecord,
    result: Result<T, ApiError>,
    on_ok: impl FnOnce(AuditRecord, &T) -> AuditRecord,
) -> Result<T, ApiError> {
    let record = match &result {
        Ok(value) => on_ok(record, value),
        Err(e) if e.status().is_server_error() => record.failed(e.message()),
        Err(e) => record.refused(e.message()),
    };
    app.monitor.audit().record(record);
    result
}

pub(crate) async fn list(
    State(app): State<AppState>,
    Caller(role): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<AuditPage>, ApiError> {
    admin_only(&role)?;
    let query = AuditQuery::parse(pairs(raw.as_deref())?)
        .map_err(|e| ApiError::invalid(&e.field, &e.message))?;
    Ok(Json(app.monitor.audit().query(&query)))
}
