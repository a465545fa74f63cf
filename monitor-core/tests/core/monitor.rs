//! The `Monitor` wires its parts to the bus: errors, alerts, messages and
//! periodic metrics arrive as events, in the right rooms.

use std::time::Duration;

use monitor_core::Monitor;
use monitor_core::alerts::{Alert, AlertRouter, FnSink, Route};
use monitor_core::bus::{Audience, Channel, ChannelSet, MessageEvent, Subscription};
use monitor_core::errors::{ErrorEvent, Severity};

async fn next(sub: &mut Subscription) -> serde_json::Value {
    let d = tokio::time::timeout(Duration::from_secs(10), sub.recv())
        .await
        .expect("an event in time")
        .expect("bus open");
    serde_json::from_str(d.json()).expect("valid JSON")
}

#[tokio::test]
async fn error_lifecycle_events_reach_operators_and_only_their_tenant() {
    let monitor = Monitor::builder().start().expect("runtime");
    let bus = monitor.bus();
    let mut ops = bus
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("room");
    let mut acme = bus
        .subscribe(Audience::tenant("acme"), ChannelSet::all())
        .expect("room");
    let mut globex = bus
        .subscribe(Audience::tenant("globex"), ChannelSet::all())
        .expect("room");

    let e = ErrorEvent::new("payments", "charge", "Declined", "card declined")
        .client("acme")
        .severity(Severity::Critical);
    let logged = monitor.log_error(e);
    monitor.errors().acknowledge(logged.id).expect("logged");
    monitor.errors().resolve(logged.id).expect("logged");

    for sub in [&mut ops, &mut acme] {
        let types: Vec<String> = [
            next(sub).await,
            next(sub).await,
            next(sub).await,
            next(sub).await,
        ]
        .iter()
        .map(|v| {
            assert_eq!(v["client_id"], "acme");
            v["type"].as_str().expect("type").to_owned()
        })
        .collect();
        assert_eq!(
            types,
            [
                "error:critical",
                "error:logged",
                "error:acknowledged",
                "error:resolved"
            ]
        );
    }
    assert!(globex.try_recv().is_none(), "globex saw acme's errors");

    let untenanted = monitor.log_error(ErrorEvent::new("db", "q", "Timeout", "slow"));
    let v = next(&mut ops).await;
    assert_eq!(v["data"]["id"], untenanted.id);
    assert!(v["client_id"].is_null());
    assert!(
        acme.try_recv().is_none(),
        "a tenant-free error is for operators only"
    );
}

#[tokio::test]
async fn message_new_and_metrics_update() {
    let monitor = Monitor::builder()
        .metrics_interval(Duration::from_millis(50))
        .start()
        .expect("runtime");
    let only = |c: Channel| ChannelSet::empty().with(c);
    let mut messages = monitor
        .bus()
        .subscribe(Audience::Operators, only(Channel::Messages))
        .expect("room");
    let mut tenant = monitor
        .bus()
        .subscribe(Audience::tenant("acme"), only(Channel::Messages))
        .expect("room");
    let mut metrics = monitor
        .bus()
        .subscribe(Audience::Operators, only(Channel::Metrics))
        .expect("room");

    monitor.record_message("u1", Duration::from_millis(120));
    monitor.publish_message(
        Some("acme"),
        MessageEvent::new("u1", Some("Ann"), Some("hello"), 120.0),
    );
    let op = next(&mut messages).await;
    assert_eq!(
        (op["type"].as_str(), op["data"]["text"].as_str()),
        (Some("message:new"), Some("hello"))
    );
    assert!(next(&mut tenant).await["data"]["text"].is_null());

    let update = next(&mut metrics).await;
    assert_eq!(update["type"], "metrics:update");
    assert_eq!(update["data"]["messages"]["total"], 1);
    monitor.record_message("u2", Duration::from_millis(80));
    // Periodic: a later update shows the new message.
    let mut total = 1;
    for _ in 0..50 {
        total = next(&mut metrics).await["data"]["messages"]["total"]
            .as_u64()
            .unwrap_or(0);
        if total == 2 {
            break;
        }
    }
    assert_eq!(total, 2);
    monitor.shutdown().await.expect("no snapshot configured");
}

#[tokio::test]
async fn delivered_alerts_are_published_as_alert_sent() {
    let sink = FnSink::new("recorder", |_alert: Alert| async { Ok(()) });
    let router = AlertRouter::new().route(Route::new("all").sink(sink).group_wait(Duration::ZERO));
    let monitor = Monitor::builder().alerts(router).start().expect("runtime");
    let mut alerts = monitor
        .bus()
        .subscribe(
            Audience::tenant("acme"),
            ChannelSet::empty().with(Channel::Alerts),
        )
        .expect("room");
    monitor.log_error(ErrorEvent::new("db", "q", "Down", "refused").client("acme"));
    let v = next(&mut alerts).await;
    assert_eq!(v["type"], "alert:sent");
    assert_eq!(v["data"]["sink"], "recorder");
    assert_eq!(v["data"]["status"], "firing");
    assert_eq!(v["client_id"], "acme");
    assert_eq!(monitor.alerts().map(|a| a.stats().sinks[0].sent), Some(1));
}

#[test]
fn starting_outside_a_runtime_is_an_error_not_a_panic() {
    assert!(Monitor::builder().start().is_err());
}

#[tokio::test]
async fn a_failing_required_check_changes_health_publishes_and_alerts() {
    use monitor_core::health::{CheckOptions, CheckResult, FnCheck, Health};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

    let db_up = Arc::new(AtomicBool::new(true));
    let probe = Arc::clone(&db_up);
    let check = FnCheck::new(move || {
        let up = probe.load(Relaxed);
        async move {
            if up {
                CheckResult::up("ok")
            } else {
                CheckResult::down("connection refused")
            }
        }
    });
    let (alerts_tx, mut alerts_rx) = tokio::sync::mpsc::unbounded_channel();
    let sink = FnSink::new("recorder", move |alert: Alert| {
        let tx = alerts_tx.clone();
        async move {
            let _ = tx.send(alert);
            Ok(())
        }
    });
    // Resolved notices wait for the group interval, as in Alertmanager.
    let route = Route::new("all")
        .sink(sink)
        .group_wait(Duration::ZERO)
        .group_interval(Duration::from_millis(100));
    let router = AlertRouter::new().route(route);
    let monitor = Monitor::builder()
        .health(
            Health::builder()
                .check(
                    "db",
                    check,
                    CheckOptions::required().every(Duration::from_millis(100)),
                )
                .evaluate_every(Duration::from_millis(50)),
        )
        .alerts(router)
        .start()
        .expect("runtime");
    let mut tenant = monitor
        .bus()
        .subscribe(
            Audience::tenant("acme"),
            ChannelSet::empty().with(Channel::Health),
        )
        .expect("room");
    monitor.health().refresh().await;
    while tenant.try_recv().is_some() {} // the first verdicts

    db_up.store(false, Relaxed);
    monitor.health().refresh().await;
    let changed = next(&mut tenant).await;
    assert_eq!(
        changed["type"], "health:changed",
        "tenants see tenant-free health"
    );
    assert_eq!(changed["data"]["status"], "critical");
    assert_eq!(
        changed["data"]["report"]["checks"]["db"]["detail"],
        "connection refused"
    );
    assert_eq!(monitor.health().report().status.http_status(), 503);
    let alert = tokio::time::timeout(Duration::from_secs(10), alerts_rx.recv())
        .await
        .expect("alert in time")
        .expect("sent");
    assert_eq!(
        (alert.fingerprint.as_str(), alert.severity),
        ("health:check:db", Severity::Critical)
    );

    db_up.store(true, Relaxed);
    monitor.health().refresh().await;
    assert_eq!(next(&mut tenant).await["data"]["status"], "healthy");
    let resolved = tokio::time::timeout(Duration::from_secs(10), alerts_rx.recv())
        .await
        .expect("resolved notice in time")
        .expect("sent");
    assert_eq!(resolved.status, monitor_core::alerts::AlertStatus::Resolved);
    monitor.shutdown().await.expect("no snapshot");
}

#[tokio::test]
async fn activities_reach_the_calls_channel_masked_and_in_their_room() {
    use monitor_core::activity::{ActivityMeta, Outcome};

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("m.snap");
    let monitor = Monitor::builder()
        .snapshot_file(&path)
        .start()
        .expect("runtime");
    let calls = ChannelSet::empty().with(Channel::Calls);
    let mut ops = monitor
        .bus()
        .subscribe(Audience::Operators, calls)
        .expect("room");
    let mut globex = monitor
        .bus()
        .subscribe(Audience::tenant("globex"), calls)
        .expect("room");

    let phone = "+1 (555) 867-5309";
    let meta = ActivityMeta::new()
        .client("acme")
        .category("support")
        .pii("phone", phone);
    monitor
        .activities("call")
        .start("c1", meta)
        .expect("started");
    monitor
        .activities("call")
        .progress("c1", 50.0, "talking")
        .expect("active");
    monitor
        .activities("call")
        .end("c1", Outcome::new("completed").label("quality", "good"))
        .expect("active");

    let mut seen = Vec::new();
    for _ in 0..3 {
        let v = next(&mut ops).await;
        let raw = v.to_string();
        assert!(
            !raw.contains("5558675309") && !raw.contains("867-5309"),
            "{raw}"
        );
        assert_eq!(v["data"]["attributes"]["phone"], "*******5309");
        assert_eq!(v["client_id"], "acme");
        seen.push(v["type"].as_str().expect("type").to_owned());
    }
    assert_eq!(seen, ["call:started", "call:progress", "call:ended"]);
    assert!(
        globex.try_recv().is_none(),
        "another tenant saw acme's call"
    );

    monitor.shutdown().await.expect("snapshot written");
    let bytes = std::fs::read(&path).expect("snapshot file");
    let hay = String::from_utf8_lossy(&bytes);
    assert!(hay.contains("*******5309"), "the masked form is kept");
    for raw in ["5558675309", "867-5309", "(555)"] {
        assert!(
            !hay.contains(raw),
            "raw phone fragment {raw:?} in the snapshot file"
        );
    }
}
