//! The router's integration tests, one binary (each test binary would
//! otherwise compile and link axum, hyper and reqwest again).
//!
//! Through `tower::ServiceExt::oneshot` and over real sockets on
//! 127.0.0.1: every route's shape, 401 / 403 / 404 / 400 / 405 / 413 /
//! 429, tenant isolation, SSE, export, queues, `/metrics`, the request layer,
//! the dashboard's page and files, the WebSocket protocol on both its
//! entry points, operator actions, silences and the audit log, and
//! hostile input against all of it.
#![allow(dead_code, unreachable_pub)]

mod common;
mod served;

mod actions;
mod analytics;
mod api;
mod audit;
mod dashboard;
mod export;
mod hostile;
mod prometheus;
mod queues;
mod request_layer;
mod routes;
mod security;
mod silences;
mod snapshot;
mod sse;
mod summary;
mod system;
mod tenants;
mod trend;
mod ws;
