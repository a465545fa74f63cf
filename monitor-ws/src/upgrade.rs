//! The HTTP side of a WebSocket upgrade, for hosts that serve HTTP
//! themselves (monitor-axum's `/ws`): check the request and compute the
//! `Sec-WebSocket-Accept` of the 101 answer, then hand the upgraded stream
//! to [`WsBroadcaster::serve_upgraded`](crate::WsBroadcaster::serve_upgraded).

use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::http::{HeaderMap, HeaderValue, Method, header};

/// Why a request is not a WebSocket upgrade this server accepts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UpgradeError {
    /// Not a GET.
    #[error("a WebSocket upgrade must be a GET request")]
    Method,
    /// `Connection: upgrade` / `Upgrade: websocket` missing.
    #[error(
        "not a WebSocket upgrade request (expected `Connection: upgrade` and `Upgrade: websocket`)"
    )]
    NotUpgrade,
    /// `Sec-WebSocket-Version` other than 13.
    #[error("unsupported WebSocket version (this server speaks version 13)")]
    Version,
    /// `Sec-WebSocket-Key` missing or not 16 bytes of base64.
    #[error("missing or invalid Sec-WebSocket-Key")]
    Key,
}

impl UpgradeError {
    /// The HTTP status to refuse with: 426 for a version mismatch, else
    /// 400.
    pub fn status(&self) -> u16 {
        match self {
            UpgradeError::Version => 426,
            UpgradeError::Method => 405,
            _ => 400,
        }
    }
}

/// Checks an upgrade request and returns the `Sec-WebSocket-Accept` value
/// for the 101 answer.
///
/// ```
/// use monitor_ws::tokio_tungstenite::tungstenite::http::{HeaderMap, Method};
/// use monitor_ws::upgrade::accept_key;
///
/// let mut h = HeaderMap::new();
/// h.insert("connection", "Upgrade".parse()?);
/// h.insert("upgrade", "websocket".parse()?);
/// h.insert("sec-websocket-version", "13".parse()?);
/// h.insert("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==".parse()?);
/// // RFC 6455's worked example.
/// assert_eq!(accept_key(&Method::GET, &h)?, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn accept_key(method: &Method, headers: &HeaderMap) -> Result<HeaderValue, UpgradeError> {
    if method != Method::GET {
        return Err(UpgradeError::Method);
    }
    let has_token = |name: header::HeaderName, token: &str| {
        headers.get_all(name).iter().any(|v| {
            v.to_str().is_ok_and(|v| {
                v.split(',')
                    .any(|part| part.trim().eq_ignore_ascii_case(token))
            })
        })
    };
    if !has_token(header::CONNECTION, "upgrade") || !has_token(header::UPGRADE, "websocket") {
        return Err(UpgradeError::NotUpgrade);
    }
    if headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_none_or(|v| v.as_bytes() != b"13")
    {
        return Err(UpgradeError::Version);
    }
    let key = headers
        .get(header::SEC_WEBSOCKET_KEY)
        .map(HeaderValue::as_bytes)
        .filter(|k| k.len() == 24 && k.ends_with(b"=="))
        .ok_or(UpgradeError::Key)?;
    HeaderValue::from_str(&derive_accept_key(key)).map_err(|_| UpgradeError::Key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    header::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn refuses_what_is_not_an_upgrade() {
        let good = [
            ("connection", "keep-alive, Upgrade"),
            ("upgrade", "WebSocket"),
            ("sec-websocket-version", "13"),
            ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ];
        assert!(accept_key(&Method::GET, &headers(&good)).is_ok());
        assert_eq!(
            accept_key(&Method::POST, &headers(&good)),
            Err(UpgradeError::Method)
        );
        assert_eq!(
            accept_key(&Method::GET, &headers(&good[1..])),
            Err(UpgradeError::NotUpgrade)
        );
        let mut v8 = good;
        v8[2].1 = "8";
        assert_eq!(
            accept_key(&Method::GET, &headers(&v8)),
            Err(UpgradeError::Version)
        );
        let mut short = good;
        short[3].1 = "abc";
        assert_eq!(
            accept_key(&Method::GET, &headers(&short)),
            Err(UpgradeError::Key)
        );
        assert_eq!(
            accept_key(&Method::GET, &headers(&good[..3])),
            Err(UpgradeError::Key)
        );
    }
}
