use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;
use crate::ManualClock;

/// A Monday, 00:00 UTC.
fn monday() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_438_400)
}

fn feed(config: TopUsersConfig) -> (TopUsers, ManualClock) {
    let clock = ManualClock::new(monday() + Duration::from_secs(10 * 3600));
    (TopUsers::new(config, clock.clone().into()), clock)
}

fn ids(r: &TopUsersReport) -> Vec<(&str, Option<&str>, u64)> {
    r.users
        .iter()
        .map(|u| (u.user_id.as_str(), u.client_id.as_deref(), u.count))
        .collect()
}

#[test]
fn a_tenant_sees_only_its_users_and_the_same_id_is_two_users() {
    let (top, _) = feed(TopUsersConfig::default());
    for _ in 0..3 {
        top.record(Some("acme"), "u-1", None);
    }
    top.record(Some("globex"), "u-1", None);
    top.record(None, "u-9", None);

    let acme = top.top(Window::Day, Some("acme"), 10);
    assert_eq!(ids(&acme), [("u-1", Some("acme"), 3)]);
    assert_eq!(acme.total_messages, 3);
    let globex = top.top(Window::Week, Some("globex"), 10);
    assert_eq!(ids(&globex), [("u-1", Some("globex"), 1)]);
    assert!(top.top(Window::Day, Some("initech"), 10).users.is_empty());
    let all = top.top(Window::Day, None, 10);
    assert_eq!(all.total_messages, 5);
    assert_eq!(all.users.len(), 3);
    assert_eq!(ids(&all)[0], ("u-1", Some("acme"), 3));
}

#[test]
fn tenants_past_the_cap_count_for_everyone_only() {
    let (top, _) = feed(TopUsersConfig::default().max_tenants(1));
    top.record(Some("acme"), "a", None);
    top.record(Some("globex"), "g", None);
    assert_eq!(top.stats().tenants_overflowed, 1);
    assert!(top.top(Window::Day, Some("globex"), 5).users.is_empty());
    let all = top.top(Window::Day, None, 5);
    assert_eq!(all.total_messages, 2);
    assert!(
        all.users
            .iter()
            .any(|u| u.client_id.as_deref() == Some("globex"))
    );
}

#[test]
fn windows_roll_with_the_clock_and_late_records_are_counted() {
    let (top, clock) = feed(TopUsersConfig::default());
    top.record(None, "early", Some("Early"));
    clock.advance(Duration::from_secs(25 * 3600));
    top.record(None, "later", None);
    assert_eq!(ids(&top.top(Window::Day, None, 5)), [("later", None, 1)]);
    assert_eq!(top.top(Window::Week, None, 5).total_messages, 2);
    top.record_at(
        None,
        "ancient",
        None,
        monday() - Duration::from_secs(8 * 86_400),
    );
    assert_eq!(top.stats().late, 1);
    clock.advance(Duration::from_secs(7 * 86_400));
    assert_eq!(top.top(Window::Week, None, 5).total_messages, 0);
    // Out of the 7-day window, the day of "later" is still kept one more
    // day for a summary of its closed week; then it goes.
    clock.advance(Duration::from_secs(86_400));
    top.record(None, "now", None);
    assert_eq!(
        top.stats().labels,
        1,
        "labels of users no summary counts are dropped"
    );
}

#[test]
fn names_ids_and_tenants_are_cleaned_and_cut() {
    let (top, _) = feed(TopUsersConfig::default());
    let long = "x".repeat(500);
    top.record(Some("ac\u{1b}me"), &long, Some("Ada\u{0}"));
    top.record(Some("acme"), "u", Some("   "));
    let r = top.top(Window::Day, Some("acme"), 5);
    assert_eq!(r.users.len(), 2);
    let cut = r
        .users
        .iter()
        .find(|u| u.user_id != "u")
        .expect("the long id");
    assert!(cut.user_id.len() <= MAX_USER_ID_BYTES && cut.user_id.ends_with('…'));
    assert_eq!(cut.user_name.as_deref(), Some("Ada"));
    let blank = r.users.iter().find(|u| u.user_id == "u").expect("u");
    assert_eq!(blank.user_name, None, "a blank name is no name");
}

#[test]
fn export_and_replace_round_trip_and_bad_states_change_nothing() {
    let (top, clock) = feed(TopUsersConfig::default().capacity(4).tenant_capacity(2));
    for i in 0..50u32 {
        let user = format!("u{}", i % 7);
        top.record(Some(["acme", "globex"][i as usize % 2]), &user, Some("N"));
        if i % 10 == 0 {
            clock.advance(Duration::from_secs(3 * 3600));
        }
    }
    let state = top.export();
    let other = TopUsers::new(
        TopUsersConfig::default().capacity(4).tenant_capacity(2),
        clock.into(),
    );
    other.replace(&state).expect("an exported state restores");
    for (w, c) in [
        (Window::Day, None),
        (Window::Week, Some("acme")),
        (Window::Week, None),
    ] {
        assert_eq!(other.top(w, c, 10), top.top(w, c, 10), "{w} {c:?}");
    }
    assert_eq!(other.export(), state);

    let mut bad = state.clone();
    bad.all.days[0].total += 1;
    assert!(
        other.replace(&bad).is_err(),
        "counters must sum to the total"
    );
    let mut bad = state.clone();
    bad.labels.push(LabelState {
        client_id: None,
        user_id: "\u{7}".into(),
        user_name: None,
    });
    assert!(other.replace(&bad).is_err());
    assert_eq!(other.export(), state, "a refused state changed nothing");
}

#[test]
fn many_at_once_count_as_that_many_records() {
    let (one_by_one, clock) = feed(TopUsersConfig::default().capacity(2));
    let (at_once, _) = feed(TopUsersConfig::default().capacity(2));
    let at = clock.now() - Duration::from_secs(3600);
    for (user, n) in [("a", 5), ("b", 3), ("c", 4), ("a", 2)] {
        for _ in 0..n {
            one_by_one.record_at(Some("acme"), user, Some("A name"), at);
        }
        at_once.record_many_at(Some("acme"), user, Some("A name"), at, n);
    }
    at_once.record_many_at(Some("acme"), "nobody", None, at, 0);
    for window in [Window::Day, Window::Week] {
        for tenant in [None, Some("acme")] {
            assert_eq!(
                one_by_one.top(window, tenant, 10),
                at_once.top(window, tenant, 10),
                "{window:?} {tenant:?}"
            );
        }
    }
    let ancient = at - Duration::from_secs(30 * 86_400);
    at_once.record_many_at(None, "old", None, ancient, 7);
    assert_eq!(at_once.stats().late, 7);
}
