//! The monitor's live feed over WebSocket, on tokio-tungstenite: one
//! protocol implementation, served standalone by [`WsBroadcaster::bind`]
//! or by any HTTP host that upgrades a request and hands over the stream
//! ([`WsBroadcaster::serve_upgraded`]; monitor-axum's `/ws` does this).
//!
//! # Protocol
//!
//! - **Connect** with `?token=T` (optionally `&channels=errors,calls`), or
//!   send `{"type":"auth","token":"T"}` as the first frame within 5 s;
//!   otherwise the server closes with **1008**. Roles and tenants come from
//!   the same [`MonitorAuth`] as the HTTP router. The server answers
//!   `{"type":"authenticated","data":{"role","channels","available"}}`.
//! - **Client frames**: `{"type":"subscribe","channels":[...]}`,
//!   `{"type":"unsubscribe","channels":[...]}` (answered with `subscribed`
//!   and the connection's channels now) and `{"type":"ping"}` (answered
//!   with `pong`).
//! - **Events** arrive in the bus envelope
//!   `{"type","data","timestamp","client_id"}`.
//! - **Rooms**: `admin` and `monitor` connections receive every tenant's
//!   events; a `client:{id}` connection only its own tenant's plus the
//!   tenant-free `health:changed`. The audience is fixed at authentication
//!   and no frame can change it: frames with any key beyond the protocol's
//!   (`client_id`, `room`, ...) are refused, and a second `auth` is too.
//! - **Backpressure**: each connection has a bounded queue (the bus's);
//!   `metrics:update` and `health:changed` coalesce latest-wins, and
//!   `queue:stats` latest-wins per queue; other events that do not fit
//!   are dropped for that connection alone, which is told
//!   `{"type":"lagged","data":{"dropped":N}}`; one that loses more than
//!   [`WsConfig::max_lag`] events without catching up is closed with
//!   **1013**. The publisher never waits on a connection.
//! - **Bad input**: malformed JSON, unknown types or channels and binary
//!   frames get `{"type":"error","data":{"code","message"}}` and the
//!   connection stays open; a frame over 64 KiB closes it with **1009**.
//!   The server pings every 25 s and drops a peer silent for 60 s.
//!
//! ```no_run
//! use monitor_core::{Monitor, MonitorAuth};
//! use monitor_ws::WsBroadcaster;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let monitor = Monitor::builder().start()?;
//! let auth = MonitorAuth::new().admin("admin-token").client("acme", "acme-token");
//! let server = WsBroadcaster::new(monitor, auth).bind("127.0.0.1:9001").await?;
//! println!("ws://{}/?token=acme-token", server.local_addr());
//! # Ok(())
//! # }
//! ```

mod config;
mod connection;
pub mod protocol;
pub mod reply;
mod request;
mod server;
mod stats;
pub mod upgrade;

pub use config::{
    DEFAULT_AUTH_TIMEOUT, DEFAULT_FRAME_RATE, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_LAG, DEFAULT_PING_INTERVAL, WsConfig,
};
pub use monitor_core;
pub use monitor_core::auth::{MonitorAuth, Role};
pub use request::{ConnectRequest, MAX_QUERY_BYTES, QueryError};
pub use server::WsServer;
pub use stats::{CloseReason, WsStats};
pub use tokio_tungstenite;

use std::sync::Arc;

use monitor_core::Monitor;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::Role as WsRole;

use stats::Counters;

/// What every connection of one broadcaster shares.
pub(crate) struct Shared {
    pub(crate) monitor: Monitor,
    pub(crate) auth: MonitorAuth,
    pub(crate) config: WsConfig,
    pub(crate) counters: Counters,
    /// Bumped each time the broadcaster closes every connection; a
    /// connection ends when it differs from the value it started with.
    pub(crate) closing: watch::Sender<u64>,
}

/// The WebSocket side of a [`Monitor`]: authenticates connections, puts
/// each in its tenant's room and streams the event bus to it. Cheap to
/// clone; clones share connections and counters.
#[derive(Clone)]
pub struct WsBroadcaster {
    shared: Arc<Shared>,
}

impl WsBroadcaster {
    /// A broadcaster for `monitor`'s bus with the protocol's defaults.
    pub fn new(monitor: Monitor, auth: MonitorAuth) -> Self {
        Self::with_config(monitor, auth, WsConfig::new())
    }

    /// A broadcaster with the given limits and timers.
    pub fn with_config(monitor: Monitor, auth: MonitorAuth, config: WsConfig) -> Self {
        WsBroadcaster {
            shared: Arc::new(Shared {
                monitor,
                auth,
                config,
                counters: Counters::default(),
                closing: watch::Sender::new(0),
            }),
        }
    }

    /// Its limits and timers.
    pub fn config(&self) -> &WsConfig {
        &self.shared.config
    }

    /// A place for one more connection, or `None` at
    /// [`WsConfig::max_connections`] (counted as refused). Hold it for the
    /// connection's life; dropping it frees the place.
    pub fn try_admit(&self) -> Option<ConnectionPermit> {
        self.shared
            .counters
            .try_open(self.shared.config.max_connections)
            .then(|| ConnectionPermit {
                shared: Arc::clone(&self.shared),
            })
    }

    /// Runs the protocol on a stream whose HTTP upgrade the host already
    /// answered (status 101 with [`upgrade::accept_key`]), until the
    /// connection ends. `request` is the upgrade request's query.
    pub async fn serve_upgraded<S>(&self, permit: ConnectionPermit, io: S, request: ConnectRequest)
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let config = self.shared.config.websocket();
        let ws = WebSocketStream::from_raw_socket(io, WsRole::Server, Some(config)).await;
        self.serve(permit, ws, request).await;
    }

    /// Runs the protocol on an accepted WebSocket until it ends.
    pub async fn serve<S>(
        &self,
        permit: ConnectionPermit,
        ws: WebSocketStream<S>,
        request: ConnectRequest,
    ) where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        connection::drive(Arc::clone(&self.shared), ws, request).await;
        drop(permit);
    }

    /// Closes every connection (1001, "server shutting down"); new ones
    /// are still accepted. Used by [`WsServer::shutdown`].
    pub fn close_all(&self) {
        self.shared
            .closing
            .send_modify(|generation| *generation += 1);
    }

    /// Figures so far.
    pub fn stats(&self) -> WsStats {
        self.shared.counters.snapshot()
    }

    /// Sets the `monitor_ws_*` series on the installed `metrics` recorder.
    pub fn publish_metrics(&self) {
        self.stats().publish_metrics();
    }
}

impl std::fmt::Debug for WsBroadcaster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsBroadcaster")
            .field("config", &self.shared.config)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// A place among a broadcaster's connections; freed when dropped.
pub struct ConnectionPermit {
    shared: Arc<Shared>,
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        self.shared.counters.release();
    }
}

impl std::fmt::Debug for ConnectionPermit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConnectionPermit")
    }
}
