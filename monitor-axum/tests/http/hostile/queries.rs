//! Query strings: 100 KB of them, paging out of every range (negative,
//! huge, not a number, empty, NUL), repeated and unknown keys. A JSON 400
//! naming the parameter, with a message that does not echo the input back
//! at length; legal extremes answer 200.

use super::{Answer, Served};
use crate::common::ADMIN;

/// Longest error body any refusal here may have: the parameter named,
/// the input not quoted at length.
const SHORT: usize = 1024;

async fn get(served: &Served, target: &str) -> Answer {
    served.get(target.as_bytes(), Some(ADMIN)).await
}

/// A 400 naming `field`, short.
fn names(answer: &Answer, target: &str, field: &str) {
    let what: String = target.chars().take(120).collect();
    answer.refused(&what, 400, "invalid_parameter", field);
    let message = answer.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.starts_with(field), "{what}: {message}");
    assert!(
        answer.body.len() < SHORT,
        "{what}: a {}-byte error echoes the input",
        answer.body.len()
    );
}

#[tokio::test]
async fn paging_out_of_range_is_a_400_naming_the_parameter() {
    let served = Served::start().await;
    for (query, field) in [
        ("limit=-1", "limit"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=1e30", "limit"),
        ("limit=1e3", "limit"),
        ("limit=abc", "limit"),
        ("limit=", "limit"),
        ("limit=%00", "limit"),
        ("limit=5%00", "limit"),
        ("limit=1.5", "limit"),
        ("limit=0x10", "limit"),
        ("limit=18446744073709551616", "limit"),
        ("limit=%ef%bc%95", "limit"), // a full-width digit five
        ("offset=-1", "offset"),
        ("offset=1000001", "offset"),
        ("offset=99999999999999999999999999999", "offset"),
        ("offset=NaN", "offset"),
        ("limit=1&limit=2", "limit"),
        ("offset=0&offset=0", "offset"),
        ("sort=time&sort=time", "sort"),
        ("range=1y", "range"),
        ("since=yesterday", "since"),
        ("since=9999999-01-01T00:00:00Z", "since"),
        ("until=2026-13-40T99:99:99Z", "until"),
        ("resolved=maybe", "resolved"),
        ("severity=critical,,x", "severity"),
    ] {
        let target = format!("/monitor/api/errors?{query}");
        names(&get(&served, &target).await, &target, field);
        let export = format!("/monitor/api/export?series=errors&{query}");
        names(&get(&served, &export).await, &export, field);
    }
    for (path, query, field) in [
        ("/monitor/api/metrics/hourly", "hours=-1", "hours"),
        ("/monitor/api/metrics/hourly", "hours=1e30", "hours"),
        ("/monitor/api/metrics/hourly", "hours=169", "hours"),
        ("/monitor/api/metrics/hourly", "hours=abc", "hours"),
        ("/monitor/api/metrics/hourly", "hours=1&hours=2", "hours"),
        ("/monitor/api/metrics/daily", "days=0", "days"),
        (
            "/monitor/api/metrics/daily",
            "days=99999999999999999999",
            "days",
        ),
        ("/monitor/api/events/buttons", "hours=25", "hours"),
        ("/monitor/api/events/buttons", "days=-7", "days"),
        ("/monitor/api/export", "series=hourly&hours=-1", "hours"),
        ("/monitor/api/export", "series=daily&days=1e30", "days"),
        ("/monitor/api/export", "series=daily&series=daily", "series"),
        ("/monitor/api/export", "format=xml", "format"),
        ("/monitor/api/stream", "channels=errors,%00", "channels"),
        ("/monitor/api/stream", "channels=", "channels"),
        ("/monitor/api/activities/call/active", "page=-1", "page"),
    ] {
        let target = format!("{path}?{query}");
        names(&get(&served, &target).await, &target, field);
    }
    served.still_serves().await;
}

#[tokio::test]
async fn legal_extremes_answer_200() {
    let served = Served::start().await;
    for target in [
        "/monitor/api/errors?limit=500&offset=1000000",
        "/monitor/api/errors?limit=1&offset=0",
        "/monitor/api/errors?limit=+7",
        "/monitor/api/errors?q=%ff%fe",
        "/monitor/api/errors?q=%ed%a0%80",
        "/monitor/api/metrics/hourly?hours=168",
        "/monitor/api/metrics/daily?days=30",
        "/monitor/api/export?series=errors&format=csv&limit=500&offset=1000000",
        "/monitor/health?anything=goes",
    ] {
        let answer = get(&served, target).await;
        assert_eq!(answer.status, 200, "{target}: {answer:?}");
    }
    let page = get(&served, "/monitor/api/errors?limit=500&offset=1000000").await;
    assert_eq!(page.json()["errors"], serde_json::json!([]));
    served.still_serves().await;
}

#[tokio::test]
async fn sixty_kb_query_strings_are_short_400s() {
    let served = Served::start().await;
    let long = "x".repeat(60_000);
    let repeated = "limit=1&".repeat(7_000);
    let many_keys: String = (0..6_000).map(|i| format!("k{i}=1&")).collect();
    for (path, query, field) in [
        ("/monitor/api/errors", format!("q={long}"), "q"),
        ("/monitor/api/errors", format!("service={long}"), "service"),
        ("/monitor/api/errors", repeated.clone(), "limit"),
        ("/monitor/api/errors", format!("{long}=1"), "xxxx"),
        ("/monitor/api/metrics/hourly", format!("{long}=1"), "xxxx"),
        (
            "/monitor/api/metrics/hourly",
            format!("hours={long}"),
            "hours",
        ),
        ("/monitor/api/metrics/sessions", many_keys.clone(), "k0"),
        ("/monitor/api/events", format!("{long}=1"), "xxxx"),
        ("/monitor/api/events/buttons", format!("{long}=1"), "xxxx"),
        (
            "/monitor/api/activities/call/recent",
            format!("{long}=1"),
            "xxxx",
        ),
        (
            "/monitor/api/activities/call/tree",
            format!("{long}=1"),
            "xxxx",
        ),
        (
            "/monitor/api/export",
            format!("series=daily&{long}=1"),
            "xxxx",
        ),
        (
            "/monitor/api/export",
            format!("series=errors&{long}=1"),
            "xxxx",
        ),
        (
            "/monitor/api/stream",
            format!("channels={long}"),
            "channels",
        ),
        ("/monitor/api/stream", format!("{long}=1"), "xxxx"),
    ] {
        let target = format!("{path}?{query}");
        names(&get(&served, &target).await, &target, field);
    }
    served.still_serves().await;
}

/// Past 64 KiB a request target is more than an `http::Uri` holds: hyper
/// answers 414 itself, before the router (so without the JSON shape).
#[tokio::test]
async fn a_100_kb_query_string_is_414_and_the_server_stays() {
    let served = Served::start().await;
    let long = "x".repeat(100 * 1024);
    for path in [
        "/monitor/api/errors?q=",
        "/monitor/api/metrics/hourly?hours=",
        "/monitor/ws?token=",
        "/monitor/assets/app.js?v=",
    ] {
        let target = format!("{path}{long}");
        let answer = get(&served, &target).await;
        assert_eq!(answer.status, 414, "{path}: {answer:?}");
    }
    served.still_serves().await;
}
