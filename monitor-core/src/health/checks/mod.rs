//! Ready-made checks a host usually wants: an external HTTP API
//! ([`HttpCheck`], with the default `http` feature) and a TCP port such as
//! a database's ([`TcpCheck`]).

#[cfg(feature = "http")]
mod http;
mod tcp;

#[cfg(feature = "http")]
pub use http::HttpCheck;
pub use tcp::TcpCheck;

use std::time::Duration;

/// `"in 12 ms"`, and whether that is slower than `degraded_after`.
fn timing(elapsed: Duration, degraded_after: Option<Duration>) -> (String, bool) {
    let ms = elapsed.as_millis();
    match degraded_after {
        Some(limit) if elapsed > limit => (
            format!("in {ms} ms, slower than {} ms", limit.as_millis()),
            true,
        ),
        _ => (format!("in {ms} ms"), false),
    }
}
