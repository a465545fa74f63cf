//! Issue 8, point 5: the router's security properties, each proved over
//! every route of [`route_table::ROUTES`] (which a test keeps equal to
//! the router's own table).
//!
//! - `isolation`: random tenants and objects, no cross-tenant read or
//!   write on any route, SSE or the WebSocket (proptest).
//! - `logs`: tokens never appear in a log line, an answer or a `Debug`.
//! - `rate_limits`: every authenticated route (and `/ws`) answers 429
//!   with `Retry-After` past the per-token limit.
//! - `cors`: off by default, an allow-list when configured.
//! - `headers`: the dashboard's security headers on every answer it gives.

pub mod route_table;

mod cors;
mod headers;
mod isolation;
mod logs;
mod rate_limits;
