//! Query strings as routes read them: percent-decoded pairs, unknown or
//! repeated parameters refused, numbers range-checked, every failure a 400
//! naming the parameter.

use crate::ApiError;

/// The decoded pairs of a query string.
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes `raw` and refuses any parameter not in `allowed`, and any
    /// given twice.
    pub(crate) fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Self, ApiError> {
        let pairs = pairs(raw)?;
        for (i, (key, _)) in pairs.iter().enumerate() {
            if !allowed.contains(&key.as_str()) {
                let known = if allowed.is_empty() {
                    "this route takes no parameters".to_owned()
                } else {
                    format!("unknown parameter (known: {})", allowed.join(", "))
                };
                return Err(ApiError::invalid(key, known));
            }
            if pairs[..i].iter().any(|(k, _)| k == key) {
                return Err(ApiError::invalid(key, "given more than once"));
            }
        }
        Ok(Params(pairs))
    }

    /// The value of `name`, if given.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A whole number in `1..=max`; absent means `default`.
    pub(crate) fn count(&self, name: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::invalid(
                    name,
                    format!("must be a whole number from 1 to {max}"),
                )),
            },
        }
    }
}

/// Query pairs from a raw query string, percent-decoded; a string that
/// does not decode to UTF-8 pairs is a 400.
pub(crate) fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw.unwrap_or(""))
        .map_err(|e| ApiError::invalid("query", e))
}
