//! Labelled event counters: `GET /api/events` (the family names) and
//! `GET /api/events/{family}?hours=N&days=N` (totals, hourly and daily
//! series). Counters are the host's, not a tenant's: operators only.
//! Reading never creates a family.

use axum::Json;
use axum::extract::{RawQuery, State};
use monitor_core::counters::{self, FamilyStats};
use serde::Serialize;

use super::metrics_api::operators_only;
use super::params::{DAYS, Params, Periods};
use super::segment::Segment;
use crate::error::echo;
use crate::gate::Caller;
use crate::{ApiError, AppState};

/// `hours` of an event family: 1–24 (what a family keeps), default 24.
const FAMILY_HOURS: Periods = Periods::new("hours", counters::HOURS, counters::HOURS);

/// `GET /api/events`.
#[derive(Serialize)]
pub(crate) struct FamiliesBody {
    families: Vec<String>,
}

pub(crate) async fn families(
    State(app): State<AppState>,
    Caller(role): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<FamiliesBody>, ApiError> {
    operators_only(&role)?;
    Params::parse(raw.as_deref(), &[])?;
    Ok(Json(FamiliesBody {
        families: app.monitor.counters().names(),
    }))
}

/// `GET /api/events/{family}`: `hours` 1–24 (default 24), `days` 1–30
/// (default 7).
pub(crate) async fn family(
    State(app): State<AppState>,
    Caller(role): Caller,
    Segment(name): Segment,
    RawQuery(raw): RawQuery,
) -> Result<Json<FamilyStats>, ApiError> {
    operators_only(&role)?;
    let params = Params::parse(raw.as_deref(), &["hours", "days"])?;
    let hours = params.periods(FAMILY_HOURS)?;
    let days = params.periods(DAYS)?;
    let family = app
        .monitor
        .counters()
        .get(&name)
        .ok_or_else(|| ApiError::not_found(format!("no event family {:?}", echo(&name))))?;
    Ok(Json(family.stats_for(hours, days)))
}
