//! The WebSocket protocol (SPEC §4) over real sockets on 127.0.0.1, with
//! tokio-tungstenite clients, against both entry points: the standalone
//! `WsBroadcaster::bind` server and monitor-axum's `/ws` route. Each
//! scenario is an `async fn(Entry)`; `both_entries!` makes it a
//! `standalone` and an `axum` test.

/// For each name, a module of two tests running the scenario
/// `async fn name(entry: Entry)` of the enclosing module on each entry
/// point: `ws::auth::by_query_token::standalone`, `...::axum`.
macro_rules! both_entries {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn standalone() {
                super::$name(crate::ws::harness::Entry::Standalone).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn axum() {
                super::$name(crate::ws::harness::Entry::Axum).await;
            }
        }
    )+};
}

pub(crate) mod harness;

mod auth;
mod backpressure;
mod frames;
mod liveness;
mod metrics;
mod rooms;
