//! Reading a webhook body: JSON only, at most [`MAX_BODY_BYTES`], a JSON
//! object, and fields read one by one so every complaint names its field.
//! Every refusal is an [`ApiError`] (axum's own rejections are plain text).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use monitor_axum::ApiError;
use serde_json::{Map, Value};

use super::{MAX_BODY_BYTES, MAX_ID_BYTES};

/// A webhook's JSON object, checked for media type and size.
pub(crate) struct JsonBody(pub(crate) Fields);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::unsupported_media_type(
                "the body must be JSON, sent with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large(MAX_BODY_BYTES),
                _ => ApiError::invalid("body", "could not be read"),
            }
        })?;
        Fields::parse(&bytes).map(JsonBody)
    }
}

/// `application/json`, with or without parameters, or any `+json` type.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = value.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = mime.split_once('/') else {
        return false;
    };
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json")
            || subtype.len() > 5 && subtype[subtype.len() - 5..].eq_ignore_ascii_case("+json"))
}

/// The fields of a JSON object, read with checks that name the field.
pub(crate) struct Fields(Map<String, Value>);

impl Fields {
    /// Parses `bytes` as one JSON object.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, ApiError> {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Fields(map)),
            Ok(other) => Err(ApiError::invalid(
                "body",
                format!("expected a JSON object, got {}", kind(&other)),
            )),
            Err(e) => Err(ApiError::invalid("body", format!("not valid JSON ({e})"))),
        }
    }

    /// A string field: `None` when absent or `null`, 400 when another type.
    fn string(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(ApiError::invalid(
                name,
                format!("expected a string, got {}", kind(other)),
            )),
        }
    }

    /// A required string (may be empty), at most `max_chars` characters.
    pub(crate) fn text(&self, name: &str, max_chars: usize) -> Result<&str, ApiError> {
        let text = self
            .string(name)?
            .ok_or_else(|| ApiError::invalid(name, "missing (a required string)"))?;
        check_chars(name, text, max_chars)?;
        Ok(text)
    }

    /// An optional string, at most `max_chars` characters; empty counts as
    /// absent.
    pub(crate) fn opt_text(&self, name: &str, max_chars: usize) -> Result<Option<&str>, ApiError> {
        let text = self.string(name)?.filter(|t| !t.trim().is_empty());
        if let Some(t) = text {
            check_chars(name, t, max_chars)?;
        }
        Ok(text)
    }

    /// A required identifier: a non-empty string of at most
    /// [`MAX_ID_BYTES`] bytes without control characters.
    pub(crate) fn id(&self, name: &str) -> Result<&str, ApiError> {
        let id = self
            .string(name)?
            .ok_or_else(|| ApiError::invalid(name, "missing (a required string)"))?;
        if id.trim().is_empty() {
            return Err(ApiError::invalid(name, "must not be empty"));
        }
        if id.len() > MAX_ID_BYTES {
            return Err(ApiError::invalid(
                name,
                format!("longer than {MAX_ID_BYTES} bytes"),
            ));
        }
        if id.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                name,
                "must not contain control characters",
            ));
        }
        Ok(id)
    }

    /// An optional whole number of at least 0.
    pub(crate) fn opt_u64(&self, name: &str) -> Result<Option<u64>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| {
                ApiError::invalid(name, format!("expected a whole number >= 0, got {n}"))
            }),
            Some(other) => Err(ApiError::invalid(
                name,
                format!("expected a whole number, got {}", kind(other)),
            )),
        }
    }
}

fn check_chars(name: &str, text: &str, max_chars: usize) -> Result<(), ApiError> {
    // Bytes bound characters from above: count only when it could matter.
    if text.len() > max_chars && text.chars().count() > max_chars {
        return Err(ApiError::invalid(
            name,
            format!("longer than {max_chars} characters"),
        ));
    }
    Ok(())
}

/// The JSON type of `value`, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(e: ApiError) -> String {
        format!("{e:?}")
    }

    #[test]
    fn json_media_types() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, v.parse().expect("header"));
            is_json(&h)
        };
        assert!(with("application/json"));
        assert!(with("Application/JSON; charset=utf-8"));
        assert!(with("application/vnd.retell+json"));
        assert!(!with("text/plain"));
        assert!(!with("application/x-www-form-urlencoded"));
        assert!(!with("application/+json"));
        assert!(!is_json(&HeaderMap::new()));
    }

    #[test]
    fn fields_name_themselves() {
        let f = Fields::parse(br#"{"a": "x", "n": 5, "neg": -1, "e": " ", "nul": null}"#)
            .expect("object");
        assert_eq!(f.id("a").expect("id"), "x");
        assert!(message(f.id("missing").expect_err("absent")).contains("missing: missing"));
        assert!(
            message(f.id("n").expect_err("number")).contains("n: expected a string, got a number")
        );
        assert!(message(f.id("e").expect_err("blank")).contains("e: must not be empty"));
        assert!(message(f.id("nul").expect_err("null")).contains("nul: missing"));
        assert_eq!(f.opt_text("e", 10).expect("blank"), None);
        assert_eq!(f.opt_u64("n").expect("number"), Some(5));
        assert!(
            message(f.opt_u64("neg").expect_err("negative"))
                .contains("neg: expected a whole number >= 0")
        );
        assert!(
            message(f.opt_u64("a").expect_err("string"))
                .contains("a: expected a whole number, got a string")
        );
        assert!(
            message(f.text("a", 0).expect_err("too long")).contains("longer than 0 characters")
        );
        assert_eq!(f.text("a", 1).expect("one char"), "x");
    }

    #[test]
    fn only_objects() {
        assert!(
            message(Fields::parse(b"[1]").err().expect("array"))
                .contains("body: expected a JSON object, got an array")
        );
        assert!(message(Fields::parse(b"{").err().expect("eof")).contains("body: not valid JSON"));
    }
}
