//! `GET /metrics`: Prometheus text exposition of the monitor's series and
//! whatever the host records with `metrics::` macros (see
//! [`crate::prometheus`]). Public unless
//! [`MonitorAuth::protect_metrics`](crate::MonitorAuth::protect_metrics).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// The exposition format's content type.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

pub(crate) async fn metrics(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if let Err(e) = app
        .gate
        .admit_if(app.gate.auth().public_metrics(), &headers)
    {
        return e.into_response();
    }
    let body = app.exporter.render(|| {
        app.monitor.publish_metrics();
        app.gate.publish_metrics();
        app.ws.publish_metrics();
    });
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(TEXT_FORMAT))],
        body,
    )
        .into_response()
}
