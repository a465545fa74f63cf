//! A router served on 127.0.0.1 with a real HTTP client, for the tests
//! that go over sockets rather than through `oneshot`.

use axum::Router;
use monitor_axum::{MonitorAuth, RouterConfig};
use monitor_core::Monitor;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{auth, http_client};

/// `app` served on a free port of 127.0.0.1; returns its base URL with
/// `/monitor` (the app is expected to nest the monitor there).
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/monitor", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// The monitor's router with `config` and [`auth`], nested at `/monitor`.
pub fn nested(config: RouterConfig, monitor: &Monitor, auth: MonitorAuth) -> Router {
    Router::new().nest("/monitor", config.router(monitor.clone(), auth))
}

/// A served monitor and a client for it.
pub struct Site {
    /// `http://127.0.0.1:port/monitor`.
    pub base: String,
    pub client: reqwest::Client,
}

impl Site {
    /// `monitor` behind the default router and the test tokens.
    pub async fn start(monitor: &Monitor) -> Site {
        Site {
            base: serve(nested(RouterConfig::new(), monitor, auth())).await,
            client: http_client(),
        }
    }

    /// `GET {base}{path}` with an optional bearer token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("answers")
    }

    /// Status and JSON body (`Null` when the body is not JSON).
    pub async fn json(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let res = self.get(path, token).await;
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}
