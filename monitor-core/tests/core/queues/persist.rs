//! Snapshots carry queue counts and series across a restart (live state
//! starts afresh, by design); Prometheus shows every queue's series.

use std::time::Duration;

use crate::support::value_of;

use metrics_exporter_prometheus::PrometheusBuilder;
use monitor_core::Monitor;
use monitor_core::persist::SnapshotError;
use monitor_core::queue::Enqueue;

use super::{clock, monitor};

#[tokio::test]
async fn counts_and_series_survive_a_restart_and_live_state_starts_afresh() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("monitor.snap");
    let clock = clock();
    let start = || {
        Monitor::builder()
            .clock(clock.clone())
            .snapshot_file(&path)
            .start()
            .expect("inside a runtime")
    };
    let before = start();
    let q = before.queue("whatsapp");
    for i in 0..10 {
        q.enqueue(&format!("m{i}"), Enqueue::new().client("acme"));
    }
    clock.advance(Duration::from_secs(3_600));
    for i in 0..6 {
        q.processing(&format!("m{i}"));
        q.sent(&format!("m{i}"));
    }
    q.processing("m6");
    q.dead_letter("m6", "gave up");
    q.sent("ghost");
    let detail = q.detail(24);
    before.shutdown().await.expect("final snapshot");

    let after = start();
    let q = after.find_queue("whatsapp").expect("restored");
    let restored = q.detail(24);
    assert_eq!(restored.stats.totals, detail.stats.totals);
    assert_eq!(restored.stats.last_24h, detail.stats.last_24h);
    assert_eq!(restored.stats.anomalies, detail.stats.anomalies);
    assert_eq!(restored.hourly, detail.hourly);
    assert_eq!(
        (detail.stats.depth, restored.stats.depth),
        (3, 0),
        "live state is not kept"
    );
    // A message enqueued before the restart: counted, noted as unknown,
    // tracked from now on.
    q.processing("m7");
    let s = q.stats();
    assert_eq!((s.in_flight, s.anomalies.unknown), (1, 2));
    // The host can adopt its backlog without counting it twice.
    q.adopt("m8", Enqueue::new().client("acme"));
    q.adopt("m9", Enqueue::new().client("acme"));
    let s = q.stats();
    assert_eq!((s.depth, s.totals.enqueued), (2, 10));
    after.shutdown().await.expect("final snapshot");
}

#[tokio::test]
async fn an_invalid_queue_state_refuses_the_whole_snapshot() {
    let source = monitor(&clock());
    source.queue("whatsapp").enqueue("m", Enqueue::new());
    source.record_message("u", Duration::from_millis(5));
    let mut snapshot = source.snapshot();
    snapshot.queues[0].hours[0].1.sent = 7; // more sent that hour than in all
    let target = monitor(&clock());
    let refused = target.restore_snapshot(&snapshot);
    assert!(
        matches!(refused, Err(SnapshotError::Invalid(ref m)) if m.contains("sent")),
        "{refused:?}"
    );
    assert_eq!(
        target.collector().current_stats().messages.total,
        0,
        "nothing restored"
    );
    assert!(target.find_queue("whatsapp").is_none());
}

#[tokio::test]
async fn prometheus_shows_each_queue_without_ids_or_tenants() {
    let clock = clock();
    let m = monitor(&clock);
    let q = m.queue("whatsapp");
    q.enqueue("secret-id-1", Enqueue::new().client("acme"));
    q.enqueue("secret-id-2", Enqueue::new().client("acme"));
    q.enqueue("later", Enqueue::new().after(Duration::from_secs(600)));
    q.processing("secret-id-2");
    clock.advance(Duration::from_secs(30));
    q.sent("unknown-id");
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || {
        m.publish_metrics();
        m.publish_metrics();
    });
    let text = handle.render();
    let at = |series: &str| value_of(&text, series);
    assert_eq!(
        at(r#"monitor_queue_depth{queue="whatsapp"}"#),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        at(r#"monitor_queue_scheduled{queue="whatsapp"}"#),
        Some(1.0)
    );
    assert_eq!(
        at(r#"monitor_queue_in_flight{queue="whatsapp"}"#),
        Some(1.0)
    );
    assert_eq!(
        at(r#"monitor_queue_oldest_pending_age_seconds{queue="whatsapp"}"#),
        Some(30.0)
    );
    assert_eq!(
        at(r#"monitor_queue_messages_total{queue="whatsapp",outcome="enqueued"}"#),
        Some(3.0)
    );
    assert_eq!(
        at(r#"monitor_queue_messages_total{queue="whatsapp",outcome="dead_letter"}"#),
        Some(0.0)
    );
    assert_eq!(
        at(r#"monitor_queue_anomalies_total{queue="whatsapp",kind="unknown"}"#),
        Some(1.0)
    );
    assert_eq!(at("monitor_queues_overflowed_total"), Some(0.0));
    assert_eq!(text.matches("# TYPE monitor_queue_depth gauge").count(), 1);
    for secret in ["secret-id", "acme", "unknown-id"] {
        assert!(!text.contains(secret), "{secret} in a label:\n{text}");
    }
}
