//! Deciding an error's severity: a trait at the seam, closures for free,
//! and a rule list for configuration.

use serde::{Deserialize, Serialize};

use super::{ErrorEvent, Severity};

/// Maps an error to a severity. Any `Fn(&ErrorEvent) -> Severity` is one:
///
/// ```
/// use monitor_core::errors::{ErrorClassifier, ErrorEvent, Severity};
///
/// let by_service = |e: &ErrorEvent| {
///     if e.service == "db" { Severity::Critical } else { Severity::Error }
/// };
/// let e = ErrorEvent::new("db", "query", "Timeout", "slow");
/// assert_eq!(by_service.classify(&e), Severity::Critical);
/// ```
pub trait ErrorClassifier: Send + Sync {
    /// The severity of `event` (its own `severity`, if set, wins before
    /// this is asked).
    fn classify(&self, event: &ErrorEvent) -> Severity;
}

impl<F> ErrorClassifier for F
where
    F: Fn(&ErrorEvent) -> Severity + Send + Sync,
{
    fn classify(&self, event: &ErrorEvent) -> Severity {
        self(event)
    }
}

/// One rule: every condition given must hold. Type and service compare
/// case-insensitively and whole; the message condition is a
/// case-insensitive substring.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Matches this error type.
    pub error_type: Option<String>,
    /// Matches this service.
    pub service: Option<String>,
    /// Matches messages containing this text.
    pub message_contains: Option<String>,
    /// The severity when it matches.
    pub severity: Severity,
}

impl Rule {
    /// A rule giving `severity` to everything (narrow it with the methods
    /// below).
    pub fn new(severity: Severity) -> Self {
        Rule {
            severity,
            ..Rule::default()
        }
    }

    /// Only errors of this type.
    pub fn error_type(mut self, error_type: impl Into<String>) -> Self {
        self.error_type = Some(error_type.into());
        self
    }

    /// Only errors from this service.
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    /// Only errors whose message contains this text (ASCII letters
    /// compare case-insensitively).
    pub fn message_contains(mut self, text: impl Into<String>) -> Self {
        self.message_contains = Some(text.into());
        self
    }

    fn matches(&self, e: &ErrorEvent) -> bool {
        let same = |want: &Option<String>, got: &str| {
            want.as_deref().is_none_or(|w| w.eq_ignore_ascii_case(got))
        };
        same(&self.error_type, &e.error_type)
            && same(&self.service, &e.service)
            && self
                .message_contains
                .as_deref()
                .is_none_or(|w| contains_ignore_case(&e.message, w))
    }
}

/// The default classifier: rules in order, first match wins, else the
/// fallback (default [`Severity::Error`]).
///
/// ```
/// use monitor_core::errors::{ErrorClassifier, ErrorEvent, Rule, RuleClassifier, Severity};
///
/// let classifier = RuleClassifier::new(Severity::Error)
///     .rule(Rule::new(Severity::Critical).service("payments"))
///     .rule(Rule::new(Severity::Warning).error_type("RateLimited"))
///     .rule(Rule::new(Severity::Info).message_contains("retrying"));
/// let e = ErrorEvent::new("whatsapp", "send", "RateLimited", "429");
/// assert_eq!(classifier.classify(&e), Severity::Warning);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleClassifier {
    rules: Vec<Rule>,
    fallback: Severity,
}

impl RuleClassifier {
    /// No rules yet; everything is `fallback`.
    pub fn new(fallback: Severity) -> Self {
        RuleClassifier {
            rules: Vec::new(),
            fallback,
        }
    }

    /// Appends a rule (earlier rules win).
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }
}

impl ErrorClassifier for RuleClassifier {
    fn classify(&self, event: &ErrorEvent) -> Severity {
        self.rules
            .iter()
            .find(|r| r.matches(event))
            .map_or(self.fallback, |r| r.severity)
    }
}

/// `true` when `haystack` contains `needle`, ASCII letters compared
/// case-insensitively; no allocation.
pub(crate) fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(service: &str, kind: &str, message: &str) -> ErrorEvent {
        ErrorEvent::new(service, "op", kind, message)
    }

    #[test]
    fn first_matching_rule_wins_and_all_conditions_must_hold() {
        let c = RuleClassifier::new(Severity::Info)
            .rule(
                Rule::new(Severity::Critical)
                    .service("db")
                    .error_type("Down"),
            )
            .rule(Rule::new(Severity::Warning).service("db"))
            .rule(Rule::new(Severity::Error).message_contains("FAILED"));
        assert_eq!(c.classify(&e("DB", "down", "x")), Severity::Critical);
        assert_eq!(c.classify(&e("db", "Slow", "x")), Severity::Warning);
        assert_eq!(
            c.classify(&e("api", "X", "request failed twice")),
            Severity::Error
        );
        assert_eq!(c.classify(&e("api", "X", "fine")), Severity::Info);
    }

    #[test]
    fn closures_are_classifiers() {
        let c: Box<dyn ErrorClassifier> = Box::new(|_: &ErrorEvent| Severity::Warning);
        assert_eq!(c.classify(&e("a", "b", "c")), Severity::Warning);
    }
}
