//! `RequestMetricsLayer` on a host's own routes, over a real socket on
//! 127.0.0.1: route templates (never raw paths), statuses, unmatched
//! requests, a bounded table, cancelled requests and the Prometheus series.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use metrics_exporter_prometheus::PrometheusBuilder;
use monitor_axum::RequestMetricsLayer;
use monitor_core::Monitor;
use monitor_core::requests::RouteStatsView;
use tower::ServiceExt;

async fn user(Path(id): Path<String>) -> Result<String, StatusCode> {
    match id.as_str() {
        "missing" => Err(StatusCode::NOT_FOUND),
        _ => Ok(format!("user {id}")),
    }
}

/// The host's routes, the way a bot's HTTP side might look.
fn host_routes() -> Router {
    let api = Router::new().route("/items/{item}", get(|| async { "an item" }));
    Router::new()
        .route("/users/{id}", get(user))
        .route("/users", post(|| async { StatusCode::CREATED }))
        .route("/boom", get(|| async { StatusCode::BAD_GATEWAY }))
        .route("/slow", get(std::future::pending::<()>))
        .nest("/api", api)
}

/// Serves `app` on 127.0.0.1 on a free port.
async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

fn client() -> reqwest::Client {
    // reqwest is built without a TLS provider; plain http still wants one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

fn find<'a>(routes: &'a [RouteStatsView], method: &str, route: &str) -> &'a RouteStatsView {
    routes
        .iter()
        .find(|v| v.method == method && v.route == route)
        .unwrap_or_else(|| panic!("{method} {route} missing from {routes:#?}"))
}

fn statuses(view: &RouteStatsView) -> Vec<(&str, u64)> {
    view.by_status
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_route_templates_statuses_and_unmatched_requests() {
    let monitor = Monitor::builder().start().expect("runtime");
    let app = host_routes().layer(RequestMetricsLayer::new(monitor.clone()));
    let base = format!("http://{}", serve(app).await);
    let http = client();

    let send = |method: reqwest::Method, path: &str| {
        let request = http.request(method, format!("{base}{path}"));
        async move { request.send().await.expect("response").status().as_u16() }
    };
    use reqwest::Method as M;
    assert_eq!(send(M::GET, "/users/1").await, 200);
    assert_eq!(send(M::GET, "/users/2").await, 200);
    assert_eq!(send(M::GET, "/users/missing").await, 404);
    assert_eq!(send(M::DELETE, "/users/1").await, 405);
    let purge = M::from_bytes(b"PURGE").expect("method");
    assert_eq!(send(purge, "/users/1").await, 405);
    assert_eq!(send(M::POST, "/users").await, 201);
    assert_eq!(send(M::GET, "/boom").await, 502);
    assert_eq!(send(M::GET, "/api/items/7").await, 200);
    assert_eq!(send(M::GET, "/wp-login.php").await, 404);
    assert_eq!(send(M::GET, "/users/1/extra").await, 404);

    let routes = monitor.requests().routes();
    let users = find(&routes, "GET", "/users/{id}");
    assert_eq!(users.count, 3);
    assert_eq!(statuses(users), [("200", 2), ("404", 1)]);
    assert!(users.p50_ms.is_some() && users.avg_ms.is_some());
    assert_eq!(
        statuses(find(&routes, "DELETE", "/users/{id}")),
        [("405", 1)]
    );
    assert_eq!(
        statuses(find(&routes, "OTHER", "/users/{id}")),
        [("405", 1)]
    );
    assert_eq!(statuses(find(&routes, "POST", "/users")), [("201", 1)]);
    let boom = find(&routes, "GET", "/boom");
    assert_eq!((boom.count, boom.errors), (1, 1));
    assert_eq!(find(&routes, "GET", "/api/items/{item}").count, 1);
    let unmatched = find(&routes, "GET", RequestMetricsLayer::UNMATCHED);
    assert_eq!(statuses(unmatched), [("404", 2)]);
    assert_eq!(routes.len(), 7, "{routes:#?}");
    assert_eq!(routes[0].route, "/users/{id}", "most requested first");
    for v in &routes {
        assert!(!v.route.contains("wp-login") && !v.route.ends_with("/1"));
    }
    monitor.shutdown().await.expect("shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_distinct_raw_paths_do_not_grow_the_table() {
    let monitor = Monitor::builder().start().expect("runtime");
    let app = host_routes().layer(RequestMetricsLayer::new(monitor.clone()));
    let base = format!("http://{}", serve(app).await);
    let http = client();

    let mut tasks = Vec::new();
    for t in 0..8u32 {
        let (http, base) = (http.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            for i in (t..10_000).step_by(8) {
                let path = if i % 2 == 0 {
                    format!("/users/{i}")
                } else {
                    format!("/scan/{i}/{}", "x".repeat((i % 97) as usize))
                };
                let status = http
                    .get(format!("{base}{path}"))
                    .send()
                    .await
                    .expect("response")
                    .status();
                assert!(status == 200 || status == 404, "{path}: {status}");
            }
        }));
    }
    for task in tasks {
        task.await.expect("client task");
    }

    let routes = monitor.requests().routes();
    assert_eq!(routes.len(), 2, "{routes:#?}");
    assert_eq!(find(&routes, "GET", "/users/{id}").count, 5_000);
    assert_eq!(
        find(&routes, "GET", RequestMetricsLayer::UNMATCHED).count,
        5_000
    );
    assert_eq!(monitor.requests().overflowed(), 0);
    monitor.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn route_layer_counts_matched_routes_only() {
    let monitor = Monitor::builder().start().expect("runtime");
    let app = host_routes().route_layer(RequestMetricsLayer::new(monitor.clone()));
    for path in ["/users/1", "/nowhere"] {
        let request = Request::get(path).body(Body::empty()).expect("request");
        app.clone().oneshot(request).await.expect("infallible");
    }
    let routes = monitor.requests().routes();
    assert_eq!(routes.len(), 1, "{routes:#?}");
    assert_eq!(routes[0].route, "/users/{id}");
}

#[tokio::test]
async fn a_request_dropped_before_its_response_counts_as_cancelled() {
    let monitor = Monitor::builder().start().expect("runtime");
    let app = host_routes().layer(RequestMetricsLayer::new(monitor.clone()));
    let request = Request::get("/slow").body(Body::empty()).expect("request");
    let gave_up = tokio::time::timeout(Duration::from_millis(50), app.oneshot(request)).await;
    assert!(gave_up.is_err(), "the handler never answers");

    let routes = monitor.requests().routes();
    let slow = find(&routes, "GET", "/slow");
    let cancelled = RequestMetricsLayer::CANCELLED.to_string();
    assert_eq!(slow.by_status.get(&cancelled), Some(&1));
    assert!(slow.p50_ms.is_some_and(|ms| ms >= 49.0), "{slow:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_metrics_renders_the_route_series() {
    let monitor = Monitor::builder().start().expect("runtime");
    let app = host_routes().layer(RequestMetricsLayer::new(monitor.clone()));
    let base = format!("http://{}", serve(app).await);
    let http = client();
    for path in ["/users/1", "/users/2", "/nope"] {
        http.get(format!("{base}{path}"))
            .send()
            .await
            .expect("response");
    }

    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || monitor.publish_metrics());
    let text = handle.render();
    for line in [
        r#"monitor_http_requests_total{method="GET",route="/users/{id}",status="200"} 2"#,
        r#"monitor_http_requests_total{method="GET",route="<unmatched>",status="404"} 1"#,
        "monitor_http_routes_overflowed_total 0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
    }
    assert!(
        text.contains(
            r#"monitor_http_request_duration_seconds{method="GET",route="/users/{id}",percentile="99"} "#
        ),
        "{text}"
    );
    assert!(text.contains("# TYPE monitor_http_requests_total counter"));
    monitor.shutdown().await.expect("shutdown");
}
