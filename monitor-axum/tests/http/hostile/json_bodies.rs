//! Hostile JSON bodies on the routes that read one (an action's run,
//! a new silence), over a real socket: bytes that are not UTF-8, NUL and
//! escape sequences, lone surrogates, nesting past the parser's limit,
//! 60 KB names, wrong media types. Each is a 4xx naming the problem,
//! nothing starts or changes, and the server answers the next request.

use monitor_core::Monitor;
use monitor_core::alerts::{AlertRouter, LogSink, Route};

use super::{Answer, Served};
use crate::common::ADMIN;

const RUN: &[u8] = b"/monitor/api/actions/probe/run";
const SILENCES: &[u8] = b"/monitor/api/alerts/silences";

async fn served() -> Served {
    let monitor = Monitor::builder()
        .alerts(AlertRouter::new().route(Route::new("all").sink(LogSink)))
        .start()
        .expect("runtime");
    monitor
        .actions()
        .register("probe", "Never started by these tests", |_ctx| async move {
            Ok::<_, String>(String::new())
        })
        .expect("registers");
    Served::with(monitor).await
}

async fn post(served: &Served, target: &[u8], content_type: &str, body: &[u8]) -> Answer {
    let headers = format!(
        "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
        body.len()
    );
    served
        .request(b"POST", target, Some(ADMIN), headers.as_bytes(), body)
        .await
}

/// Nothing ran and no silence exists.
fn nothing_changed(served: &Served) {
    let probe = served.monitor.actions().get("probe").expect("registered");
    assert_eq!(probe.counts.started, 0, "a hostile body started a run");
    let alerts = served.monitor.alerts().expect("a router");
    assert!(
        alerts.silences().is_empty(),
        "a hostile body added a silence"
    );
}

#[tokio::test]
async fn hostile_run_bodies_are_400s_naming_the_field() {
    let served = served().await;
    let deep = format!(
        "{{\"params\":{}{}}}",
        "[".repeat(30_000),
        "]".repeat(30_000)
    );
    let long_key = format!("{{\"params\":{{\"{}\":1}}}}", "k".repeat(60_000));
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"{\"params\":{\"s\":\"\xff\xfe\"}}".to_vec(), "params.s"),
        (b"{\"params\":{\"s\":\"a\\u0000b\"}}".to_vec(), "params.s"),
        (b"{\"params\":{\"s\":\"\\ud800\"}}".to_vec(), "params.s"),
        (b"{\"params\":{\"s\":\"\x1b[2J\"}}".to_vec(), "params.s"),
        (b"{\"params\":{\"n\":1e999}}".to_vec(), "params.n"),
        (deep.into_bytes(), "params"),
        (long_key.into_bytes(), "params.kkkk"),
        (b"\0\0\0\0".to_vec(), "body"),
        (b"{\"params\":".to_vec(), "params"),
    ];
    for (body, field) in &cases {
        let answer = post(&served, RUN, "application/json", body).await;
        let what = format!(
            "{field}: {:?}",
            String::from_utf8_lossy(&body[..body.len().min(40)])
        );
        answer.refused(&what, 400, "invalid_parameter", field);
        let message = answer.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            message.len() < 400,
            "{what}: the message quotes too much: {message}"
        );
    }
    let answer = post(&served, RUN, "text/plain", b"{}").await;
    answer.refused("text/plain", 415, "unsupported_media_type", "JSON");
    nothing_changed(&served);
    served.still_serves().await;
}

#[tokio::test]
async fn hostile_silence_bodies_are_400s_naming_the_field() {
    let served = served().await;
    let deep = format!(
        "{{\"services\":{}{}}}",
        "[".repeat(30_000),
        "]".repeat(30_000)
    );
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            b"{\"services\":[\"\xc0\xaf\"],\"duration\":\"1h\",\"comment\":\"x\"}".to_vec(),
            "services[0]",
        ),
        (
            b"{\"services\":[\"a\\u0000\"],\"duration\":\"1h\",\"comment\":\"x\"}".to_vec(),
            "services[0]",
        ),
        (
            b"{\"duration\":\"1h\",\"comment\":\"\\ud83d\"}".to_vec(),
            "comment",
        ),
        (
            b"{\"duration\":\"\\u0031h\\u0000\",\"comment\":\"x\"}".to_vec(),
            "duration",
        ),
        (
            format!(
                "{{\"duration\":\"{}h\",\"comment\":\"x\"}}",
                "9".repeat(10_000)
            )
            .into_bytes(),
            "duration",
        ),
        (deep.into_bytes(), "services"),
        (
            b"{\"duration\":\"1h\",\"comment\":\"x\",\"comment\":\"y\"}".to_vec(),
            "comment",
        ),
    ];
    for (body, field) in &cases {
        let answer = post(&served, SILENCES, "application/json", body).await;
        let what = format!(
            "{field}: {:?}",
            String::from_utf8_lossy(&body[..body.len().min(40)])
        );
        answer.refused(&what, 400, "invalid_parameter", field);
    }
    let answer = post(
        &served,
        SILENCES,
        "application/x-www-form-urlencoded",
        b"comment=x",
    )
    .await;
    answer.refused("a form", 415, "unsupported_media_type", "JSON");
    nothing_changed(&served);
    served.still_serves().await;
}
