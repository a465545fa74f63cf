//! Cross-origin requests: off unless the host lists origins
//! ([`RouterConfig::cors_allow_origins`](crate::RouterConfig::cors_allow_origins)).
//!
//! A request whose `Origin` is on the list goes through tower-http's
//! `CorsLayer` (GET, POST and DELETE, the `Authorization` and `Content-Type`
//! headers, no credentials: the API takes bearer tokens, never cookies).
//! Any other request bypasses it, so an origin not on the list gets no
//! `Access-Control-*` header at all, not even on a preflight, exactly as
//! when CORS is off.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tower::{Layer, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// A configured CORS origin that is not `scheme://host[:port]`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("CORS origin {origin:?}: {reason}")]
pub struct InvalidOrigin {
    /// The origin as configured.
    pub origin: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// The allow-list and the layer built from it.
#[derive(Clone, Debug)]
pub(crate) struct Cors {
    origins: Arc<[HeaderValue]>,
    layer: CorsLayer,
}

impl Cors {
    /// `None` for an empty list (CORS off).
    pub(crate) fn new(origins: Vec<HeaderValue>) -> Option<Self> {
        if origins.is_empty() {
            return None;
        }
        let layer = CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins.iter().cloned()))
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .allow_credentials(false);
        Some(Cors {
            origins: origins.into(),
            layer,
        })
    }

    fn allows(&self, origin: Option<&HeaderValue>) -> bool {
        origin.is_some_and(|o| self.origins.contains(o))
    }
}

/// Middleware: listed origins through the `CorsLayer`, everything else
/// straight on (with `Vary: Origin`, so a cache never hands one origin's
/// answer to another).
pub(crate) async fn cors(State(cors): State<Cors>, req: Request, next: Next) -> Response {
    if cors.allows(req.headers().get(header::ORIGIN)) {
        match cors.layer.layer(next).oneshot(req).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    } else {
        let mut response = next.run(req).await;
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("origin"));
        response
    }
}

/// Checks and normalises one configured origin: `http` or `https`, a
/// host (name, IPv4 or bracketed IPv6), an optional port; no path (not
/// even `/`), user, query, fragment or wildcard. Scheme and host are
/// lower-cased, as browsers send them.
pub(crate) fn parse_origin(origin: &str) -> Result<HeaderValue, InvalidOrigin> {
    let fail = |reason| InvalidOrigin {
        origin: origin.to_owned(),
        reason,
    };
    let lower = origin.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| fail("must start with http:// or https://"))?;
    if rest.contains('*') {
        return Err(fail("wildcards are not allowed; list each origin"));
    }
    if rest.contains(['/', '?', '#']) {
        return Err(fail(
            "an origin has no path, query or fragment (not even '/')",
        ));
    }
    if rest.contains('@') {
        return Err(fail("an origin has no user name"));
    }
    let (host, port) = match rest.strip_prefix('[') {
        Some(v6) => {
            let (addr, after) = v6
                .split_once(']')
                .ok_or_else(|| fail("an IPv6 host needs its closing ']'"))?;
            if addr.is_empty()
                || !addr
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
            {
                return Err(fail("not an IPv6 address"));
            }
            match after {
                "" => (v6, None),
                p => (
                    v6,
                    Some(
                        p.strip_prefix(':')
                            .ok_or_else(|| fail("junk after the host"))?,
                    ),
                ),
            }
        }
        None => match rest.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        },
    };
    let name_ok = |h: &str| {
        !h.is_empty()
            && h.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    };
    if !rest.starts_with('[') && !name_ok(host) {
        return Err(fail("not a host name (letters, digits, '-' and '.')"));
    }
    if let Some(port) = port
        && !port.parse::<u16>().is_ok_and(|p| p > 0)
    {
        return Err(fail("the port must be a number from 1 to 65535"));
    }
    HeaderValue::from_str(&lower).map_err(|_| fail("not a valid header value"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        for ok in [
            "https://ops.example.com",
            "http://localhost:3000",
            "HTTPS://Ops.Example.COM",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "https://[2001:db8::1]",
        ] {
            let value = parse_origin(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(value.to_str().ok(), Some(ok.to_ascii_lowercase().as_str()));
        }
        for bad in [
            "",
            "*",
            "null",
            "ops.example.com",
            "ftp://ops.example.com",
            "https://",
            "https://*.example.com",
            "https://ops.example.com/",
            "https://ops.example.com/path",
            "https://ops.example.com?x=1",
            "https://user@ops.example.com",
            "https://ops.example.com:0",
            "https://ops.example.com:99999",
            "https://ops.example.com:",
            "https://ops..example.com",
            "https://ops example.com",
            "http://[::1",
            "http://[]",
            "http://[::1]x",
        ] {
            let e = parse_origin(bad).expect_err(bad);
            assert_eq!(e.origin, bad);
            assert!(e.to_string().contains(&format!("{bad:?}")), "{e}");
        }
    }
}
