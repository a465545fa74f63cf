//! The error log through its public API: classification, grouping,
//! hygiene, queries, workflow, caps and stats.

use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use monitor_core::errors::{
    ErrorEvent, ErrorLog, ErrorQuery, GroupStatus, Limits, LogNotice, Rule, RuleClassifier,
    Severity, fingerprint,
};
use monitor_core::{CollectorConfig, ManualClock, MetricsCollector};

const MONDAY: u64 = 1_794_787_200;

fn clock() -> ManualClock {
    ManualClock::new(UNIX_EPOCH + Duration::from_secs(MONDAY + 12 * 3_600))
}

fn log_with(clock: &ManualClock) -> ErrorLog {
    ErrorLog::builder()
        .clock(clock.clone())
        .classifier(
            RuleClassifier::new(Severity::Error)
                .rule(Rule::new(Severity::Critical).service("payments"))
                .rule(Rule::new(Severity::Warning).error_type("RateLimited"))
                .rule(Rule::new(Severity::Info).message_contains("retrying")),
        )
        .build()
}

fn e(service: &str, kind: &str, message: &str) -> ErrorEvent {
    ErrorEvent::new(service, "op", kind, message)
}

fn query(log: &ErrorLog, pairs: &[(&str, &str)]) -> (Vec<u64>, usize) {
    let page = log.query(&ErrorQuery::parse(pairs.iter().copied()).expect("valid query"));
    (page.errors.iter().map(|v| v.id).collect(), page.total)
}

#[test]
fn classifier_rules_and_explicit_severity() {
    let c = clock();
    let log = log_with(&c);
    assert_eq!(
        log.log(e("payments", "Declined", "x")).severity,
        Severity::Critical
    );
    assert_eq!(
        log.log(e("whatsapp", "RateLimited", "x")).severity,
        Severity::Warning
    );
    assert_eq!(
        log.log(e("llm", "Timeout", "retrying in 2 s")).severity,
        Severity::Info
    );
    assert_eq!(
        log.log(e("llm", "Timeout", "gave up")).severity,
        Severity::Error
    );
    let explicit = e("payments", "Declined", "x").severity(Severity::Info);
    assert_eq!(
        log.log(explicit).severity,
        Severity::Info,
        "the caller wins"
    );
    let closure = ErrorLog::builder()
        .classifier(|ev: &ErrorEvent| {
            if ev.message.len() > 3 {
                Severity::Critical
            } else {
                Severity::Info
            }
        })
        .build();
    assert_eq!(
        closure.log(e("a", "b", "long")).severity,
        Severity::Critical
    );
}

#[test]
fn fingerprints_group_by_service_operation_type_and_tenant() {
    let c = clock();
    let log = log_with(&c);
    let a = log.log(e("db", "Timeout", "first").client("acme"));
    let b = log.log(e("db", "Timeout", "second, other text").client("acme"));
    let other_tenant = log.log(e("db", "Timeout", "third").client("globex"));
    let custom = log.log(e("db", "Timeout", "x").fingerprint("db-timeouts"));
    assert_eq!(*a.fingerprint, fingerprint("db", "op", "Timeout"));
    assert_eq!(a.fingerprint, b.fingerprint);
    assert_eq!(other_tenant.fingerprint, a.fingerprint);
    assert_eq!(&*custom.fingerprint, "db-timeouts");
    let view = log.get(b.id).expect("kept");
    assert_eq!(view.occurrences, 2, "acme's group only");
    let globex = log.get(other_tenant.id).expect("kept");
    assert_eq!(globex.occurrences, 1, "tenants never share a group");
}

#[test]
fn resolve_acknowledge_and_regress() {
    let c = clock();
    let log = log_with(&c);
    let first = log.log(e("db", "Timeout", "1").client("acme"));
    let second = log.log(e("db", "Timeout", "2").client("acme"));
    assert_eq!(
        log.acknowledge(first.id).expect("kept").status,
        GroupStatus::Open
    );
    let view = log.get(second.id).expect("kept");
    assert!(view.acknowledged && !view.resolved);

    assert_eq!(
        log.resolve(second.id).expect("kept").status,
        GroupStatus::Resolved
    );
    assert!(
        log.get(first.id).expect("kept").resolved,
        "resolving covers the group"
    );
    assert!(log.unresolved(None).is_empty());

    let third = log.log(e("db", "Timeout", "3").client("acme"));
    assert!(third.regressed);
    let view = log.get(third.id).expect("kept");
    assert_eq!(view.status, GroupStatus::Regressed);
    assert!(!view.resolved && !view.acknowledged);
    assert!(
        log.get(first.id).expect("kept").resolved,
        "old entries stay resolved"
    );
    assert_eq!(log.unresolved(Some("acme")).len(), 1);
    assert!(log.unresolved(Some("globex")).is_empty());
    assert!(log.resolve(9_999).is_err());
}

#[test]
fn listeners_hear_logs_resolutions_and_acknowledgements() {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&heard);
    let log = ErrorLog::builder()
        .listener(move |n: &LogNotice<'_>| {
            let what = match n {
                LogNotice::Logged { regressed, .. } => format!("logged regressed={regressed}"),
                LogNotice::Resolved(g) => format!("resolved {}", g.status == GroupStatus::Resolved),
                LogNotice::Acknowledged(_) => "acknowledged".to_owned(),
            };
            sink.lock().expect("not poisoned").push(what);
        })
        .build();
    let a = log.log(e("db", "T", "x"));
    log.acknowledge(a.id).expect("kept");
    log.acknowledge(a.id).expect("kept"); // nothing new: no notice
    log.resolve(a.id).expect("kept");
    log.log(e("db", "T", "y"));
    let heard = heard.lock().expect("not poisoned").clone();
    assert_eq!(
        heard,
        [
            "logged regressed=false",
            "acknowledged",
            "resolved true",
            "logged regressed=true"
        ]
    );
}

#[test]
fn hostile_text_is_cleaned_and_counted() {
    let log = ErrorLog::builder().build();
    let nasty = format!("\u{1b}[2J\u{0}boom\r\n{}", "x".repeat(10_000));
    let logged = log.log(ErrorEvent::new("db\u{7}", "", "Time\nout", nasty).client("\u{0}"));
    let r = log.get(logged.id).expect("kept");
    assert_eq!(r.service, "db");
    assert_eq!(r.operation, "unknown");
    assert_eq!(r.error_type, "Timeout");
    assert!(r.message.starts_with("[2Jboom\n"));
    assert!(r.message.len() <= 4096 && r.message.ends_with('…'));
    assert_eq!(
        r.client_id, None,
        "a client id of only control characters is no client"
    );
    assert!(log.counters().cleaned_fields >= 4);

    let small = ErrorLog::builder()
        .limits(Limits {
            message_bytes: 10,
            ..Limits::default()
        })
        .build();
    let id = small.log(e("a", "b", "0123456789abc")).id;
    assert_eq!(small.get(id).expect("kept").message.len(), 10);
}

#[test]
fn the_log_and_the_groups_are_bounded_and_say_so() {
    let log = ErrorLog::builder().capacity(64).max_groups(10).build();
    for i in 0..200 {
        log.log(e("svc", &format!("Type{i}"), "x"));
    }
    let counters = log.counters();
    assert_eq!(counters.logged, 200);
    assert_eq!(counters.evicted, 136);
    assert_eq!(counters.overflowed_groups, 190);
    assert_eq!(log.query(&ErrorQuery::default()).total, 64);
    let overflow = log.unresolved(None);
    assert!(
        overflow
            .iter()
            .any(|g| g.fingerprint == "__other__" && g.count == 190)
    );
}

/// A log with a known mix: 12 errors across services, types, tenants,
/// severities, times and states.
fn fixture(c: &ManualClock) -> (ErrorLog, Vec<u64>) {
    let log = log_with(c);
    let mut ids = Vec::new();
    let mut add = |ev: ErrorEvent, age_minutes: u64| {
        c.set(UNIX_EPOCH + Duration::from_secs(MONDAY + 12 * 3_600 - age_minutes * 60));
        ids.push(log.log(ev).id);
    };
    add(
        e("payments", "Declined", "card refused").client("acme"),
        60 * 24 * 3,
    ); // 0: 3 days old, critical
    add(
        e("db", "Timeout", "query took 31 s").client("acme"),
        60 * 10,
    ); // 1: 10 h old
    add(
        e("db", "Timeout", "query took 45 s").client("globex"),
        60 * 5,
    ); // 2: 5 h
    add(
        e("whatsapp", "RateLimited", "429 from provider").client("acme"),
        90,
    ); // 3: warning
    add(e("llm", "Timeout", "retrying once").client("globex"), 50); // 4: info
    add(e("db", "ConnectionRefused", "refused on 5432"), 40); // 5
    add(
        e("payments", "Declined", "insufficient funds").client("globex"),
        30,
    ); // 6: critical
    add(e("db", "Timeout", "query took 60 s").client("acme"), 20); // 7
    add(
        e("whatsapp", "RateLimited", "429 again").client("globex"),
        10,
    ); // 8: warning
    add(e("llm", "BadOutput", "REFUSED to answer").client("acme"), 5); // 9
    add(e("db", "Timeout", "query took 90 s").client("acme"), 2); // 10
    add(e("api", "NotFound", "no such user").client("acme"), 1); // 11
    c.set(UNIX_EPOCH + Duration::from_secs(MONDAY + 12 * 3_600));
    log.resolve(ids[3]).expect("kept"); // acme's RateLimited group: 3 resolved
    log.resolve(ids[5]).expect("kept"); // 5 resolved
    (log, ids)
}

#[test]
fn every_filter_alone() {
    let c = clock();
    let (log, id) = fixture(&c);
    let ids = |pairs: &[(&str, &str)]| query(&log, pairs).0;
    let total = |pairs: &[(&str, &str)]| query(&log, pairs).1;
    assert_eq!(total(&[]), 12);
    assert_eq!(
        ids(&[("range", "1h")]),
        [id[11], id[10], id[9], id[8], id[7], id[6], id[5], id[4]]
    );
    assert_eq!(total(&[("range", "6h")]), 10);
    assert_eq!(total(&[("range", "24h")]), 11);
    assert_eq!(total(&[("range", "7d")]), 12);
    assert_eq!(total(&[("since", "2026-11-16T11:00:00Z")]), 8);
    assert_eq!(ids(&[("until", "2026-11-16T02:00:00Z")]), [id[1], id[0]]);
    assert_eq!(total(&[("service", "db")]), 5);
    assert_eq!(total(&[("type", "Timeout")]), 5);
    assert_eq!(ids(&[("severity", "critical")]), [id[6], id[0]]);
    assert_eq!(total(&[("severity", "warning,info")]), 3);
    assert_eq!(total(&[("client", "acme")]), 7);
    assert_eq!(total(&[("client", "globex")]), 4);
    assert_eq!(
        ids(&[("q", "refused")]),
        [id[9], id[5], id[0]],
        "message, any case"
    );
    assert_eq!(total(&[("q", "ratelimited")]), 2, "matches the type too");
    assert_eq!(ids(&[("resolved", "true")]), [id[5], id[3]]);
    assert_eq!(total(&[("resolved", "false")]), 10);
}

#[test]
fn filters_combine_and_pages_keep_the_total() {
    let c = clock();
    let (log, id) = fixture(&c);
    assert_eq!(
        query(
            &log,
            &[
                ("service", "db"),
                ("client", "acme"),
                ("range", "24h"),
                ("resolved", "false")
            ]
        ),
        (vec![id[10], id[7], id[1]], 3)
    );
    assert_eq!(
        query(&log, &[("type", "Timeout"), ("q", "60 s")]).0,
        [id[7]]
    );
    assert_eq!(
        query(&log, &[("client", "acme"), ("limit", "2")]),
        (vec![id[11], id[10]], 7)
    );
    assert_eq!(
        query(&log, &[("client", "acme"), ("limit", "2"), ("offset", "6")]),
        (vec![id[0]], 7)
    );
    assert_eq!(query(&log, &[("offset", "100")]), (vec![], 12));
    assert_eq!(
        query(&log, &[("sort", "time_asc"), ("limit", "2")]).0,
        [id[0], id[1]]
    );
    let by_severity = query(&log, &[("sort", "severity")]).0;
    assert_eq!(
        &by_severity[..2],
        [id[6], id[0]],
        "critical first, newest first"
    );
    assert_eq!(by_severity[by_severity.len() - 1], id[4], "info last");
}

#[test]
fn stats_count_by_severity_and_service_and_rate_against_messages() {
    let c = clock();
    let (log, _) = fixture(&c);
    let collector = MetricsCollector::new(CollectorConfig::default().with_clock(c));
    for i in 0..100 {
        collector.record_message(&format!("u{i}"), Duration::from_millis(50));
    }
    let stats = log.stats(&collector);
    assert_eq!(stats.by_severity.critical, 2);
    assert_eq!(stats.by_severity.warning, 2);
    assert_eq!(stats.by_severity.info, 1);
    assert_eq!(stats.by_severity.total(), 12);
    assert_eq!(stats.by_service[0].service, "db");
    assert_eq!(stats.by_service[0].count, 5);
    assert_eq!(stats.last_hour, 8);
    assert_eq!(stats.error_rate_last_hour, Some(0.08));
    assert_eq!(stats.hourly.len(), 24);
    let now = &stats.hourly[23];
    assert_eq!((now.errors, now.messages, now.rate), (0, 100, Some(0.0)));
    let previous = &stats.hourly[22];
    assert_eq!(
        (previous.errors, previous.messages, previous.rate),
        (8, 0, None)
    );
    assert_eq!(stats.groups.resolved, 2);

    let acme = log.stats_for_client("acme");
    assert_eq!(acme.by_severity.total(), 7);
    assert_eq!(
        acme.by_service
            .iter()
            .find(|s| s.service == "db")
            .map(|s| s.count),
        Some(3)
    );
    assert_eq!(acme.error_rate_last_hour, None);
    assert_eq!(acme.groups.resolved, 1);
}

#[test]
fn logging_from_many_threads_while_querying_loses_nothing() {
    let log = ErrorLog::builder().capacity(1 << 16).build();
    std::thread::scope(|s| {
        for t in 0..4 {
            let log = log.clone();
            s.spawn(move || {
                for i in 0..5_000 {
                    log.log(ErrorEvent::new(
                        "svc",
                        "op",
                        format!("T{}", i % 7),
                        format!("t{t} #{i}"),
                    ));
                }
            });
        }
        let log = log.clone();
        s.spawn(move || {
            for _ in 0..50 {
                let page = log.query(&ErrorQuery::parse([("limit", "500")]).expect("valid"));
                assert!(
                    page.errors.windows(2).all(|w| w[0].id > w[1].id),
                    "newest first"
                );
            }
        });
    });
    assert_eq!(log.query(&ErrorQuery::default()).total, 20_000);
    let groups = log.unresolved(None);
    assert_eq!(groups.len(), 7);
    assert_eq!(groups.iter().map(|g| g.count).sum::<u64>(), 20_000);
}

#[test]
fn counted_history_adds_to_the_counts_but_makes_no_entry() {
    let clock = clock();
    let log = log_with(&clock);
    let messages = MetricsCollector::new(CollectorConfig::default().with_clock(clock.clone()));
    let now = clock.now();
    let hour = |h: u64| now - Duration::from_secs(h * 3_600);
    log.count_at(hour(2), "payments", Severity::Critical, 3);
    log.count_at(hour(2), "db", Severity::Warning, 4);
    log.count_at(now - Duration::from_secs(10 * 60), "db", Severity::Error, 2);
    log.count_at(now + Duration::from_secs(3_600), "db", Severity::Info, 1); // counts as now
    log.count_at(hour(200), "old", Severity::Error, 5); // past the hourly counts
    log.count_at(hour(1), "db", Severity::Error, 0); // nothing
    log.count_at(hour(2), "\u{1b}[31m", Severity::Info, 1); // cleaned to "[31m"

    let now_hour = (MONDAY + 12 * 3_600) / 3_600;
    assert_eq!(
        log.errors_per_hour(now_hour - 2, 3),
        [Some(8), Some(2), Some(1)]
    );
    let stats = log.stats(&messages);
    let s = stats.by_severity;
    assert_eq!((s.critical, s.error, s.warning, s.info), (3, 7, 4, 2));
    assert_eq!(stats.last_hour, 3, "the minutes of the last hour: 2 + 1");
    let services: Vec<(&str, u64)> = stats
        .by_service
        .iter()
        .map(|c| (c.service.as_str(), c.count))
        .collect();
    for want in [("payments", 3), ("db", 7), ("old", 5), ("[31m", 1)] {
        assert!(services.contains(&want), "{want:?} in {services:?}");
    }
    let (ids, total) = query(&log, &[]);
    assert_eq!((ids.len(), total), (0, 0), "no entries, no groups");
    assert_eq!(log.counters().cleaned_fields, 1);
}
