//! The Alertmanager sink against the real Alertmanager (Debian's
//! `prometheus-alertmanager`), started on a loopback port by the test.
//!
//! Without the binary the test says so and passes, unless
//! `MONITOR_REQUIRE_ALERTMANAGER=1` (set by `.ci/run`, which installs it).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use monitor_core::alerts::{AlertRouter, AlertmanagerSink, RetryPolicy, Route};
use monitor_core::errors::{ErrorEvent, ErrorLog, Severity};
use serde_json::Value;
use tokio::process::{Child, Command};

fn binary() -> Option<PathBuf> {
    let candidates = [
        std::env::var("ALERTMANAGER_BIN").ok(),
        Some("/usr/bin/prometheus-alertmanager".into()),
        Some("/usr/bin/alertmanager".into()),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

struct Alertmanager {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

async fn start(bin: PathBuf) -> Alertmanager {
    // This test's own reqwest calls need the TLS provider the crate uses.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("alertmanager.yml");
    std::fs::write(
        &config,
        "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n",
    )
    .expect("config");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new(bin)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.path={}", dir.path().display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("alertmanager starts");
    let am = Alertmanager {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    };
    let ready = format!("{}/-/ready", am.base);
    let started = Instant::now();
    loop {
        if reqwest::get(&ready)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return am;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "alertmanager never became ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Alerts Alertmanager currently holds (active ones, by default).
async fn alerts(base: &str) -> Vec<Value> {
    let url = format!("{base}/api/v2/alerts");
    match reqwest::get(&url).await {
        Ok(r) => r.json::<Vec<Value>>().await.unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

async fn wait_for(base: &str, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let now = alerts(base).await;
        if done(&now) {
            return now;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never saw {what}: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn ours(alerts: &[Value]) -> Option<&Value> {
    alerts
        .iter()
        .find(|a| a["labels"]["alertname"] == "ConnectionRefused")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_appear_with_their_labels_and_resolve() {
    let Some(bin) = binary() else {
        assert!(
            std::env::var_os("MONITOR_REQUIRE_ALERTMANAGER").is_none(),
            "MONITOR_REQUIRE_ALERTMANAGER is set but no alertmanager binary was found"
        );
        eprintln!("skipped: no alertmanager binary (apt-get install prometheus-alertmanager)");
        return;
    };
    let am = start(bin).await;
    let router = AlertRouter::new()
        .retry(RetryPolicy {
            base: Duration::from_millis(50),
            ..RetryPolicy::default()
        })
        .route(
            Route::new("alertmanager")
                .sink(AlertmanagerSink::new(&am.base).refresh_every(Duration::from_millis(500)))
                .group_wait(Duration::ZERO)
                .group_interval(Duration::from_millis(200)),
        )
        .spawn()
        .expect("runtime");
    let log = ErrorLog::builder().listener(router.listener()).build();
    let logged = log.log(
        ErrorEvent::new(
            "postgres",
            "connect",
            "ConnectionRefused",
            "refused on 127.0.0.1:5432",
        )
        .client("acme")
        .severity(Severity::Critical),
    );

    let active = wait_for(&am.base, "the alert", |a| ours(a).is_some()).await;
    let alert = ours(&active).expect("present");
    let labels = &alert["labels"];
    assert_eq!(labels["severity"], "critical");
    assert_eq!(labels["service"], "postgres");
    assert_eq!(labels["operation"], "connect");
    assert_eq!(labels["client_id"], "acme");
    assert_eq!(labels["fingerprint"], &*logged.fingerprint);
    assert_eq!(alert["annotations"]["summary"], "refused on 127.0.0.1:5432");
    assert_eq!(alert["status"]["state"], "active");

    // Re-posted while firing: still active after several refresh intervals.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(ours(&alerts(&am.base).await).is_some());
    assert!(router.stats().sinks[0].sent >= 3, "{:?}", router.stats());

    log.resolve(logged.id).expect("in the log");
    wait_for(&am.base, "the alert resolved", |a| ours(a).is_none()).await;
    assert_eq!(router.stats().sinks[0].failed, 0);
}
