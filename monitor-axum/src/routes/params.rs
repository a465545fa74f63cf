//! Query parameters more than one route reads: the raw pairs of a query
//! string, and the length of an hourly or daily series.

use monitor_core::collector::{MAX_DAYS, MAX_HOURS};

use crate::ApiError;

/// Query pairs from a raw query string, percent-decoded; a pair that does
/// not decode to UTF-8 is a 400 naming its key.
pub(crate) fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let raw = raw.unwrap_or("");
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
        .map_err(|e| ApiError::invalid("query", e))
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
