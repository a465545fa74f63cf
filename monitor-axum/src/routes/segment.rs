//! [`Segment`]: one path parameter (`{family}`, `{kind}`, `{id}`,
//! `{name}`) as text, refused as [`ApiError`] JSON when it is not.
//!
//! axum's own `Path<String>` answers a segment that percent-decodes to
//! bytes that are not UTF-8 (`%ff`, overlong `%c0%af`, a surrogate half
//! `%ed%a0%80`) with a plain-text 400; every answer of this router is
//! JSON.

use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::ApiError;

/// The route's one path parameter, percent-decoded UTF-8.
pub(crate) struct Segment(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for Segment {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(segment)) => Ok(Segment(segment)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => match e.kind() {
                ErrorKind::InvalidUtf8InPathParam { key } => Err(ApiError::invalid(
                    key,
                    "not UTF-8 text once percent-decoded",
                )),
                _ => Err(ApiError::invalid("path", e.body_text())),
            },
            Err(e) => Err(ApiError::invalid("path", e.body_text())),
        }
    }
}
