//! What the HTTP sinks share: one client setup and one way to turn a
//! response into a [`SinkError`].

use std::time::{Duration, SystemTime};

use reqwest::header::RETRY_AFTER;

use crate::alerts::SinkError;

/// Per-request timeout of the HTTP sinks (the router applies its own too).
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest response body quoted in an error.
const MAX_BODY_QUOTED: usize = 200;

/// Where an HTTP sink posts: a name for counts, a secret URL, a client.
/// `Debug` shows the name only.
pub(super) struct Endpoint {
    pub(super) name: String,
    url: String,
    client: reqwest::Client,
}

impl Endpoint {
    pub(super) fn new(name: &str, url: String, timeout: Duration) -> Self {
        Endpoint {
            name: name.to_owned(),
            url,
            client: client(timeout),
        }
    }

    pub(super) async fn post(&self, body: &impl serde::Serialize) -> Result<(), SinkError> {
        post_json(&self.client, &self.url, body).await
    }
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn client(timeout: Duration) -> reqwest::Client {
    crate::http_client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .user_agent(concat!("monitor-core/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

/// POSTs `body` as JSON to `url`; 2xx is success.
async fn post_json(
    client: &reqwest::Client,
    url: &str,
    body: &impl serde::Serialize,
) -> Result<(), SinkError> {
    let response = client
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(transport)?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let text = response.text().await.unwrap_or_default();
    let body: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_BODY_QUOTED)
        .collect();
    let status = status.as_u16();
    if (400..500).contains(&status) && status != 408 && status != 429 {
        return Err(SinkError::Rejected(format!("HTTP {status}: {body}")));
    }
    Err(SinkError::Status {
        status,
        body,
        retry_after,
    })
}

/// A transport error with its causes, without the URL (webhook URLs carry
/// secrets).
fn transport(e: reqwest::Error) -> SinkError {
    if e.is_timeout() {
        return SinkError::Timeout(DEFAULT_HTTP_TIMEOUT);
    }
    SinkError::Transport(crate::http_client::describe(e))
}

/// `Retry-After` as delay-seconds or an HTTP date.
pub(super) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let d = parse_retry_after(&later).expect("a date");
        assert!(d > Duration::from_secs(100) && d <= Duration::from_secs(120));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
