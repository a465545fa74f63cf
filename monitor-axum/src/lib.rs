//! The monitor's HTTP face for axum hosts: one [`router`] to nest under
//! any prefix, with roles and tenants enforced inside it.
//!
//! ```
//! use axum::Router;
//! use monitor_axum::{MonitorAuth, router};
//! use monitor_core::Monitor;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let monitor = Monitor::builder().start()?;
//! let auth = MonitorAuth::new()
//!     .admin("admin-token")
//!     .monitor("read-only-token")
//!     .client("acme", "acme-token");
//! let app: Router = Router::new()
//!     .route("/", axum::routing::get(|| async { "my bot" }))
//!     .nest("/monitor", router(monitor, auth));
//! # let _ = app;
//! # Ok(())
//! # }
//! ```
//!
//! Routes so far (paths relative to the prefix): `GET /health`,
//! `GET /api/metrics`, `/api/metrics/current`, `/api/metrics/hourly?hours=N`,
//! `/api/metrics/daily?days=N`, `GET /api/errors` (the query of
//! [`ErrorQuery`](monitor_core::errors::ErrorQuery)), `/api/errors/stats`,
//! `/api/errors/unresolved`, `POST /api/errors/{id}/resolve` (admin) and
//! `/acknowledge` (admin or the error's tenant). Every error answer is
//! [`ApiError`] JSON.
//!
//! [`RequestMetricsLayer`] counts the host's own routes into the monitor.

mod auth;
mod error;
mod layer;
mod routes;

pub use auth::{MonitorAuth, Role};
pub use error::ApiError;
pub use layer::{RequestMetrics, RequestMetricsLayer};
pub use monitor_core;

use axum::Router;
use axum::routing::{get, post};
use monitor_core::Monitor;

use routes::{errors, health, metrics_api};

/// What every handler reads.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) monitor: Monitor,
    pub(crate) auth: MonitorAuth,
}

/// The monitor's routes, ready to nest into a host's router of any state
/// type (`app.nest("/monitor", router(monitor, auth))`).
pub fn router<S>(monitor: Monitor, auth: MonitorAuth) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/health", get(health::health))
        .route("/api/metrics", get(metrics_api::metrics))
        .route("/api/metrics/current", get(metrics_api::current))
        .route("/api/metrics/hourly", get(metrics_api::hourly))
        .route("/api/metrics/daily", get(metrics_api::daily))
        .route("/api/errors", get(errors::list))
        .route("/api/errors/stats", get(errors::stats))
        .route("/api/errors/unresolved", get(errors::unresolved))
        .route("/api/errors/{id}/resolve", post(errors::resolve))
        .route("/api/errors/{id}/acknowledge", post(errors::acknowledge))
        .fallback(|| async { ApiError::not_found("no such route") })
        .with_state(AppState { monitor, auth })
}

/// The README's examples, compiled and run as doctests (here, where both
/// crates are in reach).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
