//! Health through the public API: timeouts that do not hold others up, the
//! cache, aggregation and thresholds, heartbeats on a manual clock,
//! listeners, the ready HTTP and TCP checks against real sockets, panics,
//! shutdown, persistence and metrics.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use monitor_core::ManualClock;
use monitor_core::health::{
    CheckOptions, CheckResult, CheckStatus, FnCheck, Health, HealthChange, HealthState,
    HealthStatus, HeartbeatState, LiveMetrics, TcpCheck, Thresholds,
};
use tokio::time::{Instant, sleep};

const SEC: Duration = Duration::from_secs(1);

fn start() -> ManualClock {
    ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_795_000_000))
}

/// A check whose verdict the test sets: 0 up, 1 degraded, 2 down.
fn switchable(
    state: &Arc<AtomicU8>,
    runs: &Arc<AtomicUsize>,
) -> impl monitor_core::health::HealthCheck {
    let (state, runs) = (Arc::clone(state), Arc::clone(runs));
    FnCheck::new(move || {
        runs.fetch_add(1, SeqCst);
        let result = match state.load(SeqCst) {
            0 => CheckResult::up("fine"),
            1 => CheckResult::degraded("slow"),
            _ => CheckResult::down("broken"),
        };
        async move { result }
    })
}

fn recorder() -> (
    Arc<Mutex<Vec<HealthChange>>>,
    impl Fn(&HealthChange) + Send + Sync + 'static,
) {
    let seen: Arc<Mutex<Vec<HealthChange>>> = Arc::default();
    let sink = Arc::clone(&seen);
    (seen, move |change: &HealthChange| {
        sink.lock().expect("not poisoned").push(change.clone());
    })
}

fn changes(seen: &Mutex<Vec<HealthChange>>) -> Vec<HealthChange> {
    seen.lock().expect("not poisoned").clone()
}

#[tokio::test(start_paused = true)]
async fn a_slow_check_times_out_without_delaying_a_fast_one() {
    let health = Health::builder()
        .check(
            "slow",
            FnCheck::new(|| async {
                sleep(Duration::from_secs(60)).await;
                CheckResult::up("finally")
            }),
            CheckOptions::required().timeout(SEC),
        )
        .check(
            "fast",
            FnCheck::new(|| async { CheckResult::up("quick") }),
            CheckOptions::optional(),
        )
        .spawn()
        .expect("runtime");

    // A millisecond of virtual time in: the fast result is in, the slow
    // one still pending.
    sleep(Duration::from_millis(1)).await;
    let report = health.report();
    assert_eq!(report.checks["fast"].status, CheckStatus::Up);
    assert_eq!(report.checks["fast"].latency_ms, Some(0.0));
    assert_eq!(report.checks["slow"].status, CheckStatus::Pending);
    assert_eq!(
        report.status,
        HealthStatus::Healthy,
        "pending is not a verdict"
    );

    sleep(SEC).await;
    let report = health.report();
    let slow = &report.checks["slow"];
    assert_eq!(slow.status, CheckStatus::Down);
    assert_eq!(slow.detail, "timed out after 1s");
    assert_eq!(slow.latency_ms, Some(1_000.0));
    assert_eq!(report.status, HealthStatus::Critical);

    // refresh runs both at once: it takes the slow one's timeout, not
    // the sum, and certainly not the slow check's 60 s.
    let began = Instant::now();
    health.refresh().await;
    assert_eq!(began.elapsed(), SEC);
    assert_eq!(health.counters().check_timeouts, 2);
}

#[tokio::test(start_paused = true)]
async fn reads_within_the_interval_come_from_cache() {
    let runs = Arc::new(AtomicUsize::new(0));
    let state = Arc::new(AtomicU8::new(0));
    let health = Health::builder()
        .check(
            "db",
            switchable(&state, &runs),
            CheckOptions::required().every(Duration::from_secs(10)),
        )
        .spawn()
        .expect("runtime");
    sleep(Duration::from_millis(1)).await;
    assert_eq!(runs.load(SeqCst), 1);
    for _ in 0..100 {
        assert_eq!(health.report().checks["db"].status, CheckStatus::Up);
    }
    sleep(Duration::from_secs(9)).await;
    assert_eq!(runs.load(SeqCst), 1, "reads never run a check");
    state.store(2, SeqCst);
    assert_eq!(
        health.status(),
        HealthStatus::Healthy,
        "still the cached verdict"
    );
    sleep(Duration::from_secs(1)).await;
    assert_eq!(runs.load(SeqCst), 2, "re-run after the interval");
    assert_eq!(health.status(), HealthStatus::Critical);
}

#[tokio::test(start_paused = true)]
async fn required_and_optional_checks_fold_into_one_status() {
    let runs = Arc::new(AtomicUsize::new(0));
    let db = Arc::new(AtomicU8::new(0));
    let api = Arc::new(AtomicU8::new(0));
    let health = Health::builder()
        .check("db", switchable(&db, &runs), CheckOptions::required())
        .check("api", switchable(&api, &runs), CheckOptions::optional())
        .spawn()
        .expect("runtime");
    // (db, api) -> overall
    let table = [
        ((0, 0), HealthStatus::Healthy),
        ((0, 1), HealthStatus::Degraded),
        ((0, 2), HealthStatus::Degraded),
        ((1, 0), HealthStatus::Degraded),
        ((1, 2), HealthStatus::Degraded),
        ((2, 0), HealthStatus::Critical),
        ((2, 2), HealthStatus::Critical),
    ];
    for ((d, a), expected) in table {
        db.store(d, SeqCst);
        api.store(a, SeqCst);
        health.refresh().await;
        let report = health.report();
        assert_eq!(report.status, expected, "db={d} api={a}");
        assert_eq!(report.status.http_status(), if d == 2 { 503 } else { 200 });
    }
}

#[tokio::test(start_paused = true)]
async fn thresholds_judge_the_live_metrics_at_each_evaluation() {
    let live = Arc::new(Mutex::new(LiveMetrics::default()));
    let source = Arc::clone(&live);
    let health = Health::builder()
        .live_metrics(move || *source.lock().expect("not poisoned"))
        .evaluate_every(SEC)
        .spawn()
        .expect("runtime");
    let set = |errors: u32, messages: u32, p95: f64| {
        *live.lock().expect("not poisoned") = LiveMetrics {
            error_rate: Some(f64::from(errors) / f64::from(messages)),
            p95_ms: Some(p95),
            messages_last_hour: u64::from(messages),
        };
    };
    let cases = [
        ((1, 100, 100.0), HealthStatus::Healthy),
        ((5, 100, 100.0), HealthStatus::Degraded), // exactly 5%
        ((51, 1_000, 100.0), HealthStatus::Critical), // 5.1%
        ((5, 10, 100.0), HealthStatus::Healthy),   // 50%, but < 20 messages
        ((0, 100, 501.0), HealthStatus::Degraded),
        ((0, 100, 1_001.0), HealthStatus::Critical),
    ];
    for ((errors, messages, p95), expected) in cases {
        set(errors, messages, p95);
        sleep(SEC).await;
        let report = health.report();
        assert_eq!(report.status, expected, "{errors}/{messages}, p95 {p95}");
        assert_eq!(report.thresholds.status, expected);
    }
    // refresh re-reads them too, without waiting for the tick.
    set(0, 100, 10.0);
    health.refresh().await;
    assert_eq!(health.status(), HealthStatus::Healthy);
    assert_eq!(health.report().thresholds.reason, None);
}

#[tokio::test(start_paused = true)]
async fn heartbeats_go_stale_and_keep_exact_uptime() {
    let clock = start();
    let health = Health::builder()
        .clock(clock.clone())
        .heartbeat("webhook", Duration::from_secs(30), true)
        .heartbeat("cron", Duration::from_secs(60), false)
        .spawn()
        .expect("runtime");
    let beat = |name| health.report().heartbeats[name].clone();
    assert_eq!(beat("webhook").status, CheckStatus::Pending);
    assert_eq!(health.status(), HealthStatus::Healthy);

    clock.advance(Duration::from_secs(10));
    assert!(health.heartbeat("webhook"));
    assert!(health.heartbeat("cron"));
    clock.advance(Duration::from_secs(30));
    assert_eq!(
        beat("webhook").status,
        CheckStatus::Up,
        "exactly the interval is not stale"
    );
    clock.advance(Duration::from_millis(1));
    assert_eq!(beat("webhook").status, CheckStatus::Down);
    assert_eq!(health.status(), HealthStatus::Critical);

    // At 50 s since registration, 10 s of it past the interval.
    clock.advance(Duration::from_millis(9_999));
    let webhook = beat("webhook");
    assert_eq!(webhook.uptime_percent, 80.0);
    assert_eq!(webhook.interval_ms, 30_000);
    assert!(webhook.required);
    assert_eq!(beat("cron").uptime_percent, 100.0);

    health.heartbeat("webhook");
    assert_eq!(beat("webhook").status, CheckStatus::Up);
    assert_eq!(health.status(), HealthStatus::Healthy);
    clock.advance(Duration::from_secs(50));
    // 100 s in: the closed 10 s gap stays down, the new gap is 50 s with
    // 20 s past the interval; the optional cron is now stale too.
    assert_eq!(beat("webhook").uptime_percent, 70.0);
    assert_eq!(beat("cron").status, CheckStatus::Down);
    assert_eq!(health.status(), HealthStatus::Critical);
    health.heartbeat("webhook");
    assert_eq!(health.status(), HealthStatus::Degraded);
}

#[tokio::test(start_paused = true)]
async fn unknown_sources_register_up_to_the_cap() {
    let health = Health::builder()
        .max_heartbeats(2)
        .heartbeat("webhook", Duration::from_secs(30), true)
        .spawn()
        .expect("runtime");
    assert!(health.heartbeat("worker"));
    assert!(!health.heartbeat("third"));
    assert!(!health.heartbeat("fourth"));
    let report = health.report();
    assert_eq!(report.heartbeats.len(), 2);
    assert_eq!(report.heartbeats["worker"].status, CheckStatus::Up);
    assert_eq!(report.heartbeats["worker"].interval_ms, 60_000);
    assert_eq!(health.counters().rejected_heartbeats, 2);
}

#[tokio::test(start_paused = true)]
async fn the_listener_fires_once_per_change_and_never_otherwise() {
    let clock = start();
    let runs = Arc::new(AtomicUsize::new(0));
    let db = Arc::new(AtomicU8::new(0));
    let (seen, listener) = recorder();
    let health = Health::builder()
        .clock(clock.clone())
        .check(
            "db",
            switchable(&db, &runs),
            CheckOptions::required().every(SEC),
        )
        .heartbeat("webhook", Duration::from_secs(30), false)
        .evaluate_every(SEC)
        .listener(listener)
        .spawn()
        .expect("runtime");
    health.heartbeat("webhook");
    health.refresh().await;
    seen.lock().expect("not poisoned").clear(); // the first verdicts

    // Ten seconds of runs and evaluations, nothing changing: silence.
    sleep(Duration::from_secs(10)).await;
    assert!(runs.load(SeqCst) >= 10);
    assert!(changes(&seen).is_empty(), "{:?}", changes(&seen));

    db.store(2, SeqCst);
    sleep(Duration::from_secs(5)).await;
    let got = changes(&seen);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].previous, HealthStatus::Healthy);
    assert_eq!(got[0].status, HealthStatus::Critical);
    assert_eq!(got[0].changed, ["check:db"]);
    assert_eq!(got[0].report.checks["db"].status, CheckStatus::Down);

    // A stale optional source while db is down: the overall stays
    // critical, but a component changed.
    clock.advance(Duration::from_secs(31));
    sleep(Duration::from_secs(5)).await;
    let got = changes(&seen);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1].previous, HealthStatus::Critical);
    assert_eq!(got[1].status, HealthStatus::Critical);
    assert_eq!(got[1].changed, ["heartbeat:webhook"]);

    db.store(0, SeqCst);
    health.heartbeat("webhook");
    sleep(Duration::from_secs(5)).await;
    let got = changes(&seen);
    assert!(got.len() >= 3, "{got:?}");
    assert_eq!(got.last().map(|c| c.status), Some(HealthStatus::Healthy));
    let settled = got.len();
    sleep(Duration::from_secs(10)).await;
    assert_eq!(changes(&seen).len(), settled);

    // The JSON shape `health:changed` and `/health` carry.
    let json = serde_json::to_value(&got[0]).expect("serializes");
    assert_eq!(json["status"], "critical");
    assert_eq!(json["report"]["checks"]["db"]["status"], "down");
    assert!(json["report"]["uptime_seconds"].is_u64());
    assert_eq!(
        json["report"]["heartbeats"]["webhook"]["interval_ms"],
        30_000
    );
}

#[tokio::test(start_paused = true)]
async fn a_panicking_check_is_down_and_the_others_keep_running() {
    let runs = Arc::new(AtomicUsize::new(0));
    let state = Arc::new(AtomicU8::new(0));
    let panics = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&panics);
    let (seen, listener) = recorder();
    let health = Health::builder()
        .check(
            "buggy",
            FnCheck::new(move || {
                counted.fetch_add(1, SeqCst);
                async { panic!("bug in a check") }
            }),
            CheckOptions::optional().every(SEC),
        )
        .check(
            "db",
            switchable(&state, &runs),
            CheckOptions::required().every(SEC),
        )
        .listener(|_: &HealthChange| panic!("bug in a listener"))
        .listener(listener)
        .spawn()
        .expect("runtime");
    sleep(Duration::from_secs(5)).await;
    let report = health.report();
    assert_eq!(report.checks["buggy"].status, CheckStatus::Down);
    assert_eq!(report.checks["buggy"].detail, "check panicked");
    assert_eq!(report.checks["db"].status, CheckStatus::Up);
    assert_eq!(report.status, HealthStatus::Degraded);
    assert!(panics.load(SeqCst) >= 5, "the buggy loop keeps going");
    assert!(runs.load(SeqCst) >= 5);
    assert!(health.counters().check_panics >= 5);
    // The other listener still heard the changes the panicking one broke on.
    assert!(!changes(&seen).is_empty());
}

#[tokio::test(start_paused = true)]
async fn background_tasks_stop_on_shutdown_and_with_the_last_handle() {
    for explicit in [true, false] {
        let runs = Arc::new(AtomicUsize::new(0));
        let state = Arc::new(AtomicU8::new(0));
        let health = Health::builder()
            .check(
                "db",
                switchable(&state, &runs),
                CheckOptions::optional().every(SEC),
            )
            .spawn()
            .expect("runtime");
        let clone = health.clone();
        sleep(Duration::from_millis(2_500)).await;
        assert_eq!(runs.load(SeqCst), 3);
        drop(clone);
        sleep(SEC).await;
        assert_eq!(runs.load(SeqCst), 4, "a clone dropped stops nothing");
        if explicit {
            health.shutdown();
            assert_eq!(health.report().checks["db"].status, CheckStatus::Up);
        } else {
            drop(health);
        }
        sleep(Duration::from_secs(10)).await;
        assert_eq!(runs.load(SeqCst), 4, "explicit={explicit}");
    }
}

#[tokio::test(start_paused = true)]
async fn heartbeat_timelines_survive_a_restart() {
    let clock = start();
    let first = Health::builder()
        .clock(clock.clone())
        .heartbeat("webhook", Duration::from_secs(30), true)
        .spawn()
        .expect("runtime");
    first.heartbeat("webhook");
    clock.advance(Duration::from_secs(50)); // 20 s down
    first.heartbeat("webhook");
    first.heartbeat("ad-hoc");
    let saved = first.export();
    assert_eq!(saved.heartbeats.len(), 2);
    let json = serde_json::to_string(&saved).expect("serializes");
    let saved: HealthState = serde_json::from_str(&json).expect("parses");
    first.restore(saved.clone());
    assert_eq!(
        first.export(),
        saved,
        "restoring its own state changes nothing"
    );
    drop(first);

    // Down for 60 s, then a new process with the same configuration.
    clock.advance(Duration::from_secs(60));
    let second = Health::builder()
        .clock(clock.clone())
        .heartbeat("webhook", Duration::from_secs(30), true)
        .spawn()
        .expect("runtime");
    second.restore(saved);
    let report = second.report();
    let webhook = &report.heartbeats["webhook"];
    assert_eq!(webhook.status, CheckStatus::Down);
    // 110 s since the first registration: 20 s + (60 s - 30 s) down.
    let expected = 100.0 * (1.0 - 50.0 / 110.0);
    assert!(
        (webhook.uptime_percent - expected).abs() < 1e-9,
        "{}",
        webhook.uptime_percent
    );
    assert!(report.heartbeats.contains_key("ad-hoc"));

    // The restored timeline goes on: a beat closes the gap, 10 s later
    // nothing more is down.
    second.heartbeat("webhook");
    clock.advance(Duration::from_secs(10));
    let webhook = &second.report().heartbeats["webhook"];
    assert_eq!(webhook.status, CheckStatus::Up);
    let expected = 100.0 * (1.0 - 50.0 / 120.0);
    assert!((webhook.uptime_percent - expected).abs() < 1e-9);
}

#[tokio::test(start_paused = true)]
async fn a_hostile_state_is_trimmed_not_trusted() {
    let now_ms = 1_795_000_000_000;
    let health = Health::builder()
        .clock(start())
        .max_heartbeats(4)
        .spawn()
        .expect("runtime");
    let mut heartbeats: Vec<HeartbeatState> = (0..1_000)
        .map(|i| HeartbeatState {
            name: format!("source-{i}"),
            interval_ms: 10_000,
            required: false,
            registered_at_ms: now_ms + 1_000_000, // in the future
            last_seen_ms: Some(u64::MAX),
            down_ms: u64::MAX,
        })
        .collect();
    heartbeats.insert(
        0,
        HeartbeatState {
            name: "\n".to_owned(),
            interval_ms: 0,
            required: true,
            registered_at_ms: 0,
            last_seen_ms: None,
            down_ms: 0,
        },
    );
    health.restore(HealthState { heartbeats });
    let report = health.report();
    assert_eq!(report.heartbeats.len(), 4);
    for beat in report.heartbeats.values() {
        assert_eq!(beat.uptime_percent, 100.0);
        assert_eq!(beat.status, CheckStatus::Up);
    }
    assert_eq!(health.counters().rejected_heartbeats, 997);
}

#[tokio::test(start_paused = true)]
async fn metrics_are_published_with_bounded_labels() {
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let health = Health::builder()
        .check(
            "db",
            FnCheck::new(|| async { CheckResult::down("refused") }),
            CheckOptions::required(),
        )
        .spawn()
        .expect("runtime");
    health.refresh().await;
    health.heartbeat("webhook");
    metrics::with_local_recorder(&recorder, || health.publish_metrics());
    let text = handle.render();
    assert!(text.contains("monitor_health_status 2"), "{text}");
    assert!(
        text.contains("monitor_health_check_up{check=\"db\"} 0"),
        "{text}"
    );
    assert!(
        text.contains("monitor_health_check_latency_seconds{check=\"db\"}"),
        "{text}"
    );
    assert!(
        text.contains("monitor_heartbeat_age_seconds{source=\"webhook\"} 0"),
        "{text}"
    );
}

#[tokio::test]
async fn builder_limits_are_counted() {
    let mut builder = Health::builder();
    for i in 0..70 {
        builder = builder.check(
            format!("c{i}"),
            FnCheck::new(|| async { CheckResult::up("") }),
            CheckOptions::optional(),
        );
    }
    let builder = builder.check(
        " ",
        FnCheck::new(|| async { CheckResult::up("") }),
        CheckOptions::optional(),
    );
    let health = builder.spawn().expect("runtime");
    assert_eq!(health.report().checks.len(), 64);
    assert_eq!(health.counters().rejected_checks, 7);
}

#[test]
fn spawning_outside_a_runtime_is_an_error() {
    assert!(Health::builder().spawn().is_err());
}

// Real sockets: real time, the multi-threaded runtime.

#[cfg(feature = "http")]
async fn stand_in() -> String {
    use axum::http::StatusCode;
    use axum::routing::get;
    let app = axum::Router::new()
        .route("/ok", get(|| async { "fine" }))
        .route(
            "/fail",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "nope") }),
        )
        .route(
            "/slow",
            get(|| async {
                sleep(Duration::from_millis(200)).await;
                "late"
            }),
        )
        .route("/hang", get(std::future::pending::<&'static str>));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    drop(listener);
    addr
}

#[cfg(feature = "http")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_check_against_a_real_server() {
    use monitor_core::health::HttpCheck;

    let base = stand_in().await;
    let closed = closed_port().await;
    let options = CheckOptions::optional().timeout(Duration::from_secs(5));
    let hang = CheckOptions::optional().timeout(Duration::from_millis(300));
    let health = Health::builder()
        .check(
            "ok",
            HttpCheck::new(format!("{base}/ok?token=s3cret")),
            options,
        )
        .check(
            "fail",
            HttpCheck::new(format!("{base}/fail?token=s3cret")),
            options,
        )
        .check(
            "slow",
            HttpCheck::new(format!("{base}/slow")).degraded_after(Duration::from_millis(50)),
            options,
        )
        .check("hang", HttpCheck::new(format!("{base}/hang")), hang)
        .check(
            "refused",
            HttpCheck::new(format!("http://user:pw@{closed}/x?token=s3cret")),
            options,
        )
        .check("invalid", HttpCheck::new("::not a url::"), options)
        .spawn()
        .expect("runtime");
    health.refresh().await;
    let report = health.report();
    let check = |name: &str| report.checks[name].clone();
    assert_eq!(check("ok").status, CheckStatus::Up, "{:?}", check("ok"));
    assert!(check("ok").detail.starts_with("HTTP 200 in "));
    assert_eq!(check("fail").status, CheckStatus::Down);
    assert!(
        check("fail").detail.starts_with("HTTP 500"),
        "{}",
        check("fail").detail
    );
    assert_eq!(
        check("slow").status,
        CheckStatus::Degraded,
        "{:?}",
        check("slow")
    );
    assert!(check("slow").detail.contains("slower than 50 ms"));
    assert_eq!(check("hang").status, CheckStatus::Down);
    assert_eq!(check("hang").detail, "timed out after 300ms");
    assert_eq!(check("refused").status, CheckStatus::Down);
    assert_eq!(check("invalid").detail, "invalid URL");
    let json = serde_json::to_string(&report).expect("serializes");
    for secret in ["s3cret", "user:pw", closed.as_str()] {
        assert!(!json.contains(secret), "{secret} leaked: {json}");
    }
    assert_eq!(report.status, HealthStatus::Degraded, "all optional");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_check_against_a_bound_and_a_closed_port() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let open = listener.local_addr().expect("addr").to_string();
    let closed = closed_port().await;
    let health = Health::builder()
        .check("db", TcpCheck::new(open), CheckOptions::required())
        .check("cache", TcpCheck::new(closed), CheckOptions::required())
        .spawn()
        .expect("runtime");
    health.refresh().await;
    let report = health.report();
    assert_eq!(
        report.checks["db"].status,
        CheckStatus::Up,
        "{:?}",
        report.checks["db"]
    );
    assert!(report.checks["db"].detail.starts_with("connected in "));
    assert_eq!(report.checks["cache"].status, CheckStatus::Down);
    assert!(report.checks["cache"].detail.starts_with("connect failed"));
    assert_eq!(report.status, HealthStatus::Critical);
    drop(listener);
}

#[test]
fn default_thresholds_match_the_spec() {
    let t = Thresholds::default();
    assert_eq!(
        (
            t.critical_error_rate,
            t.degraded_error_rate,
            t.critical_p95_ms,
            t.degraded_p95_ms,
            t.min_messages
        ),
        (0.05, 0.02, 1_000.0, 500.0, 20)
    );
}
