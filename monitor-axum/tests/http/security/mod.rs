//! Issue 8, point 5: the router's security properties.
//!
//! - `headers`: the dashboard's security headers on every answer it gives.

mod headers;
