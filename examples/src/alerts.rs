//! The demo's alert routing and severity rules, built from its
//! [`AlertSettings`].
//!
//! - Slack (`MONITOR_SLACK_WEBHOOK`) gets errors and criticals; a channel
//!   of people should not hear about every warning.
//! - Alertmanager (`MONITOR_ALERTMANAGER_URL`) gets every severity: it has
//!   its own routing, silences and inhibition, keyed on the `severity`
//!   label.
//! - `MONITOR_ALERT_GROUP_WAIT` sets both routes' group wait; group
//!   interval and repeat interval keep Alertmanager's defaults (5 min, 4 h).
//!
//! With neither sink set there is no router at all.

use monitor_core::alerts::{AlertRouter, AlertmanagerSink, Route, SlackSink};
use monitor_core::errors::{Rule, RuleClassifier, Severity};

use crate::config::AlertSettings;

/// The router for `settings`, or `None` when no sink is configured.
pub fn alert_router(settings: &AlertSettings) -> Option<AlertRouter> {
    let timed = |route: Route| match settings.group_wait {
        Some(wait) => route.group_wait(wait),
        None => route,
    };
    let mut router = AlertRouter::new();
    let mut any = false;
    if let Some(url) = &settings.slack_webhook {
        router = router.route(timed(
            Route::new("slack")
                .min_severity(Severity::Error)
                .sink(SlackSink::new(url.expose()))
                .continue_matching(),
        ));
        any = true;
    }
    if let Some(url) = &settings.alertmanager_url {
        router = router.route(timed(
            Route::new("alertmanager").sink(AlertmanagerSink::new(url.as_str())),
        ));
        any = true;
    }
    any.then_some(router)
}

/// Where alerts go, for the start-up banner (no URLs: a Slack webhook URL
/// is a secret).
pub fn describe(settings: &AlertSettings) -> String {
    let mut sinks = Vec::new();
    if settings.slack_webhook.is_some() {
        sinks.push("Slack (error and critical)");
    }
    if settings.alertmanager_url.is_some() {
        sinks.push("Alertmanager (every severity)");
    }
    if sinks.is_empty() {
        return "off (set MONITOR_SLACK_WEBHOOK or MONITOR_ALERTMANAGER_URL)".to_owned();
    }
    let wait = settings
        .group_wait
        .map_or_else(|| "30s".to_owned(), |w| format!("{w:?}"));
    format!("{}; group wait {wait}", sinks.join(", "))
}

/// The demo's severity rules for errors reported without a severity
/// (through `POST /webhook/error` or `call_failed`); anything else is an
/// error.
pub fn classifier() -> RuleClassifier {
    RuleClassifier::new(Severity::Error)
        .rule(Rule::new(Severity::Critical).service("payments"))
        .rule(Rule::new(Severity::Critical).error_type("GatewayDown"))
        .rule(Rule::new(Severity::Warning).error_type("RateLimited"))
        .rule(Rule::new(Severity::Warning).message_contains("retrying"))
        .rule(Rule::new(Severity::Info).error_type("BadPayload"))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use monitor_core::errors::{ErrorClassifier, ErrorEvent};

    use super::*;
    use crate::config::Secret;

    #[test]
    fn no_sink_no_router() {
        assert!(alert_router(&AlertSettings::default()).is_none());
        assert!(describe(&AlertSettings::default()).starts_with("off"));
    }

    #[test]
    fn each_sink_gets_a_route_and_the_url_never_shows() {
        let settings = AlertSettings {
            slack_webhook: Some(Secret::new("https://hooks.slack.com/services/secret")),
            alertmanager_url: Some("http://127.0.0.1:9093".to_owned()),
            group_wait: Some(Duration::from_secs(1)),
        };
        let router = alert_router(&settings).expect("two sinks");
        let shown = format!("{router:?}");
        assert!(
            shown.contains("\"slack\"") && shown.contains("\"alertmanager\""),
            "{shown}"
        );
        assert!(shown.contains("group_wait: 1s"), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
        let banner = describe(&settings);
        assert!(
            banner.contains("Slack") && banner.contains("group wait 1s"),
            "{banner}"
        );
        assert!(!banner.contains("secret"));
    }

    #[test]
    fn classifier_rules() {
        let c = classifier();
        let e = |s: &str, t: &str, m: &str| ErrorEvent::new(s, "op", t, m);
        assert_eq!(c.classify(&e("payments", "X", "")), Severity::Critical);
        assert_eq!(c.classify(&e("llm", "RateLimited", "")), Severity::Warning);
        assert_eq!(
            c.classify(&e("db", "Timeout", "retrying")),
            Severity::Warning
        );
        assert_eq!(c.classify(&e("webhook", "BadPayload", "")), Severity::Info);
        assert_eq!(c.classify(&e("db", "Timeout", "31 s")), Severity::Error);
    }
}
