//! Alert sinks that are down, hang past the timeout, answer 500, or answer
//! 429 with `Retry-After`, on stand-in servers on 127.0.0.1. Recording
//! never waits on them, every notification the router accepted ends up
//! sent, failed or dropped (and counted in `/metrics`), a sink that comes
//! back gets what was waiting for it, and `Retry-After` pauses the sink.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use metrics_exporter_prometheus::PrometheusBuilder;
use monitor_core::Monitor;
use monitor_core::alerts::{
    AlertRouter, AlertStats, AlertmanagerSink, RetryPolicy, Route, SlackSink, WebhookSink,
};
use monitor_core::errors::ErrorEvent;

use crate::support::value_of;

/// How the stand-in answers, switchable while it runs.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    None,
    Status500,
    RetryAfter(u64),
    Hang,
}

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(Instant, String)>>>);

impl Seen {
    fn times(&self) -> Vec<Instant> {
        self.0
            .lock()
            .expect("not poisoned")
            .iter()
            .map(|r| r.0)
            .collect()
    }
    fn bodies(&self) -> Vec<String> {
        self.0
            .lock()
            .expect("not poisoned")
            .iter()
            .map(|r| r.1.clone())
            .collect()
    }
}

/// A stand-in for Slack, a webhook and Alertmanager at once: any path.
struct StandIn {
    addr: SocketAddr,
    fault: Arc<Mutex<Fault>>,
    seen: Seen,
}

type StandInState = (Arc<Mutex<Fault>>, Seen);

impl StandIn {
    async fn start(fault: Fault) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        Self::serve(listener, fault)
    }

    fn serve(listener: tokio::net::TcpListener, fault: Fault) -> Self {
        let addr = listener.local_addr().expect("addr");
        let fault = Arc::new(Mutex::new(fault));
        let seen = Seen::default();
        let app = axum::Router::new()
            .fallback(answer)
            .with_state((Arc::clone(&fault), seen.clone()));
        tokio::spawn(async move { axum::serve(listener, app).await });
        StandIn { addr, fault, seen }
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn set(&self, fault: Fault) {
        *self.fault.lock().expect("not poisoned") = fault;
    }
}

async fn answer(
    State((fault, seen)): State<StandInState>,
    body: String,
) -> (StatusCode, HeaderMap, &'static str) {
    seen.0
        .lock()
        .expect("not poisoned")
        .push((Instant::now(), body));
    let fault = *fault.lock().expect("not poisoned");
    let mut headers = HeaderMap::new();
    match fault {
        Fault::None => (StatusCode::OK, headers, "ok"),
        Fault::Status500 => (StatusCode::INTERNAL_SERVER_ERROR, headers, "boom"),
        Fault::RetryAfter(s) => {
            headers.insert("retry-after", HeaderValue::from(s));
            (StatusCode::TOO_MANY_REQUESTS, headers, "slow down")
        }
        Fault::Hang => std::future::pending().await,
    }
}

/// A port nothing listens on (bound, then closed again).
fn refused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Polls `done` for up to `limit`.
async fn until(limit: Duration, what: &str, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The sink timeout of these tests. A burst of 10 000 errors takes about
/// 100 ms here under load; had recording waited on a sink even once, it
/// would take at least this long.
const SINK_TIMEOUT: Duration = Duration::from_millis(1_500);

fn retry(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        attempts,
        timeout: SINK_TIMEOUT,
        base: Duration::from_millis(50),
        max_backoff: Duration::from_millis(200),
        max_retry_after: Duration::from_secs(5),
    }
}

/// Alerts for service `api` only (health changes route elsewhere), each
/// group notified once: no repeats or refreshes to account for.
fn api_route() -> Route {
    Route::new("api")
        .service("api")
        .group_wait(Duration::ZERO)
        .group_interval(Duration::from_secs(3_600))
        .repeat_interval(Duration::from_secs(3_600))
}

/// Slack, a webhook and Alertmanager, all at `base`.
fn three_sinks(route: Route, base: &str) -> Route {
    route
        .sink(SlackSink::with_timeout(format!("{base}/slack"), SINK_TIMEOUT).named("slack"))
        .sink(WebhookSink::with_timeout(format!("{base}/hook"), SINK_TIMEOUT).named("webhook"))
        .sink(AlertmanagerSink::new(base).refresh_every(Duration::from_secs(3_600)))
}

fn error(group: usize, i: usize) -> ErrorEvent {
    ErrorEvent::new("api", "call", format!("Kind{group}"), format!("#{i}"))
}

/// Logs `n` errors over `groups` groups and records `n` messages; returns
/// how long that took.
fn burst(monitor: &Monitor, n: usize, groups: usize) -> Duration {
    let started = Instant::now();
    for i in 0..n {
        monitor.record_message("user", Duration::from_millis(5));
        monitor.log_error(error(i % groups, i));
    }
    started.elapsed()
}

/// Every notification accepted by each sink's backlog has an outcome.
fn settled(stats: &AlertStats, notifications: u64) -> bool {
    stats
        .sinks
        .iter()
        .all(|s| s.sent + s.failed + s.dropped == notifications)
}

fn rendered(monitor: &Monitor) -> String {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || monitor.publish_metrics());
    handle.render()
}

/// One fault, three sinks behind it: the burst, the accounting, /metrics.
async fn misbehaving(base: &str, label: &str) -> AlertStats {
    const GROUPS: usize = 20;
    let monitor = Monitor::builder()
        .alerts(
            AlertRouter::new()
                .retry(retry(2))
                .max_in_flight(4)
                .sink_backlog(4)
                .route(three_sinks(api_route(), base)),
        )
        .start()
        .expect("runtime");
    let took = burst(&monitor, 10_000, GROUPS);
    eprintln!("{label}: 10 000 errors + messages in {took:?}");
    assert!(
        took < SINK_TIMEOUT,
        "{label}: the burst took {took:?}, as if it waited on the sink"
    );
    assert_eq!(monitor.collector().current_stats().messages.total, 10_000);
    assert_eq!(monitor.errors().counters().logged, 10_000, "{label}");

    let alerts = monitor.alerts().expect("configured");
    until(Duration::from_secs(30), label, || {
        settled(&alerts.stats(), GROUPS as u64)
    })
    .await;
    let stats = alerts.stats();
    assert_eq!(stats.queue_dropped, 0, "{label}: {stats:?}");
    let text = rendered(&monitor);
    for s in &stats.sinks {
        assert_eq!(s.sent, 0, "{label}: {s:?}");
        assert!(s.failed > 0, "{label}: {s:?}");
        assert!(s.last_error.is_some(), "{label}: {s:?}");
        for (series, want) in [
            ("monitor_alerts_failed_total", s.failed),
            ("monitor_alerts_dropped_total", s.dropped),
            ("monitor_alerts_retried_total", s.retried),
        ] {
            let line = format!("{series}{{sink=\"{}\"}}", s.name);
            assert_eq!(value_of(&text, &line), Some(want as f64), "{label}: {line}");
        }
    }
    stats
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusing_sink_never_slows_recording_and_every_alert_is_counted() {
    let base = format!("http://127.0.0.1:{}", refused_port());
    let stats = misbehaving(&base, "refused").await;
    for s in &stats.sinks {
        assert!(
            s.last_error
                .as_deref()
                .is_some_and(|e| e.starts_with("transport")),
            "{s:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_sink_never_slows_recording_and_its_backlog_overflow_is_counted() {
    let server = StandIn::start(Fault::Hang).await;
    let stats = misbehaving(&server.base(), "hang").await;
    for s in &stats.sinks {
        assert!(s.dropped > 0, "20 alerts, 4 in flight, 4 waiting: {s:?}");
        assert!(
            s.last_error
                .as_deref()
                .is_some_and(|e| e.contains("no answer")),
            "{s:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sink_answering_500_never_slows_recording_and_every_alert_is_counted() {
    let server = StandIn::start(Fault::Status500).await;
    let stats = misbehaving(&server.base(), "500").await;
    for s in &stats.sinks {
        assert_eq!(s.retried, s.failed, "one retry each: {s:?}");
        assert!(
            s.last_error.as_deref().is_some_and(|e| e.contains("500")),
            "{s:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttling_sink_never_slows_recording_and_every_alert_is_counted() {
    let server = StandIn::start(Fault::RetryAfter(1)).await;
    let stats = misbehaving(&server.base(), "429").await;
    for s in &stats.sinks {
        assert!(
            s.last_error.as_deref().is_some_and(|e| e.contains("429")),
            "{s:?}"
        );
    }
}

/// A monitor whose one webhook sink retries patiently (8 tries).
fn patient(url: &str) -> Monitor {
    Monitor::builder()
        .alerts(
            AlertRouter::new()
                .retry(RetryPolicy {
                    attempts: 8,
                    ..retry(8)
                })
                .route(
                    api_route().sink(WebhookSink::with_timeout(url, SINK_TIMEOUT).named("hook")),
                ),
        )
        .start()
        .expect("runtime")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_waiting_for_a_sink_that_was_down_reach_it_when_it_is_back() {
    let port = refused_port();
    let monitor = patient(&format!("http://127.0.0.1:{port}/hook"));
    for g in 0..5 {
        monitor.log_error(error(g, g));
    }
    let alerts = monitor.alerts().expect("configured");
    until(Duration::from_secs(5), "retries", || {
        alerts.stats().sinks[0].retried >= 5
    })
    .await;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("the port is free again");
    let server = StandIn::serve(listener, Fault::None);
    until(Duration::from_secs(10), "delivery", || {
        alerts.stats().sinks[0].sent == 5
    })
    .await;
    let s = &alerts.stats().sinks[0];
    assert_eq!((s.failed, s.dropped), (0, 0), "{s:?}");
    let mut kinds: Vec<String> = server
        .seen
        .bodies()
        .iter()
        .map(|b| {
            let v: serde_json::Value = serde_json::from_str(b).expect("json");
            v["error_type"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["Kind0", "Kind1", "Kind2", "Kind3", "Kind4"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_held_back_by_500s_are_delivered_once_the_sink_recovers() {
    let server = StandIn::start(Fault::Status500).await;
    let monitor = patient(&format!("{}/hook", server.base()));
    for g in 0..5 {
        monitor.log_error(error(g, g));
    }
    let alerts = monitor.alerts().expect("configured");
    until(Duration::from_secs(5), "retries", || {
        alerts.stats().sinks[0].retried >= 5
    })
    .await;
    server.set(Fault::None);
    until(Duration::from_secs(10), "delivery", || {
        alerts.stats().sinks[0].sent == 5
    })
    .await;
    assert_eq!(alerts.stats().sinks[0].failed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_pauses_every_delivery_to_that_sink() {
    let server = StandIn::start(Fault::RetryAfter(2)).await;
    let monitor = patient(&format!("{}/hook", server.base()));
    monitor.log_error(error(0, 0));
    until(Duration::from_secs(5), "the first request", || {
        !server.seen.times().is_empty()
    })
    .await;
    let throttled_at = server.seen.times()[0];
    server.set(Fault::None);
    // New alerts while the sink asked for quiet: they wait too.
    for g in 1..4 {
        monitor.log_error(error(g, g));
    }
    let alerts = monitor.alerts().expect("configured");
    until(Duration::from_secs(10), "delivery", || {
        alerts.stats().sinks[0].sent == 4
    })
    .await;
    let times = server.seen.times();
    assert_eq!(times.len(), 5, "one 429, then each alert once");
    for t in &times[1..] {
        assert!(
            t.duration_since(throttled_at) >= Duration::from_millis(1_950),
            "a request {:?} after the 429 asked for 2 s",
            t.duration_since(throttled_at)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_router_queue_is_counted_and_the_rest_accounted_for() {
    const GROUPS: usize = 2_000;
    let server = StandIn::start(Fault::None).await;
    let monitor = Monitor::builder()
        .alerts(
            AlertRouter::new()
                .queue_capacity(16)
                .sink_backlog(4_096)
                .retry(retry(2))
                .route(api_route().sink(WebhookSink::new(format!("{}/hook", server.base())))),
        )
        .start()
        .expect("runtime");
    let took = burst(&monitor, GROUPS, GROUPS);
    assert!(took < SINK_TIMEOUT, "{took:?}");
    let alerts = monitor.alerts().expect("configured");
    let dropped = alerts.stats().queue_dropped;
    assert!(dropped > 0, "2000 groups at once through a queue of 16");
    until(Duration::from_secs(20), "delivery", || {
        settled(&alerts.stats(), GROUPS as u64 - dropped)
    })
    .await;
    assert_eq!(alerts.stats().sinks[0].failed, 0);
    assert_eq!(server.seen.times().len() as u64, GROUPS as u64 - dropped);
    let text = rendered(&monitor);
    assert_eq!(
        value_of(&text, r#"monitor_alerts_dropped_total{sink="queue"}"#),
        Some(dropped as f64)
    );
}
