//! The body of `POST /api/alerts/silences`, checked field by field.

use std::time::{Duration, SystemTime};

use monitor_core::alerts::Matcher;
use monitor_core::clock::rfc3339;
use monitor_core::errors::Severity;
use serde::Deserialize;

use crate::ApiError;

/// Most values in one matcher list.
pub(crate) const MAX_VALUES: usize = 16;
/// Longest matcher value, in bytes.
pub(crate) const VALUE_BYTES: usize = 128;
/// Longest comment, in characters.
pub(crate) const COMMENT_CHARS: usize = 256;
/// Longest silence.
pub(crate) const MAX_SILENCE: Duration = Duration::from_secs(30 * 86_400);

/// `{"services":["db"],"min_severity":"error","duration":"2h","comment":"…"}`:
/// matcher fields (each optional; none matches every alert), exactly one
/// of `duration` (`90s`, `30m`, `2h`, `1d`; up to 30 days) or `ends_at`
/// (RFC 3339, in the next 30 days), and a comment (required).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewSilence {
    #[serde(default)]
    min_severity: Option<Severity>,
    #[serde(default)]
    severities: Vec<Severity>,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    clients: Vec<String>,
    #[serde(default)]
    error_types: Vec<String>,
    #[serde(default)]
    fingerprints: Vec<String>,
    #[serde(default)]
    duration: Option<String>,
    #[serde(default)]
    ends_at: Option<String>,
    #[serde(default)]
    comment: Option<String>,
}

/// A checked silence: what the alert router takes.
pub(crate) struct Checked {
    pub(crate) matcher: Matcher,
    pub(crate) ends_at: SystemTime,
    pub(crate) comment: String,
}

impl NewSilence {
    /// The silence, or a 400 naming the first field at fault.
    pub(crate) fn check(self, now: SystemTime) -> Result<Checked, ApiError> {
        if self.severities.len() > MAX_VALUES {
            return Err(ApiError::invalid(
                "severities",
                format!("at most {MAX_VALUES} values"),
            ));
        }
        let matcher = Matcher {
            min_severity: self.min_severity,
            severities: self.severities,
            services: list("services", self.services)?,
            clients: list("clients", self.clients)?,
            error_types: list("error_types", self.error_types)?,
            fingerprints: list("fingerprints", self.fingerprints)?,
        };
        let ends_at = match (self.duration, self.ends_at) {
            (Some(d), None) => now + duration(&d)?,
            (None, Some(t)) => {
                let t = rfc3339::parse(&t)
                    .map_err(|_| ApiError::invalid("ends_at", "expected an RFC 3339 time"))?;
                if t <= now || t > now + MAX_SILENCE {
                    return Err(ApiError::invalid(
                        "ends_at",
                        "must be in the future, at most 30 days from now",
                    ));
                }
                t
            }
            _ => {
                return Err(ApiError::invalid(
                    "duration",
                    "give either duration or ends_at (exactly one)",
                ));
            }
        };
        let comment = self.comment.unwrap_or_default();
        let comment = comment.trim();
        if comment.is_empty()
            || comment.chars().count() > COMMENT_CHARS
            || comment.chars().any(char::is_control)
        {
            return Err(ApiError::invalid(
                "comment",
                format!("required: 1 to {COMMENT_CHARS} characters, no control characters"),
            ));
        }
        Ok(Checked {
            matcher,
            ends_at,
            comment: comment.to_owned(),
        })
    }
}

/// A matcher list: at most [`MAX_VALUES`] values of 1 to
/// [`VALUE_BYTES`] bytes, no control characters.
fn list(field: &str, values: Vec<String>) -> Result<Vec<String>, ApiError> {
    if values.len() > MAX_VALUES {
        return Err(ApiError::invalid(
            field,
            format!("at most {MAX_VALUES} values"),
        ));
    }
    for (i, v) in values.iter().enumerate() {
        if v.is_empty() || v.len() > VALUE_BYTES || v.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                &format!("{field}[{i}]"),
                format!("1 to {VALUE_BYTES} bytes, no control characters"),
            ));
        }
    }
    Ok(values)
}

/// `90s`, `30m`, `2h` or `1d`: from a second to 30 days.
pub(crate) fn duration(text: &str) -> Result<Duration, ApiError> {
    let bad = || {
        ApiError::invalid(
            "duration",
            "expected a whole number and a unit (s, m, h, d), from 1s to 30d, e.g. 2h",
        )
    };
    let text = text.trim();
    let split = text.len().checked_sub(1).ok_or_else(bad)?;
    let (number, unit) = (text.get(..split).ok_or_else(bad)?, &text[split..]);
    let n: u64 = number.parse().map_err(|_| bad())?;
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    let d = Duration::from_secs(n.checked_mul(unit).ok_or_else(bad)?);
    if d.is_zero() || d > MAX_SILENCE {
        return Err(bad());
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_have_a_unit_and_a_range() {
        assert_eq!(duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(duration(" 2h "), Ok(Duration::from_secs(7_200)));
        assert_eq!(duration("30d"), Ok(MAX_SILENCE));
        for bad in [
            "",
            "h",
            "0s",
            "31d",
            "2",
            "2w",
            "-1h",
            "1.5h",
            "é",
            "99999999999999999999d",
        ] {
            let e = duration(bad).expect_err(bad);
            assert!(
                e.message().starts_with("duration"),
                "{bad}: {}",
                e.message()
            );
        }
    }
}
