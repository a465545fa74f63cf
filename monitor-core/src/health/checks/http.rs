//! [`HttpCheck`]: does an HTTP endpoint answer a GET with 2xx?

use std::time::Duration;

use reqwest::Url;

use super::timing;
use crate::health::{CheckFuture, CheckResult, HealthCheck};

/// Up when a GET to the URL answers 2xx (redirects followed), down on any
/// other status or a transport error, degraded when the answer takes
/// longer than [`degraded_after`](Self::degraded_after). The runner's
/// timeout bounds a server that hangs.
///
/// The URL may carry secrets (a token in the query, credentials): it never
/// appears in the check's detail nor in `Debug`, which show the status,
/// the timing and the error's kind only.
///
/// ```
/// use monitor_core::health::{CheckOptions, Health, HttpCheck};
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let payments = HttpCheck::new("https://api.example.com/status?key=secret")
///     .degraded_after(Duration::from_millis(800));
/// let health = Health::builder()
///     .check("payments", payments, CheckOptions::optional().timeout(Duration::from_secs(3)))
///     .spawn()
///     .expect("inside a tokio runtime");
/// # }
/// ```
#[derive(Clone)]
pub struct HttpCheck {
    url: Option<Url>,
    client: reqwest::Client,
    degraded_after: Option<Duration>,
}

impl HttpCheck {
    /// GETs `url` each run. An unparsable URL makes every run down
    /// ("invalid URL").
    pub fn new(url: impl AsRef<str>) -> Self {
        let client = crate::http_client::builder()
            .user_agent(concat!("monitor-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        HttpCheck {
            url: Url::parse(url.as_ref()).ok(),
            client,
            degraded_after: None,
        }
    }

    /// Uses `client` (its pool, TLS and proxy settings) for the GET.
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = client;
        self
    }

    /// Reports degraded when the answer takes longer than `limit`.
    pub fn degraded_after(mut self, limit: Duration) -> Self {
        self.degraded_after = Some(limit);
        self
    }

    /// The URL without credentials, query or fragment.
    fn shown(&self) -> String {
        self.url.as_ref().map_or_else(
            || "invalid URL".to_owned(),
            |url| {
                let mut shown = url.clone();
                let _ = shown.set_username("");
                let _ = shown.set_password(None);
                shown.set_query(None);
                shown.set_fragment(None);
                shown.to_string()
            },
        )
    }
}

impl HealthCheck for HttpCheck {
    fn check(&self) -> CheckFuture<'_> {
        Box::pin(async move {
            let Some(url) = self.url.clone() else {
                return CheckResult::down("invalid URL");
            };
            let started = tokio::time::Instant::now();
            match self.client.get(url).send().await {
                Ok(response) => {
                    let status = response.status();
                    drop(response);
                    let (took, slow) = timing(started.elapsed(), self.degraded_after);
                    let detail = format!("HTTP {} {took}", status.as_u16());
                    if !status.is_success() {
                        CheckResult::down(detail)
                    } else if slow {
                        CheckResult::degraded(detail)
                    } else {
                        CheckResult::up(detail)
                    }
                }
                Err(e) => CheckResult::down(crate::http_client::describe(e)),
            }
        })
    }
}

impl std::fmt::Debug for HttpCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpCheck")
            .field("url", &self.shown())
            .field("degraded_after", &self.degraded_after)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_credentials_and_query() {
        let check = HttpCheck::new("https://user:pw@api.example.com:8443/status?key=s3cret#x");
        let shown = format!("{check:?}");
        assert!(
            shown.contains("https://api.example.com:8443/status"),
            "{shown}"
        );
        for secret in ["user", "pw", "s3cret", "#x"] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
        assert!(format!("{:?}", HttpCheck::new("not a url")).contains("invalid URL"));
    }
}
