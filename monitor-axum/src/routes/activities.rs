//! Calls, sessions and agent runs: `GET /api/metrics/sessions` (figures,
//! no PII) and `GET /api/activities/{kind}/active|recent|tree` (the
//! activities themselves, phones already masked at entry). A tenant sees
//! only its own activities; an unknown kind is a 404. Operator action
//! runs (kind `action`) are not sessions: they have their own figures at
//! `/api/actions` and count in no session total.

use axum::Json;
use axum::extract::{RawQuery, State};
use monitor_core::Monitor;
use monitor_core::actions::ACTION_KIND;
use monitor_core::activity::{ActivityNode, ActivityStats, ActivityTracker, ActivityView};
use serde::Serialize;

use super::params::Params;
use super::segment::Segment;
use crate::error::echo;
use crate::gate::Caller;
use crate::{ApiError, AppState, Role};

/// `GET /api/metrics/sessions`.
#[derive(Serialize)]
pub(crate) struct SessionsBody {
    /// Active activities of every kind.
    active_sessions_count: u64,
    /// Per kind: counts by category and outcome, label distributions
    /// (connection quality among them) and durations.
    kinds: Vec<ActivityStats>,
}

pub(crate) async fn sessions(
    State(app): State<AppState>,
    Caller(role): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<SessionsBody>, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    let kinds: Vec<ActivityStats> = session_trackers(&app.monitor)
        .iter()
        .map(|t| match role.tenant() {
            None => t.stats(),
            Some(tenant) => t.stats_for(tenant),
        })
        .collect();
    Ok(Json(SessionsBody {
        active_sessions_count: kinds.iter().map(|k| k.active).sum(),
        kinds,
    }))
}

/// Every activity kind but operator action runs.
pub(crate) fn session_trackers(monitor: &Monitor) -> Vec<ActivityTracker> {
    let mut trackers = monitor.activity_trackers();
    trackers.retain(|t| t.kind() != ACTION_KIND);
    trackers
}

fn tracker(app: &AppState, kind: &str) -> Result<ActivityTracker, ApiError> {
    app.monitor
        .activity_kind(kind)
        .ok_or_else(|| ApiError::not_found(format!("no activities of kind {:?}", echo(kind))))
}

fn views(
    app: &AppState,
    role: &Role,
    kind: &str,
    raw: Option<&str>,
    all: fn(&ActivityTracker) -> Vec<ActivityView>,
    mine: fn(&ActivityTracker, &str) -> Vec<ActivityView>,
) -> Result<Json<Vec<ActivityView>>, ApiError> {
    Params::parse(raw, &[])?;
    let tracker = tracker(app, kind)?;
    Ok(Json(match role.tenant() {
        None => all(&tracker),
        Some(tenant) => mine(&tracker, tenant),
    }))
}

/// `GET /api/activities/{kind}/active`: newest first.
pub(crate) async fn active(
    State(app): State<AppState>,
    Caller(role): Caller,
    Segment(kind): Segment,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<ActivityView>>, ApiError> {
    views(
        &app,
        &role,
        &kind,
        raw.as_deref(),
        ActivityTracker::active,
        ActivityTracker::active_for,
    )
}

/// `GET /api/activities/{kind}/recent`: recently ended, newest first.
pub(crate) async fn recent(
    State(app): State<AppState>,
    Caller(role): Caller,
    Segment(kind): Segment,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<ActivityView>>, ApiError> {
    views(
        &app,
        &role,
        &kind,
        raw.as_deref(),
        ActivityTracker::recent,
        ActivityTracker::recent_for,
    )
}

/// `GET /api/activities/{kind}/tree`: active and recent activities
/// arranged by parent (agent runs and their steps).
pub(crate) async fn tree(
    State(app): State<AppState>,
    Caller(role): Caller,
    Segment(kind): Segment,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<ActivityNode>>, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    let tracker = tracker(&app, &kind)?;
    Ok(Json(match role.tenant() {
        None => tracker.tree(),
        Some(tenant) => tracker.tree_for(tenant),
    }))
}
