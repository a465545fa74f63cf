//! Queues: `GET /api/queues` (every queue's figures) and
//! `GET /api/queues/{queue}?hours=N` (one queue's figures and its hourly
//! series per step). A queue is the host's, not a tenant's (its figures
//! mix every tenant's messages): operators only, a tenant token is a 403.
//! Reading never creates a queue.

use axum::Json;
use axum::extract::{RawQuery, State};
use monitor_core::queue::{self, QueueDetail, QueueStats};
use serde::Serialize;

use super::metrics_api::operators_only;
use super::params::{Params, Periods};
use super::segment::Segment;
use crate::error::echo;
use crate::gate::Caller;
use crate::{ApiError, AppState};

/// `hours` of a queue's series: 1–24 (what a queue keeps), default 24.
const QUEUE_HOURS: Periods = Periods::new("hours", queue::HOURS, queue::HOURS);

/// `GET /api/queues`.
#[derive(Serialize)]
pub(crate) struct QueuesBody {
    /// Every queue's figures, by name.
    queues: Vec<QueueStats>,
    /// Lookups sent to the `__other__` queue (past the cap, bad names).
    overflowed: u64,
}

pub(crate) async fn list(
    State(app): State<AppState>,
    Caller(role): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<QueuesBody>, ApiError> {
    operators_only(&role)?;
    Params::parse(raw.as_deref(), &[])?;
    Ok(Json(QueuesBody {
        queues: app.monitor.queues().iter().map(|q| q.stats()).collect(),
        overflowed: app.monitor.queues_overflowed(),
    }))
}

/// `GET /api/queues/{queue}`: `hours` 1–24 (default 24).
pub(crate) async fn one(
    State(app): State<AppState>,
    Caller(role): Caller,
    Segment(name): Segment,
    RawQuery(raw): RawQuery,
) -> Result<Json<QueueDetail>, ApiError> {
    operators_only(&role)?;
    if name.is_empty() || name.len() > queue::NAME_BYTES || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "queue",
            format!(
                "not a queue name (1 to {} bytes, no control characters)",
                queue::NAME_BYTES
            ),
        ));
    }
    let hours = Params::parse(raw.as_deref(), &["hours"])?.periods(QUEUE_HOURS)?;
    let queue = app
        .monitor
        .find_queue(&name)
        .ok_or_else(|| ApiError::not_found(format!("no queue {:?}", echo(&name))))?;
    Ok(Json(queue.detail(hours)))
}
