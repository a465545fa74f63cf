//! The broadcaster's limits and timers, with the protocol's defaults.

use std::time::Duration;

/// Default time a connection has to authenticate.
pub const DEFAULT_AUTH_TIMEOUT: Duration = Duration::from_secs(5);
/// Default largest client frame (and message), in bytes.
pub const DEFAULT_MAX_FRAME_BYTES: usize = 64 * 1024;
/// Default interval between server pings.
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(25);
/// Default silence after which a peer is dropped.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default events a connection may lose without catching up before it is
/// closed with 1013.
pub const DEFAULT_MAX_LAG: u64 = 1_024;
/// Default most connections at once.
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;
/// Default client frames per second per connection (bursts of as many).
pub const DEFAULT_FRAME_RATE: u32 = 20;

/// Limits and timers of a [`WsBroadcaster`](crate::WsBroadcaster).
///
/// ```
/// use monitor_ws::WsConfig;
/// use std::time::Duration;
///
/// let config = WsConfig::new()
///     .ping_interval(Duration::from_secs(10))
///     .max_connections(500);
/// assert_eq!(config.max_frame_bytes_limit(), 64 * 1024);
/// ```
#[derive(Clone, Debug)]
pub struct WsConfig {
    pub(crate) auth_timeout: Duration,
    pub(crate) max_frame_bytes: usize,
    pub(crate) ping_interval: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_lag: u64,
    pub(crate) close_grace: Duration,
    pub(crate) handshake_timeout: Duration,
    pub(crate) max_connections: usize,
    pub(crate) frame_rate: u32,
}

impl Default for WsConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl WsConfig {
    /// The protocol's defaults: 5 s to authenticate, 64 KiB frames, a ping
    /// every 25 s, silent peers dropped after 60 s, 1,024 lost events
    /// before 1013, 10,000 connections, 20 client frames per second.
    pub fn new() -> Self {
        WsConfig {
            auth_timeout: DEFAULT_AUTH_TIMEOUT,
            max_frame_bytes: DEFAULT_MAX_FRAME_BYTES,
            ping_interval: DEFAULT_PING_INTERVAL,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_lag: DEFAULT_MAX_LAG,
            close_grace: Duration::from_secs(5),
            handshake_timeout: Duration::from_secs(10),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            frame_rate: DEFAULT_FRAME_RATE,
        }
    }

    /// How long a connection without a `?token=` has to send its `auth`
    /// frame before it is closed with 1008.
    pub fn auth_timeout(mut self, timeout: Duration) -> Self {
        self.auth_timeout = timeout;
        self
    }

    /// Largest client frame, in bytes; a bigger one closes the connection
    /// with 1009.
    pub fn max_frame_bytes(mut self, bytes: usize) -> Self {
        self.max_frame_bytes = bytes.max(128);
        self
    }

    /// The configured largest client frame, in bytes.
    pub fn max_frame_bytes_limit(&self) -> usize {
        self.max_frame_bytes
    }

    /// How often the server pings each connection.
    pub fn ping_interval(mut self, every: Duration) -> Self {
        self.ping_interval = every.max(Duration::from_millis(10));
        self
    }

    /// How long a peer may stay silent (no frame, not even a pong) before
    /// it is dropped.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// How many events a connection may lose (its queue full) without
    /// catching up before it is closed with 1013. A connection has caught
    /// up when its queue is empty after a send.
    pub fn max_lag(mut self, events: u64) -> Self {
        self.max_lag = events;
        self
    }

    /// How long the server waits for a closing frame to reach a peer
    /// before it drops the socket.
    pub fn close_grace(mut self, grace: Duration) -> Self {
        self.close_grace = grace;
        self
    }

    /// How long the standalone server gives a client for its HTTP
    /// upgrade request.
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// Most connections at once; past it new ones are refused (503 at the
    /// HTTP upgrade) and counted.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max;
        self
    }

    /// Client frames per second each connection may send, with bursts of
    /// as many; faster frames are answered with a `rate_limited` error and
    /// otherwise ignored. `0` turns the limit off.
    pub fn frame_rate(mut self, per_second: u32) -> Self {
        self.frame_rate = per_second;
        self
    }

    pub(crate) fn websocket(&self) -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
        tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
            // Client frames are small; tungstenite's 128 KiB default read
            // buffer would be most of a connection's memory.
            .read_buffer_size(4 * 1024)
            .max_message_size(Some(self.max_frame_bytes))
            .max_frame_size(Some(self.max_frame_bytes))
            // Bounded: what a stalled peer can pin in our memory is the
            // socket buffers plus this, never the whole event stream.
            .write_buffer_size(16 * 1024)
            .max_write_buffer_size(1024 * 1024)
    }
}
