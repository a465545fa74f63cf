//! What the HTTP parts (alert sinks, the HTTP health check) share: a
//! client builder with a TLS crypto provider in place, and a description
//! of a failed request that never includes the URL, whose query or path
//! may carry a secret (Slack webhook tokens, API keys).
//!
//! TLS is rustls with the `ring` provider: a well-kept provider that builds
//! in seconds, where the default `aws-lc-rs` takes minutes of C compiling
//! on every clean build. A host that installed its own process-wide
//! provider keeps it.

/// A reqwest client builder; installs `ring` as the process's rustls
/// provider first unless one is installed already.
pub(crate) fn builder() -> reqwest::ClientBuilder {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another installer is fine: either provider works.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    reqwest::Client::builder()
}

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
