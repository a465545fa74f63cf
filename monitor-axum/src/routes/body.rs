//! JSON request bodies as routes read them: `application/json` only, an
//! empty body meaning "nothing given", every failure a 400 naming the
//! field at fault (or a 413 / 415), never a plain-text rejection.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use crate::{ApiError, AppState};

/// The body as `T`: `None` when it is empty (or only whitespace).
///
/// A body must say `Content-Type: application/json` (415 otherwise) and
/// be a JSON object (400 otherwise).
/// serde_json's nesting limit (128) bounds recursion, and the router's
/// body limit its size; a body that does not decode names the field it
/// failed at (`comment`, `severities[1]`), or `body` for its shape.
pub(crate) fn json<T: DeserializeOwned>(
    app: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Option<T>, ApiError> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(app.body_limit)
        } else {
            ApiError::invalid("body", "could not be read")
        }
    })?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if !is_json(headers) {
        return Err(ApiError::unsupported_media_type(
            "the body must be JSON (Content-Type: application/json)",
        ));
    }
    // serde reads a struct from an array too (`[{"dry_run":true}]`);
    // the routes' bodies are objects, and nothing else is accepted.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::invalid("body", "expected a JSON object"));
    }
    let mut de = serde_json::Deserializer::from_slice(&body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body" } else { path.as_str() };
        ApiError::invalid(field, e.inner())
    })?;
    de.end().map_err(|e| ApiError::invalid("body", e))?;
    Ok(Some(value))
}

/// Whether the request says its body is JSON (`application/json`, any
/// parameters, any case).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn only_json_media_types_are_json() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(v));
            h
        };
        assert!(is_json(&with("application/json")));
        assert!(is_json(&with("Application/JSON; charset=utf-8")));
        assert!(!is_json(&with("text/plain")));
        assert!(!is_json(&with("application/jsonx")));
        assert!(!is_json(&HeaderMap::new()));
    }
}
