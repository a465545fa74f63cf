//! Reading the audit log: newest first, paged, filtered by action or
//! outcome, parsed from query-string pairs with errors naming the field.

use serde::Serialize;

use super::entry::{AuditEntry, AuditOutcome};

/// Default page size.
pub const DEFAULT_LIMIT: usize = 50;
/// Largest page size.
pub const MAX_LIMIT: usize = 500;
/// Largest offset (beyond any log's capacity).
pub const MAX_OFFSET: usize = 1_000_000;
/// Keys [`AuditQuery::parse`] understands.
pub const QUERY_KEYS: [&str; 4] = ["action", "outcome", "limit", "offset"];

/// Which entries to read: newest first, `offset` skipped, at most `limit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditQuery {
    /// An action (`error.resolve`), or a family without a dot (`error`
    /// matches every `error.*`).
    pub action: Option<String>,
    /// Only entries with this outcome.
    pub outcome: Option<AuditOutcome>,
    /// Page size, 1 to [`MAX_LIMIT`].
    pub limit: usize,
    /// Entries skipped (newest first) before the page.
    pub offset: usize,
}

impl Default for AuditQuery {
    fn default() -> Self {
        AuditQuery {
            action: None,
            outcome: None,
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

/// A query parameter that could not be used: which one, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid `{field}`: {message}")]
pub struct AuditQueryError {
    /// The parameter's name (its first 64 characters).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl AuditQueryError {
    fn new(field: &str, message: impl Into<String>) -> Self {
        AuditQueryError {
            field: field.chars().take(64).collect(),
            message: message.into(),
        }
    }
}

impl AuditQuery {
    /// Builds a query from key/value pairs (`?action=error&limit=20`).
    /// Unknown, repeated or malformed keys are errors naming the key.
    ///
    /// ```
    /// use monitor_core::audit::{AuditOutcome, AuditQuery};
    ///
    /// let q = AuditQuery::parse([("outcome", "refused"), ("limit", "10")])?;
    /// assert_eq!((q.outcome, q.limit), (Some(AuditOutcome::Refused), 10));
    /// assert_eq!(AuditQuery::parse([("limit", "0")]).unwrap_err().field, "limit");
    /// # Ok::<(), monitor_core::audit::AuditQueryError>(())
    /// ```
    pub fn parse<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self, AuditQueryError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut q = AuditQuery::default();
        let mut seen: Vec<&'static str> = Vec::new();
        for (key, value) in pairs {
            let (key, value) = (key.as_ref(), value.as_ref().trim());
            let Some(&known) = QUERY_KEYS.iter().find(|k| **k == key) else {
                return Err(AuditQueryError::new(
                    key,
                    format!("unknown parameter (known: {})", QUERY_KEYS.join(", ")),
                ));
            };
            if seen.contains(&known) {
                return Err(AuditQueryError::new(known, "given more than once"));
            }
            seen.push(known);
            let number = |min: usize, max: usize| {
                value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (min..=max).contains(n))
                    .ok_or_else(|| {
                        AuditQueryError::new(
                            known,
                            format!("expected a whole number from {min} to {max}"),
                        )
                    })
            };
            match known {
                "action" => {
                    let ok = !value.is_empty()
                        && value.len() <= super::entry::ACTION_BYTES
                        && value
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
                    if !ok {
                        return Err(AuditQueryError::new(
                            known,
                            "expected an action such as error.resolve, or a family such as error",
                        ));
                    }
                    q.action = Some(value.to_owned());
                }
                "outcome" => {
                    q.outcome = Some(AuditOutcome::parse(value).ok_or_else(|| {
                        AuditQueryError::new(known, "expected ok, refused or failed")
                    })?);
                }
                "limit" => q.limit = number(1, MAX_LIMIT)?,
                _ => q.offset = number(0, MAX_OFFSET)?,
            }
        }
        Ok(q)
    }

    /// Whether `entry` passes the filters.
    pub(crate) fn matches(&self, entry: &AuditEntry) -> bool {
        let action = self.action.as_deref().is_none_or(|want| {
            entry.action == want
                || (!want.contains('.')
                    && entry
                        .action
                        .strip_prefix(want)
                        .is_some_and(|rest| rest.starts_with('.')))
        });
        action && self.outcome.is_none_or(|o| entry.outcome == o)
    }
}

/// One page of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditPage {
    /// The entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// Entries matching the filters, before paging.
    pub total: usize,
    /// Entries the log dropped, oldest first, to stay within its capacity.
    pub evicted: u64,
    /// Most entries the log keeps.
    pub capacity: usize,
}
