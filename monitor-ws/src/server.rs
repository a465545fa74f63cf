//! The standalone server, for hosts without an HTTP framework: accepts
//! TCP connections, answers the upgrade (any path; the query carries
//! `token` and `channels`, or an `Authorization: Bearer` header the
//! token) and runs the protocol on each.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{sleep, timeout};
use tokio_tungstenite::accept_hdr_async_with_config;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;

use crate::{ConnectRequest, WsBroadcaster};

/// A running standalone server; [`shutdown`](Self::shutdown) stops it.
#[derive(Debug)]
pub struct WsServer {
    local_addr: SocketAddr,
    broadcaster: WsBroadcaster,
    stop: watch::Sender<bool>,
    accept: JoinHandle<()>,
}

impl WsBroadcaster {
    /// Listens on `addr` and serves the protocol to every connection
    /// until [`WsServer::shutdown`].
    pub async fn bind(&self, addr: impl ToSocketAddrs) -> io::Result<WsServer> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let accept = tokio::spawn(accept_loop(self.clone(), listener, stopped));
        Ok(WsServer {
            local_addr,
            broadcaster: self.clone(),
            stop,
            accept,
        })
    }

    /// Answers one TCP connection's upgrade and runs the protocol on it.
    async fn serve_tcp(self, tcp: TcpStream) {
        // Events are small and latency matters more than packet count.
        let _ = tcp.set_nodelay(true);
        let permit = self.try_admit();
        let mut request = None;
        // The callback's types are tungstenite's, large error and all.
        #[allow(clippy::result_large_err)]
        let answer = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
            if permit.is_none() {
                return Err(refusal(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "too many WebSocket connections; retry later".to_owned(),
                ));
            }
            match ConnectRequest::from_request(req.uri().query(), req.headers()) {
                Ok(r) => {
                    request = Some(r);
                    Ok(resp)
                }
                Err(e) => Err(refusal(
                    StatusCode::BAD_REQUEST,
                    "invalid_parameter",
                    format!("{}: {e}", e.field()),
                )),
            }
        };
        let config = self.config().websocket();
        let handshake = accept_hdr_async_with_config(tcp, answer, Some(config));
        let Ok(Ok(ws)) = timeout(self.config().handshake_timeout, handshake).await else {
            return;
        };
        if let (Some(permit), Some(request)) = (permit, request) {
            self.serve(permit, ws, request).await;
        }
    }
}

/// A refused upgrade, in the router's error shape
/// `{"error":{"code","message"}}`.
fn refusal(status: StatusCode, code: &str, message: String) -> ErrorResponse {
    let body = serde_json::json!({"error": {"code": code, "message": message}});
    let mut response = ErrorResponse::new(Some(body.to_string()));
    *response.status_mut() = status;
    response
}

async fn accept_loop(
    broadcaster: WsBroadcaster,
    listener: TcpListener,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = stopped.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _peer)) => {
                    tokio::spawn(broadcaster.clone().serve_tcp(tcp));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off
                    // instead of spinning.
                    tracing::warn!(error = %e, "monitor-ws: accept failed");
                    sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
}

impl WsServer {
    /// The address it listens on (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Its broadcaster (figures, [`WsBroadcaster::close_all`]).
    pub fn broadcaster(&self) -> &WsBroadcaster {
        &self.broadcaster
    }

    /// Stops accepting and closes every connection with 1001.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        let _ = self.accept.await;
        self.broadcaster.close_all();
    }
}
