//! `GET /api/export` through `tower::ServiceExt::oneshot`: every series in
//! both formats (the CSV read back and compared with the JSON), download
//! headers, 401 / 403 / 400, tenant isolation and the CSV formula guard.

use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use monitor_axum::router;
use monitor_core::errors::ErrorEvent;
use monitor_core::{ManualClock, Monitor};
use serde_json::Value;
use tower::ServiceExt;

use crate::common::{ACME, ADMIN, GLOBEX, MONITOR, auth};

const TOTAL: header::HeaderName = header::HeaderName::from_static("x-total-count");

/// 2026-11-21T10:20:30.250Z.
fn start_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(1_795_256_430_250)
}

fn app() -> (Router, Monitor) {
    let monitor = Monitor::builder()
        .clock(ManualClock::new(start_time()))
        .start()
        .expect("runtime");
    (
        Router::new().nest("/monitor", router(monitor.clone(), auth())),
        monitor,
    )
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The CSV header and rows.
    fn csv(&self) -> (Vec<String>, Vec<csv::StringRecord>) {
        let mut reader = csv::Reader::from_reader(&self.body[..]);
        let head = reader
            .headers()
            .expect("a header row")
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .collect::<Result<Vec<_>, _>>()
            .expect("valid CSV");
        (head, rows)
    }

    /// The message of an error answer, which starts with the field at
    /// fault.
    fn error_message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

async fn get(app: &Router, path: &str, token: Option<&str>) -> Answer {
    let mut req = Request::get(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.expect("body").to_bytes();
    Answer {
        status,
        headers,
        body,
    }
}

async fn export(app: &Router, query: &str, token: &str) -> Answer {
    get(app, &format!("/monitor/api/export?{query}"), Some(token)).await
}

/// What the CSV must hold for a JSON string: the formula guard's `'` in
/// front of a would-be formula, the text itself otherwise.
fn defused(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// Every CSV row has the fields of the matching JSON object, in the
/// header's columns and the JSON's order.
fn assert_same_rows(head: &[String], rows: &[csv::StringRecord], objects: &[Value]) {
    assert_eq!(rows.len(), objects.len(), "one row per object");
    for (row, object) in rows.iter().zip(objects) {
        let fields = object.as_object().expect("an object");
        let mut columns = head.to_vec();
        columns.sort();
        let mut keys: Vec<String> = fields.keys().cloned().collect();
        keys.sort();
        assert_eq!(columns, keys, "the CSV columns are the JSON fields");
        for (column, cell) in head.iter().zip(row.iter()) {
            let value = &object[column.as_str()];
            match value {
                Value::Null => assert_eq!(cell, "", "{column}"),
                Value::Bool(b) => assert_eq!(cell, b.to_string(), "{column}"),
                Value::Number(n) => {
                    let parsed: f64 = cell.parse().expect("a number cell");
                    assert_eq!(Some(parsed), n.as_f64(), "{column}");
                }
                Value::String(s) => assert_eq!(cell, defused(s), "{column}"),
                Value::Object(map) if map.is_empty() => assert_eq!(cell, "", "{column}"),
                Value::Object(_) => {
                    let parsed: Value = serde_json::from_str(cell).expect("a JSON cell");
                    assert_eq!(&parsed, value, "{column}");
                }
                Value::Array(_) => panic!("{column}: no arrays in export rows"),
            }
        }
    }
}

fn log_sample_errors(monitor: &Monitor) {
    monitor.log_error(
        ErrorEvent::new("db", "query", "Timeout", "slow, then \"gone\"")
            .client("acme")
            .context("table", "orders")
            .context("attempt", "3"),
    );
    monitor.log_error(ErrorEvent::new(
        "payments",
        "charge",
        "Declined",
        "card refused",
    ));
    monitor.log_error(ErrorEvent::new("db", "query", "Timeout", "globex's").client("globex"));
}

#[tokio::test]
async fn series_export_the_api_bodies_in_both_formats() {
    let (app, monitor) = app();
    monitor.record_message("u1", Duration::from_millis(120));
    monitor.record_message("u2", Duration::from_millis(480));
    for (series, api, len) in [
        (
            "series=hourly&hours=48",
            "/monitor/api/metrics/hourly?hours=48",
            48,
        ),
        ("series=hourly", "/monitor/api/metrics/hourly", 24),
        (
            "series=daily&days=30",
            "/monitor/api/metrics/daily?days=30",
            30,
        ),
        ("series=daily", "/monitor/api/metrics/daily", 7),
    ] {
        let from_api = get(&app, api, Some(MONITOR)).await.json();
        let json = export(&app, &format!("format=json&{series}"), MONITOR).await;
        assert_eq!(json.status, StatusCode::OK, "{series}");
        assert_eq!(json.json(), from_api, "{series}: the API's body");
        let buckets = from_api.as_array().expect("a series");
        assert_eq!(buckets.len(), len);

        let csv = export(&app, &format!("format=csv&{series}"), ADMIN).await;
        assert_eq!(csv.status, StatusCode::OK, "{series}");
        let (head, rows) = csv.csv();
        assert_eq!(
            head,
            [
                "start",
                "count",
                "unique_users",
                "avg_response_time_ms",
                "p50_ms",
                "p95_ms",
                "p99_ms",
                "partial",
                "errors",
                "error_rate",
                "previous_start",
                "change",
                "anomaly",
                "anomalies"
            ]
        );
        assert_same_rows(&head, &rows, buckets);
    }
    let (_, rows) = export(&app, "format=csv&series=hourly&hours=1", MONITOR)
        .await
        .csv();
    assert_eq!(&rows[0][0], "2026-11-21T10:00:00.000Z");
    assert_eq!(&rows[0][1], "2", "this hour's messages");
    assert!(rows[0][3].parse::<f64>().is_ok_and(|ms| ms > 100.0));
}

#[tokio::test]
async fn errors_export_the_api_body_in_both_formats() {
    let (app, monitor) = app();
    log_sample_errors(&monitor);
    for query in ["", "sort=time_asc", "service=db&limit=1&offset=1"] {
        let from_api = get(&app, &format!("/monitor/api/errors?{query}"), Some(ADMIN))
            .await
            .json();
        let json = export(&app, &format!("series=errors&{query}"), ADMIN).await;
        assert_eq!(json.status, StatusCode::OK, "{query}");
        assert_eq!(json.json(), from_api, "{query}: the API's body");
        let total = from_api["total"].as_u64().expect("total");
        assert_eq!(json.header(TOTAL), total.to_string());

        let csv = export(&app, &format!("format=csv&series=errors&{query}"), ADMIN).await;
        assert_eq!(csv.status, StatusCode::OK, "{query}");
        assert_eq!(csv.header(TOTAL), total.to_string());
        let (head, rows) = csv.csv();
        assert_eq!(
            head,
            [
                "id",
                "timestamp",
                "service",
                "operation",
                "error_type",
                "message",
                "severity",
                "client_id",
                "fingerprint",
                "resolved",
                "acknowledged",
                "status",
                "occurrences",
                "context"
            ]
        );
        assert_same_rows(&head, &rows, from_api["errors"].as_array().expect("errors"));
    }
    let (_, rows) = export(&app, "format=csv&series=errors&sort=time_asc", ADMIN)
        .await
        .csv();
    assert_eq!(&rows[0][13], r#"{"attempt":"3","table":"orders"}"#);
    assert_eq!(&rows[1][7], "", "no tenant");
    assert_eq!(&rows[1][13], "", "no context");
}

#[tokio::test]
async fn downloads_are_typed_and_named() {
    let (app, _) = app();
    for (query, content_type, file) in [
        (
            "format=csv&series=hourly",
            "text/csv; charset=utf-8",
            "monitor-hourly-20261121T102030.csv",
        ),
        (
            "format=json&series=daily",
            "application/json",
            "monitor-daily-20261121T102030.json",
        ),
        (
            "series=errors",
            "application/json",
            "monitor-errors-20261121T102030.json",
        ),
        (
            "series=errors&format=csv",
            "text/csv; charset=utf-8",
            "monitor-errors-20261121T102030.csv",
        ),
    ] {
        let answer = export(&app, query, MONITOR).await;
        assert_eq!(answer.status, StatusCode::OK, "{query}");
        assert_eq!(answer.header(header::CONTENT_TYPE), content_type, "{query}");
        assert_eq!(
            answer.header(header::CONTENT_DISPOSITION),
            format!("attachment; filename=\"{file}\""),
            "{query}"
        );
    }
}

#[tokio::test]
async fn a_token_is_required() {
    let (app, _) = app();
    for token in [None, Some("wrong")] {
        let answer = get(&app, "/monitor/api/export?format=csv&series=errors", token).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(answer.json()["error"]["code"], "unauthorized");
        assert_eq!(answer.header(header::WWW_AUTHENTICATE), "Bearer");
        assert!(answer.headers.get(header::CONTENT_DISPOSITION).is_none());
    }
    let answer = get(&app, "/monitor/api/export?format=xml", None).await;
    assert_eq!(
        answer.status,
        StatusCode::UNAUTHORIZED,
        "the token is checked before the parameters"
    );
}

#[tokio::test]
async fn tenants_may_not_export_everyones_series() {
    let (app, _) = app();
    for query in [
        "series=hourly",
        "series=daily",
        "format=csv&series=hourly&hours=48",
        "format=csv&series=daily",
        "series=hourly&hours=0",
    ] {
        let answer = export(&app, query, ACME).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{query}");
        assert_eq!(answer.json()["error"]["code"], "forbidden");
    }
}

#[tokio::test]
async fn tenants_export_only_their_own_errors() {
    let (app, monitor) = app();
    log_sample_errors(&monitor);
    let all = export(&app, "series=errors", ADMIN).await.json();
    assert_eq!(all["total"], 3);
    for query in ["", "&client=globex", "&q=globex", "&client=acme"] {
        let json = export(&app, &format!("series=errors{query}"), ACME).await;
        assert_eq!(json.status, StatusCode::OK, "{query}");
        let body = json.json();
        let errors = body["errors"].as_array().expect("errors");
        assert!(
            errors.iter().all(|e| e["client_id"] == "acme"),
            "{query}: {body}"
        );
        assert_eq!(json.header(TOTAL), body["total"].to_string());

        let csv = export(&app, &format!("format=csv&series=errors{query}"), ACME).await;
        assert_eq!(csv.status, StatusCode::OK, "{query}");
        let (_, rows) = csv.csv();
        assert_eq!(rows.len(), errors.len(), "{query}");
        assert!(rows.iter().all(|r| &r[7] == "acme"), "{query}");
        assert!(
            !String::from_utf8_lossy(&csv.body).contains("globex"),
            "{query}: nothing of globex's in acme's file"
        );
    }
    let (_, rows) = export(&app, "format=csv&series=errors", ACME).await.csv();
    assert_eq!(rows.len(), 1);
    let (_, rows) = export(&app, "format=csv&series=errors", GLOBEX).await.csv();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][5], "globex's");
}

#[tokio::test]
async fn invalid_parameters_are_400_naming_the_field() {
    let (app, _) = app();
    for (query, field) in [
        ("format=xml&series=errors", "format"),
        ("format=csv&format=json&series=errors", "format"),
        ("format=csv", "series"),
        ("series=foo", "series"),
        ("series=hourly&hours=0", "hours"),
        ("series=hourly&hours=169", "hours"),
        ("series=hourly&hours=abc", "hours"),
        ("series=hourly&hours=1&hours=2", "hours"),
        ("series=daily&days=0", "days"),
        ("series=daily&days=31", "days"),
        ("series=hourly&days=3", "days"),
        ("series=daily&bogus=1", "bogus"),
        ("series=errors&bogus=1", "bogus"),
        ("series=errors&hours=3", "hours"),
        ("series=errors&limit=-1", "limit"),
        ("series=errors&limit=0", "limit"),
        ("series=errors&limit=501", "limit"),
        ("series=errors&offset=x", "offset"),
        ("series=errors&severity=bogus", "severity"),
        ("series=errors&range=2h", "range"),
        ("series=errors&since=yesterday", "since"),
        ("series=errors&resolved=maybe", "resolved"),
        ("series=errors&sort=random", "sort"),
        ("series=errors&service=", "service"),
    ] {
        let answer = export(&app, query, ADMIN).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            answer.json()["error"]["code"],
            "invalid_parameter",
            "{query}"
        );
        let message = answer.error_message();
        assert!(
            message.starts_with(&format!("{field}:")),
            "{query}: {message}"
        );
    }
    let answer = export(&app, "series=errors&limit=500&offset=0", ADMIN).await;
    assert_eq!(answer.status, StatusCode::OK, "500 is the largest page");
}

#[tokio::test]
async fn formulas_in_error_text_are_defused_in_csv() {
    let (app, monitor) = app();
    let formula = r#"=HYPERLINK("http://x")"#;
    monitor.log_error(ErrorEvent::new("@svc", "+op", "-Type", formula).client("=acme"));
    let (_, rows) = export(&app, "format=csv&series=errors", ADMIN).await.csv();
    let row = &rows[0];
    assert_eq!(&row[5], r#"'=HYPERLINK("http://x")"#);
    assert_eq!(&row[2], "'@svc");
    assert_eq!(&row[3], "'+op");
    assert_eq!(&row[4], "'-Type");
    assert_eq!(&row[7], "'=acme");
    assert!(!row[0].starts_with('\''), "numbers are not text cells");
    let json = export(&app, "series=errors", ADMIN).await.json();
    assert_eq!(
        json["errors"][0]["message"], formula,
        "JSON is left as it is"
    );
}

#[tokio::test]
async fn awkward_text_round_trips_through_csv() {
    let (app, monitor) = app();
    let message = "commas, \"double quotes\", 'single'\nsecond line;\tTab, Zürich 東京 🚀";
    monitor.log_error(
        ErrorEvent::new("naïve-service", "op", "Ärger", message).context("note", "a,b\n\"c\""),
    );
    let answer = export(&app, "format=csv&series=errors", ADMIN).await;
    let (_, rows) = answer.csv();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][5], message);
    assert_eq!(&rows[0][2], "naïve-service");
    assert_eq!(&rows[0][4], "Ärger");
    let context: Value = serde_json::from_str(&rows[0][13]).expect("JSON");
    assert_eq!(context["note"], "a,b\n\"c\"");
    let json = export(&app, "series=errors", ADMIN).await.json();
    assert_eq!(json["errors"][0]["message"], message);
}
