//! `GET /` (the operator dashboard, SPEC §5) and `GET /assets/{name}`
//! (its files, from the table in [`assets`]).
//!
//! The page and its files need no token: they hold no data. The page's
//! scripts read the token from the URL fragment (`#token=…`, which never
//! reaches a server) or a form, keep it in `sessionStorage` and send it
//! as a bearer header to the API and as the first frame of `/ws`.
//!
//! Every answer carries a Content-Security-Policy that allows only this
//! origin's scripts and styles (no inline script or style attribute, no
//! `eval`), `X-Content-Type-Options: nosniff`, `Referrer-Policy:
//! no-referrer`, and `Cache-Control: no-cache` with an `ETag`, so a
//! browser revalidates with a 304 and never runs files of an older build.

mod assets;

use axum::extract::OriginalUri;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::segment::Segment;
use crate::ApiError;
use assets::Asset;

/// `GET /`: the page. Nested with `app.nest("/monitor", router)`, axum
/// serves it at `/monitor` (no trailing slash), where a relative
/// `assets/app.js` would resolve to `/assets/app.js`; so the links are
/// written relative to the path the page was asked for (`monitor/assets/…`
/// there, `assets/…` when it is addressed as a folder, `/monitor/`). The
/// scripts find everything else from their own URL.
pub(crate) async fn index(OriginalUri(uri): OriginalUri, headers: HeaderMap) -> Response {
    let prefix = asset_prefix(uri.path());
    let html = String::from_utf8_lossy(assets::INDEX.body)
        .replace("=\"assets/", &format!("=\"{prefix}assets/"));
    let etag = format!("{}-{prefix}\"", assets::INDEX.etag().trim_end_matches('"'));
    let mut response = if matches(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, assets::INDEX.content_type)], html).into_response()
    };
    secure(&mut response, &headers, &etag);
    response
}

/// What goes before `assets/` in the page's links when it is served at
/// `path`: nothing for `/…/`, the last segment and a slash otherwise
/// (`/monitor` → `monitor/`). A segment with anything but unreserved or
/// percent-encoded characters is not quoted into the page (its links then
/// work only at the slash form).
fn asset_prefix(path: &str) -> String {
    let last = path.rsplit('/').next().unwrap_or_default();
    let plain = last
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b));
    if last.is_empty() || !plain || last == "." || last == ".." {
        String::new()
    } else {
        format!("{last}/")
    }
}

/// `GET /assets/{name}`: one embedded file; any other name (including
/// anything with a `/` or `..`) is a JSON 404, and one that is not UTF-8
/// once percent-decoded a JSON 400.
pub(crate) async fn asset(Segment(name): Segment, headers: HeaderMap) -> Response {
    match assets::find(&name) {
        Some(asset) => serve(asset, &headers),
        None => {
            let mut response = ApiError::not_found("no such asset").into_response();
            protect(&mut response, &headers);
            response
        }
    }
}

fn serve(asset: &'static Asset, request: &HeaderMap) -> Response {
    let etag = asset.etag();
    let mut response = if matches(request, etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.body).into_response()
    };
    secure(&mut response, request, etag);
    response
}

/// Whether the request's `If-None-Match` names `etag`.
fn matches(request: &HeaderMap, etag: &str) -> bool {
    request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
}

/// The validator, caching and security headers every dashboard answer
/// carries.
fn secure(response: &mut Response, request: &HeaderMap, etag: &str) {
    let h = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, etag);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    protect(response, request);
}

/// The security headers on every dashboard answer, its 404s included: a
/// browser never sniffs a type, sends a referrer or frames the answer.
fn protect(response: &mut Response, request: &HeaderMap) {
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Ok(csp) = HeaderValue::from_str(&policy(request)) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
}

/// The Content-Security-Policy: this origin only, no inline script or
/// style. `connect-src` names the page's own host under `ws:`/`wss:` too
/// (browsers that predate CSP 3 do not count a WebSocket to the same host
/// as `'self'`); a `Host` with anything but host-name characters is left
/// out rather than quoted into the policy.
pub(crate) fn policy(request: &HeaderMap) -> String {
    let host = request
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b))
        });
    let sockets = host
        .map(|h| format!(" ws://{h} wss://{h}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'{sockets}; font-src 'self'; object-src 'none'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_follow_the_path_the_page_was_asked_for() {
        assert_eq!(asset_prefix("/monitor"), "monitor/");
        assert_eq!(asset_prefix("/a/ops-2"), "ops-2/");
        assert_eq!(asset_prefix("/monitor/"), "");
        assert_eq!(asset_prefix("/"), "");
        assert_eq!(asset_prefix("/x/.."), "");
        assert_eq!(asset_prefix("/we\"ird"), "");
    }

    #[test]
    fn the_policy_names_only_a_plain_host() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(
            policy(&h).contains("connect-src 'self' ws://127.0.0.1:8080 wss://127.0.0.1:8080;")
        );
        h.insert(header::HOST, HeaderValue::from_static("evil; script-src *"));
        let p = policy(&h);
        assert!(
            p.contains("connect-src 'self';") && !p.contains("evil"),
            "{p}"
        );
        assert!(!policy(&HeaderMap::new()).contains("unsafe"));
    }
}
