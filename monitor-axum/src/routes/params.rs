//! Query strings as routes read them: percent-decoded pairs, unknown or
//! repeated parameters refused, series lengths range-checked, every
//! failure a 400 naming the parameter.

use monitor_core::collector::{MAX_DAYS, MAX_HOURS};

use crate::ApiError;

/// Query pairs from a raw query string, percent-decoded; a pair that does
/// not decode to UTF-8 is a 400 naming its key.
pub(crate) fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let raw = raw.unwrap_or("");
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
        .map_err(|e| ApiError::invalid("query", e))
}

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

    /// The series length `periods` names, checked against its range.
    pub(crate) fn periods(&self, periods: Periods) -> Result<usize, ApiError> {
        periods.parse(self.get(periods.name))
    }
}

/// How many periods of a series to return: the parameter that says so,
/// its default and its largest value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Periods {
    /// The query parameter (`hours`, `days`).
    pub(crate) name: &'static str,
    default: usize,
    max: usize,
}

/// `hours`: 1–168, default 24.
pub(crate) const HOURS: Periods = Periods {
    name: "hours",
    default: 24,
    max: MAX_HOURS,
};

/// `days`: 1–30, default 7.
pub(crate) const DAYS: Periods = Periods {
    name: "days",
    default: 7,
    max: MAX_DAYS,
};

impl Periods {
    /// `name`, from 1 to `max`, `default` when absent.
    pub(crate) const fn new(name: &'static str, default: usize, max: usize) -> Self {
        Periods { name, default, max }
    }

    /// A whole number in `1..=max` from the parameter's value; absent
    /// means the default.
    pub(crate) fn parse(self, value: Option<&str>) -> Result<usize, ApiError> {
        match value {
            None => Ok(self.default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=self.max).contains(&n) => Ok(n),
                _ => Err(ApiError::invalid(
                    self.name,
                    format!("must be a whole number from 1 to {}", self.max),
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_default_and_bounds() {
        assert_eq!(HOURS.parse(None), Ok(24));
        assert_eq!(DAYS.parse(None), Ok(7));
        assert_eq!(HOURS.parse(Some("168")), Ok(168));
        assert_eq!(DAYS.parse(Some("1")), Ok(1));
        for bad in ["0", "169", "-1", "abc", "", "99999999999999999999999"] {
            let e = HOURS.parse(Some(bad)).expect_err(bad);
            assert_eq!(e.code(), "invalid_parameter");
        }
        assert!(DAYS.parse(Some("31")).is_err());
    }
}
