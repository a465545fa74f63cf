//! Activity trackers through their public API: lifecycle, hierarchy, PII
//! masking wherever a value can leave, expiry, distributions, caps,
//! persistence and hostile input.

use crate::support::value_of;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, UNIX_EPOCH};

use metrics_exporter_prometheus::PrometheusBuilder;
use monitor_core::ManualClock;
use monitor_core::activity::{
    ABANDONED, ActivityError, ActivityMeta, ActivityNode, ActivityNotice, ActivityTracker,
    ActivityTrackerBuilder, ActivityView, ID_BYTES, MAX_ATTRIBUTES, MAX_LABEL_KEYS,
    MAX_LABEL_VALUES, NAME_BYTES, NOTE_BYTES, OTHER, Outcome, Phase, VALUE_BYTES,
};

const MONDAY_MS: u64 = 1_794_787_200_000;
const PHONE: &str = "+1 (555) 123-4567";
const MASKED: &str = "*******4567";

fn clock() -> ManualClock {
    ManualClock::new(UNIX_EPOCH + Duration::from_millis(MONDAY_MS))
}

/// Every notice a listener saw, as (event type, JSON).
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A tracker whose listener keeps every notice.
fn recorded(kind: &str, clock: &ManualClock) -> (ActivityTrackerBuilder, Seen) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let builder = ActivityTracker::builder(kind)
        .clock(clock.clone())
        .listener(move |n: &ActivityNotice<'_>| {
            let json = serde_json::to_string(n).expect("notices serialize");
            sink.lock()
                .expect("not poisoned")
                .push((n.event_type(), json));
        });
    (builder, seen)
}

fn types(seen: &Mutex<Vec<(String, String)>>) -> Vec<String> {
    seen.lock()
        .expect("not poisoned")
        .iter()
        .map(|(t, _)| t.clone())
        .collect()
}

fn ids(views: &[ActivityView]) -> Vec<&str> {
    views.iter().map(|v| v.id.as_str()).collect()
}

#[test]
fn lifecycle_start_progress_end_and_its_errors() {
    let clock = clock();
    let (builder, seen) = recorded("call", &clock);
    let calls = builder.build();

    calls
        .start(
            "c1",
            ActivityMeta::new()
                .client("acme")
                .category("support")
                .attr("direction", "inbound"),
        )
        .expect("starts");
    assert_eq!(
        calls.start("c1", ActivityMeta::new()),
        Err(ActivityError::Duplicate("c1".to_owned()))
    );
    assert_eq!(
        calls.start("", ActivityMeta::new()),
        Err(ActivityError::EmptyId)
    );

    clock.advance(Duration::from_secs(30));
    calls.progress("c1", 42.5, "ringing").expect("active");
    calls.progress("c1", 250.0, "").expect("clamped, note kept");
    assert!(matches!(
        calls.progress("c1", f64::NAN, "x"),
        Err(ActivityError::InvalidProgress(p)) if p.is_nan()
    ));
    assert_eq!(
        calls.progress("nope", 1.0, ""),
        Err(ActivityError::NotFound("nope".to_owned()))
    );

    let live = calls.get("c1").expect("active");
    assert!(live.is_active());
    assert_eq!(live.progress_pct, Some(100.0));
    assert_eq!(live.note.as_deref(), Some("ringing"));
    assert_eq!(
        live.duration_ms,
        Some(30_000),
        "elapsed so far while active"
    );
    assert_eq!(calls.active().len(), 1);
    assert_eq!(calls.stats().active, 1);

    clock.advance(Duration::from_secs(90));
    let ended = calls
        .end("c1", Outcome::new("completed").label("quality", "good"))
        .expect("active");
    assert_eq!(ended.kind, "call");
    assert_eq!(ended.client_id.as_deref(), Some("acme"));
    assert_eq!(ended.category.as_deref(), Some("support"));
    assert_eq!(ended.attributes["direction"], "inbound");
    assert_eq!(ended.duration_ms, Some(120_000));
    assert_eq!(ended.outcome.as_deref(), Some("completed"));
    assert_eq!(ended.labels["quality"], "good");
    assert_eq!(
        ended.ended_at,
        Some(UNIX_EPOCH + Duration::from_millis(MONDAY_MS + 120_000))
    );
    assert_eq!(
        calls.end("c1", Outcome::new("completed")),
        Err(ActivityError::NotFound("c1".to_owned()))
    );

    assert!(calls.active().is_empty());
    assert_eq!(calls.recent(), vec![ended.clone()]);
    assert_eq!(calls.get("c1"), Some(ended));
    // The id may be reused once ended.
    calls
        .start("c1", ActivityMeta::new())
        .expect("starts again");
    assert!(calls.get("c1").is_some_and(|v| v.is_active()));

    assert_eq!(
        types(&seen),
        [
            "call:started",
            "call:progress",
            "call:progress",
            "call:ended",
            "call:started"
        ]
    );
    let stats = calls.stats();
    assert_eq!((stats.started, stats.ended, stats.abandoned), (2, 1, 0));
    assert_eq!(stats.duration.count, 1);
    let p50 = stats.duration.p50_ms.expect("one duration");
    assert!((p50 - 120_000.0).abs() / 120_000.0 < 0.02, "p50 {p50}");
}

#[test]
fn views_and_notices_have_the_documented_json_shape() {
    let clock = clock();
    let (builder, seen) = recorded("session", &clock);
    let sessions = builder.build();
    sessions
        .start("s1", ActivityMeta::new().client("acme"))
        .expect("starts");
    let json: serde_json::Value =
        serde_json::from_str(&seen.lock().expect("not poisoned")[0].1).expect("JSON");
    assert_eq!(json["phase"], "started");
    assert_eq!(json["activity"]["id"], "s1");
    assert_eq!(json["activity"]["kind"], "session");
    assert_eq!(json["activity"]["client_id"], "acme");
    assert_eq!(json["activity"]["started_at"], "2026-11-16T00:00:00.000Z");
    assert_eq!(json["activity"]["ended_at"], serde_json::Value::Null);
    assert_eq!(Phase::Progress.as_str(), "progress");

    // Views read back from JSON unchanged.
    let view = sessions.get("s1").expect("active");
    let text = serde_json::to_string(&view).expect("serializes");
    let back: ActivityView = serde_json::from_str(&text).expect("deserializes");
    assert_eq!(back, view);
}

fn node_ids(nodes: &[ActivityNode]) -> Vec<(String, Vec<String>)> {
    nodes
        .iter()
        .map(|n| {
            let kids = n.children.iter().map(|c| c.activity.id.clone()).collect();
            (n.activity.id.clone(), kids)
        })
        .collect()
}

#[test]
fn hierarchy_orchestrator_strategist_generators() {
    let clock = clock();
    let agents = ActivityTracker::builder("agent")
        .clock(clock.clone())
        .build();
    let start = |id: &str, category: &str, parent: Option<&str>| {
        clock.advance(Duration::from_secs(1));
        let mut meta = ActivityMeta::new().client("acme").category(category);
        if let Some(p) = parent {
            meta = meta.parent(p);
        }
        agents.start(id, meta).expect("starts");
    };
    start("orch", "orchestrator", None);
    start("strat", "strategist", Some("orch"));
    start("gen-1", "generator", Some("strat"));
    start("gen-2", "generator", Some("strat"));
    start("critic", "critic", Some("orch"));
    start("stray", "generator", Some("gone-long-ago")); // unknown parent: a root
    agents
        .end("gen-1", Outcome::new("completed"))
        .expect("active");

    let tree = agents.tree();
    // Roots newest first; children oldest first; ended gen-1 still placed.
    assert_eq!(
        node_ids(&tree),
        [
            ("stray".to_owned(), vec![]),
            (
                "orch".to_owned(),
                vec!["strat".to_owned(), "critic".to_owned()]
            ),
        ]
    );
    let strat = &tree[1].children[0];
    assert_eq!(
        node_ids(std::slice::from_ref(strat)),
        [(
            "strat".to_owned(),
            vec!["gen-1".to_owned(), "gen-2".to_owned()]
        )]
    );
    assert!(!strat.children[0].activity.is_active());
    assert!(strat.children[1].children.is_empty());

    assert!(agents.tree_for("globex").is_empty());
    assert_eq!(agents.tree_for("acme").len(), 2);
    let stats = agents.stats();
    let generators = stats
        .by_category
        .iter()
        .find(|c| c.category == "generator")
        .expect("counted");
    assert_eq!(generators.count, 3);
    assert_eq!(stats.by_category[0].category, "generator", "most first");
}

#[test]
fn pii_is_masked_in_notices_views_stats_state_and_debug() {
    let clock = clock();
    let (builder, seen) = recorded("call", &clock);
    let calls = builder.build();
    calls
        .start(
            "c1",
            ActivityMeta::new()
                .client("acme")
                .pii("phone", PHONE)
                .pii("caller", "5551234567"),
        )
        .expect("starts");
    calls.progress("c1", 50.0, "talking").expect("active");
    let active_json = serde_json::to_string(&calls.active()).expect("serializes");
    let ended = calls
        .end("c1", Outcome::new("completed").label("quality", "fair"))
        .expect("active");
    assert_eq!(ended.attributes["phone"], MASKED);
    assert_eq!(ended.attributes["caller"], "******4567");

    let mut outputs = vec![
        ("active view JSON", active_json),
        (
            "recent view JSON",
            serde_json::to_string(&calls.recent()).expect("serializes"),
        ),
        (
            "get JSON",
            serde_json::to_string(&calls.get("c1")).expect("serializes"),
        ),
        (
            "tree JSON",
            serde_json::to_string(&calls.tree()).expect("serializes"),
        ),
        (
            "stats JSON",
            serde_json::to_string(&calls.stats()).expect("serializes"),
        ),
        (
            "exported state JSON",
            serde_json::to_string(&calls.export()).expect("serializes"),
        ),
        ("exported state Debug", format!("{:?}", calls.export())),
        ("tracker Debug", format!("{calls:?}")),
        (
            "meta Debug",
            format!("{:?}", ActivityMeta::new().pii("phone", PHONE)),
        ),
    ];
    for (t, json) in seen.lock().expect("not poisoned").iter() {
        outputs.push(("notice JSON", format!("{t} {json}")));
    }
    assert_eq!(
        outputs.iter().filter(|(w, _)| *w == "notice JSON").count(),
        3
    );
    for (what, text) in &outputs {
        for raw in [PHONE, "5551234567", "555", "123-4567", "1234567"] {
            assert!(!text.contains(raw), "{what} leaks {raw:?}: {text}");
        }
    }
    for (what, text) in &outputs[..6] {
        if *what != "stats JSON" {
            assert!(text.contains(MASKED), "{what} lacks the masked phone");
        }
    }
    // Restoring the exported state keeps the masked form only.
    let copy = ActivityTracker::builder("call").clock(clock).build();
    copy.restore(calls.export());
    assert_eq!(copy.recent()[0].attributes["phone"], MASKED);
}

#[test]
fn unended_activities_expire_as_abandoned() {
    let clock = clock();
    let (builder, seen) = recorded("call", &clock);
    let calls = builder.timeout(Duration::from_secs(600)).build();
    calls.start("lost", ActivityMeta::new()).expect("starts");
    clock.advance(Duration::from_secs(300));
    calls.start("fresh", ActivityMeta::new()).expect("starts");
    clock.advance(Duration::from_secs(299));
    assert_eq!(calls.expire(), 0, "599 s is within the timeout");
    clock.advance(Duration::from_secs(1));
    assert_eq!(calls.expire(), 1);

    assert_eq!(ids(&calls.active()), ["fresh"]);
    let lost = calls.get("lost").expect("in the recent list");
    assert_eq!(lost.outcome.as_deref(), Some(ABANDONED));
    assert_eq!(lost.duration_ms, Some(600_000));
    assert_eq!(
        calls.end("lost", Outcome::new("completed")),
        Err(ActivityError::NotFound("lost".to_owned()))
    );
    let notices = seen.lock().expect("not poisoned").clone();
    let (last_type, last_json) = notices.last().expect("an ended notice");
    assert_eq!(last_type, "call:ended");
    assert!(
        last_json.contains(r#""outcome":"abandoned""#),
        "{last_json}"
    );

    let stats = calls.stats();
    assert_eq!((stats.active, stats.ended, stats.abandoned), (1, 1, 1));
    assert_eq!(stats.duration.count, 0, "abandoned ones are not durations");
    assert_eq!(stats.by_outcome[0].outcome, ABANDONED);
    assert_eq!(stats.by_outcome[0].percent, 100.0);
}

#[test]
fn outcome_and_quality_distributions_in_percent() {
    let clock = clock();
    let calls = ActivityTracker::builder("call")
        .clock(clock.clone())
        .build();
    let plan = [
        ("completed", Some("excellent"), 10),
        ("completed", Some("good"), 20),
        ("completed", Some("good"), 30),
        ("completed", Some("poor"), 40),
        ("failed", None, 50),
        ("transferred", Some("fair"), 60),
        ("completed", Some("good"), 70),
        ("completed", Some("excellent"), 80),
    ];
    for (i, (result, quality, secs)) in plan.iter().enumerate() {
        let id = format!("c{i}");
        calls.start(&id, ActivityMeta::new()).expect("starts");
        clock.advance(Duration::from_secs(*secs));
        let mut outcome = Outcome::new(*result);
        if let Some(q) = quality {
            outcome = outcome.label("quality", *q);
        }
        calls.end(&id, outcome).expect("active");
    }
    let stats = calls.stats();
    let outcomes: Vec<(&str, u64, f64)> = stats
        .by_outcome
        .iter()
        .map(|o| (o.outcome.as_str(), o.count, o.percent))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("completed", 6, 75.0),
            ("failed", 1, 12.5),
            ("transferred", 1, 12.5)
        ]
    );
    // Of the 7 calls carrying a quality label.
    let quality: Vec<(&str, u64, f64)> = stats.distributions["quality"]
        .iter()
        .map(|l| (l.value.as_str(), l.count, l.percent))
        .collect();
    assert_eq!(
        quality,
        [
            ("good", 3, 42.86),
            ("excellent", 2, 28.57),
            ("fair", 1, 14.29),
            ("poor", 1, 14.29)
        ]
    );
    let sum: f64 = quality.iter().map(|q| q.2).sum();
    assert!((sum - 100.0).abs() < 0.05, "sum {sum}");

    let d = stats.duration;
    assert_eq!(d.count, 8);
    let p50 = d.p50_ms.expect("p50");
    let p95 = d.p95_ms.expect("p95");
    assert!((p50 - 40_000.0).abs() / 40_000.0 < 0.02, "p50 {p50}");
    assert!((p95 - 80_000.0).abs() / 80_000.0 < 0.02, "p95 {p95}");
    assert!((d.avg_ms.expect("avg") - 45_000.0).abs() < 1.0);
}

#[test]
fn a_tenants_stats_cover_only_its_own_activities() {
    let clock = clock();
    let calls = ActivityTracker::builder("call")
        .clock(clock.clone())
        .build();
    for (id, client, category, quality) in [
        ("a1", "acme", "support", Some("good")),
        ("a2", "acme", "sales", Some("poor")),
        ("g1", "globex", "support", Some("excellent")),
        ("g2", "globex", "vip", None),
    ] {
        let meta = ActivityMeta::new().client(client).category(category);
        calls.start(id, meta).expect("starts");
        clock.advance(Duration::from_secs(10));
        if let Some(q) = quality {
            calls
                .end(id, Outcome::new("completed").label("quality", q))
                .expect("active");
        }
    }
    calls
        .start("a3", ActivityMeta::new().client("acme").category("support"))
        .expect("starts");

    let acme = calls.stats_for("acme");
    assert_eq!((acme.active, acme.started, acme.ended), (1, 3, 2));
    let categories: Vec<(&str, u64)> = acme
        .by_category
        .iter()
        .map(|c| (c.category.as_str(), c.count))
        .collect();
    assert_eq!(categories, [("support", 2), ("sales", 1)]);
    let quality: Vec<&str> = acme.distributions["quality"]
        .iter()
        .map(|l| l.value.as_str())
        .collect();
    assert_eq!(quality, ["good", "poor"], "no globex quality");
    assert_eq!(acme.duration.count, 2);

    let nobody = calls.stats_for("initech");
    assert_eq!((nobody.active, nobody.started), (0, 0));
    assert!(nobody.by_category.is_empty() && nobody.distributions.is_empty());
    assert_eq!(calls.stats().started, 5, "the whole tracker is untouched");
}

#[test]
fn label_cardinality_is_capped_and_counted() {
    let calls = ActivityTracker::builder("call").clock(clock()).build();
    for i in 0..(MAX_LABEL_VALUES + 8) {
        let id = format!("c{i}");
        calls.start(&id, ActivityMeta::new()).expect("starts");
        let mut outcome = Outcome::new(format!("result-{i}")).label("quality", format!("q{i}"));
        for k in 0..MAX_LABEL_KEYS + 2 {
            outcome = outcome.label(format!("key{k}"), "v");
        }
        calls.end(&id, outcome).expect("active");
    }
    let stats = calls.stats();
    assert_eq!(stats.distributions.len(), MAX_LABEL_KEYS);
    let quality = &stats.distributions["quality"];
    assert_eq!(quality.len(), MAX_LABEL_VALUES + 1);
    let other = quality.iter().find(|l| l.value == OTHER).expect("overflow");
    assert_eq!(other.count, 8);
    assert_eq!(stats.by_outcome.len(), 33, "32 results and __other__");
    assert!(calls.counters().overflowed_labels > 8);
}

#[test]
fn caps_refuse_starts_and_bound_the_recent_list() {
    let calls = ActivityTracker::builder("call")
        .clock(clock())
        .max_active(3)
        .recent(5)
        .build();
    for i in 0..3 {
        calls
            .start(&format!("c{i}"), ActivityMeta::new())
            .expect("room");
    }
    assert_eq!(
        calls.start("c3", ActivityMeta::new()),
        Err(ActivityError::TooManyActive { limit: 3 })
    );
    assert_eq!(
        calls.start("c4", ActivityMeta::new()),
        Err(ActivityError::TooManyActive { limit: 3 })
    );
    assert_eq!(calls.counters().refused, 2);
    assert_eq!(calls.stats().refused, 2);
    assert_eq!(calls.stats().started, 3);

    for i in 0..3 {
        calls
            .end(&format!("c{i}"), Outcome::new("completed"))
            .expect("active");
    }
    for i in 10..15 {
        let id = format!("c{i}");
        calls.start(&id, ActivityMeta::new()).expect("room again");
        calls.end(&id, Outcome::new("completed")).expect("active");
    }
    assert_eq!(
        ids(&calls.recent()),
        ["c14", "c13", "c12", "c11", "c10"],
        "newest first, at most 5"
    );
    assert_eq!(calls.stats().ended, 8);
}

#[test]
fn tenant_filters_keep_to_one_client() {
    let calls = ActivityTracker::builder("call").clock(clock()).build();
    calls
        .start("a1", ActivityMeta::new().client("acme"))
        .expect("starts");
    calls
        .start("g1", ActivityMeta::new().client("globex"))
        .expect("starts");
    calls
        .start("a2", ActivityMeta::new().client("acme"))
        .expect("starts");
    calls.start("n1", ActivityMeta::new()).expect("starts");
    calls.end("a1", Outcome::new("completed")).expect("active");
    assert_eq!(ids(&calls.active_for("acme")), ["a2"]);
    assert_eq!(ids(&calls.recent_for("acme")), ["a1"]);
    assert!(calls.recent_for("globex").is_empty());
    assert_eq!(ids(&calls.active()), ["n1", "a2", "g1"], "newest first");
}

#[test]
fn export_then_restore_round_trips() {
    let clock = clock();
    let calls = ActivityTracker::builder("call")
        .clock(clock.clone())
        .max_active(10)
        .build();
    for i in 0..6 {
        let id = format!("c{i}");
        let meta = ActivityMeta::new()
            .client("acme")
            .category(if i % 2 == 0 { "sales" } else { "support" })
            .pii("phone", PHONE);
        calls.start(&id, meta).expect("starts");
        clock.advance(Duration::from_secs(10 + i));
    }
    calls.progress("c5", 33.0, "half").expect("active");
    for i in 0..3 {
        calls
            .end(
                &format!("c{i}"),
                Outcome::new("completed").label("quality", "good"),
            )
            .expect("active");
    }
    let _ = calls.start("c5", ActivityMeta::new()); // a duplicate, not counted
    let state = calls.export();
    assert_eq!(state.active.len(), 3);
    assert_eq!(state.recent.len(), 3);

    let fresh = ActivityTracker::builder("call")
        .clock(clock.clone())
        .max_active(10)
        .build();
    fresh
        .start("replaced", ActivityMeta::new())
        .expect("starts");
    fresh.restore(state.clone());
    assert_eq!(fresh.export(), state, "restore replaces, export matches");
    assert_eq!(fresh.active(), calls.active());
    assert_eq!(fresh.recent(), calls.recent());
    assert_eq!(fresh.stats(), calls.stats());
    assert_eq!(fresh.counters(), calls.counters());
    assert!(fresh.get("replaced").is_none());

    // Restored activities carry on: end one, expire the rest.
    fresh
        .end("c3", Outcome::new("failed"))
        .expect("restored as active");
    clock.advance(Duration::from_secs(3_600));
    assert_eq!(fresh.expire(), 2);
    assert_eq!(fresh.stats().abandoned, 2);
}

#[test]
fn hostile_input_is_bounded_and_counted() {
    let clock = clock();
    let calls = ActivityTracker::builder("call").clock(clock).build();
    let huge_id = format!("{}\u{0}\u{1b}[2J", "i".repeat(1 << 20));
    let mut meta = ActivityMeta::new()
        .client("c".repeat(1 << 20))
        .category("\u{1b}[31mred\u{7}")
        .parent("p".repeat(10_000))
        .attr("note", "v".repeat(1 << 20))
        .pii("phone", "7".repeat(1 << 20));
    for i in 0..10_000 {
        meta = meta.attr(format!("k{i}"), "x");
    }
    calls.start(&huge_id, meta).expect("starts, cut to size");
    calls
        .progress(&huge_id, 10.0, &"\u{7}n".repeat(1 << 20))
        .expect("found by the same raw id");
    let v = calls.get(&huge_id).expect("found by the same raw id");
    assert!(v.id.len() <= ID_BYTES);
    assert!(v.client_id.as_ref().is_some_and(|c| c.len() <= NAME_BYTES));
    assert_eq!(v.category.as_deref(), Some("[31mred"));
    assert!(v.parent.as_ref().is_some_and(|p| p.len() <= ID_BYTES));
    assert_eq!(v.attributes.len(), MAX_ATTRIBUTES);
    assert!(v.attributes.values().all(|x| x.len() <= VALUE_BYTES));
    assert!(v.attributes["phone"].ends_with("7777"));
    let note = v.note.as_deref().expect("a note");
    assert!(note.len() <= NOTE_BYTES && !note.contains('\u{7}'));
    assert!(calls.counters().cleaned_fields >= 9_986 + 7);

    let ended = calls
        .end(&huge_id, Outcome::new("x".repeat(1 << 20)))
        .expect("found by the same raw id");
    assert!(ended.outcome.as_ref().is_some_and(|o| o.len() <= 64));
    let json = serde_json::to_string(&calls.export()).expect("serializes");
    assert!(json.len() < 16 * 1024, "state stays small: {}", json.len());
}

#[test]
fn listeners_may_read_the_tracker_back() {
    let cell: Arc<OnceLock<ActivityTracker>> = Arc::new(OnceLock::new());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (cell2, seen2) = (Arc::clone(&cell), Arc::clone(&seen));
    let clock = clock();
    let calls = ActivityTracker::builder("call")
        .clock(clock.clone())
        .timeout(Duration::from_secs(60))
        .listener(move |n: &ActivityNotice<'_>| {
            if let Some(t) = cell2.get() {
                // Would deadlock if the lock were held while telling.
                let active = t.active().len();
                let stats = t.stats();
                seen2
                    .lock()
                    .expect("not poisoned")
                    .push((n.phase, active, stats.ended));
            }
        })
        .build();
    cell.set(calls.clone()).expect("set once");
    calls.start("a", ActivityMeta::new()).expect("starts");
    calls.end("a", Outcome::new("completed")).expect("active");
    calls.start("b", ActivityMeta::new()).expect("starts");
    clock.advance(Duration::from_secs(61));
    calls
        .start("c", ActivityMeta::new())
        .expect("starts; b expires");
    assert_eq!(
        *seen.lock().expect("not poisoned"),
        [
            (Phase::Started, 1, 0),
            (Phase::Ended, 0, 1),
            (Phase::Started, 1, 1),
            (Phase::Ended, 1, 2),
            (Phase::Started, 1, 2),
        ]
    );
}

#[test]
fn concurrent_starts_and_ends_add_up() {
    let calls = ActivityTracker::builder("call").build();
    std::thread::scope(|s| {
        for t in 0..4 {
            let calls = calls.clone();
            s.spawn(move || {
                for i in 0..500 {
                    let id = format!("t{t}-{i}");
                    calls.start(&id, ActivityMeta::new()).expect("room");
                    calls.progress(&id, 50.0, "").expect("active");
                    calls.end(&id, Outcome::new("completed")).expect("active");
                }
            });
        }
    });
    let stats = calls.stats();
    assert_eq!(
        (stats.started, stats.ended, stats.active),
        (2_000, 2_000, 0)
    );
    assert_eq!(calls.recent().len(), 20);
}

#[test]
fn publishes_bounded_prometheus_series() {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let clock = clock();
    let calls = ActivityTracker::builder("call")
        .clock(clock.clone())
        .build();
    for i in 0..4 {
        let id = format!("c{i}");
        calls
            .start(&id, ActivityMeta::new().client("acme").pii("phone", PHONE))
            .expect("starts");
        clock.advance(Duration::from_secs(2));
        calls
            .end(
                &id,
                Outcome::new(if i == 0 { "failed" } else { "completed" }),
            )
            .expect("active");
    }
    calls.start("live", ActivityMeta::new()).expect("starts");
    metrics::with_local_recorder(&recorder, || {
        calls.publish_metrics();
        calls.publish_metrics();
    });
    let text = handle.render();
    assert_eq!(
        value_of(&text, r#"monitor_activities_active{kind="call"}"#),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        value_of(
            &text,
            r#"monitor_activities_total{kind="call",outcome="completed"}"#
        ),
        Some(3.0)
    );
    assert_eq!(
        value_of(
            &text,
            r#"monitor_activities_total{kind="call",outcome="failed"}"#
        ),
        Some(1.0)
    );
    let p95 = value_of(
        &text,
        r#"monitor_activity_duration_seconds{kind="call",percentile="95"}"#,
    )
    .expect("p95 series");
    assert!((p95 - 2.0).abs() < 0.05, "p95 {p95}");
    assert!(!text.contains("acme") && !text.contains("4567"));
}

#[test]
fn trackers_are_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<ActivityTracker>();
    let a = ActivityTracker::builder("call").clock(clock()).build();
    let b = a.clone();
    a.start("x", ActivityMeta::new()).expect("starts");
    assert_eq!(b.active().len(), 1, "clones share one state");
    assert_eq!(ActivityTracker::builder("").build().kind(), "activity");
}
