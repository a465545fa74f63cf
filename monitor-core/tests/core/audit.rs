//! The monitor's audit log: bounded with evictions counted, persisted in
//! the snapshot file and reloaded at start, never replaced by a restore.

use std::time::Duration;

use monitor_core::audit::{AuditOutcome, AuditQuery, AuditRecord};
use monitor_core::{Monitor, Role};

fn all(monitor: &Monitor) -> Vec<(u64, String, AuditOutcome)> {
    let q = AuditQuery::parse([("limit", "500")]).expect("valid");
    monitor
        .audit()
        .query(&q)
        .entries
        .into_iter()
        .map(|e| (e.id, e.action, e.outcome))
        .collect()
}

#[tokio::test]
async fn the_monitor_keeps_a_bounded_log_and_counts_evictions() {
    let monitor = Monitor::builder()
        .audit_capacity(3)
        .start()
        .expect("runtime");
    for i in 0..5 {
        monitor
            .audit()
            .record(AuditRecord::new(&Role::Admin, "error.resolve").target(i.to_string()));
    }
    let page = monitor.audit().query(&AuditQuery::default());
    assert_eq!((page.entries.len(), page.evicted, page.capacity), (3, 2, 3));
    assert_eq!(page.entries[0].target.as_deref(), Some("4"));
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || monitor.publish_metrics());
    let text = handle.render();
    assert_eq!(
        crate::support::value_of(&text, "monitor_audit_evicted_total"),
        Some(2.0)
    );
    assert_eq!(
        crate::support::value_of(&text, "monitor_audit_entries_total"),
        Some(5.0)
    );
}

#[tokio::test]
async fn the_log_survives_a_restart_and_no_restore_replaces_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("monitor.snap");
    let first = Monitor::builder()
        .snapshot_file(&path)
        .start()
        .expect("runtime");
    let acme = Role::Client("acme".into());
    first
        .audit()
        .record(AuditRecord::new(&Role::Admin, "silence.create").target("1"));
    first
        .audit()
        .record(AuditRecord::new(&acme, "error.acknowledge").refused("no error with id 9"));
    let before = all(&first);
    let snapshot = first.snapshot();
    first.shutdown().await.expect("final snapshot");

    let second = Monitor::builder()
        .snapshot_file(&path)
        .start()
        .expect("runtime");
    assert_eq!(all(&second), before, "reloaded at start");
    let entry = second.audit().last().expect("an entry");
    assert_eq!(entry.actor.tenant.as_deref(), Some("acme"));
    assert_eq!(entry.reason.as_deref(), Some("no error with id 9"));
    let next = second
        .audit()
        .record(AuditRecord::new(&Role::Admin, "action.run"));
    assert_eq!(next.id, 3, "ids continue");

    // A restore of state into a monitor leaves its audit log alone.
    let third = Monitor::builder().start().expect("runtime");
    third
        .audit()
        .record(AuditRecord::new(&Role::Admin, "snapshot.restore"));
    let mine = all(&third);
    third.restore_snapshot(&snapshot).expect("valid");
    assert_eq!(all(&third), mine);
    tokio::time::sleep(Duration::from_millis(1)).await;
}
