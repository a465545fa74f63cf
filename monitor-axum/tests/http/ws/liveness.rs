//! Server pings, the idle drop and the ends of the monitor: a reading
//! client answers pings and stays; one that never reads is dropped, even
//! when its socket is full and the server's writes are stuck on it; the
//! monitor shutting down closes every connection with 1001.

use std::time::Duration;

use futures_util::StreamExt;

use monitor_axum::monitor_ws::{CloseReason, WsConfig};
use monitor_core::bus::Channel;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use super::harness::*;
use crate::common::*;

both_entries!(
    a_reading_client_answers_pings_and_stays,
    a_silent_client_is_dropped_after_the_idle_timeout,
    a_frozen_peer_with_a_full_socket_is_dropped_after_the_idle_timeout,
    monitor_shutdown_closes_with_1001,
);

/// Pings every 100 ms; drops a peer silent for 3 s. The idle timeout is
/// far above the ping interval because a process stalled for a while
/// sends no pings, so its reading client has nothing to answer and looks
/// silent: on this two-core machine under a load average of 15, sleeps
/// were seen to overrun by up to 1.5 s, and 700 ms then 1.5 s of idle
/// timeout both failed now and then.
const IDLE: Duration = Duration::from_secs(3);

fn lively() -> WsConfig {
    WsConfig::new()
        .ping_interval(Duration::from_millis(100))
        .idle_timeout(IDLE)
}

async fn a_reading_client_answers_pings_and_stays(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, lively()).await;
    let mut client = server.open(ACME, "errors").await;

    // Read (and so answer pings) for more than two idle timeouts, sending
    // nothing of our own.
    let started = tokio::time::Instant::now();
    let until = started + IDLE * 2 + Duration::from_millis(500);
    let mut frames = Vec::new();
    loop {
        let next = tokio::time::timeout_at(until, client.socket().next()).await;
        match next {
            Err(_time_is_up) => break,
            Ok(Some(Ok(Message::Ping(_)))) => client.pings += 1,
            Ok(Some(Ok(other))) => frames.push(format!("{other:?}")),
            Ok(ended) => panic!(
                "{entry:?}: the connection ended after {} pings, {:?}: {ended:?}",
                client.pings,
                started.elapsed()
            ),
        }
    }
    assert!(
        frames.is_empty(),
        "{entry:?}: only pings expected: {frames:?}"
    );
    assert!(client.pings >= 3, "{entry:?}: {} pings", client.pings);

    // Still connected, both ways.
    client.ping().await;
    publish(
        &monitor,
        "error:logged",
        Channel::Errors,
        Some("acme"),
        "alive",
    );
    assert_eq!(tag(&client.event().await), Some("alive"), "{entry:?}");
    if let Some(stats) = server.stats() {
        assert_eq!(stats.closed(CloseReason::Idle), 0, "{stats:?}");
    }
}

async fn a_silent_client_is_dropped_after_the_idle_timeout(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, lively()).await;
    let mut silent = server.open(ACME, "errors").await;
    // Never read, so never answer a ping, until the server let go of the
    // connection (its bus subscription goes with it).
    let dropped = async {
        while monitor.bus().stats().subscribers > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(IDLE * 5, dropped)
        .await
        .unwrap_or_else(|_| panic!("{entry:?}: the silent client was not dropped"));
    // Reading now would answer pings: the connection must already be gone.
    let ended = tokio::time::timeout(DEADLINE, silent.ended())
        .await
        .unwrap_or_else(|_| panic!("{entry:?}: the silent client was not dropped"));
    assert!(
        ended.frames.is_empty(),
        "{entry:?}: nothing but pings was sent: {:?}",
        ended.frames
    );
    assert!(silent.pings >= 1, "{entry:?}: the server pinged first");
    if entry == Entry::Standalone {
        eventually("the idle drop is counted", || {
            server
                .stats()
                .is_some_and(|s| s.closed(CloseReason::Idle) == 1)
        })
        .await;
    }
    // Others still connect.
    let mut next = server.open(ACME, "").await;
    next.ping().await;
}

/// A half-open peer: connected, then its TCP frozen (it never reads again
/// and never closes). Events fill its socket until the server's write is
/// stuck; lag is set too high to end it, so only the idle timeout can
/// free the connection, and it must while the write is still stuck.
async fn a_frozen_peer_with_a_full_socket_is_dropped_after_the_idle_timeout(entry: Entry) {
    let monitor = monitor_with_queue(16);
    let config = lively().max_lag(u64::MAX);
    let server = Server::start(entry, &monitor, config).await;
    let frozen = server.open(ACME, "errors").await;
    let pad = "x".repeat(16 * 1024);
    let mut published = 0_u64;
    // The bus drops for this connection once its socket and queue are full.
    while monitor.bus().stats().dropped == 0 {
        assert!(published < 8_000, "{entry:?}: the socket never filled");
        let load = json!({"tag": "load", "seq": published, "pad": pad});
        monitor
            .bus()
            .publish(event("error:logged", Channel::Errors, Some("acme"), load));
        published += 1;
        if published % 64 == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let freed = async {
        while monitor.bus().stats().subscribers > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(IDLE * 5, freed)
        .await
        .unwrap_or_else(|_| panic!("{entry:?}: the frozen peer was never let go"));
    if entry == Entry::Standalone {
        eventually("the idle drop is counted", || {
            server
                .stats()
                .is_some_and(|s| s.closed(CloseReason::Idle) == 1 && s.connections == 0)
        })
        .await;
    }
    drop(frozen);
    // Others still connect and are served.
    let mut next = server.open(ACME, "").await;
    next.ping().await;
}

async fn monitor_shutdown_closes_with_1001(entry: Entry) {
    let monitor = monitor();
    let server = Server::start(entry, &monitor, WsConfig::new()).await;
    let mut clients = [
        server.open(ADMIN, ALL_CHANNELS).await,
        server.open(ACME, "errors").await,
    ];
    publish(
        &monitor,
        "error:logged",
        Channel::Errors,
        Some("acme"),
        "last",
    );
    monitor.shutdown().await.expect("no snapshot to write");
    for client in &mut clients {
        let (code, before) = client.close_code().await;
        assert_eq!(code, 1001, "{entry:?}");
        // What was published before the shutdown is still delivered.
        assert!(
            before.iter().any(|e| tag(e) == Some("last")),
            "{entry:?}: {before:?}"
        );
    }
}
