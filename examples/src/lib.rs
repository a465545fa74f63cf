//! The demo bot's parts, as a library so tests can drive them: its
//! settings ([`config`]), background traffic ([`sim`]), webhooks
//! ([`webhooks`]), alert routing ([`alerts`]) and stats line ([`report`]);
//! and, for the load tools, a child process's memory and CPU ([`procfs`])
//! and WebSocket clients ([`load`]).
//! `examples/bot.rs` is a thin main on top:
//!
//! ```no_run
//! use axum::Router;
//! use monitor_core::Monitor;
//! use monitor_examples::webhooks::webhooks;
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let monitor = Monitor::builder().start()?;
//! let auth = monitor_axum::MonitorAuth::new().admin("admin-token");
//! let app: Router = Router::new()
//!     .nest("/monitor", monitor_axum::router(monitor.clone(), auth))
//!     .merge(webhooks(monitor.clone()));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

pub mod alerts;
pub mod config;
pub mod load;
pub mod procfs;
pub mod report;
pub mod sim;
pub mod webhooks;
