use std::time::{Duration, UNIX_EPOCH};

use super::*;
use crate::auth::Role;
use crate::clock::{Clock, ManualClock};

fn log(capacity: usize) -> (AuditLog, ManualClock) {
    let manual = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    (AuditLog::new(capacity, Clock::from(manual.clone())), manual)
}

fn all(log: &AuditLog) -> Vec<AuditEntry> {
    log.query(&AuditQuery {
        limit: MAX_LIMIT,
        ..AuditQuery::default()
    })
    .entries
}

#[test]
fn the_oldest_entry_goes_first_and_is_counted() {
    let (audit, clock) = log(3);
    for n in 0..5 {
        clock.advance(Duration::from_secs(1));
        audit.record(AuditRecord::new(&Role::Admin, "error.resolve").target(n.to_string()));
    }
    let ids: Vec<u64> = all(&audit).iter().map(|e| e.id).collect();
    assert_eq!(ids, [5, 4, 3], "newest first, the two oldest gone");
    let c = audit.counters();
    assert_eq!((c.recorded, c.evicted, c.len, c.capacity), (5, 2, 3, 3));
    let page = audit.query(&AuditQuery::default());
    assert_eq!((page.total, page.evicted, page.capacity), (3, 2, 3));
    let times: Vec<_> = all(&audit).iter().map(|e| e.at).collect();
    assert!(times.windows(2).all(|w| w[0] > w[1]), "{times:?}");
}

#[test]
fn capacity_is_clamped() {
    assert_eq!(AuditLog::new(0, Clock::default()).capacity(), 1);
    assert_eq!(
        AuditLog::new(usize::MAX, Clock::default()).capacity(),
        MAX_AUDIT_CAPACITY
    );
}

#[test]
fn texts_are_cleaned_and_cut_and_counted() {
    let (audit, _) = log(10);
    let entry = audit.record(
        AuditRecord::new(
            Actor::new("client\u{1b}[31m", Some("acme\0")),
            "x".repeat(500),
        )
        .target("t".repeat(10_000))
        .refused("r\u{7}".repeat(1_000))
        .detail("fine"),
    );
    assert_eq!(entry.actor.role, "client[31m");
    assert_eq!(entry.actor.tenant.as_deref(), Some("acme"));
    assert!(entry.action.len() <= ACTION_BYTES);
    assert!(
        entry
            .target
            .as_ref()
            .is_some_and(|t| t.len() <= TARGET_BYTES)
    );
    let reason = entry.reason.as_deref().expect("a reason");
    assert!(reason.len() <= DETAIL_BYTES && !reason.contains('\u{7}'));
    assert_eq!(entry.detail.as_deref(), Some("fine"));
    assert_eq!(audit.counters().cleaned, 5);
}

#[test]
fn queries_filter_by_action_family_and_outcome_and_page() {
    let (audit, _) = log(100);
    let admin = Role::Admin;
    for n in 0..10 {
        audit.record(AuditRecord::new(&admin, "error.resolve").target(n.to_string()));
    }
    audit.record(AuditRecord::new(&admin, "error.acknowledge").refused("not found"));
    audit.record(AuditRecord::new(&admin, "errors.weird"));
    audit.record(AuditRecord::new(&admin, "action.run").failed("spawn"));
    let q = |pairs: &[(&str, &str)]| {
        audit.query(&AuditQuery::parse(pairs.iter().copied()).expect("valid"))
    };
    assert_eq!(
        q(&[("action", "error")]).total,
        11,
        "a family, not a prefix"
    );
    assert_eq!(q(&[("action", "error.resolve")]).total, 10);
    assert_eq!(
        q(&[("outcome", "refused")]).entries[0].action,
        "error.acknowledge"
    );
    assert_eq!(q(&[("outcome", "failed")]).total, 1);
    let page = q(&[("action", "error.resolve"), ("limit", "3"), ("offset", "2")]);
    let targets: Vec<_> = page
        .entries
        .iter()
        .filter_map(|e| e.target.clone())
        .collect();
    assert_eq!(targets, ["7", "6", "5"]);
    assert_eq!(page.total, 10);
    assert!(q(&[("offset", "1000000")]).entries.is_empty());
}

#[test]
fn bad_parameters_name_their_field() {
    for (key, value) in [
        ("limit", "0"),
        ("limit", "501"),
        ("limit", "ten"),
        ("offset", "-1"),
        ("offset", "1000001"),
        ("outcome", "maybe"),
        ("action", ""),
        ("action", "a b"),
        ("action", &"a".repeat(65)),
        ("actor", "admin"),
    ] {
        let e = AuditQuery::parse([(key, value)]).expect_err(key);
        assert_eq!(e.field, key, "{e}");
    }
    let e = AuditQuery::parse([("limit", "1"), ("limit", "2")]).expect_err("repeated");
    assert_eq!(e.field, "limit");
}

#[test]
fn export_and_restore_round_trip_and_ids_never_repeat() {
    let (audit, clock) = log(10);
    audit.record(AuditRecord::new(&Role::Admin, "silence.create").target("1"));
    audit.record(AuditRecord::new(Role::Client("acme".into()), "error.acknowledge").refused("no"));
    let state = audit.export();

    let (fresh, _) = log(10);
    fresh.restore(state.clone());
    assert_eq!(fresh.export(), state);
    assert_eq!(all(&fresh), all(&audit));
    clock.advance(Duration::from_secs(1));
    let next = fresh.record(AuditRecord::new(&Role::Admin, "action.run"));
    assert_eq!(next.id, 3, "ids continue after the restored ones");
}

#[test]
fn restore_adds_older_entries_before_held_ones_within_capacity() {
    let (old, _) = log(10);
    for _ in 0..4 {
        old.record(AuditRecord::new(&Role::Admin, "error.resolve"));
    }
    let (audit, _) = log(5);
    let held = audit.record(AuditRecord::new(&Role::Admin, "snapshot.restore"));
    audit.restore(old.export());
    let entries = all(&audit);
    assert_eq!(entries.len(), 5);
    assert_eq!(
        entries[0].action, "snapshot.restore",
        "what was held stays newest"
    );
    assert_eq!(audit.counters().recorded, 5);
    let again = audit.record(AuditRecord::new(&Role::Admin, "error.resolve"));
    assert!(again.id > 4 && again.id != held.id, "{again:?}");
}

#[test]
fn restore_trusts_nothing() {
    let (audit, clock) = log(2);
    let now = clock.now();
    let hostile = AuditState {
        entries: (0..5)
            .map(|i| StoredEntry {
                id: u64::MAX - 5 + i,
                at_ms: u64::MAX,
                actor: Actor::new("a".repeat(10_000), Some("\u{1b}")),
                action: "x\0".repeat(100),
                target: None,
                outcome: AuditOutcome::Ok,
                reason: Some("r".repeat(100_000)),
                detail: None,
            })
            .collect(),
        next_id: 0,
        recorded: u64::MAX,
        evicted: u64::MAX,
    };
    audit.restore(hostile);
    let entries = all(&audit);
    assert_eq!(entries.len(), 2, "trimmed to the capacity");
    assert!(
        entries.iter().all(|e| e.at <= now),
        "no entry from the future"
    );
    assert!(entries[0].actor.role.len() <= ACTOR_BYTES);
    assert_eq!(entries[0].actor.tenant, None, "an empty tenant is none");
    let next = audit.record(AuditRecord::new(&Role::Admin, "error.resolve"));
    assert_eq!(next.id, u64::MAX, "ids saturate rather than wrap");
    assert_eq!(audit.counters().evicted, u64::MAX);
}
