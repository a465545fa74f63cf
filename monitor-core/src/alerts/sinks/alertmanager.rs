//! Prometheus Alertmanager, API v2.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::http::{DEFAULT_HTTP_TIMEOUT, Endpoint};
use crate::alerts::{Alert, AlertSink, AlertStatus, SendFuture};
use crate::clock::rfc3339;

/// How often firing alerts are re-posted by default.
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(60);

/// Posts alerts to Alertmanager (`POST {base}/api/v2/alerts`) with labels
/// `alertname` (the error type), `severity`, `service`, `operation`,
/// `client_id` (when there is one) and `fingerprint`.
///
/// Alertmanager forgets an alert whose `endsAt` passes, so firing alerts
/// carry `endsAt` four refresh intervals ahead and are re-posted every
/// interval while firing (the router asks [`AlertSink::refresh_interval`]);
/// if this process dies they resolve on their own. A resolved group is
/// posted once more with `endsAt` = the resolution time. Several instances
/// posting the same alert are de-duplicated by Alertmanager on the labels.
pub struct AlertmanagerSink {
    endpoint: Endpoint,
    refresh: Duration,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PostableAlert<'a> {
    labels: BTreeMap<&'static str, &'a str>,
    annotations: BTreeMap<&'static str, String>,
    #[serde(with = "rfc3339")]
    starts_at: SystemTime,
    #[serde(with = "rfc3339")]
    ends_at: SystemTime,
}

impl AlertmanagerSink {
    /// A sink for the Alertmanager at `base_url` (e.g.
    /// `http://alertmanager:9093`).
    pub fn new(base_url: impl Into<String>) -> Self {
        let base = base_url.into();
        let url = format!("{}/api/v2/alerts", base.trim_end_matches('/'));
        AlertmanagerSink {
            endpoint: Endpoint::new("alertmanager", url, DEFAULT_HTTP_TIMEOUT),
            refresh: DEFAULT_REFRESH,
        }
    }

    /// Re-posts firing alerts every `refresh` (default 60 s).
    pub fn refresh_every(mut self, refresh: Duration) -> Self {
        self.refresh = refresh.max(Duration::from_millis(100));
        self
    }

    fn postable<'a>(&self, a: &'a Alert) -> PostableAlert<'a> {
        let mut labels = BTreeMap::from([
            ("alertname", a.error_type.as_str()),
            ("severity", a.severity.as_str()),
            ("service", a.service.as_str()),
            ("operation", a.operation.as_str()),
            ("fingerprint", a.fingerprint.as_str()),
        ]);
        if let Some(client) = &a.client_id {
            labels.insert("client_id", client);
        }
        let ends_at = match (a.status, a.ends_at) {
            (AlertStatus::Resolved, Some(at)) => at,
            _ => SystemTime::now() + self.refresh * 4,
        };
        PostableAlert {
            labels,
            annotations: BTreeMap::from([
                ("summary", a.summary.clone()),
                (
                    "description",
                    format!("{} occurrence(s) since the group started firing", a.count),
                ),
            ]),
            starts_at: a.starts_at,
            ends_at,
        }
    }
}

impl std::fmt::Debug for AlertmanagerSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertmanagerSink")
            .field("endpoint", &self.endpoint)
            .field("refresh", &self.refresh)
            .finish()
    }
}

impl AlertSink for AlertmanagerSink {
    fn name(&self) -> &str {
        "alertmanager"
    }

    fn send<'a>(&'a self, alert: &'a Alert) -> SendFuture<'a> {
        Box::pin(async move { self.endpoint.post(&[self.postable(alert)]).await })
    }

    fn refresh_interval(&self) -> Option<Duration> {
        Some(self.refresh)
    }
}
