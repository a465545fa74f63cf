//! `GET /api/analytics/top-users` and `GET /api/analytics/heatmap`
//! (SPEC §2.13).
//!
//! Top users: `window` `24h` (default) or `7d`, `limit` 1–100 (default
//! 10), and for operators `client_id` to see one tenant's users. A
//! tenant token always gets its own tenant's users: its `client_id` is
//! replaced by its own, so no parameter widens its view (as
//! `/api/errors?client=` does).
//!
//! Heatmap: `weeks` 1–4 (default 4). The collector counts messages for
//! the whole host, not per tenant, so it is for operators only (403 for a
//! tenant), as `/api/metrics/hourly` is.

use axum::Json;
use axum::extract::{RawQuery, State};
use monitor_core::analytics::{HEATMAP_WEEKS, HeatmapReport, TopUsersReport, Window};

use super::metrics_api::operators_only;
use super::params::{Params, Periods};
use crate::gate::Caller;
use crate::{ApiError, AppState};

/// Most users one top-users answer lists.
pub(crate) const MAX_LIMIT: usize = 100;

/// `limit`: 1–100, default 10.
const LIMIT: Periods = Periods::new("limit", 10, MAX_LIMIT);
/// `weeks`: 1–4, default 4.
const WEEKS: Periods = Periods::new("weeks", HEATMAP_WEEKS, HEATMAP_WEEKS);

/// `GET /api/analytics/top-users?window=24h|7d&limit=N&client_id=ID`.
pub(crate) async fn top_users(
    State(app): State<AppState>,
    Caller(role): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<TopUsersReport>, ApiError> {
    let params = Params::parse(raw.as_deref(), &["window", "limit", "client_id"])?;
    let window = match params.get("window") {
        None => Window::Day,
        Some(w) => w.parse().map_err(|e| ApiError::invalid("window", e))?,
    };
    let limit = params.periods(LIMIT)?;
    let asked = params.get("client_id");
    if asked.is_some_and(|c| c.trim().is_empty()) {
        return Err(ApiError::invalid("client_id", "must not be empty"));
    }
    let client = role.tenant().or(asked);
    Ok(Json(app.monitor.top_users().top(window, client, limit)))
}

/// `GET /api/analytics/heatmap?weeks=N`: operators only.
pub(crate) async fn heatmap(
    State(app): State<AppState>,
    Caller(role): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<HeatmapReport>, ApiError> {
    operators_only(&role)?;
    let weeks = Params::parse(raw.as_deref(), &["weeks"])?.periods(WEEKS)?;
    Ok(Json(app.monitor.heatmap(weeks)))
}
