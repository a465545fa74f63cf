//! The monitor's WebSocket broadcaster on tokio-tungstenite.
//!
//! This crate will hold the one implementation of the live protocol (auth,
//! channel subscriptions, rooms per tenant, per-connection backpressure),
//! served standalone by `WsBroadcaster::bind` and behind axum by
//! monitor-axum. It is part of the workspace from the start so the layout,
//! lints and CI cover it; the protocol lands with the WebSocket issue.

pub use monitor_core;
