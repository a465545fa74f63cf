//! [`ApiError`]: every 4xx/5xx of the router, as
//! `{"error":{"code","message"}}`, never with internals.

use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use monitor_core::persist::SnapshotError;
use serde::Serialize;

/// An error answer: a status, a stable machine code and a message for
/// people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<Duration>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 401: no token, or one the monitor does not know.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        )
    }

    /// 403: a known token whose role may not do this.
    pub fn forbidden(need: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this needs the {need} role"),
        )
    }

    /// 404: nothing of that name this caller may see.
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", what)
    }

    /// 400 naming the query parameter or field at fault (its first 64
    /// characters: the name may be the caller's).
    pub fn invalid(field: &str, message: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            format!("{}: {message}", echo(field)),
        )
    }

    /// 400: an uploaded snapshot file that cannot be used, with a code
    /// naming the reason (`not_a_snapshot`, `unsupported_version`,
    /// `truncated`, `snapshot_too_large`, `checksum_mismatch`,
    /// `undecodable`, `invalid_snapshot`) and the decoder's message.
    pub fn invalid_snapshot(error: &SnapshotError) -> Self {
        let code = match error {
            SnapshotError::NotASnapshot => "not_a_snapshot",
            SnapshotError::UnsupportedVersion { .. } => "unsupported_version",
            SnapshotError::Truncated { .. } => "truncated",
            SnapshotError::TooLarge { .. } => "snapshot_too_large",
            SnapshotError::Checksum { .. } => "checksum_mismatch",
            SnapshotError::Decode(_) => "undecodable",
            SnapshotError::Invalid(_) | SnapshotError::Io { .. } | SnapshotError::Encode(_) => {
                "invalid_snapshot"
            }
        };
        Self::new(StatusCode::BAD_REQUEST, code, error.to_string())
    }

    /// 405: the path exists, the method does not.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this path does not take that method",
        )
    }

    /// 413: a body over `limit` bytes.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is over the limit of {limit} bytes"),
        )
    }

    /// 409: the request conflicts with the object's state (e.g. it was
    /// already started or already ended).
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// 415: the body is not of the media type the route reads.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            message,
        )
    }

    /// 426: the WebSocket version is not one this server speaks.
    pub fn upgrade_required(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UPGRADE_REQUIRED, "upgrade_required", message)
    }

    /// 503: the monitor cannot take this now (for example, too many
    /// stream subscribers).
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// 500: the answer could not be built. The message says only that,
    /// never why.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the answer could not be built",
        )
    }

    /// 429, asking the caller to come back after `retry_after`.
    pub fn rate_limited(retry_after: Duration) -> Self {
        ApiError {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests for this token; retry later",
            )
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The machine-readable code.
    pub fn code(&self) -> &str {
        self.code
    }

    /// The message for people, as sent in the body.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Most characters of caller input an error message quotes.
pub(crate) const MAX_ECHO_CHARS: usize = 64;

/// `input` as an error message may quote it: its first
/// [`MAX_ECHO_CHARS`] characters, `…` when there were more. A 60 KB query
/// key or path segment is not sent back whole.
pub(crate) fn echo(input: &str) -> std::borrow::Cow<'_, str> {
    match input.char_indices().nth(MAX_ECHO_CHARS) {
        None => input.into(),
        Some((end, _)) => format!("{}…", &input[..end]).into(),
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(after) = self.retry_after {
            let secs = after.as_secs_f64().ceil().max(1.0) as u64;
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                headers.insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_and_media_type_have_their_status_and_code() {
        for (e, status, code) in [
            (
                ApiError::conflict("ended"),
                StatusCode::CONFLICT,
                "conflict",
            ),
            (
                ApiError::unsupported_media_type("json only"),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ),
        ] {
            assert_eq!((e.status(), e.code()), (status, code));
            let response = e.into_response();
            assert_eq!(response.status(), status);
            assert_eq!(
                response.headers().get(header::CONTENT_TYPE),
                Some(&HeaderValue::from_static("application/json"))
            );
        }
    }

    #[test]
    fn caller_input_is_quoted_short() {
        assert_eq!(echo("limit"), "limit");
        let long = "é".repeat(MAX_ECHO_CHARS + 1);
        let quoted = echo(&long);
        assert_eq!(quoted.chars().count(), MAX_ECHO_CHARS + 1);
        assert!(quoted.ends_with('…'));
        assert_eq!(
            echo(&long[..2 * MAX_ECHO_CHARS]),
            long[..2 * MAX_ECHO_CHARS]
        );
        let e = ApiError::invalid(&"k".repeat(60_000), "unknown parameter");
        assert!(e.message.len() < 200, "{}", e.message);
    }
}
