//! Slack incoming webhooks.

use std::time::Duration;

use serde_json::{Value, json};

use super::http::{DEFAULT_HTTP_TIMEOUT, Endpoint};
use crate::alerts::{Alert, AlertSink, AlertStatus, SendFuture};
use crate::errors::Severity;

/// Posts alerts to a Slack incoming webhook: one attachment coloured by
/// severity (green when resolved), plain readable text, no links. Caller
/// text is escaped so it can neither mention (`<!channel>`) nor link, and
/// URLs in it are defanged so Slack does not unfurl them.
#[derive(Debug)]
pub struct SlackSink(Endpoint);

impl SlackSink {
    /// A sink posting to `webhook_url` (kept secret: never logged).
    pub fn new(webhook_url: impl Into<String>) -> Self {
        Self::with_timeout(webhook_url, DEFAULT_HTTP_TIMEOUT)
    }

    /// The same with another request timeout.
    pub fn with_timeout(webhook_url: impl Into<String>, timeout: Duration) -> Self {
        SlackSink(Endpoint::new("slack", webhook_url.into(), timeout))
    }

    /// Names the sink (for counts), e.g. when there are several.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.0.name = name.into();
        self
    }
}

impl AlertSink for SlackSink {
    fn name(&self) -> &str {
        &self.0.name
    }

    fn send<'a>(&'a self, alert: &'a Alert) -> SendFuture<'a> {
        Box::pin(async move { self.0.post(&payload(alert)).await })
    }
}

/// Attachment colour per severity.
pub(crate) fn colour(alert: &Alert) -> &'static str {
    match (alert.status, alert.severity) {
        (AlertStatus::Resolved, _) => "#2eb67d",
        (_, Severity::Critical) => "#d7263d",
        (_, Severity::Error) => "#f46036",
        (_, Severity::Warning) => "#f4c430",
        (_, Severity::Info) => "#2e86ab",
    }
}

/// Text Slack shows as typed: `&`, `<`, `>` escaped as Slack requires,
/// URL schemes broken with a zero-width space so nothing becomes a link.
pub(crate) fn plain(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace("://", ":\u{200b}//")
}

pub(crate) fn payload(a: &Alert) -> Value {
    let state = match a.status {
        AlertStatus::Firing => a.severity.as_str().to_uppercase(),
        AlertStatus::Resolved => "RESOLVED".to_owned(),
    };
    let title = format!(
        "[{state}] {}: {} in {}",
        plain(&a.service),
        plain(&a.error_type),
        plain(&a.operation)
    );
    let mut fields = vec![
        json!({"title": "Occurrences", "value": a.count.to_string(), "short": true}),
        json!({"title": "Severity", "value": a.severity.as_str(), "short": true}),
    ];
    if let Some(client) = &a.client_id {
        fields.push(json!({"title": "Client", "value": plain(client), "short": true}));
    }
    fields.push(json!({"title": "Fingerprint", "value": plain(&a.fingerprint), "short": true}));
    json!({
        "text": title,
        "unfurl_links": false,
        "unfurl_media": false,
        "attachments": [{
            "color": colour(a),
            "fallback": title,
            "title": title,
            "text": plain(&a.summary),
            "fields": fields,
            "footer": format!("route {}", plain(&a.route)),
            "ts": crate::clock::unix_ms(a.last_seen) / 1000,
            "mrkdwn_in": [],
        }],
    })
}
