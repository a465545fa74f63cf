//! [`ActionParams`]: the small, flat set of parameters a run may be given.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::error::ParamError;

/// Most parameters one run takes.
pub const MAX_PARAMS: usize = 12;
/// Longest parameter name, in bytes.
pub const PARAM_KEY_BYTES: usize = 64;
/// Longest string value, in bytes.
pub const PARAM_VALUE_BYTES: usize = 1_024;

/// A run's parameters: at most [`MAX_PARAMS`] names (1 to 64 of `A-Z a-z
/// 0-9 . _ -`), each a string (at most [`PARAM_VALUE_BYTES`], no control
/// characters), a number, `true`/`false` or `null`. Nothing nested: an
/// operator's button passes a few switches, not a document.
///
/// ```
/// use monitor_core::actions::ActionParams;
/// use serde_json::json;
///
/// let params = ActionParams::from_json(json!({"dry_run": true, "limit": 10}))?;
/// assert_eq!(params.get_bool("dry_run"), Some(true));
/// assert_eq!(params.get_f64("limit"), Some(10.0));
/// let e = ActionParams::from_json(json!({"deep": {"x": 1}})).unwrap_err();
/// assert_eq!(e.field, "params.deep");
/// # Ok::<(), monitor_core::actions::ParamError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ActionParams(BTreeMap<String, Value>);

impl ActionParams {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// The parameters of a JSON object, checked (see the type's docs);
    /// `null` means none.
    pub fn from_json(value: Value) -> Result<Self, ParamError> {
        match value {
            Value::Null => Ok(Self::new()),
            Value::Object(map) => Self::from_map(map),
            _ => Err(ParamError::new(None, "expected a JSON object")),
        }
    }

    /// The parameters of a JSON object's members, checked.
    pub fn from_map(map: Map<String, Value>) -> Result<Self, ParamError> {
        if map.len() > MAX_PARAMS {
            return Err(ParamError::new(
                None,
                format!("at most {MAX_PARAMS} parameters, got {}", map.len()),
            ));
        }
        let mut params = ActionParams::new();
        for (key, value) in map {
            params = params.with(&key, value)?;
        }
        Ok(params)
    }

    /// Adds parameter `key` = `value`, checked like the rest.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Result<Self, ParamError> {
        let value = value.into();
        check_key(key)?;
        match &value {
            Value::String(s) if s.len() > PARAM_VALUE_BYTES => {
                return Err(ParamError::new(
                    Some(key),
                    format!("longer than {PARAM_VALUE_BYTES} bytes"),
                ));
            }
            Value::String(s) if s.chars().any(char::is_control) => {
                return Err(ParamError::new(
                    Some(key),
                    "must not contain control characters",
                ));
            }
            Value::Array(_) | Value::Object(_) => {
                return Err(ParamError::new(
                    Some(key),
                    "must be a string, a number, true/false or null",
                ));
            }
            _ => {}
        }
        if self.0.len() >= MAX_PARAMS && !self.0.contains_key(key) {
            return Err(ParamError::new(
                None,
                format!("at most {MAX_PARAMS} parameters"),
            ));
        }
        self.0.insert(key.to_owned(), value);
        Ok(self)
    }

    /// The value of `key`, if given.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// The string value of `key`, if it is one.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    /// The boolean value of `key`, if it is one.
    pub fn get_bool(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(Value::as_bool)
    }

    /// The number value of `key`, if it is one.
    pub fn get_f64(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(Value::as_f64)
    }

    /// Every parameter, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many parameters there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The parameters as compact JSON (`{"dry_run":true}`), for an audit
    /// entry's detail.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }
}

fn check_key(key: &str) -> Result<(), ParamError> {
    let ok = !key.is_empty()
        && key.len() <= PARAM_KEY_BYTES
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ParamError::new(
            Some(key),
            format!("a parameter name is 1 to {PARAM_KEY_BYTES} of A-Z a-z 0-9 . _ -"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_pass_and_anything_else_names_its_field() {
        let ok = ActionParams::from_json(json!({"a": "x", "b": 1.5, "c": false, "d": null}))
            .expect("scalars");
        assert_eq!(ok.len(), 4);
        assert_eq!(ok.to_json(), r#"{"a":"x","b":1.5,"c":false,"d":null}"#);
        assert!(
            ActionParams::from_json(Value::Null)
                .expect("none")
                .is_empty()
        );
        let field = |v: Value| ActionParams::from_json(v).expect_err("refused").field;
        assert_eq!(field(json!([1])), "params");
        assert_eq!(field(json!("x")), "params");
        assert_eq!(field(json!({"list": [1]})), "params.list");
        assert_eq!(field(json!({"s": "x".repeat(1_025)})), "params.s");
        assert_eq!(field(json!({"s": "a\u{1b}[2J"})), "params.s");
        assert_eq!(field(json!({"": 1})), "params.");
        assert_eq!(field(json!({"a b": 1})), "params.a b");
        let long = "k".repeat(10_000);
        assert_eq!(field(json!({ long: 1 })).len(), "params.".len() + 64);
        let many: Map<String, Value> = (0..13).map(|i| (format!("k{i}"), json!(i))).collect();
        assert_eq!(field(Value::Object(many)), "params");
    }

    #[test]
    fn with_enforces_the_cap_too() {
        let mut params = ActionParams::new();
        for i in 0..MAX_PARAMS {
            params = params.with(&format!("k{i}"), i).expect("under the cap");
        }
        assert!(
            params.clone().with("k0", "again").is_ok(),
            "replacing is fine"
        );
        assert!(params.with("one-more", 1).is_err());
    }
}
