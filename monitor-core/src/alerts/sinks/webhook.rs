//! A generic JSON webhook.

use std::time::Duration;

use super::http::{DEFAULT_HTTP_TIMEOUT, client, post_json};
use crate::alerts::{Alert, AlertSink, SendFuture};

/// POSTs each [`Alert`] as JSON to a URL; any 2xx is success.
pub struct WebhookSink {
    name: String,
    url: String,
    client: reqwest::Client,
}

impl WebhookSink {
    /// A sink posting to `url` (kept secret: never logged).
    pub fn new(url: impl Into<String>) -> Self {
        Self::with_timeout(url, DEFAULT_HTTP_TIMEOUT)
    }

    /// The same with another request timeout.
    pub fn with_timeout(url: impl Into<String>, timeout: Duration) -> Self {
        WebhookSink {
            name: "webhook".to_owned(),
            url: url.into(),
            client: client(timeout),
        }
    }

    /// Names the sink (for counts), e.g. when there are several.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

impl std::fmt::Debug for WebhookSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSink")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl AlertSink for WebhookSink {
    fn name(&self) -> &str {
        &self.name
    }

    fn send<'a>(&'a self, alert: &'a Alert) -> SendFuture<'a> {
        Box::pin(async move { post_json(&self.client, &self.url, alert).await })
    }
}
