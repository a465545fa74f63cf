//! The monitor's HTTP face for axum hosts.
//!
//! This crate will hold `router(monitor, auth) -> axum::Router` (JSON API,
//! Prometheus `/metrics`, `/health`, SSE, the WebSocket upgrade and the
//! dashboard page). It is part of the workspace from the start so the
//! layout, lints and CI cover it; its routes land with the HTTP issue.

pub use monitor_core;
