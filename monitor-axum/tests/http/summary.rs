//! `/api/analytics/summary` over a real socket: the last closed day as
//! JSON and as a CSV download, an earlier week by `at`, bad parameters
//! (400 naming the field), roles (401, tenant 403).

use std::time::{Duration, UNIX_EPOCH};

use axum::http::StatusCode;
use monitor_core::bus::MessageEvent;
use monitor_core::errors::{ErrorEvent, Severity};
use monitor_core::{ManualClock, Monitor};
use serde_json::Value;

use crate::common::{ACME, ADMIN, MONITOR, assert_error, assert_names_field};
use crate::served::Site;

/// Saturday 2026-11-21 12:00 UTC.
const SATURDAY_NOON: u64 = 1_795_262_400;

/// Saturday: 3 messages of Ada (name with a comma), one critical error;
/// the clock then moves to Sunday 01:00.
async fn site() -> (Site, Monitor) {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(SATURDAY_NOON));
    let monitor = Monitor::builder()
        .clock(clock.clone())
        .start()
        .expect("runtime");
    for _ in 0..3 {
        monitor.record_message("u-ada", Duration::from_millis(50));
        monitor.publish_message(
            None,
            MessageEvent::new("u-ada", Some("Ada, Countess"), None, 50.0),
        );
    }
    monitor
        .log_error(ErrorEvent::new("db", "query", "Timeout", "slow").severity(Severity::Critical));
    clock.advance(Duration::from_secs(13 * 3600));
    (Site::start(&monitor).await, monitor)
}

#[tokio::test]
async fn the_last_closed_day_as_json_and_csv() {
    let (site, _monitor) = site().await;
    let res = site.get("/api/analytics/summary", Some(MONITOR)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(
        disposition,
        "attachment; filename=\"summary-daily-2026-11-21.json\""
    );
    let body: Value = res.json().await.expect("JSON");
    assert_eq!(body["period"], "daily");
    assert_eq!(body["name"], "2026-11-21");
    assert_eq!(body["totals"]["messages"], 3);
    assert_eq!(body["errors"]["critical"], 1);
    assert_eq!(body["top_users"]["users"][0]["user_name"], "Ada, Countess");

    let res = site
        .get(
            "/api/analytics/summary?period=daily&format=csv",
            Some(ADMIN),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"summary-daily-2026-11-21.csv\""
    );
    let text = res.text().await.expect("text");
    assert!(text.starts_with("section,index,key,value\r\n"), "{text}");
    assert!(text.contains("totals,,messages,3\r\n"), "{text}");
    assert!(
        text.contains("top_user,1,user_name,\"Ada, Countess\"\r\n"),
        "{text}"
    );
}

#[tokio::test]
async fn an_earlier_week_by_date() {
    let (site, _monitor) = site().await;
    // Sunday 01:00: the week of the 21st (W47) is still open.
    let (status, body) = site
        .json(
            "/api/analytics/summary?period=weekly&at=2026-11-21",
            Some(MONITOR),
        )
        .await;
    assert_names_field(status, &body, "at");
    let (status, body) = site
        .json(
            "/api/analytics/summary?period=weekly&at=2026-11-12",
            Some(MONITOR),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "2026-W46");
    assert_eq!(body["totals"]["messages"], 0);
    let (status, body) = site
        .json("/api/analytics/summary?period=weekly", Some(MONITOR))
        .await;
    assert_eq!(
        (status, &body["name"]),
        (StatusCode::OK, &Value::from("2026-W46"))
    );
}

#[tokio::test]
async fn bad_parameters_name_their_field() {
    let (site, _monitor) = site().await;
    for (query, field) in [
        ("?period=hourly", "period"),
        ("?format=xml", "format"),
        ("?at=21-11-2026", "at"),
        ("?at=2026-02-30", "at"),
        ("?at=2020-01-01", "at"),
        ("?at=2026-11-22", "at"),
        ("?limit=3", "limit"),
    ] {
        let (status, body) = site
            .json(&format!("/api/analytics/summary{query}"), Some(ADMIN))
            .await;
        assert_names_field(status, &body, field);
    }
}

#[tokio::test]
async fn operators_only() {
    let (site, _monitor) = site().await;
    let (status, body) = site.json("/api/analytics/summary", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "unauthorized");
    let (status, body) = site.json("/api/analytics/summary", Some(ACME)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "forbidden");
}
