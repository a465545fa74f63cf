//! Serde helpers writing [`SystemTime`] as RFC 3339 text (UTC, milliseconds),
//! the timestamp format of every JSON shape the monitor emits.
//!
//! Use with `#[serde(with = "monitor_core::clock::rfc3339")]`, or the
//! [`option`] module for `Option<SystemTime>`.

use std::time::SystemTime;

use serde::{Deserialize, Deserializer, Serializer, de::Error as _};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Formats `t` as RFC 3339 in UTC with millisecond precision,
/// e.g. `2026-11-21T23:40:00.123Z`.
pub fn format(t: SystemTime) -> String {
    const UTC_MILLIS: &[time::format_description::BorrowedFormatItem<'_>] = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    OffsetDateTime::from(t)
        .format(UTC_MILLIS)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00.000Z"))
}

/// Parses RFC 3339 text (any offset) into a [`SystemTime`].
pub fn parse(text: &str) -> Result<SystemTime, time::error::Parse> {
    OffsetDateTime::parse(text, &Rfc3339).map(SystemTime::from)
}

/// Serializes a [`SystemTime`] as RFC 3339 text.
pub fn serialize<S: Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format(*t))
}

/// Deserializes RFC 3339 text into a [`SystemTime`].
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
    let text = String::deserialize(d)?;
    parse(&text).map_err(D::Error::custom)
}

/// The same for `Option<SystemTime>`: `None` is JSON `null`.
pub mod option {
    use super::*;

    /// Serializes `Some(t)` as RFC 3339 text and `None` as null.
    pub fn serialize<S: Serializer>(t: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_some(&format(*t)),
            None => s.serialize_none(),
        }
    }

    /// Deserializes RFC 3339 text or null.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| parse(&text).map_err(D::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn formats_utc_with_millis_and_parses_back() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_391_999_123);
        let text = format(t);
        assert_eq!(text, "2026-11-22T23:59:59.123Z");
        assert_eq!(parse(&text).ok(), Some(t));
    }

    #[test]
    fn parses_offsets_and_rejects_garbage() {
        let t = parse("2026-11-21T10:00:00+02:00").ok();
        assert_eq!(t, parse("2026-11-21T08:00:00Z").ok());
        assert!(parse("yesterday").is_err());
        assert!(parse("2026-13-40T00:00:00Z").is_err());
    }
}
