//! [`RouterConfig`]: what [`router`](crate::router) takes by default, for
//! hosts that want something else.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderValue;
use axum::routing::{delete, get, post};
use metrics_exporter_prometheus::PrometheusHandle;
use monitor_core::Monitor;
use monitor_ws::{WsBroadcaster, WsConfig};

use crate::cache::BodyCache;
use crate::cors::{self, Cors, InvalidOrigin};
use crate::gate::Gate;
use crate::limits::{DEFAULT_BODY_LIMIT, DEFAULT_SNAPSHOT_BODY_LIMIT, limit_body};
use crate::prometheus::Exporter;
use crate::routes::{
    actions, activities, analytics, audit, dashboard, errors, events, export, health, me,
    metrics_api, prometheus, queues, silences, snapshot, stream, summary, ws,
};
use crate::{ApiError, AppState, MonitorAuth};

/// How often an idle SSE stream sends a keep-alive comment by default.
pub const DEFAULT_SSE_KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Router settings beyond auth: body limit, the Prometheus recorder, SSE
/// keep-alive, how long `/api/metrics` bodies are reused, and which other
/// web origins may call the API from a browser (none by default: see
/// [`cors_allow_origins`](Self::cors_allow_origins)).
///
/// ```
/// use monitor_axum::{MonitorAuth, RouterConfig};
/// use monitor_core::Monitor;
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let monitor = Monitor::builder().start()?;
/// let routes: axum::Router = RouterConfig::new()
///     .body_limit(16 * 1024)
///     .sse_keep_alive(Duration::from_secs(5))
///     .cors_allow_origins(["https://ops.example.com"])?
///     .router(monitor, MonitorAuth::new().admin("admin-token"));
/// # let _ = routes;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct RouterConfig {
    body_limit: usize,
    snapshot_limit: usize,
    prometheus: Option<PrometheusHandle>,
    sse_keep_alive: Duration,
    api_cache: Duration,
    ws: WsConfig,
    cors: Vec<HeaderValue>,
}

/// How long a built `/api/metrics` body is served by default.
pub const DEFAULT_API_CACHE: Duration = Duration::from_secs(1);

impl Default for RouterConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl RouterConfig {
    /// Defaults: [`DEFAULT_BODY_LIMIT`], the shared Prometheus recorder
    /// (installed on first use), [`DEFAULT_SSE_KEEP_ALIVE`].
    pub fn new() -> Self {
        RouterConfig {
            body_limit: DEFAULT_BODY_LIMIT,
            snapshot_limit: DEFAULT_SNAPSHOT_BODY_LIMIT,
            prometheus: None,
            sse_keep_alive: DEFAULT_SSE_KEEP_ALIVE,
            api_cache: DEFAULT_API_CACHE,
            ws: WsConfig::new(),
            cors: Vec::new(),
        }
    }

    /// How long a built `/api/metrics` body is served to every caller of
    /// the same audience (operators, or one tenant) before it is built
    /// again (default [`DEFAULT_API_CACHE`]; zero builds it on every
    /// request). Its figures are minute- and hour-windowed, and building
    /// them merges every recording thread's sketches, so under load a
    /// second-old body is the better answer.
    pub fn api_cache(mut self, ttl: Duration) -> Self {
        self.api_cache = ttl;
        self
    }

    /// The largest request body any route accepts, in bytes; larger
    /// bodies get 413. A restore upload has its own limit
    /// ([`snapshot_body_limit`](Self::snapshot_body_limit)).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The largest snapshot file `POST /api/snapshot` accepts, in bytes
    /// (default [`DEFAULT_SNAPSHOT_BODY_LIMIT`], 64 MiB); larger uploads
    /// get 413. Only an admin's upload is read at all.
    pub fn snapshot_body_limit(mut self, bytes: usize) -> Self {
        self.snapshot_limit = bytes;
        self
    }

    /// Render `/metrics` from the host's own Prometheus recorder (which
    /// the host installed globally), so its `metrics::` series and the
    /// monitor's come out together.
    pub fn prometheus(mut self, handle: PrometheusHandle) -> Self {
        self.prometheus = Some(handle);
        self
    }

    /// How often an idle SSE stream sends a keep-alive comment.
    pub fn sse_keep_alive(mut self, every: Duration) -> Self {
        self.sse_keep_alive = every.max(Duration::from_millis(100));
        self
    }

    /// Limits and timers of `/ws` (default: the protocol's, see
    /// [`WsConfig::new`]).
    pub fn websocket(mut self, config: WsConfig) -> Self {
        self.ws = config;
        self
    }

    /// Web origins (`scheme://host[:port]`, e.g. `https://ops.example.com`)
    /// whose pages may call the routes from a browser; replaces any earlier
    /// list, and an empty list turns CORS off again (the default).
    ///
    /// Off, no answer carries an `Access-Control-*` header and a browser
    /// keeps other sites' scripts away from the API. With a list, a
    /// request whose `Origin` is on it gets tower-http's CORS answers: GET,
    /// POST and DELETE, the `Authorization` and `Content-Type` request headers, no
    /// credentials (the API takes bearer tokens, never cookies); any other
    /// origin is served as if CORS were off. The dashboard needs none of
    /// this: it is served from the API's own origin.
    ///
    /// Each origin must be `http://` or `https://`, a host and an optional
    /// port, with no path (not even `/`), user, query or wildcard; scheme
    /// and host are compared lower-cased. `*` and `null` are refused on
    /// purpose: the list names the web apps trusted to hold a monitor
    /// token, and "any site" or "any sandboxed page" is not such a list (a
    /// host that really wants that can wrap the router in its own
    /// `CorsLayer`).
    ///
    /// ```
    /// use monitor_axum::RouterConfig;
    ///
    /// let ok = RouterConfig::new().cors_allow_origins(["https://ops.example.com", "http://localhost:3000"]);
    /// assert!(ok.is_ok());
    /// let err = RouterConfig::new().cors_allow_origins(["https://ops.example.com/"]).unwrap_err();
    /// assert_eq!(err.origin, "https://ops.example.com/");
    /// ```
    pub fn cors_allow_origins(
        mut self,
        origins: impl IntoIterator<Item = impl AsRef<str>>,
    ) -> Result<Self, InvalidOrigin> {
        self.cors = origins
            .into_iter()
            .map(|o| cors::parse_origin(o.as_ref()))
            .collect::<Result<_, _>>()?;
        Ok(self)
    }

    /// The monitor's routes with these settings, ready to nest into a
    /// host's router of any state type.
    pub fn router<S>(self, monitor: Monitor, auth: MonitorAuth) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let state = AppState {
            ws: WsBroadcaster::with_config(monitor.clone(), auth.clone(), self.ws),
            monitor,
            gate: std::sync::Arc::new(Gate::new(auth)),
            exporter: match self.prometheus {
                Some(handle) => Exporter::host(handle),
                None => Exporter::shared(),
            },
            body_limit: self.body_limit,
            snapshot_limit: self.snapshot_limit,
            sse_keep_alive: self.sse_keep_alive,
            api_cache: std::sync::Arc::new(BodyCache::new(self.api_cache)),
        };
        let routes = Router::new()
            .route("/", get(dashboard::index))
            .route("/assets/{name}", get(dashboard::asset))
            .route("/health", get(health::health))
            .route("/metrics", get(prometheus::metrics))
            .route("/api/me", get(me::me))
            .route("/api/metrics", get(metrics_api::metrics))
            .route("/api/metrics/current", get(metrics_api::current))
            .route("/api/metrics/hourly", get(metrics_api::hourly))
            .route("/api/metrics/daily", get(metrics_api::daily))
            .route("/api/metrics/sessions", get(activities::sessions))
            .route("/api/events", get(events::families))
            .route("/api/events/{family}", get(events::family))
            .route("/api/errors", get(errors::list))
            .route("/api/errors/stats", get(errors::stats))
            .route("/api/errors/unresolved", get(errors::unresolved))
            .route("/api/errors/{id}/resolve", post(errors::resolve))
            .route("/api/errors/{id}/acknowledge", post(errors::acknowledge))
            .route("/api/activities/{kind}/active", get(activities::active))
            .route("/api/activities/{kind}/recent", get(activities::recent))
            .route("/api/activities/{kind}/tree", get(activities::tree))
            .route("/api/actions", get(actions::list))
            .route("/api/actions/{name}/run", post(actions::run))
            .route("/api/audit", get(audit::list))
            .route("/api/alerts/silences", get(silences::list))
            .route("/api/alerts/silences", post(silences::create))
            .route("/api/alerts/silences/{id}", delete(silences::delete))
            .route("/api/stream", get(stream::stream))
            .route("/api/export", get(export::export))
            .route("/api/queues", get(queues::list))
            .route("/api/queues/{queue}", get(queues::one))
            .route("/api/snapshot", get(snapshot::download))
            .route("/api/analytics/top-users", get(analytics::top_users))
            .route("/api/analytics/heatmap", get(analytics::heatmap))
            .route("/api/analytics/summary", get(summary::summary))
            .route("/ws", get(ws::ws))
            .fallback(|| async { ApiError::not_found("no such route") })
            .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
            .layer(DefaultBodyLimit::max(self.body_limit))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                limit_body,
            ))
            // Added after the body limit above: a restore upload has its
            // own, larger limit, applied by the handler once the caller is
            // known to be an admin.
            .route("/api/snapshot", post(snapshot::restore));
        let routes = match Cors::new(self.cors) {
            Some(policy) => routes.layer(axum::middleware::from_fn_with_state(policy, cors::cors)),
            None => routes,
        };
        routes.with_state(state)
    }
}
