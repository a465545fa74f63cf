//! Backup and restore over a real socket on 127.0.0.1: `GET
//! /api/snapshot` downloads the state, `POST /api/snapshot` replaces it
//! with an uploaded one. A good file round-trips every figure; a bad one
//! (truncated, bit-flipped, another version, a header claiming too much,
//! garbage, empty, undecodable, inconsistent, over the route's limit) is a
//! 400 or 413 naming the reason, with the figures and the error log
//! exactly as before. Only an admin may do either.

use std::time::Duration;

use monitor_axum::{RouterConfig, monitor_core};
use monitor_core::Monitor;
use monitor_core::activity::{ActivityMeta, Outcome};
use monitor_core::errors::{ErrorEvent, Severity};
use monitor_core::persist::{FORMAT_VERSION, MAX_SNAPSHOT_BYTES, Snapshot};
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{ACME, ADMIN, MONITOR, auth, http_client};
use crate::served::{nested, serve};

/// A monitor and its router on 127.0.0.1.
struct Site {
    base: String,
    monitor: Monitor,
    client: reqwest::Client,
}

impl Site {
    async fn start(config: RouterConfig, monitor: Monitor) -> Site {
        Site {
            base: serve(nested(config, &monitor, auth())).await,
            monitor,
            client: http_client(),
        }
    }

    async fn new() -> Site {
        let monitor = Monitor::builder().start().expect("runtime");
        // Figures are read right after each change: no cached bodies.
        Site::start(RouterConfig::new().api_cache(Duration::ZERO), monitor).await
    }

    async fn download(&self, token: Option<&str>) -> reqwest::Response {
        let mut req = self.client.get(format!("{}/api/snapshot", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("answers")
    }

    async fn upload(&self, token: Option<&str>, body: Vec<u8>) -> (StatusCode, Value) {
        let mut req = self
            .client
            .post(format!("{}/api/snapshot", self.base))
            .header("content-type", "application/octet-stream")
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("answers");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> Value {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(ADMIN)
            .send()
            .await
            .expect("answers");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.json().await.expect("json")
    }

    /// Every figure a restore replaces, as the API shows them (times
    /// that move on their own taken out).
    async fn figures(&self) -> Value {
        let mut metrics = self.get("/api/metrics").await;
        for moving in ["timestamp", "uptime", "system"] {
            metrics[moving] = Value::Null;
        }
        let mut active = self.get("/api/activities/call/active").await;
        for call in active.as_array_mut().expect("a list") {
            call["duration_ms"] = Value::Null; // grows while it runs
        }
        let mut stats = self.get("/api/errors/stats").await;
        stats["error_rate_last_hour"] = Value::Null;
        serde_json::json!({
            "metrics": metrics,
            "hourly": self.get("/api/metrics/hourly?hours=48").await,
            "daily": self.get("/api/metrics/daily?days=30").await,
            "errors": self.get("/api/errors?limit=500&resolved=true").await,
            "open": self.get("/api/errors?limit=500").await,
            "stats": stats,
            "events": self.get("/api/events/buttons").await,
            "calls": self.get("/api/activities/call/recent").await,
            "active": active,
        })
    }
}

/// Messages, errors (one resolved), labelled events and calls.
fn seed(monitor: &Monitor, n: u64) {
    for i in 0..n {
        monitor.record_message(
            &format!("user-{}", i % 7),
            Duration::from_millis(20 + i * 3),
        );
        monitor
            .events("buttons")
            .record(if i % 2 == 0 { "SHARE" } else { "UNLOCK" });
    }
    let first =
        monitor.log_error(ErrorEvent::new("db", "query", "Timeout", "took 31 s").client("acme"));
    monitor.log_error(
        ErrorEvent::new("whatsapp", "send", "RateLimited", "429").severity(Severity::Critical),
    );
    monitor.errors().resolve(first.id).expect("in the log");
    let calls = monitor.activities("call");
    let ended = format!("ended-{}", unique());
    calls
        .start(&ended, ActivityMeta::new().client("acme"))
        .expect("starts");
    calls
        .end(&ended, Outcome::new("completed").label("quality", "good"))
        .expect("ends");
    let active = format!("active-{}", unique());
    calls
        .start(&active, ActivityMeta::new().client("acme"))
        .expect("starts");
}

/// A number no other call of this binary gets.
fn unique() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Asserts two `figures` are equal, naming the first part that is not.
fn assert_same(got: &Value, want: &Value, what: &str) {
    for (key, value) in want.as_object().expect("an object") {
        assert!(
            &got[key] == value,
            "{what}: {key} differs\n got {}\nwant {value}",
            got[key]
        );
    }
}

async fn backup(site: &Site) -> Vec<u8> {
    let res = site.download(Some(ADMIN)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"monitor-")
            && disposition.ends_with(".snap\""),
        "{disposition}"
    );
    res.bytes().await.expect("body").to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restores_every_figure_into_another_monitor_and_after_changes() {
    let source = Site::new().await;
    seed(&source.monitor, 40);
    let before = source.figures().await;
    let file = backup(&source).await;
    assert!(Snapshot::decode(&file).is_ok(), "a snapshot file");

    // Into another, fresh monitor.
    let target = Site::new().await;
    let (status, body) = target.upload(Some(ADMIN), file.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["restored"]["messages"], 40);
    assert_eq!(body["restored"]["errors"], 2);
    assert_eq!(body["bytes"], file.len());
    assert_eq!(body["persisted"], false, "no snapshot file configured");
    assert_same(
        &target.figures().await,
        &before,
        "restored into another monitor",
    );

    // Into the same monitor after more happened: back to the backup.
    seed(&source.monitor, 25);
    source
        .monitor
        .activities("call")
        .start("c3", ActivityMeta::new())
        .expect("starts");
    assert_ne!(source.figures().await, before);
    let (status, body) = source.upload(Some(ADMIN), file).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_same(&source.figures().await, &before, "restored after changes");

    // And the restored monitor goes on counting from there.
    source
        .monitor
        .record_message("user-1", Duration::from_millis(5));
    let next = source
        .monitor
        .log_error(ErrorEvent::new("db", "query", "Timeout", "again").client("acme"));
    let metrics = source.get("/api/metrics").await;
    assert_eq!(metrics["messages"]["total"], 41);
    assert!(
        next.id > 2,
        "ids continue after the restored ones: {}",
        next.id
    );
    assert!(next.regressed, "the restored group was resolved");
}

/// A valid file with one thing wrong, and the code the answer must carry.
fn damaged(good: &[u8]) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut flipped = good.to_vec();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    let mut version = good.to_vec();
    version[8..10].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let mut claims = good.to_vec();
    claims[10..18].copy_from_slice(&(MAX_SNAPSHOT_BYTES + 1).to_le_bytes());
    // A header that checks out over a payload that does not decode.
    let payload = vec![0xff; 64];
    let mut undecodable = good[..10].to_vec();
    undecodable.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    undecodable.extend_from_slice(&crc32(&payload).to_le_bytes());
    undecodable.extend_from_slice(&payload);
    vec![
        ("truncated", good[..good.len() - 10].to_vec(), "truncated"),
        ("header only", good[..22].to_vec(), "truncated"),
        ("bit flip", flipped, "checksum_mismatch"),
        ("wrong version", version, "unsupported_version"),
        ("claims too much", claims, "snapshot_too_large"),
        (
            "garbage",
            (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect(),
            "not_a_snapshot",
        ),
        ("a few bytes", b"MONSNAP".to_vec(), "not_a_snapshot"),
        ("undecodable", undecodable, "undecodable"),
        ("inconsistent", inconsistent(good), "invalid_snapshot"),
    ]
}

/// `good` with an error record pointing at a group that does not exist:
/// well-formed, checksummed, and wrong.
fn inconsistent(good: &[u8]) -> Vec<u8> {
    let mut snapshot = Snapshot::decode(good).expect("good");
    let record = snapshot.errors.records.last_mut().expect("a record");
    record.group = 999;
    snapshot.encode().expect("encodes")
}

/// CRC-32 (IEEE), as the file header carries.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xedb8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_upload_is_a_400_naming_the_reason_and_changes_nothing() {
    let site = Site::new().await;
    seed(&site.monitor, 30);
    let good = backup(&site).await;
    // Something to lose: state that differs from the file.
    seed(&site.monitor, 5);
    let before = site.figures().await;
    let log_before = site.monitor.errors().export();
    for (what, body, code) in damaged(&good) {
        let (status, answer) = site.upload(Some(ADMIN), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{what}: {answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("snapshot")),
            "{what}: {answer}"
        );
        assert_same(&site.figures().await, &before, what);
        assert_eq!(site.monitor.errors().export(), log_before, "{what}");
    }
    let (status, answer) = site.upload(Some(ADMIN), Vec::new()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["error"]["code"], "invalid_parameter");
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("body: empty"))
    );
    assert_same(&site.figures().await, &before, "after the refusals");
    // The good file still restores afterwards.
    let (status, _) = site.upload(Some(ADMIN), good).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(site.figures().await["metrics"]["messages"]["total"], 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_over_the_route_limit_is_a_413_declared_or_chunked() {
    let monitor = Monitor::builder().start().expect("runtime");
    seed(&monitor, 10);
    let file = monitor.snapshot().encode().expect("encodes");
    let limit = file.len() - 1;
    let site = Site::start(
        RouterConfig::new()
            .api_cache(Duration::ZERO)
            .snapshot_body_limit(limit),
        monitor,
    )
    .await;
    seed(&site.monitor, 3);
    let before = site.figures().await;
    // Content-Length over the limit.
    let (status, answer) = site.upload(Some(ADMIN), file.clone()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer["error"]["code"], "too_large");
    assert!(
        answer["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(&limit.to_string()))
    );
    // Chunked, no length: cut off at the limit.
    let (status, answer) = chunked_upload(&site, &file).await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["error"]["code"], "too_large");
    assert_same(&site.figures().await, &before, "after the refusals");
    // Within the limit, chunked is fine.
    let small = Site::new().await;
    let (status, answer) = chunked_upload(&small, &file).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["restored"]["messages"], 10);
}

/// POSTs `file` as a chunked body (no `Content-Length`), written by hand
/// on the socket, and reads the status and JSON body.
async fn chunked_upload(site: &Site, file: &[u8]) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = site
        .base
        .trim_start_matches("http://")
        .trim_end_matches("/monitor");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /monitor/api/snapshot HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Authorization: Bearer {ADMIN}\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let mut request = head.into_bytes();
    for chunk in file.chunks(256) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    // The server may answer and close before taking the whole body.
    let _ = stream.write_all(&request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_is_not_held_to_the_apis_64_kib_body_limit() {
    let source = Site::new().await;
    for i in 0..200 {
        let message = format!("#{i} {}", "x".repeat(1_000));
        source
            .monitor
            .log_error(ErrorEvent::new("db", "query", "Timeout", message));
    }
    let file = backup(&source).await;
    assert!(
        file.len() > 2 * monitor_axum::DEFAULT_BODY_LIMIT,
        "{} bytes",
        file.len()
    );
    let target = Site::new().await;
    let size = file.len();
    let started = std::time::Instant::now();
    let (status, body) = target.upload(Some(ADMIN), file).await;
    let took = started.elapsed();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["restored"]["errors"], 200);
    eprintln!("restored a {size}-byte snapshot (200 errors) over HTTP in {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_an_admin_backs_up_or_restores() {
    let site = Site::new().await;
    seed(&site.monitor, 5);
    let file = backup(&site).await;
    seed(&site.monitor, 5);
    let before = site.figures().await;
    for (token, status, code) in [
        (None, StatusCode::UNAUTHORIZED, "unauthorized"),
        (Some("nope"), StatusCode::UNAUTHORIZED, "unauthorized"),
        (Some(MONITOR), StatusCode::FORBIDDEN, "forbidden"),
        (Some(ACME), StatusCode::FORBIDDEN, "forbidden"),
    ] {
        let res = site.download(token).await;
        assert_eq!(res.status(), status, "GET as {token:?}");
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["error"]["code"], code);
        let (got, body) = site.upload(token, file.clone()).await;
        assert_eq!(got, status, "POST as {token:?}: {body}");
        assert_eq!(body["error"]["code"], code);
    }
    assert_same(&site.figures().await, &before, "after the refusals");
    // Other methods: a JSON 405.
    let res = site
        .client
        .put(format!("{}/api/snapshot", site.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("answers");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_persistence_the_restored_state_is_written_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("monitor.snap");
    let monitor = Monitor::builder()
        .snapshot_file(&path)
        .snapshot_interval(Duration::from_secs(3600))
        .start()
        .expect("runtime");
    let site = Site::start(RouterConfig::new().api_cache(Duration::ZERO), monitor).await;
    seed(&site.monitor, 12);
    let file = backup(&site).await;
    seed(&site.monitor, 8);
    let (status, body) = site.upload(Some(ADMIN), file).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["persisted"], true);
    let on_disk = monitor_core::persist::SnapshotFile::new(&path)
        .load()
        .expect("readable")
        .expect("written");
    assert_eq!(on_disk.collector.total, 12);
    assert_eq!(on_disk.errors.records.len(), 2);
}
