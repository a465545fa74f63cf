use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use super::state::ActivityRecord;
use super::tally::Counts;
use super::*;
use crate::clock::{ManualClock, from_unix_ms};

const T0: u64 = 1_794_787_200_000;

fn clock() -> ManualClock {
    ManualClock::new(UNIX_EPOCH + Duration::from_millis(T0))
}

fn view(id: &str, parent: Option<&str>, started_ms: u64) -> ActivityView {
    ActivityView {
        id: id.to_owned(),
        kind: "agent".to_owned(),
        client_id: None,
        category: None,
        parent: parent.map(str::to_owned),
        attributes: BTreeMap::new(),
        started_at: from_unix_ms(started_ms),
        ended_at: None,
        duration_ms: None,
        progress_pct: None,
        note: None,
        outcome: None,
        labels: BTreeMap::new(),
    }
}

fn count_nodes(nodes: &[ActivityNode]) -> usize {
    nodes.iter().map(|n| 1 + count_nodes(&n.children)).sum()
}

fn depth(nodes: &[ActivityNode]) -> usize {
    nodes
        .iter()
        .map(|n| 1 + depth(&n.children))
        .max()
        .unwrap_or(0)
}

#[test]
fn tree_breaks_cycles_and_self_parents_without_losing_anyone() {
    let views = vec![
        view("a", Some("b"), 1),
        view("b", Some("a"), 2),
        view("c", Some("c"), 3),
        view("d", Some("a"), 4),
    ];
    let forest = tree::build(views);
    assert_eq!(count_nodes(&forest), 4);
    // "c" is its own parent: a root. The a/b cycle is broken at its oldest.
    let roots: Vec<&str> = forest.iter().map(|n| n.activity.id.as_str()).collect();
    assert_eq!(roots, ["c", "a"]);
    let a = &forest[1];
    let kids: Vec<&str> = a.children.iter().map(|n| n.activity.id.as_str()).collect();
    assert_eq!(kids, ["b", "d"]);
}

#[test]
fn tree_depth_is_bounded_and_the_rest_becomes_roots() {
    let n = MAX_TREE_DEPTH * 3 + 1;
    let views: Vec<ActivityView> = (0..n)
        .map(|i| {
            let parent = (i > 0).then(|| format!("n{}", i - 1));
            view(&format!("n{i}"), parent.as_deref(), i as u64)
        })
        .collect();
    let forest = tree::build(views);
    assert_eq!(count_nodes(&forest), n);
    assert_eq!(depth(&forest), MAX_TREE_DEPTH);
    assert_eq!(forest.len(), 4);
    assert_eq!(forest[0].activity.id, "n0");
    assert_eq!(forest[1].activity.id, format!("n{MAX_TREE_DEPTH}"));
}

#[test]
fn tree_links_a_duplicate_id_to_its_first_entry() {
    // An active "a" and an ended "a": the child hangs under the first.
    let mut ended = view("a", None, 1);
    ended.ended_at = Some(from_unix_ms(2));
    let views = vec![view("a", None, 5), view("kid", Some("a"), 6), ended];
    let forest = tree::build(views);
    assert_eq!(forest.len(), 2);
    assert_eq!(forest[0].activity.started_at, from_unix_ms(5));
    assert_eq!(forest[0].children.len(), 1);
    assert!(forest[1].children.is_empty());
}

#[test]
fn counts_overflow_into_other() {
    let mut c = Counts::new(2);
    assert!(!c.add("a", 1));
    assert!(!c.add("b", 1));
    assert!(c.add("c", 1));
    assert!(!c.add("a", 1));
    assert!(!c.add(OTHER, 1)); // a literal "__other__" is not an overflow
    assert_eq!(c.map.get("a"), Some(&2));
    assert_eq!(c.map.get(OTHER), Some(&2));
    assert_eq!(c.map.len(), 3);
}

#[test]
fn meta_is_bounded_at_entry() {
    let mut meta = ActivityMeta::new().client("x".repeat(10_000));
    for i in 0..10_000 {
        meta = meta.attr(format!("k{i:05}"), "v");
    }
    meta = meta
        .attr("", "no key")
        .pii("\u{7}phone\n", "+1 (555) 123-4567");
    assert_eq!(meta.attributes().len(), MAX_ATTRIBUTES);
    assert!(meta.client_id().is_some_and(|c| c.len() <= NAME_BYTES));
    // 1 client + 9 984 attributes past the cap + the keyless one + the
    // phone (past the cap too, its key cleaned first).
    assert_eq!(meta.cuts(), 1 + (10_000 - 16) + 1 + 2);
    assert!(!format!("{meta:?}").contains("123-4567"));
}

#[test]
fn outcome_is_bounded_at_entry() {
    let mut o = Outcome::new("\u{1b}[2J");
    for i in 0..20 {
        o = o.label(format!("k{i:02}"), "v".repeat(1_000));
    }
    assert_eq!(o.result(), "[2J");
    assert_eq!(o.labels().len(), MAX_OUTCOME_LABELS);
    assert!(o.labels().values().all(|v| v.len() <= LABEL_BYTES));
    assert_eq!(Outcome::new("").result(), UNKNOWN);
    assert!(Outcome::abandoned().is_abandoned());
}

#[test]
fn start_expires_lazily_at_most_every_few_seconds() {
    let clock = clock();
    let t = ActivityTracker::builder("call")
        .clock(clock.clone())
        .timeout(Duration::from_secs(60))
        .build();
    t.start("old", ActivityMeta::new()).expect("starts");
    clock.advance(Duration::from_secs(58));
    t.start("mid", ActivityMeta::new()).expect("starts"); // scans: nothing due
    clock.advance(Duration::from_secs(3));
    // "old" is due, but the last scan was under EXPIRE_EVERY ago.
    t.start("x", ActivityMeta::new()).expect("starts");
    assert!(t.get("old").is_some_and(|v| v.is_active()));
    clock.advance(Duration::from_secs(2));
    t.start("y", ActivityMeta::new()).expect("starts");
    let old = t.get("old").expect("in the recent list");
    assert_eq!(old.outcome.as_deref(), Some(ABANDONED));
    assert!(t.get("mid").is_some_and(|v| v.is_active()));
    clock.advance(Duration::from_secs(60));
    t.start("z", ActivityMeta::new()).expect("starts");
    assert_eq!(t.stats().abandoned, 4); // mid, x and y too
}

fn record(id: &str, started_ms: u64, ended: bool) -> ActivityRecord {
    ActivityRecord {
        id: id.to_owned(),
        client_id: None,
        category: None,
        parent: None,
        attributes: BTreeMap::new(),
        started_ms,
        ended_ms: ended.then_some(started_ms + 10),
        progress_pct: None,
        note: None,
        outcome: ended.then(|| "completed".to_owned()),
        labels: BTreeMap::new(),
    }
}

#[test]
fn restore_trims_a_hostile_state_to_the_caps() {
    let clock = clock();
    let t = ActivityTracker::builder("call")
        .clock(clock.clone())
        .max_active(5)
        .recent(3)
        .build();
    let mut state = t.export();
    state.active = (0..10)
        .map(|i| record(&format!("a{i}"), T0 - 100 + i, false))
        .collect();
    state.active.push(record("a9", T0, false)); // duplicate id
    state.active[9].progress_pct = Some(f64::NAN);
    state.active[8].ended_ms = Some(T0); // "active" but ended
    state.active[7].started_ms = u64::MAX; // from the future
    state.active[6].id = "\u{0}\u{1}".to_owned(); // nothing left once cleaned
    state.active[5].attributes = (0..100)
        .map(|i| (format!("k{i}"), "v".repeat(10_000)))
        .collect();
    state.recent = (0..50)
        .map(|i| record(&format!("r{i}"), T0 - 1_000, true))
        .collect();
    state.recent[0].ended_ms = None;
    state.categories = (0..500).map(|i| (format!("c{i}"), 1)).collect();
    state.distributions = (0..20)
        .map(|k| {
            (
                format!("k{k}"),
                (0..100).map(|v| (format!("v{v}"), 1)).collect(),
            )
        })
        .collect();
    state.durations.buckets = vec![(0, 3), (5_000, 7), (u16::MAX, 1)];
    state.durations.count = 1_000;
    state.durations.sum_micros = u64::MAX;
    t.restore(state);

    let active = t.active();
    assert_eq!(
        active.len(),
        3,
        "the newest 5, less one without an id and one duplicate"
    );
    assert!(
        active
            .iter()
            .all(|v| v.ended_at.is_none() && v.outcome.is_none())
    );
    assert!(active.iter().all(|v| v.started_at <= clock.now()));
    assert!(
        active
            .iter()
            .all(|v| v.progress_pct.is_none_or(|p| !p.is_nan()))
    );
    assert!(active.iter().all(|v| v.attributes.len() <= MAX_ATTRIBUTES));
    assert!(
        active
            .iter()
            .all(|v| v.attributes.values().all(|x| x.len() <= VALUE_BYTES))
    );
    assert_eq!(active.iter().filter(|v| v.id == "a9").count(), 1);
    let recent = t.recent();
    assert_eq!(recent.len(), 3);
    assert!(recent.iter().all(|v| v.ended_at.is_some()));
    let stats = t.stats();
    assert_eq!(stats.by_category.len(), MAX_CATEGORIES + 1);
    assert_eq!(stats.distributions.len(), MAX_LABEL_KEYS);
    assert!(
        stats
            .distributions
            .values()
            .all(|d| d.len() == MAX_LABEL_VALUES + 1)
    );
    assert_eq!(
        stats.duration.count, 3,
        "count rebuilt from the valid bucket"
    );
    assert!(t.counters().cleaned_fields > 50);
    assert!(t.counters().overflowed_labels > 0);
}
