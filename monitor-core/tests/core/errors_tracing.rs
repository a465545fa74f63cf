//! `tracing::error!`/`warn!` become logged errors and route alerts, with no
//! new calls in the host.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use monitor_core::alerts::{Alert, AlertRouter, FnSink, Route, SinkError};
use monitor_core::errors::{ErrorCaptureLayer, ErrorLog, ErrorQuery, Severity};
use tracing_subscriber::layer::SubscriberExt;

fn all(log: &ErrorLog) -> Vec<monitor_core::errors::ErrorView> {
    let mut errors = log.query(&ErrorQuery::default()).errors;
    errors.reverse();
    errors
}

#[test]
fn events_become_errors_with_their_fields() {
    let log = ErrorLog::builder().build();
    let subscriber = tracing_subscriber::registry().with(ErrorCaptureLayer::new(log.clone()));
    tracing::subscriber::with_default(subscriber, || {
        tracing::error!(
            service = "db",
            operation = "query",
            error_type = "Timeout",
            client_id = "acme",
            attempt = 3,
            table = "orders",
            "query took {} s",
            31
        );
        tracing::warn!(service = "whatsapp", "provider slow");
        tracing::error!(severity = "critical", "disk full");
        tracing::info!(service = "db", "all good");
        tracing::error!(target: "monitor_core::alerts", "delivery failed");
    });
    let errors = all(&log);
    assert_eq!(
        errors.len(),
        3,
        "info and the crate's own events are not captured"
    );

    let e = &errors[0];
    assert_eq!(
        (
            e.service.as_str(),
            e.operation.as_str(),
            e.error_type.as_str()
        ),
        ("db", "query", "Timeout")
    );
    assert_eq!(e.client_id.as_deref(), Some("acme"));
    assert_eq!(e.message, "query took 31 s");
    assert_eq!(e.context.get("attempt").map(String::as_str), Some("3"));
    assert_eq!(e.context.get("table").map(String::as_str), Some("orders"));
    assert_eq!(e.severity, Severity::Error);

    let w = &errors[1];
    assert_eq!(
        (w.service.as_str(), w.error_type.as_str()),
        ("whatsapp", "warn")
    );
    assert_eq!(w.severity, Severity::Warning);

    let d = &errors[2];
    assert_eq!(d.severity, Severity::Critical);
    // The event's target and module, both this module's path
    // (`core::errors_tracing` in the tests' one binary).
    assert_eq!(
        d.service,
        module_path!(),
        "the target is the default service"
    );
    assert_eq!(d.operation, module_path!(), "the module is the operation");
    assert_eq!(d.error_type, "error");
}

#[test]
fn errors_only_skips_warnings() {
    let log = ErrorLog::builder().build();
    let layer = ErrorCaptureLayer::new(log.clone()).errors_only();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        tracing::warn!("slow");
        tracing::error!("broken");
    });
    assert_eq!(all(&log).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_tracing_error_routes_an_alert() {
    let seen: Arc<Mutex<Vec<Alert>>> = Arc::default();
    let sink_seen = Arc::clone(&seen);
    let sink = FnSink::new("pager", move |a: Alert| {
        let seen = Arc::clone(&sink_seen);
        async move {
            seen.lock().expect("not poisoned").push(a);
            Ok::<(), SinkError>(())
        }
    });
    let router = AlertRouter::new()
        .route(Route::new("db").service("db").sink(sink))
        .spawn()
        .expect("runtime");
    let log = ErrorLog::builder().listener(router.listener()).build();
    let subscriber = tracing_subscriber::registry().with(ErrorCaptureLayer::new(log));
    tracing::subscriber::with_default(subscriber, || {
        tracing::error!(service = "db", error_type = "Down", "connection refused");
    });
    tokio::time::sleep(Duration::from_secs(31)).await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    let alerts = seen.lock().expect("not poisoned").clone();
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        (alerts[0].service.as_str(), alerts[0].error_type.as_str()),
        ("db", "Down")
    );
    assert_eq!(alerts[0].summary, "connection refused");
}
