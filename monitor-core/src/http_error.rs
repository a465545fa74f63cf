//! How the HTTP parts (alert sinks, the HTTP health check) describe a
//! failed request: the error and its causes, never the URL, whose query or
//! path may carry a secret (Slack webhook tokens, API keys).

/// `e` and its chain of causes, joined with `": "`, without the URL.
pub(crate) fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
