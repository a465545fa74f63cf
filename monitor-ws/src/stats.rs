//! What the broadcaster has done: connections, frames, drops and closes,
//! as plain counters (read by [`WsBroadcaster::stats`](crate::WsBroadcaster::stats))
//! and as `monitor_ws_*` series on the `metrics` recorder.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use serde::Serialize;

use crate::protocol::FrameError;

/// Why a connection ended; each is counted in
/// `monitor_ws_closed_total{reason}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CloseReason {
    /// The peer closed or went away.
    Peer,
    /// No valid token in time (1008).
    Auth,
    /// Lost more events than allowed without catching up (1013).
    Lagged,
    /// Sent a frame over the size limit (1009).
    TooLarge,
    /// Silent past the idle timeout.
    Idle,
    /// The monitor or the broadcaster shut down (1001).
    Shutdown,
    /// No room: the bus's subscriber cap (1013).
    Full,
    /// A transport or protocol error.
    Error,
}

impl CloseReason {
    const ALL: [CloseReason; 8] = [
        CloseReason::Peer,
        CloseReason::Auth,
        CloseReason::Lagged,
        CloseReason::TooLarge,
        CloseReason::Idle,
        CloseReason::Shutdown,
        CloseReason::Full,
        CloseReason::Error,
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::Peer => "peer",
            CloseReason::Auth => "auth",
            CloseReason::Lagged => "lagged",
            CloseReason::TooLarge => "too_large",
            CloseReason::Idle => "idle",
            CloseReason::Shutdown => "shutdown",
            CloseReason::Full => "full",
            CloseReason::Error => "error",
        }
    }
}

#[derive(Default)]
pub(crate) struct Counters {
    open: AtomicU64,
    accepted: AtomicU64,
    refused: AtomicU64,
    sent: AtomicU64,
    dropped: AtomicU64,
    lagged: AtomicU64,
    closed: [AtomicU64; CloseReason::ALL.len()],
    client_errors: [AtomicU64; FrameError::CODES.len()],
}

impl Counters {
    /// Takes a place for a new connection if there is one.
    pub(crate) fn try_open(&self, max: usize) -> bool {
        let taken = self
            .open
            .fetch_update(Relaxed, Relaxed, |n| (n < max as u64).then_some(n + 1))
            .is_ok();
        if taken {
            self.accepted.fetch_add(1, Relaxed);
        } else {
            self.refused.fetch_add(1, Relaxed);
        }
        taken
    }

    pub(crate) fn release(&self) {
        self.open.fetch_sub(1, Relaxed);
    }

    pub(crate) fn closed(&self, reason: CloseReason) {
        self.closed[reason as usize].fetch_add(1, Relaxed);
    }

    pub(crate) fn sent(&self, frames: u64) {
        self.sent.fetch_add(frames, Relaxed);
    }

    pub(crate) fn dropped(&self, events: u64) {
        self.dropped.fetch_add(events, Relaxed);
        self.lagged.fetch_add(1, Relaxed);
    }

    pub(crate) fn client_error(&self, code: &str) {
        if let Some(i) = FrameError::CODES.iter().position(|c| *c == code) {
            self.client_errors[i].fetch_add(1, Relaxed);
        }
    }

    pub(crate) fn snapshot(&self) -> WsStats {
        WsStats {
            connections: self.open.load(Relaxed),
            accepted: self.accepted.load(Relaxed),
            refused: self.refused.load(Relaxed),
            frames_sent: self.sent.load(Relaxed),
            dropped: self.dropped.load(Relaxed),
            lagged_notices: self.lagged.load(Relaxed),
            closed: CloseReason::ALL
                .iter()
                .map(|r| (r.as_str(), self.closed[*r as usize].load(Relaxed)))
                .collect(),
            client_errors: FrameError::CODES
                .iter()
                .zip(&self.client_errors)
                .map(|(code, n)| (*code, n.load(Relaxed)))
                .collect(),
        }
    }
}

/// The broadcaster's figures so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WsStats {
    /// Connections open now.
    pub connections: u64,
    /// Connections accepted in all.
    pub accepted: u64,
    /// Connections refused at the connection cap.
    pub refused: u64,
    /// Frames sent (events and protocol answers).
    pub frames_sent: u64,
    /// Events dropped for connections whose queue was full.
    pub dropped: u64,
    /// `lagged` notices sent.
    pub lagged_notices: u64,
    /// Connections ended, by [`CloseReason`] label.
    pub closed: Vec<(&'static str, u64)>,
    /// Client frames refused, by error code.
    pub client_errors: Vec<(&'static str, u64)>,
}

impl WsStats {
    /// Connections ended for `reason`.
    pub fn closed(&self, reason: CloseReason) -> u64 {
        self.closed
            .iter()
            .find(|(r, _)| *r == reason.as_str())
            .map_or(0, |(_, n)| *n)
    }

    /// Sets the `monitor_ws_*` series on the installed `metrics` recorder.
    pub fn publish_metrics(&self) {
        metrics::describe_gauge!("monitor_ws_connections", "WebSocket connections open now.");
        metrics::describe_counter!(
            "monitor_ws_connections_total",
            "WebSocket connections accepted."
        );
        metrics::describe_counter!(
            "monitor_ws_refused_total",
            "WebSocket connections refused at the connection cap."
        );
        metrics::describe_counter!(
            "monitor_ws_frames_sent_total",
            "Frames sent to WebSocket clients."
        );
        metrics::describe_counter!(
            "monitor_ws_dropped_total",
            "Events dropped for WebSocket clients that fell behind."
        );
        metrics::describe_counter!(
            "monitor_ws_lagged_total",
            "Lagged notices sent to WebSocket clients."
        );
        metrics::describe_counter!(
            "monitor_ws_closed_total",
            "WebSocket connections ended, by reason."
        );
        metrics::describe_counter!(
            "monitor_ws_client_errors_total",
            "Client frames refused with an error frame, by code."
        );
        metrics::gauge!("monitor_ws_connections").set(self.connections as f64);
        metrics::counter!("monitor_ws_connections_total").absolute(self.accepted);
        metrics::counter!("monitor_ws_refused_total").absolute(self.refused);
        metrics::counter!("monitor_ws_frames_sent_total").absolute(self.frames_sent);
        metrics::counter!("monitor_ws_dropped_total").absolute(self.dropped);
        metrics::counter!("monitor_ws_lagged_total").absolute(self.lagged_notices);
        for (reason, n) in &self.closed {
            metrics::counter!("monitor_ws_closed_total", "reason" => *reason).absolute(*n);
        }
        for (code, n) in &self.client_errors {
            metrics::counter!("monitor_ws_client_errors_total", "code" => *code).absolute(*n);
        }
    }
}
