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
//! # Routes
//!
//! Paths are relative to the prefix; every error answer is [`ApiError`]
//! JSON `{"error":{"code","message"}}`.
//!
//! | route | who |
//! |---|---|
//! | `GET /`, `GET /assets/{name}` | public; the operator dashboard (its scripts send the token), with a strict Content-Security-Policy |
//! | `GET /health` | public (or any token with [`MonitorAuth::protect_health`]); 200 healthy/degraded, 503 critical |
//! | `GET /metrics` | public (or any token with [`MonitorAuth::protect_metrics`]); Prometheus text |
//! | `GET /api/me` | any token; `{role, client_id, sees_all, can_resolve, can_acknowledge}` |
//! | `GET /api/metrics`, `/api/metrics/current` | any token; a tenant gets its own errors and activities, `null` for everyone's figures |
//! | `GET /api/metrics/hourly?hours=N` (1–168), `/daily?days=N` (1–30) | admin, monitor |
//! | `GET /api/metrics/sessions` | any token; a tenant's figures are its own |
//! | `GET /api/events`, `/api/events/{family}?hours=N&days=N` | admin, monitor |
//! | `GET /api/errors` (the query of [`ErrorQuery`](monitor_core::errors::ErrorQuery)), `/api/errors/stats`, `/api/errors/unresolved` | any token; a tenant's are its own |
//! | `POST /api/errors/{id}/resolve` | admin |
//! | `POST /api/errors/{id}/acknowledge` | admin, or the error's tenant |
//! | `GET /api/activities/{kind}/active`, `/recent`, `/tree` | any token; a tenant's are its own |
//! | `GET /api/stream?channels=a,b` | any token; Server-Sent Events, a tenant's are its own |
//! | `GET /api/export?format=csv\|json&series=hourly\|daily\|errors` | hourly/daily: admin, monitor; errors: any token, a tenant's are its own |
//! | `GET /api/queues`, `/api/queues/{queue}?hours=N` (1–24) | admin, monitor (a queue mixes every tenant's messages: a tenant token is a 403) |
//! | `GET /api/snapshot` | admin; the state now as a snapshot file (backup) |
//! | `POST /api/snapshot` | admin; a snapshot file (up to [`RouterConfig::snapshot_body_limit`]) checked whole, then replacing the live state (restore); a bad file is a 400 naming the reason and changes nothing |
//! | `GET /ws?token=T&channels=a,b` | WebSocket ([`monitor_ws`]'s protocol); token in the query, a bearer header or the first frame; a tenant's events are its own |
//!
//! No token or an unknown one is a 401, a role that may not is a 403,
//! another tenant's object is a 404 (as if it did not exist). Each token
//! has its own rate limit ([`MonitorAuth::rate_limit`], 429 with
//! `Retry-After`; a `/ws` upgrade carrying its token counts too); bodies
//! over [`RouterConfig::body_limit`] are a 413. Cross-origin requests are
//! off unless [`RouterConfig::cors_allow_origins`] lists origins.
//!
//! [`RequestMetricsLayer`] counts the host's own routes into the monitor.

mod cache;
mod config;
mod cors;
mod error;
mod gate;
mod layer;
mod limits;
mod prometheus;
mod routes;

pub use config::{DEFAULT_API_CACHE, DEFAULT_SSE_KEEP_ALIVE, RouterConfig};
pub use cors::InvalidOrigin;
pub use error::ApiError;
pub use layer::{RequestMetrics, RequestMetricsLayer};
pub use limits::{DEFAULT_BODY_LIMIT, DEFAULT_SNAPSHOT_BODY_LIMIT};
pub use monitor_core;
pub use monitor_core::auth::{DEFAULT_RATE_LIMIT, MonitorAuth, Role};
pub use monitor_ws;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use monitor_core::Monitor;

use gate::Gate;
use prometheus::Exporter;

/// What every handler reads.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) monitor: Monitor,
    pub(crate) gate: Arc<Gate>,
    pub(crate) exporter: Exporter,
    pub(crate) body_limit: usize,
    pub(crate) snapshot_limit: usize,
    pub(crate) sse_keep_alive: Duration,
    pub(crate) api_cache: Arc<cache::BodyCache>,
    pub(crate) ws: monitor_ws::WsBroadcaster,
}

/// The monitor's routes with [`RouterConfig`]'s defaults, ready to nest
/// into a host's router of any state type
/// (`app.nest("/monitor", router(monitor, auth))`).
pub fn router<S>(monitor: Monitor, auth: MonitorAuth) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    RouterConfig::new().router(monitor, auth)
}

/// The README's examples, compiled and run as doctests (here, where both
/// crates are in reach).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
