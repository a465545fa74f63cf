//! `/api/errors` and its sub-routes: the query of SPEC §2.5, stats,
//! unresolved groups, resolve (admin) and acknowledge (admin or the
//! error's own tenant), both audited (`error.resolve`,
//! `error.acknowledge`), refusals included.

use axum::Json;
use axum::extract::{RawQuery, State};
use monitor_core::errors::{ErrorLog, ErrorPage, ErrorQuery, ErrorStats, GroupView, NotFound};

use monitor_core::audit::AuditRecord;

use super::audit::audited;
use super::params::pairs;
use super::segment::Segment;
use crate::gate::Caller;
use crate::{ApiError, AppState, Role};

/// The [`ErrorQuery`] in `pairs`, as `role` may run it: a tenant's own id
/// replaces any `client` filter it sent, so no parameter can widen its
/// view. A bad parameter is a 400 naming it.
pub(crate) fn query_for<K, V>(
    role: &Role,
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Result<ErrorQuery, ApiError>
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let query = ErrorQuery::parse(pairs).map_err(|e| ApiError::invalid(&e.field, &e.message))?;
    Ok(match role.tenant() {
        Some(tenant) => query.for_client(tenant),
        None => query,
    })
}

pub(crate) async fn list(
    State(app): State<AppState>,
    Caller(role): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<ErrorPage>, ApiError> {
    let query = query_for(&role, pairs(raw.as_deref())?)?;
    Ok(Json(app.monitor.errors().query(&query)))
}

pub(crate) async fn stats(
    State(app): State<AppState>,
    Caller(role): Caller,
) -> Result<Json<ErrorStats>, ApiError> {
    let errors = app.monitor.errors();
    Ok(Json(match role.tenant() {
        None => errors.stats(app.monitor.collector()),
        Some(tenant) => errors.stats_for_client(tenant),
    }))
}

pub(crate) async fn unresolved(
    State(app): State<AppState>,
    Caller(role): Caller,
) -> Result<Json<Vec<GroupView>>, ApiError> {
    Ok(Json(app.monitor.errors().unresolved(role.tenant())))
}

/// The error `id` if `role` may see it: another tenant's error is a 404,
/// exactly like a missing one.
fn visible(app: &AppState, role: &Role, id: &str) -> Result<u64, ApiError> {
    let missing = || ApiError::not_found(format!("no error with id {id}"));
    let id: u64 = id
        .parse()
        .map_err(|_| ApiError::invalid("id", "must be a whole number"))?;
    let error = app.monitor.errors().get(id).ok_or_else(missing)?;
    match role.tenant() {
        Some(tenant) if error.client_id.as_deref() != Some(tenant) => Err(missing()),
        _ => Ok(id),
    }
}

/// Runs a group action on error `id` for `role`: a 404 for errors it may
/// not see, a 403 when `allowed` says its role may not act.
///
/// An action changes the error's whole group, so a tenant may act only on
/// a group of its own: its error may sit in a group it shares with other
/// tenants (the overflow group, once the log tracks `max_groups` groups),
/// and acknowledging that would acknowledge their errors too. That is a
/// 403: only an operator acts on a shared group.
fn act(
    app: &AppState,
    role: &Role,
    id: &str,
    allowed: fn(&Role) -> bool,
    need: &str,
    action: fn(&ErrorLog, u64) -> Result<GroupView, NotFound>,
) -> Result<Json<GroupView>, ApiError> {
    let id = visible(app, role, id)?;
    if !allowed(role) {
        return Err(ApiError::forbidden(need));
    }
    if let Some(tenant) = role.tenant() {
        let group = app.monitor.errors().group(id);
        if group.is_some_and(|g| g.client_id.as_deref() != Some(tenant)) {
            return Err(ApiError::forbidden(
                "admin (this error is in a group shared with other clients)",
            ));
        }
    }
    action(app.monitor.errors(), id)
        .map(Json)
        .map_err(|e| ApiError::not_found(e.to_string()))
}

/// Runs `action` (audited as `audit_as`) on the error of path segment
/// `id`; the audit entry names the group on success.
fn audited_act(
    app: &AppState,
    role: &Role,
    id: Result<Segment, ApiError>,
    audit_as: &str,
    act_on: impl FnOnce(&str) -> Result<Json<GroupView>, ApiError>,
) -> Result<Json<GroupView>, ApiError> {
    let mut record = AuditRecord::new(role, audit_as);
    if let Ok(Segment(id)) = &id {
        record = record.target(id.clone());
    }
    let result = id.and_then(|Segment(id)| act_on(&id));
    audited(app, record, result, |r, Json(group)| {
        r.detail(format!("group {}", group.fingerprint))
    })
}

pub(crate) async fn resolve(
    State(app): State<AppState>,
    Caller(role): Caller,
    id: Result<Segment, ApiError>,
) -> Result<Json<GroupView>, ApiError> {
    audited_act(&app, &role, id, "error.resolve", |id| {
        act(&app, &role, id, Role::is_admin, "admin", ErrorLog::resolve)
    })
}

pub(crate) async fn acknowledge(
    State(app): State<AppState>,
    Caller(role): Caller,
    id: Result<Segment, ApiError>,
) -> Result<Json<GroupView>, ApiError> {
    let allowed = |r: &Role| !matches!(r, Role::Monitor);
    audited_act(&app, &role, id, "error.acknowledge", |id| {
        act(
            &app,
            &role,
            id,
            allowed,
            "admin or the error's own client",
            ErrorLog::acknowledge,
        )
    })
}
