//! Backpressure: a client that stops reading loses events alone, is told
//! `lagged` with the count, and is closed with 1013; a live client beside
//! it gets every event, and publishing never waits.

use std::time::Duration;

use monitor_axum::monitor_ws::{CloseReason, WsConfig};
use monitor_core::Monitor;
use monitor_core::bus::Channel;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::time::timeout;

use super::harness::*;
use crate::common::*;

both_entries!(a_stalled_client_lags_alone_and_is_closed_with_1013);

/// Bus queue per connection.
pub const QUEUE: usize = 32;
/// Events a connection may lose before 1013.
pub const MAX_LAG: u64 = 20;
/// Size of each event's payload: a stalled socket fills after a few
/// hundred.
const EVENT_BYTES: usize = 16 * 1024;
/// Give up publishing after this many (128 MiB): the socket buffers
/// would have to be enormous.
const MAX_EVENTS: u64 = 8_000;

/// A monitor with a small queue per connection.
pub fn lag_monitor() -> Monitor {
    monitor_with_queue(QUEUE)
}

/// Loses patience quickly, but gives the close frame all the time it
/// needs to reach a client that resumes reading late.
pub fn lag_config() -> WsConfig {
    WsConfig::new()
        .max_lag(MAX_LAG)
        .close_grace(Duration::from_secs(20))
}

/// What [`lag_one_client`] saw.
pub struct LagRun {
    /// Load events published.
    pub published: u64,
    /// The live client's load events (their `seq`) and any `lagged`
    /// frames it got.
    pub live_seqs: Vec<u64>,
    pub live_lagged: Vec<Value>,
    /// The stalled client, once it read again: its frames and close.
    pub stalled: Ended,
    /// Drops the bus counted (all of them the stalled client's).
    pub bus_dropped: u64,
}

/// Opens a live client (reading all along) and a stalled one (never
/// polled), publishes large events until the stalled one has lost more
/// than [`MAX_LAG`] in a row, then lets it read to its end.
pub async fn lag_one_client(monitor: &Monitor, server: &Server) -> LagRun {
    let mut live = server.open(ADMIN, "errors,alerts").await;
    let mut stalled = server.open(ADMIN, "errors").await;

    let (count_tx, mut count_rx) = watch::channel(0_u64);
    let reader = tokio::spawn(async move {
        let (mut seqs, mut lagged) = (Vec::new(), Vec::new());
        loop {
            let frame = live.frame().await;
            if frame["type"] == "lagged" {
                lagged.push(frame);
                continue;
            }
            match tag(&frame) {
                Some("end") => return (seqs, lagged),
                Some("load") => {
                    seqs.push(frame["data"]["seq"].as_u64().expect("seq"));
                    count_tx.send_replace(seqs.len() as u64);
                }
                _ => {}
            }
        }
    });

    let pad = "x".repeat(EVENT_BYTES);
    let mut published = 0_u64;
    // Losses in a row for the stalled client: `publish` says how many
    // queues took the event, and the live client's always does. A run of
    // more than `max_lag` means its writer took nothing from its full
    // queue all that time, so it lost them without catching up (a loss
    // before a catch-up does not count towards 1013, so total losses are
    // not enough to know).
    let mut lost_in_a_row = 0;
    while lost_in_a_row <= MAX_LAG {
        assert!(
            published < MAX_EVENTS,
            "{:?}: {published} events and the stalled client never fell {MAX_LAG} behind",
            server.entry
        );
        let load = event(
            "error:logged",
            Channel::Errors,
            Some("acme"),
            json!({"tag": "load", "seq": published, "pad": pad}),
        );
        // On a thread of its own, so that a publish waiting on the stalled
        // client (which reads nothing until this loop is over) fails the
        // test instead of hanging it.
        let bus = monitor.bus().clone();
        let queued = timeout(
            DEADLINE,
            tokio::task::spawn_blocking(move || bus.publish(load)),
        )
        .await
        .expect("publish returns without waiting for any subscriber")
        .expect("publish does not panic");
        published += 1;
        lost_in_a_row = if queued < 2 { lost_in_a_row + 1 } else { 0 };
        // Stay within the live client's queue, so that any loss it sees
        // would be the stalled one's doing.
        let caught_up = count_rx.wait_for(|read| published - *read < QUEUE as u64 / 2);
        timeout(DEADLINE, caught_up)
            .await
            .expect("the live client keeps reading")
            .expect("the live reader is running");
    }
    // The server checks a stuck connection's loss every 100 ms and closes
    // it; should it not be stuck after all, it closes it at its next
    // event. This only lets it decide while still stuck.
    tokio::time::sleep(Duration::from_millis(300)).await;

    // `alerts`: the stalled client is not on it, so this loses nothing more.
    publish(monitor, "alert:sent", Channel::Alerts, None, "end");
    let (live_seqs, live_lagged) = timeout(DEADLINE, reader)
        .await
        .expect("the live client reads to the end")
        .expect("the live reader did not panic");
    let bus_dropped = monitor.bus().stats().dropped;

    let stalled = stalled.ended().await;
    LagRun {
        published,
        live_seqs,
        live_lagged,
        stalled,
        bus_dropped,
    }
}

async fn a_stalled_client_lags_alone_and_is_closed_with_1013(entry: Entry) {
    let monitor = lag_monitor();
    let server = Server::start(entry, &monitor, lag_config()).await;
    let run = lag_one_client(&monitor, &server).await;

    // The live client: every event, in order, never told it lagged.
    assert_eq!(
        run.live_seqs,
        (0..run.published).collect::<Vec<_>>(),
        "{entry:?}: the live client gets every event"
    );
    assert!(
        run.live_lagged.is_empty(),
        "{entry:?}: {:?}",
        run.live_lagged
    );
    // The publisher never waited on the stalled client: the loop ended,
    // each publish within the deadline, before that client read anything.

    // The stalled client: what it had, in order, then `lagged` with the
    // count, then 1013.
    let frames = &run.stalled.frames;
    assert_eq!(
        run.stalled.code,
        Some(1013),
        "{entry:?}: {} frames",
        frames.len()
    );
    let last = frames.last().expect("frames before the close");
    assert_eq!(last["type"], "lagged", "{entry:?}: the last frame: {last}");
    let lagged: Vec<&Value> = frames.iter().filter(|f| f["type"] == "lagged").collect();
    let dropped: u64 = lagged
        .iter()
        .map(|f| f["data"]["dropped"].as_u64().expect("dropped is a count"))
        .sum();
    assert!(dropped > MAX_LAG, "{entry:?}: {lagged:?}");
    assert_eq!(
        dropped, run.bus_dropped,
        "{entry:?}: every drop is reported, and they are all the stalled client's"
    );
    let seqs: Vec<u64> = frames
        .iter()
        .filter(|f| tag(f) == Some("load"))
        .map(|f| f["data"]["seq"].as_u64().expect("seq"))
        .collect();
    assert!(
        !seqs.is_empty(),
        "{entry:?}: it got events before it stalled"
    );
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{entry:?}: in order");
    assert!(
        (seqs.len() as u64) < run.published,
        "{entry:?}: it did lose events"
    );

    if let Some(stats) = server.stats() {
        eventually("the lagged close is counted", || {
            server
                .stats()
                .is_some_and(|s| s.closed(CloseReason::Lagged) == 1)
        })
        .await;
        assert_eq!(stats.dropped, run.bus_dropped, "{stats:?}");
        assert_eq!(stats.lagged_notices, lagged.len() as u64, "{stats:?}");
    }
}
