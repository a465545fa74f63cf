//! `GET /health`: the cached health report, 200 for healthy and degraded,
//! 503 for critical.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::AppState;

pub(crate) async fn health(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(e) = app.gate.admit_if(app.gate.auth().public_health(), &headers) {
        return e.into_response();
    }
    let report = app.monitor.health().report();
    let status = StatusCode::from_u16(report.status.http_status())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(report)).into_response()
}
