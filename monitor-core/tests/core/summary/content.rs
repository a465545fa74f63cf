//! What a summary says about the synthetic week: exact totals, errors by
//! severity, top-user order of the closed period, the one anomaly; the
//! CSV parsed back.

use std::time::Duration;

use monitor_core::clock::rfc3339;
use monitor_core::summary::{PeriodKind, Summary, SummaryError, SummaryPeriod};
use monitor_core::trend::{Direction, Metric};
use monitor_core::{ManualClock, Monitor};
use time::{Date, Month};

use super::{BOB, DAY, HOUR, SPIKE_HOUR, at, week_of_traffic};

fn saturday() -> SummaryPeriod {
    let date = Date::from_calendar_date(2026, Month::November, 21).expect("a date");
    SummaryPeriod::containing(PeriodKind::Daily, date)
}

async fn monitor_with_a_week() -> (Monitor, ManualClock) {
    let clock = ManualClock::new(at(0));
    let monitor = Monitor::builder()
        .clock(clock.clone())
        .start()
        .expect("runtime");
    week_of_traffic(&monitor, &clock);
    (monitor, clock)
}

/// The summary's top users as (user id, count).
fn top_counts(s: &Summary) -> Vec<(&str, u64)> {
    s.top_users
        .users
        .iter()
        .map(|u| (u.user_id.as_str(), u.count))
        .collect()
}

fn near(x: Option<f64>, want: f64) -> bool {
    x.is_some_and(|x| (x - want).abs() <= want * 0.05)
}

#[tokio::test]
async fn a_daily_summary_has_the_closed_days_figures() {
    let (monitor, _clock) = monitor_with_a_week().await;
    let s = monitor.summary(saturday(), 10).expect("a closed day");

    assert_eq!(
        (s.period, s.name.as_str()),
        (PeriodKind::Daily, "2026-11-21")
    );
    assert_eq!(s.from, at(5 * DAY));
    assert_eq!(s.to, at(6 * DAY));
    assert_eq!(s.generated_at, at(7 * DAY + 1800));
    assert_eq!(s.totals.messages, 24 * 100 + 300);
    assert!(
        s.totals.unique_users.abs_diff(40) <= 1,
        "{}",
        s.totals.unique_users
    );
    assert!(near(s.totals.p95_ms, 80.0), "{:?}", s.totals.p95_ms);
    let errors = s.errors.expect("kept 7 days");
    assert_eq!(
        (errors.critical, errors.error, errors.warning, errors.info),
        (1, 2, 3, 4)
    );
    assert_eq!(s.totals.errors, Some(10));
    assert_eq!(s.totals.error_rate, Some(10.0 / 2700.0));

    // The closed Saturday: Zed's Sunday messages are not in it, though the
    // rolling 7 d window read at generation time lists him first.
    let top = top_counts(&s);
    assert_eq!(top, [("u-ada", 5), ("u-bob", 3), ("=cmd", 1)]);
    assert!(s.top_users.users.iter().all(|u| u.max_overcount == 0));
    assert_eq!(s.top_users.days_counted, 1);
    let rolling = monitor
        .top_users()
        .top(monitor_core::analytics::Window::Week, None, 10);
    assert_eq!(rolling.users[0].user_id, "u-zed");

    let anomalies = s.anomalies.as_ref().expect("hours kept");
    assert_eq!(anomalies.len(), 1, "{anomalies:?}");
    let spike = &anomalies[0];
    assert_eq!(spike.start, at(5 * DAY + SPIKE_HOUR * HOUR));
    assert_eq!(
        (spike.metric, spike.anomaly.direction),
        (Metric::Messages, Direction::High)
    );
    assert_eq!(spike.anomaly.value, 400.0);

    let text = s.text();
    assert!(
        text.starts_with("Daily summary 2026-11-21 (UTC): 2,700 messages"),
        "{text}"
    );
    assert!(
        text.contains("critical 1, error 2, warning 3, info 4"),
        "{text}"
    );
    assert!(
        text.contains("top users: Ada (u-ada) 5, Bob, \"the\" builder (u-bob) 3, =cmd 1"),
        "{text}"
    );
    assert!(text.ends_with("anomalies: 1."), "{text}");
}

#[tokio::test]
async fn a_weekly_summary_merges_its_days() {
    let (monitor, clock) = monitor_with_a_week().await;
    let week = SummaryPeriod::last_closed(PeriodKind::Weekly, clock.now());
    let s = monitor.summary(week, 10).expect("a closed week");
    assert_eq!(s.name, "2026-W47");
    assert_eq!((s.from, s.to), (at(0), at(7 * DAY)));
    assert_eq!(s.totals.messages, 7 * 2400 + 300);
    // Users 0..=99 over the week: distinct users, not the sum of the
    // daily counts (7 × 40 = 280).
    assert!(
        s.totals.unique_users.abs_diff(100) <= 2,
        "{}",
        s.totals.unique_users
    );
    assert_eq!(s.errors.map(|e| e.total()), Some(10));
    let top = top_counts(&s);
    assert_eq!(
        top,
        [("u-zed", 10), ("u-ada", 5), ("u-bob", 3), ("=cmd", 1)]
    );
    assert_eq!(
        s.top_users.days_counted, 7,
        "Monday is still kept on Monday"
    );
    // No day of the week has the 7 known days before it a daily judgement
    // needs (the monitor started on its Monday): judged, nothing flagged.
    assert_eq!(s.anomalies, Some(Vec::new()));
}

#[tokio::test]
async fn open_and_forgotten_periods_are_refused() {
    let (monitor, clock) = monitor_with_a_week().await;
    let today = Date::from_calendar_date(2026, Month::November, 23).expect("a date");
    let open = SummaryPeriod::containing(PeriodKind::Daily, today);
    assert!(matches!(
        monitor.summary(open, 10),
        Err(SummaryError::NotClosed { .. })
    ));
    let long_ago = Date::from_calendar_date(2026, Month::October, 1).expect("a date");
    let old = SummaryPeriod::containing(PeriodKind::Daily, long_ago);
    assert!(matches!(
        monitor.summary(old, 10),
        Err(SummaryError::NotKept { .. })
    ));
    // Nine days on, the errors and hours of Saturday are gone: null, not 0.
    clock.advance(Duration::from_secs(9 * DAY));
    let s = monitor
        .summary(saturday(), 10)
        .expect("still in the 30 days");
    assert_eq!(s.totals.messages, 2700);
    assert_eq!((s.errors, s.totals.errors, s.anomalies), (None, None, None));
    assert_eq!(s.top_users.days_counted, 0);
}

/// CSV rows as `(section, index, key, value)`.
fn rows(csv: &[u8]) -> Vec<[String; 4]> {
    let mut reader = csv::Reader::from_reader(csv);
    let header = reader.headers().expect("a header").clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        ["section", "index", "key", "value"]
    );
    reader
        .records()
        .map(|r| {
            let r = r.expect("a valid row");
            assert_eq!(r.len(), 4);
            [0, 1, 2, 3].map(|i| r[i].to_owned())
        })
        .collect()
}

fn value<'a>(rows: &'a [[String; 4]], section: &str, index: &str, key: &str) -> &'a str {
    rows.iter()
        .find(|r| r[0] == section && r[1] == index && r[2] == key)
        .map(|r| r[3].as_str())
        .unwrap_or_else(|| panic!("no row {section},{index},{key}"))
}

#[tokio::test]
async fn the_csv_parses_back_to_the_same_figures() {
    let (monitor, _clock) = monitor_with_a_week().await;
    let mut s: Summary = monitor.summary(saturday(), 10).expect("a closed day");
    // Names reach the feed without control characters; a newline can
    // still come from a host building a summary by hand.
    s.top_users.users[2].user_name = Some("two\nlines, \"quoted\"".to_owned());
    let csv = s.to_csv().expect("in memory");
    assert!(csv.ends_with(b"\r\n"));
    let rows = rows(&csv);
    assert_eq!(value(&rows, "period", "", "kind"), "daily");
    assert_eq!(value(&rows, "period", "", "from"), rfc3339::format(s.from));
    assert_eq!(value(&rows, "totals", "", "messages"), "2700");
    assert_eq!(
        value(&rows, "totals", "", "error_rate"),
        (10.0f64 / 2700.0).to_string()
    );
    assert_eq!(value(&rows, "errors", "", "warning"), "3");
    assert_eq!(value(&rows, "top_user", "1", "user_name"), "Ada");
    assert_eq!(value(&rows, "top_user", "2", "user_name"), BOB);
    assert_eq!(value(&rows, "top_user", "2", "count"), "3");
    assert_eq!(
        value(&rows, "top_user", "3", "user_id"),
        "'=cmd",
        "formula guard"
    );
    assert_eq!(
        value(&rows, "top_user", "3", "user_name"),
        "two\nlines, \"quoted\""
    );
    assert_eq!(value(&rows, "top_user", "3", "client_id"), "");
    assert_eq!(value(&rows, "anomalies", "", "count"), "1");
    assert_eq!(value(&rows, "anomaly", "1", "metric"), "messages");
    assert_eq!(value(&rows, "anomaly", "1", "value"), "400");

    let json: serde_json::Value = serde_json::to_value(&s).expect("serializes");
    assert_eq!(json["totals"]["messages"], 2700);
    assert_eq!(json["errors"]["critical"], 1);
    assert_eq!(json["top_users"]["users"][1]["user_name"], BOB);
    assert_eq!(json["anomalies"][0]["metric"], "messages");
    assert_eq!(json["period"], "daily");
}
