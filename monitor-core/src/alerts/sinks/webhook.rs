//! A generic JSON webhook.

use std::time::Duration;

use super::http::{DEFAULT_HTTP_TIMEOUT, Endpoint};
use crate::alerts::{Alert, AlertSink, SendFuture};

/// POSTs each [`Alert`] as JSON to a URL; any 2xx is success.
#[derive(Debug)]
pub struct WebhookSink(Endpoint);

impl WebhookSink {
    /// A sink posting to `url` (kept secret: never logged).
    pub fn new(url: impl Into<String>) -> Self {
        Self::with_timeout(url, DEFAULT_HTTP_TIMEOUT)
    }

    /// The same with another request timeout.
    pub fn with_timeout(url: impl Into<String>, timeout: Duration) -> Self {
        WebhookSink(Endpoint::new("webhook", url.into(), timeout))
    }

    /// Names the sink (for counts), e.g. when there are several.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.0.name = name.into();
        self
    }
}

impl AlertSink for WebhookSink {
    fn name(&self) -> &str {
        &self.0.name
    }

    fn send<'a>(&'a self, alert: &'a Alert) -> SendFuture<'a> {
        Box::pin(async move { self.0.post(alert).await })
    }
}
