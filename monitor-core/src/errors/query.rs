//! Filtering, sorting and paging the error log, and parsing that from the
//! key/value pairs of a query string (so HTTP and tests share one parser
//! with one set of error messages).

use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::classifier::contains_ignore_case;
use super::record::{ErrorRecord, ErrorView};
use super::{ErrorLog, Severity};
use crate::clock::{rfc3339, unix_ms};

/// Default page size.
pub const DEFAULT_LIMIT: usize = 50;
/// Largest page size.
pub const MAX_LIMIT: usize = 500;
/// Largest offset (beyond any log's capacity).
pub const MAX_OFFSET: usize = 1_000_000;
/// Longest filter value accepted.
pub const MAX_VALUE_BYTES: usize = 256;

/// A preset look-back window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeRange {
    /// The last hour (`1h`).
    Hour,
    /// The last 6 hours (`6h`).
    SixHours,
    /// The last 24 hours (`24h`).
    Day,
    /// The last 7 days (`7d`).
    Week,
}

impl TimeRange {
    /// How far back it reaches.
    pub fn duration(self) -> Duration {
        Duration::from_secs(match self {
            TimeRange::Hour => 3_600,
            TimeRange::SixHours => 6 * 3_600,
            TimeRange::Day => 86_400,
            TimeRange::Week => 7 * 86_400,
        })
    }
}

/// Order of the results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Newest first (`time`, the default).
    #[default]
    Newest,
    /// Oldest first (`time_asc`).
    Oldest,
    /// Most severe first, newest first within a severity (`severity`).
    Severity,
}

/// A query over the error log. Every filter given must hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorQuery {
    /// Look-back window (alternative to `since`/`until`).
    pub range: Option<TimeRange>,
    /// Logged at or after.
    pub since: Option<SystemTime>,
    /// Logged at or before.
    pub until: Option<SystemTime>,
    /// This service exactly.
    pub service: Option<String>,
    /// This error type exactly.
    pub error_type: Option<String>,
    /// Any of these severities (all when empty).
    pub severities: Vec<Severity>,
    /// This tenant exactly.
    pub client_id: Option<String>,
    /// Text in the message, type, service or operation (ASCII
    /// case-insensitive).
    pub search: Option<String>,
    /// Resolved (`true`) or not (`false`).
    pub resolved: Option<bool>,
    /// Order.
    pub sort: Sort,
    /// Page size (1–500, default 50).
    pub limit: usize,
    /// Results to skip.
    pub offset: usize,
}

impl Default for ErrorQuery {
    fn default() -> Self {
        ErrorQuery {
            range: None,
            since: None,
            until: None,
            service: None,
            error_type: None,
            severities: Vec::new(),
            client_id: None,
            search: None,
            resolved: None,
            sort: Sort::Newest,
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

/// A query parameter that could not be used: which one, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid `{field}`: {message}")]
pub struct QueryError {
    /// The parameter's name.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl QueryError {
    fn new(field: &str, message: impl Into<String>) -> Self {
        QueryError {
            field: field.chars().take(64).collect(),
            message: message.into(),
        }
    }
}

/// Keys [`ErrorQuery::parse`] understands.
pub const QUERY_KEYS: [&str; 12] = [
    "range", "since", "until", "service", "type", "severity", "client", "q", "resolved", "sort",
    "limit", "offset",
];

impl ErrorQuery {
    /// Builds a query from key/value pairs, as found in
    /// `?range=24h&severity=critical,error&q=timeout&limit=20`.
    /// Unknown, repeated, empty or malformed keys are errors naming the
    /// key.
    pub fn parse<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self, QueryError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut q = ErrorQuery::default();
        let mut seen: Vec<&'static str> = Vec::new();
        for (key, value) in pairs {
            let (key, value) = (key.as_ref(), value.as_ref());
            let Some(&known) = QUERY_KEYS.iter().find(|k| **k == key) else {
                return Err(QueryError::new(
                    key,
                    format!(
                        "unknown parameter (expected one of {})",
                        QUERY_KEYS.join(", ")
                    ),
                ));
            };
            if seen.contains(&known) {
                return Err(QueryError::new(known, "given more than once"));
            }
            seen.push(known);
            if value.len() > MAX_VALUE_BYTES {
                return Err(QueryError::new(
                    known,
                    format!("longer than {MAX_VALUE_BYTES} bytes"),
                ));
            }
            q.set(known, value)?;
        }
        if q.range.is_some() && (q.since.is_some() || q.until.is_some()) {
            return Err(QueryError::new(
                "range",
                "give either range or since/until, not both",
            ));
        }
        if let (Some(since), Some(until)) = (q.since, q.until)
            && since > until
        {
            return Err(QueryError::new("since", "is after `until`"));
        }
        Ok(q)
    }

    fn set(&mut self, key: &'static str, value: &str) -> Result<(), QueryError> {
        let text = |v: &str| {
            let v = v.trim();
            if v.is_empty() || v.chars().any(char::is_control) {
                Err(QueryError::new(
                    key,
                    "must be non-empty text without control characters",
                ))
            } else {
                Ok(v.to_owned())
            }
        };
        let time = |v: &str| {
            rfc3339::parse(v.trim()).map_err(|_| {
                QueryError::new(
                    key,
                    "expected an RFC 3339 time such as 2026-11-21T10:00:00Z",
                )
            })
        };
        let number = |v: &str, min: usize, max: usize| {
            v.trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    QueryError::new(key, format!("expected a whole number from {min} to {max}"))
                })
        };
        match key {
            "range" => {
                self.range = Some(match value.trim() {
                    "1h" => TimeRange::Hour,
                    "6h" => TimeRange::SixHours,
                    "24h" => TimeRange::Day,
                    "7d" => TimeRange::Week,
                    _ => return Err(QueryError::new(key, "expected 1h, 6h, 24h or 7d")),
                });
            }
            "since" => self.since = Some(time(value)?),
            "until" => self.until = Some(time(value)?),
            "service" => self.service = Some(text(value)?),
            "type" => self.error_type = Some(text(value)?),
            "client" => self.client_id = Some(text(value)?),
            "q" => self.search = Some(text(value)?),
            "severity" => {
                for part in value.split(',') {
                    let s: Severity =
                        part.parse()
                            .map_err(|e: super::severity::UnknownSeverity| {
                                QueryError::new(key, e.to_string())
                            })?;
                    if !self.severities.contains(&s) {
                        self.severities.push(s);
                    }
                }
            }
            "resolved" => {
                self.resolved = Some(match value.trim() {
                    "true" | "1" => true,
                    "false" | "0" => false,
                    _ => return Err(QueryError::new(key, "expected true or false")),
                });
            }
            "sort" => {
                self.sort = match value.trim() {
                    "time" | "time_desc" => Sort::Newest,
                    "time_asc" => Sort::Oldest,
                    "severity" => Sort::Severity,
                    _ => return Err(QueryError::new(key, "expected time, time_asc or severity")),
                };
            }
            "limit" => self.limit = number(value, 1, MAX_LIMIT)?,
            "offset" => self.offset = number(value, 0, MAX_OFFSET)?,
            _ => return Err(QueryError::new(key, "unknown parameter")),
        }
        Ok(())
    }

    /// Narrows the query to one tenant (what a `client:{id}` token may see).
    pub fn for_client(mut self, client_id: &str) -> Self {
        self.client_id = Some(client_id.to_owned());
        self
    }

    /// The time window `[from, to]` in ms at `now_ms`.
    fn window(&self, now_ms: u64) -> (u64, u64) {
        let from = match (self.range, self.since) {
            (Some(r), _) => {
                now_ms.saturating_sub(u64::try_from(r.duration().as_millis()).unwrap_or(u64::MAX))
            }
            (None, Some(since)) => unix_ms(since),
            (None, None) => 0,
        };
        (from, self.until.map_or(u64::MAX, unix_ms))
    }

    fn matches(&self, r: &ErrorRecord, (from, to): (u64, u64)) -> bool {
        let t = unix_ms(r.timestamp);
        let same = |want: &Option<String>, got: &str| want.as_deref().is_none_or(|w| w == got);
        (from..=to).contains(&t)
            && same(&self.service, &r.service)
            && same(&self.error_type, &r.error_type)
            && (self.severities.is_empty() || self.severities.contains(&r.severity))
            && self
                .client_id
                .as_deref()
                .is_none_or(|c| r.client_id.as_deref() == Some(c))
            && self.resolved.is_none_or(|want| r.resolved() == want)
            && self.search.as_deref().is_none_or(|q| {
                [&r.message, &r.error_type, &r.service, &r.operation]
                    .iter()
                    .any(|field| contains_ignore_case(field, q))
            })
    }
}

/// One page of results and how many matched in all.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorPage {
    /// The page, in the query's order.
    pub errors: Vec<ErrorView>,
    /// Matches before paging.
    pub total: usize,
}

impl ErrorLog {
    /// Runs `query` over the errors still in the log.
    ///
    /// Matching and sorting work on ids only; views are built for the page
    /// alone, so a broad query over a full log stays cheap and loggers are
    /// never held up.
    pub fn query(&self, query: &ErrorQuery) -> ErrorPage {
        let window = query.window(self.inner.clock.now_ms());
        let mut matches: Vec<(u64, Severity)> = Vec::new();
        self.visit(|r| {
            if query.matches(r, window) {
                matches.push((r.id, r.severity));
            }
        });
        // Ids follow logging order; concurrent loggers may reach the ring
        // in a slightly different order, so sort rather than trust it.
        match query.sort {
            Sort::Newest => matches.sort_unstable_by_key(|&(id, _)| std::cmp::Reverse(id)),
            Sort::Oldest => matches.sort_unstable_by_key(|&(id, _)| id),
            Sort::Severity => matches.sort_unstable_by_key(|&(id, s)| std::cmp::Reverse((s, id))),
        }
        let total = matches.len();
        let page: Vec<u64> = matches
            .iter()
            .skip(query.offset)
            .take(query.limit)
            .map(|&(id, _)| id)
            .collect();
        let mut views: Vec<ErrorView> = Vec::with_capacity(page.len());
        if !page.is_empty() {
            let (lo, hi) = page
                .iter()
                .fold((u64::MAX, 0), |(lo, hi), &id| (lo.min(id), hi.max(id)));
            self.visit(|r| {
                if (lo..=hi).contains(&r.id) && page.contains(&r.id) {
                    views.push(r.view());
                }
            });
            views.sort_by_key(|v| page.iter().position(|&id| id == v.id));
        }
        ErrorPage {
            errors: views,
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_parameter() {
        let q = ErrorQuery::parse([
            ("since", "2026-11-21T10:00:00Z"),
            ("until", "2026-11-21T12:00:00+01:00"),
            ("service", "db"),
            ("type", "Timeout"),
            ("severity", "critical,ERROR,critical"),
            ("client", "acme"),
            ("q", "refused"),
            ("resolved", "false"),
            ("sort", "severity"),
            ("limit", "20"),
            ("offset", "40"),
        ])
        .expect("valid");
        assert_eq!(q.severities, [Severity::Critical, Severity::Error]);
        assert_eq!(q.sort, Sort::Severity);
        assert_eq!((q.limit, q.offset), (20, 40));
        assert_eq!(q.resolved, Some(false));
        let r = ErrorQuery::parse([("range", "7d")]).expect("valid");
        assert_eq!(r.range, Some(TimeRange::Week));
    }

    #[test]
    fn bad_values_name_their_field() {
        let field =
            |pairs: &[(&str, &str)]| ErrorQuery::parse(pairs.iter().copied()).map_err(|e| e.field);
        assert_eq!(field(&[("limit", "-1")]), Err("limit".into()));
        assert_eq!(field(&[("limit", "0")]), Err("limit".into()));
        assert_eq!(field(&[("limit", "501")]), Err("limit".into()));
        assert_eq!(field(&[("limit", "ten")]), Err("limit".into()));
        assert_eq!(
            field(&[("offset", "99999999999999999999")]),
            Err("offset".into())
        );
        assert_eq!(field(&[("range", "2h")]), Err("range".into()));
        assert_eq!(field(&[("since", "yesterday")]), Err("since".into()));
        assert_eq!(field(&[("severity", "loud")]), Err("severity".into()));
        assert_eq!(field(&[("resolved", "maybe")]), Err("resolved".into()));
        assert_eq!(field(&[("sort", "random")]), Err("sort".into()));
        assert_eq!(field(&[("service", "")]), Err("service".into()));
        assert_eq!(field(&[("q", "a\u{0}b")]), Err("q".into()));
        assert_eq!(field(&[("serivce", "db")]), Err("serivce".into()));
        assert_eq!(
            field(&[("limit", "5"), ("limit", "6")]),
            Err("limit".into())
        );
        assert_eq!(
            field(&[("range", "1h"), ("since", "2026-11-21T10:00:00Z")]),
            Err("range".into())
        );
        assert_eq!(
            field(&[
                ("since", "2026-11-22T00:00:00Z"),
                ("until", "2026-11-21T00:00:00Z")
            ]),
            Err("since".into())
        );
        let long = "x".repeat(MAX_VALUE_BYTES + 1);
        assert_eq!(field(&[("q", long.as_str())]), Err("q".into()));
        let e = ErrorQuery::parse([("limit", "ten")]).expect_err("invalid");
        assert_eq!(
            e.to_string(),
            "invalid `limit`: expected a whole number from 1 to 500"
        );
    }
}
