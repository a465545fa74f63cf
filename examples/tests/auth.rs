//! The demo's tokens and `MONITOR_RATE_LIMIT`, from its config to the
//! monitor router, on a real socket.

use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use monitor_core::Monitor;
use monitor_examples::config::DemoConfig;
use tokio::net::TcpListener;

/// Serves the monitor with the auth of `env`; returns its base URL.
async fn serve(env: &[(&str, &str)]) -> (String, reqwest::Client) {
    let env: HashMap<&str, &str> = env.iter().copied().collect();
    let config = DemoConfig::from_lookup(|k| env.get(k).map(|v| (*v).to_owned())).expect("config");
    let monitor = Monitor::builder().start().expect("runtime");
    let app: Router = Router::new().nest("/monitor", monitor_axum::router(monitor, config.auth()));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    // reqwest refuses to build a client, even for plain http, without a
    // rustls provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    (format!("http://{addr}/monitor"), http)
}

async fn get(http: &reqwest::Client, url: &str, token: &str) -> reqwest::Response {
    http.get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn every_configured_token_has_its_role() {
    let (base, http) = serve(&[
        ("MONITOR_ADMIN_TOKEN", "adm"),
        ("MONITOR_MONITOR_TOKENS", "mon"),
        ("MONITOR_CLIENT_TOKENS", "acme:tokA,globex:tokB"),
    ])
    .await;
    let url = format!("{base}/api/metrics/hourly?hours=1");
    for (token, status) in [
        ("adm", 200),
        ("mon", 200),
        ("tokA", 403),
        ("tokB", 403),
        ("nope", 401),
    ] {
        assert_eq!(
            get(&http, &url, token).await.status().as_u16(),
            status,
            "{token}"
        );
    }
    let url = format!("{base}/api/errors");
    assert_eq!(get(&http, &url, "tokA").await.status().as_u16(), 200);
}

#[tokio::test]
async fn the_rate_limit_reaches_the_router() {
    let (base, http) = serve(&[("MONITOR_ADMIN_TOKEN", "adm"), ("MONITOR_RATE_LIMIT", "2")]).await;
    let url = format!("{base}/api/errors");
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..6 {
        let res = get(&http, &url, "adm").await;
        if res.status().as_u16() == 429 {
            retry_after = res.headers().get("retry-after").cloned();
        }
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses[0], 200, "{statuses:?}");
    assert!(
        statuses.contains(&429),
        "2/s lets six quick requests through: {statuses:?}"
    );
    assert!(retry_after.is_some(), "429 says when to come back");
}

#[tokio::test]
async fn zero_turns_the_rate_limit_off() {
    let (base, http) = serve(&[("MONITOR_ADMIN_TOKEN", "adm"), ("MONITOR_RATE_LIMIT", "0")]).await;
    let url = format!("{base}/api/errors");
    for n in 0..120 {
        assert_eq!(
            get(&http, &url, "adm").await.status().as_u16(),
            200,
            "request {n}"
        );
    }
}
