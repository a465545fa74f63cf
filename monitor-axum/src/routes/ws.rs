//! `GET /ws`: the WebSocket protocol of monitor-ws, behind axum.
//!
//! The handler checks the upgrade, takes a connection place, answers 101
//! and hands the upgraded stream to the same [`WsBroadcaster`] driver the
//! standalone server runs: one protocol implementation. The token may come
//! as `?token=`, an `Authorization: Bearer` header, or the first frame.
//! Refusals before the upgrade are [`ApiError`] JSON (400 naming the query
//! parameter, 426 for another WebSocket version, 503 at the connection
//! cap, 429 with `Retry-After` past the token's rate limit); after it, the
//! protocol's close codes.
//!
//! An upgrade whose token comes with the request (`?token=` or the
//! header) is one request of that token against its rate limit, like any
//! API call. A token sent in the first frame arrives after the 101, when
//! no HTTP answer is possible any more, so that upgrade is not charged:
//! it holds one place under the connection cap (503 past it) for at most
//! the auth timeout (5 s), and a wrong token is closed with 1008.
//!
//! [`WsBroadcaster`]: monitor_ws::WsBroadcaster

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use monitor_ws::ConnectRequest;
use monitor_ws::upgrade::{UpgradeError, accept_key};

use crate::{ApiError, AppState};

pub(crate) async fn ws(State(app): State<AppState>, request: Request) -> Response {
    match upgrade(app, request) {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

fn upgrade(app: AppState, request: Request) -> Result<Response, ApiError> {
    let (mut parts, _body) = request.into_parts();
    let accept = accept_key(&parts.method, &parts.headers).map_err(refusal)?;
    let connect = ConnectRequest::from_request(parts.uri.query(), &parts.headers)
        .map_err(|e| ApiError::invalid(e.field(), &e))?;
    if let Some(token) = connect.token() {
        app.gate.charge(token)?;
    }
    let on_upgrade = parts
        .extensions
        .remove::<OnUpgrade>()
        .ok_or_else(|| ApiError::unavailable("this server cannot upgrade connections"))?;
    let permit = app
        .ws
        .try_admit()
        .ok_or_else(|| ApiError::unavailable("too many WebSocket connections; retry later"))?;
    tokio::spawn(async move {
        if let Ok(upgraded) = on_upgrade.await {
            app.ws
                .serve_upgraded(permit, TokioIo::new(upgraded), connect)
                .await;
        }
    });
    let mut response = StatusCode::SWITCHING_PROTOCOLS.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    Ok(response)
}

fn refusal(e: UpgradeError) -> ApiError {
    match e {
        UpgradeError::Version => ApiError::upgrade_required(e.to_string()),
        UpgradeError::Method => ApiError::method_not_allowed(),
        _ => ApiError::invalid("upgrade", e),
    }
}
