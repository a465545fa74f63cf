//! Routing, grouping, pacing, silences and resolved notices, on tokio's
//! paused clock with in-process recording sinks.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use monitor_core::ManualClock;
use monitor_core::alerts::{
    Alert, AlertHandle, AlertInput, AlertRouter, AlertSink, AlertStatus, FnSink, MAX_SILENCES,
    Matcher, RetryPolicy, Route, SilenceError, SinkError,
};
use monitor_core::errors::{ErrorEvent, ErrorLog, GroupKey, Severity};
use tokio::time::advance;

type Seen = Arc<Mutex<Vec<Alert>>>;

fn recorder(name: &str) -> (impl AlertSink + use<>, Seen) {
    let seen: Seen = Arc::default();
    let sink_seen = Arc::clone(&seen);
    let sink = FnSink::new(name, move |alert: Alert| {
        let seen = Arc::clone(&sink_seen);
        async move {
            seen.lock().expect("not poisoned").push(alert);
            Ok::<(), SinkError>(())
        }
    });
    (sink, seen)
}

/// A router with one route, "all", delivering to a recorder; `shape`
/// adjusts the route and `router` the router.
fn one_route(
    shape: impl FnOnce(Route) -> Route,
    router: impl FnOnce(AlertRouter) -> AlertRouter,
) -> (AlertHandle, Seen) {
    let (sink, seen) = recorder("a");
    let handle = router(AlertRouter::new())
        .route(shape(Route::new("all").sink(sink)))
        .spawn()
        .expect("runtime");
    (handle, seen)
}

fn taken(seen: &Seen) -> Vec<Alert> {
    std::mem::take(&mut *seen.lock().expect("not poisoned"))
}

fn input(fingerprint: &str, service: &str, severity: Severity, client: Option<&str>) -> AlertInput {
    AlertInput {
        key: GroupKey {
            fingerprint: fingerprint.into(),
            client_id: client.map(Into::into),
        },
        service: service.into(),
        operation: "op".into(),
        error_type: "Kind".into(),
        severity,
        summary: format!("{fingerprint} happened"),
    }
}

/// The router picks queued occurrences up within 25 ms.
const PICKUP: Duration = Duration::from_millis(30);

/// Lets the router pick up what was queued, then moves the paused clock by
/// `d` in all, letting the router task and deliveries run.
async fn pass(d: Duration) {
    settle().await;
    advance(PICKUP.min(d)).await;
    settle().await;
    advance(d.saturating_sub(PICKUP)).await;
    settle().await;
}

async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

fn fingerprints(alerts: &[Alert]) -> Vec<String> {
    let mut v: Vec<String> = alerts.iter().map(|a| a.fingerprint.clone()).collect();
    v.sort();
    v
}

#[tokio::test(start_paused = true)]
async fn the_routing_matrix() {
    let (a, seen_a) = recorder("a");
    let (b, seen_b) = recorder("b");
    let (c, seen_c) = recorder("c");
    let (d, seen_d) = recorder("d");
    let router = AlertRouter::new()
        .route(
            Route::new("critical")
                .min_severity(Severity::Critical)
                .sink(a)
                .continue_matching(),
        )
        .route(Route::new("payments").service("payments").sink(b))
        .route(Route::new("acme").client("acme").sink(c))
        .route(Route::new("default").sink(d))
        .spawn()
        .expect("runtime");
    router.notify(input("1", "payments", Severity::Critical, Some("acme")));
    router.notify(input("2", "db", Severity::Critical, Some("acme")));
    router.notify(input("3", "db", Severity::Error, Some("globex")));
    router.notify(input("4", "payments", Severity::Warning, None));
    router.notify(input("5", "db", Severity::Warning, Some("acme")));
    router.notify(input("6", "db", Severity::Critical, None));
    pass(Duration::from_secs(31)).await;
    assert_eq!(
        fingerprints(&taken(&seen_a)),
        ["1", "2", "6"],
        "critical, and continue"
    );
    assert_eq!(
        fingerprints(&taken(&seen_b)),
        ["1", "4"],
        "payments stops the search"
    );
    assert_eq!(
        fingerprints(&taken(&seen_c)),
        ["2", "5"],
        "acme after payments"
    );
    assert_eq!(
        fingerprints(&taken(&seen_d)),
        ["3", "6"],
        "whatever nothing else took"
    );
}

#[tokio::test(start_paused = true)]
async fn a_thousand_identical_errors_in_a_second_make_one_notification_per_sink() {
    let (a, seen_a) = recorder("a");
    let (b, seen_b) = recorder("b");
    let router = AlertRouter::new()
        .route(
            Route::new("critical")
                .min_severity(Severity::Critical)
                .sink(a)
                .sink(b),
        )
        .spawn()
        .expect("runtime");
    let log = ErrorLog::builder().listener(router.listener()).build();
    for i in 0..1_000 {
        log.log(
            ErrorEvent::new("db", "query", "Down", format!("refused #{i}"))
                .severity(Severity::Critical),
        );
        if i % 100 == 0 {
            pass(Duration::from_millis(100)).await;
        }
    }
    pass(Duration::from_secs(31)).await;
    for seen in [&seen_a, &seen_b] {
        let alerts = taken(seen);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].count, 1_000);
        // The summary is a message of the latest burst the router read.
        assert!(
            alerts[0].summary.starts_with("refused #9"),
            "{}",
            alerts[0].summary
        );
        assert_eq!(alerts[0].status, AlertStatus::Firing);
    }
    assert_eq!(router.stats().queue_dropped, 0);
}

#[tokio::test(start_paused = true)]
async fn group_wait_then_group_interval_then_repeat_interval() {
    let (router, seen) = one_route(|r| r, |r| r.resolve_after(None));
    router.notify(input("f", "db", Severity::Error, None));
    pass(Duration::from_secs(29)).await;
    assert!(taken(&seen).is_empty(), "still in group_wait");
    pass(Duration::from_secs(1)).await;
    let first = taken(&seen);
    assert_eq!(
        (first.len(), first[0].count, first[0].new_since_last),
        (1, 1, 1)
    );

    pass(Duration::from_secs(30)).await; // t = 60 s
    router.notify(input("f", "db", Severity::Critical, None));
    router.notify(input("f", "db", Severity::Error, None));
    pass(Duration::from_secs(200)).await; // t = 260 s: before 30 + 300
    assert!(taken(&seen).is_empty(), "news waits for group_interval");
    pass(Duration::from_secs(70)).await; // t = 330 s
    let news = taken(&seen);
    assert_eq!(news.len(), 1);
    assert_eq!((news[0].count, news[0].new_since_last), (3, 2));
    assert_eq!(
        news[0].severity,
        Severity::Critical,
        "the worst seen while firing"
    );

    pass(Duration::from_secs(4 * 3_600 - 10)).await;
    assert!(
        taken(&seen).is_empty(),
        "nothing new: quiet until repeat_interval"
    );
    pass(Duration::from_secs(10)).await;
    let repeat = taken(&seen);
    assert_eq!(repeat.len(), 1);
    assert_eq!((repeat[0].count, repeat[0].new_since_last), (3, 0));
}

#[tokio::test(start_paused = true)]
async fn silences_withhold_until_they_end() {
    let (router, seen) = one_route(|r| r.group_interval(Duration::from_secs(60)), |r| r);
    let until = SystemTime::now() + Duration::from_secs(120);
    let silence = router
        .silence(
            Matcher {
                services: vec!["db".into()],
                ..Matcher::any()
            },
            until,
            "maintenance window",
        )
        .expect("under the cap");
    router.notify(input("db-down", "db", Severity::Critical, None));
    router.notify(input("api-slow", "api", Severity::Warning, None));
    pass(Duration::from_secs(31)).await;
    assert_eq!(fingerprints(&taken(&seen)), ["api-slow"]);
    assert_eq!(router.stats().silenced, 1);
    assert_eq!(router.silences().len(), 1);

    assert!(router.unsilence(silence));
    assert!(!router.unsilence(silence));
    pass(Duration::from_secs(61)).await;
    assert_eq!(
        fingerprints(&taken(&seen)),
        ["db-down"],
        "delivered once the silence is gone"
    );
}

#[tokio::test]
async fn silences_are_capped_and_refusals_counted() {
    let clock = ManualClock::new(SystemTime::now());
    let (router, _seen) = one_route(|r| r, |r| r.clock(clock.clone()));
    let until = clock.now() + Duration::from_secs(3_600);
    let ids: Vec<u64> = (0..MAX_SILENCES)
        .map(|i| {
            router
                .silence(Matcher::any(), until, format!("s{i}"))
                .expect("under the cap")
        })
        .collect();
    assert_eq!(
        router.silence(Matcher::any(), until, "one more"),
        Err(SilenceError::TooMany {
            limit: MAX_SILENCES
        })
    );
    assert_eq!(router.stats().silences_refused, 1);
    assert_eq!(router.silences().len(), MAX_SILENCES);
    // Ending one makes room; so does one that expires.
    assert!(router.unsilence(ids[0]));
    let soon = clock.now() + Duration::from_secs(1);
    router
        .silence(Matcher::any(), soon, "short")
        .expect("room again");
    assert!(router.silence(Matcher::any(), until, "full").is_err());
    clock.advance(Duration::from_secs(2));
    router
        .silence(Matcher::any(), until, "after expiry")
        .expect("the expired one made room");
    assert_eq!(router.stats().silences_refused, 2);
}

#[tokio::test(start_paused = true)]
async fn resolving_sends_a_resolved_notice_and_a_new_episode_starts_over() {
    let (router, seen) = one_route(|r| r.group_interval(Duration::from_secs(60)), |r| r);
    let log = ErrorLog::builder().listener(router.listener()).build();
    let id = log.log(ErrorEvent::new("db", "query", "Down", "x")).id;
    pass(Duration::from_secs(31)).await;
    assert_eq!(taken(&seen).len(), 1);
    log.resolve(id).expect("in the log"); // t = 31 s, last sent at 30 s
    pass(Duration::from_secs(50)).await;
    assert!(
        taken(&seen).is_empty(),
        "resolved notice waits for group_interval"
    );
    pass(Duration::from_secs(10)).await; // t = 91 s
    let resolved = taken(&seen);
    assert_eq!(resolved.len(), 1);
    assert_eq!(resolved[0].status, AlertStatus::Resolved);
    assert!(resolved[0].ends_at.is_some());

    log.log(ErrorEvent::new("db", "query", "Down", "again"));
    pass(Duration::from_secs(31)).await;
    let again = taken(&seen);
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].status, again[0].count), (AlertStatus::Firing, 1));
}

#[tokio::test(start_paused = true)]
async fn resolved_before_anyone_was_told_sends_nothing() {
    let (router, seen) = one_route(|r| r, |r| r);
    let log = ErrorLog::builder().listener(router.listener()).build();
    let id = log.log(ErrorEvent::new("db", "query", "Blip", "x")).id;
    pass(Duration::from_secs(5)).await;
    log.resolve(id).expect("in the log");
    pass(Duration::from_secs(3_600)).await;
    assert!(taken(&seen).is_empty());
}

#[tokio::test(start_paused = true)]
async fn quiet_groups_resolve_on_their_own() {
    let (router, seen) = one_route(
        |r| r.group_interval(Duration::from_secs(60)),
        |r| r.resolve_after(Some(Duration::from_secs(600))),
    );
    router.notify(input("f", "db", Severity::Error, None));
    pass(Duration::from_secs(31)).await;
    assert_eq!(taken(&seen).len(), 1);
    for _ in 0..12 {
        pass(Duration::from_secs(60)).await;
    }
    let resolved = taken(&seen);
    assert_eq!(resolved.len(), 1, "{resolved:?}");
    assert_eq!(resolved[0].status, AlertStatus::Resolved);
}

#[tokio::test(start_paused = true)]
async fn a_full_queue_drops_and_counts_without_waiting() {
    let (a, _seen) = recorder("a");
    let router: AlertHandle = AlertRouter::new()
        .queue_capacity(2)
        .route(Route::new("all").sink(a))
        .spawn()
        .expect("runtime");
    // The router task cannot run until this task yields: the queue fills.
    let accepted = (0..10)
        .filter(|i| router.notify(input(&i.to_string(), "db", Severity::Error, None)))
        .count();
    assert_eq!(accepted, 2);
    assert_eq!(router.stats().queue_dropped, 8);
}

#[tokio::test(start_paused = true)]
async fn a_stuck_sink_is_bounded_and_does_not_hold_others_back() {
    let stuck = FnSink::new("stuck", |_: Alert| {
        std::future::pending::<Result<(), SinkError>>()
    });
    let (fast, seen) = recorder("fast");
    let router = AlertRouter::new()
        .max_in_flight(2)
        .sink_backlog(4)
        .retry(RetryPolicy {
            attempts: 1,
            timeout: Duration::from_secs(3_600),
            ..RetryPolicy::default()
        })
        .route(
            Route::new("all")
                .sink(stuck)
                .sink(fast)
                .group_wait(Duration::ZERO),
        )
        .spawn()
        .expect("runtime");
    for i in 0..10 {
        router.notify(input(&i.to_string(), "db", Severity::Error, None));
        pass(PICKUP).await;
    }
    pass(Duration::from_secs(1)).await;
    assert_eq!(taken(&seen).len(), 10, "the fast sink got every alert");
    let stuck_stats = |router: &AlertHandle| {
        router
            .stats()
            .sinks
            .into_iter()
            .find(|s| s.name == "stuck")
            .expect("listed")
    };
    let stuck = stuck_stats(&router);
    // Two in flight, one in the dispatcher's hand, four in the backlog.
    assert_eq!((stuck.sent, stuck.dropped), (0, 3));
    pass(Duration::from_secs(3_600)).await;
    let stuck = stuck_stats(&router);
    assert_eq!(stuck.failed, 2, "the two in flight timed out");
    assert!(
        stuck
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("no answer"))
    );
    assert_eq!(
        router.stats().sinks[1].dropped,
        0,
        "the fast sink never dropped"
    );
}

#[tokio::test(start_paused = true)]
async fn failing_sinks_retry_with_backoff_then_count_the_failure() {
    let calls = Arc::new(Mutex::new(0u32));
    let sink_calls = Arc::clone(&calls);
    let flaky = FnSink::new("flaky", move |_: Alert| {
        let calls = Arc::clone(&sink_calls);
        async move {
            let mut n = calls.lock().expect("not poisoned");
            *n += 1;
            if *n <= 2 {
                Err(SinkError::Transport("connection reset".into()))
            } else {
                Ok(())
            }
        }
    });
    let rejecting = FnSink::new("rejecting", |_: Alert| async {
        Err::<(), _>(SinkError::Rejected("HTTP 400: bad payload".into()))
    });
    let router = AlertRouter::new()
        .route(
            Route::new("all")
                .sink(flaky)
                .sink(rejecting)
                .group_wait(Duration::ZERO),
        )
        .spawn()
        .expect("runtime");
    router.notify(input("f", "db", Severity::Error, None));
    for _ in 0..10 {
        pass(Duration::from_secs(1)).await;
    }
    let stats = router.stats();
    let flaky = &stats.sinks[0];
    assert_eq!((flaky.sent, flaky.retried, flaky.failed), (1, 2, 0));
    let rejecting = &stats.sinks[1];
    assert_eq!(
        (rejecting.sent, rejecting.retried, rejecting.failed),
        (0, 0, 1),
        "4xx is not retried"
    );
}

#[tokio::test(start_paused = true)]
async fn sinks_shared_between_routes_count_once_and_names_stay_unique() {
    let (a, _) = recorder("hook");
    let (b, _) = recorder("hook");
    let shared: Arc<dyn AlertSink> = Arc::new(a);
    let router = AlertRouter::new()
        .route(
            Route::new("one")
                .shared_sink(Arc::clone(&shared))
                .continue_matching(),
        )
        .route(Route::new("two").shared_sink(shared).sink(b))
        .spawn()
        .expect("runtime");
    let names: Vec<String> = router.stats().sinks.into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["hook", "hook-2"]);
}

#[tokio::test(start_paused = true)]
async fn delivery_counts_reach_prometheus() {
    let (a, _) = recorder("pager");
    let failing = FnSink::new("broken", |_: Alert| async {
        Err::<(), _>(SinkError::Rejected("HTTP 400".into()))
    });
    let router = AlertRouter::new()
        .queue_capacity(1)
        .route(
            Route::new("all")
                .sink(a)
                .sink(failing)
                .group_wait(Duration::ZERO),
        )
        .spawn()
        .expect("runtime");
    router.notify(input("f", "db", Severity::Error, None));
    router.notify(input("g", "db", Severity::Error, None)); // queue full: dropped
    pass(Duration::from_secs(1)).await;
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || router.publish_metrics());
    let text = handle.render();
    for line in [
        r#"monitor_alerts_sent_total{sink="pager"} 1"#,
        r#"monitor_alerts_failed_total{sink="broken"} 1"#,
        r#"monitor_alerts_dropped_total{sink="queue"} 1"#,
        "monitor_alerts_silenced_total 0",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_group_escalating_to_critical_reaches_the_critical_routes() {
    let (pager, seen) = recorder("pager");
    let router = AlertRouter::new()
        .route(
            Route::new("critical")
                .min_severity(Severity::Critical)
                .sink(pager),
        )
        .spawn()
        .expect("runtime");
    router.notify(input("f", "db", Severity::Warning, None));
    pass(Duration::from_secs(60)).await;
    assert!(taken(&seen).is_empty(), "no route takes a warning");
    router.notify(input("f", "db", Severity::Critical, None));
    pass(Duration::from_secs(31)).await;
    let alerts = taken(&seen);
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        (alerts[0].severity, alerts[0].count),
        (Severity::Critical, 2)
    );
}
