//! Operator actions (admin): `GET /api/actions` lists them with their
//! runs; `POST /api/actions/{name}/run` starts one and answers 202 with
//! the run's id and where to watch it. Every start, refused or not, is
//! audited as `action.run`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use monitor_core::actions::{ACTION_KIND, ActionParams, ActionView, RunError, RunStarted};
use monitor_core::audit::{Actor, AuditRecord};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::audit::{admin_only, audited};
use super::params::Params;
use super::segment::Segment;
use crate::error::echo;
use crate::gate::Caller;
use crate::{ApiError, AppState};

/// `GET /api/actions`.
#[derive(Serialize)]
pub(crate) struct ActionsBody {
    actions: Vec<ActionView>,
}

pub(crate) async fn list(
    State(app): State<AppState>,
    Caller(role): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<ActionsBody>, ApiError> {
    admin_only(&role)?;
    Params::parse(raw.as_deref(), &[])?;
    Ok(Json(ActionsBody {
        actions: app.monitor.actions().list(),
    }))
}

/// The optional body of a run: `{"params": {"dry_run": true}}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RunRequest {
    #[serde(default)]
    params: Option<Map<String, Value>>,
}

/// `202 Accepted`: the run, and where (under the router's prefix) to
/// watch it.
#[derive(Serialize)]
pub(crate) struct RunBody {
    #[serde(flatten)]
    run: RunStarted,
    status: &'static str,
    watch: Watch,
}

#[derive(Serialize)]
struct Watch {
    /// The run while it is active.
    active: String,
    /// The run once ended, with its outcome.
    recent: String,
    /// The run and its steps.
    tree: String,
    /// `action:started|progress|ended` events live.
    stream: &'static str,
    /// The action's running and last runs.
    actions: &'static str,
}

pub(crate) async fn run(
    State(app): State<AppState>,
    Caller(role): Caller,
    name: Result<Segment, ApiError>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<RunBody>), ApiError> {
    let target = name.as_ref().ok().map(|s| s.0.clone());
    let mut detail = None;
    let result = start(&app, &role, name, &headers, body, &mut detail);
    let mut record = AuditRecord::new(&role, "action.run");
    if let Some(target) = target {
        record = record.target(target);
    }
    if let Some(params) = &detail {
        record = record.detail(params.clone());
    }
    audited(&app, record, result, move |r, (_, body)| {
        let run = format!("run {}", body.0.run.run_id);
        r.detail(match detail {
            Some(params) => format!("{run}; {params}"),
            None => run,
        })
    })
}

/// Checks and starts the run; `detail` gets the parameters given, for
/// the audit entry.
fn start(
    app: &AppState,
    role: &crate::Role,
    name: Result<Segment, ApiError>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    detail: &mut Option<String>,
) -> Result<(StatusCode, Json<RunBody>), ApiError> {
    admin_only(role)?;
    let Segment(name) = name?;
    let actions = app.monitor.actions();
    if actions.get(&name).is_none() {
        return Err(ApiError::not_found(format!(
            "no action named {:?}",
            echo(&name)
        )));
    }
    let request: Option<RunRequest> = super::body::json(app, headers, body)?;
    let params = match request.and_then(|r| r.params) {
        None => ActionParams::new(),
        Some(map) => {
            ActionParams::from_map(map).map_err(|e| ApiError::invalid(&e.field, &e.message))?
        }
    };
    if !params.is_empty() {
        *detail = Some(format!("params {}", params.to_json()));
    }
    let run = actions
        .run(&name, params, Actor::from(role))
        .map_err(|e| match e {
            RunError::Unknown(_) => {
                ApiError::not_found(format!("no action named {:?}", echo(&name)))
            }
            RunError::AlreadyRunning { .. } | RunError::TooManyRuns { .. } => {
                ApiError::conflict(e.to_string())
            }
            _ => ApiError::unavailable(e.to_string()),
        })?;
    let by_kind = |what: &str| format!("/api/activities/{ACTION_KIND}/{what}");
    Ok((
        StatusCode::ACCEPTED,
        Json(RunBody {
            run,
            status: "running",
            watch: Watch {
                active: by_kind("active"),
                recent: by_kind("recent"),
                tree: by_kind("tree"),
                stream: "/api/stream?channels=calls",
                actions: "/api/actions",
            },
        }),
    ))
}
