//! The floor for the HTTP load figures: plain axum answering one fixed
//! JSON body, no monitor behind it. `scripts/load.sh` runs it beside the
//! demo bot with a body the size of `/monitor/api/metrics`, so the ratio
//! between the two is the monitor's own cost.
//!
//! `cargo run --release --example floor -- 127.0.0.1:18081 900`

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::routing::get;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = args
        .next()
        .as_deref()
        .unwrap_or("127.0.0.1:18081")
        .parse()?;
    let size: usize = args.next().as_deref().unwrap_or("900").parse()?;
    let body = Bytes::from(fixed_json(size));
    let app = Router::new().route(
        "/fixed",
        get(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("floor: {size}-byte JSON at http://{addr}/fixed");
    axum::serve(listener, app).await?;
    Ok(())
}

/// A JSON object of exactly `size` bytes (at least 12).
fn fixed_json(size: usize) -> String {
    let pad = size.saturating_sub(r#"{"pad":""}"#.len());
    format!(r#"{{"pad":"{}"}}"#, "x".repeat(pad))
}
