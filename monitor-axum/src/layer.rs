//! [`RequestMetricsLayer`]: the host's own HTTP requests, per matched route,
//! into [`Monitor::requests`].

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::MatchedPath;
use axum::http::{Request, Response};
use monitor_core::Monitor;
use monitor_core::requests::method_label;
use tower::{Layer, Service};

/// A tower layer that counts every request of the routes it wraps in
/// [`Monitor::requests`]: method, matched route template, status, latency.
///
/// Add it with [`Router::layer`](axum::Router::layer) after the routes
/// (a layer wraps the routes added before it). axum then hands each request
/// its [`MatchedPath`] (`/users/{id}`, nested prefixes included), which
/// becomes the route label; requests no route matched reach the layer
/// through the fallback without one and count under
/// [`UNMATCHED`](Self::UNMATCHED): the raw path never becomes a key, so
/// scanners cannot grow the table. With
/// [`Router::route_layer`](axum::Router::route_layer) instead, unmatched
/// requests are not counted at all. Wrapping a whole `Router` from outside
/// (`ServiceBuilder`, `Layer::layer(router)`) runs before routing, so every
/// request would count as unmatched: don't.
///
/// Latency runs from the call into the wrapped service until its response
/// future resolves: the handler has run and the status and headers are
/// ready; streaming the body afterwards is not included. A request whose
/// response future is dropped first (the client went away, a timeout
/// layer outside gave up) counts with status [`CANCELLED`](Self::CANCELLED)
/// (499, as nginx logs it) and the time until then; an error from the
/// wrapped service (axum's never fail) counts as 500. Methods other than
/// the nine standard ones count as `OTHER`.
///
/// Each response future is boxed (one small allocation per request).
///
/// ```
/// use axum::Router;
/// use axum::routing::get;
/// use monitor_axum::RequestMetricsLayer;
/// use monitor_core::Monitor;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let monitor = Monitor::builder().start()?;
/// let app: Router = Router::new()
///     .route("/users/{id}", get(|| async { "a user" }))
///     .layer(RequestMetricsLayer::new(monitor.clone()));
/// // axum::serve(listener, app).await?;
/// # use tower::ServiceExt;
/// # let request = axum::http::Request::get("/users/42").body(axum::body::Body::empty())?;
/// # app.oneshot(request).await?;
///
/// let routes = monitor.requests().routes();
/// assert_eq!(routes[0].route, "/users/{id}");
/// assert_eq!(routes[0].by_status["200"], 1);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct RequestMetricsLayer {
    monitor: Monitor,
}

impl RequestMetricsLayer {
    /// Route label of requests that matched no route.
    pub const UNMATCHED: &'static str = "<unmatched>";
    /// Status recorded for a request dropped before its response was ready.
    pub const CANCELLED: u16 = 499;

    /// A layer recording into `monitor`.
    pub fn new(monitor: Monitor) -> Self {
        RequestMetricsLayer { monitor }
    }
}

impl<S> Layer<S> for RequestMetricsLayer {
    type Service = RequestMetrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestMetrics {
            inner,
            monitor: self.monitor.clone(),
        }
    }
}

/// The service [`RequestMetricsLayer`] wraps around each route.
#[derive(Clone, Debug)]
pub struct RequestMetrics<S> {
    inner: S,
    monitor: Monitor,
}

/// The boxed response future of [`RequestMetrics`].
type ResponseFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<S, B, ResBody> Service<Request<B>> for RequestMetrics<S>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
    S::Error: 'static,
    ResBody: 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let started = Instant::now();
        let method = method_label(request.method().as_str());
        let route = request.extensions().get::<MatchedPath>().cloned();
        let response = self.inner.call(request);
        let mut pending = Pending {
            monitor: self.monitor.clone(),
            method,
            route,
            started,
            done: false,
        };
        Box::pin(async move {
            let result = response.await;
            pending.finish(match &result {
                Ok(response) => response.status().as_u16(),
                Err(_) => 500,
            });
            result
        })
    }
}

/// A request on its way: recorded once, when it finishes or is dropped.
struct Pending {
    monitor: Monitor,
    method: &'static str,
    route: Option<MatchedPath>,
    started: Instant,
    done: bool,
}

impl Pending {
    fn finish(&mut self, status: u16) {
        self.done = true;
        let route = self
            .route
            .as_ref()
            .map_or(RequestMetricsLayer::UNMATCHED, MatchedPath::as_str);
        let elapsed = self.started.elapsed();
        self.monitor
            .requests()
            .record(self.method, route, status, elapsed);
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.done {
            self.finish(RequestMetricsLayer::CANCELLED);
        }
    }
}
