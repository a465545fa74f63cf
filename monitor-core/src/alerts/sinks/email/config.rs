//! [`EmailSinkBuilder`]: relay, TLS, credentials and addresses, checked
//! when the sink is built.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};

use super::EmailSink;

/// How long one delivery may take by default (connecting, the greeting
/// and every command, in all).
pub const DEFAULT_SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// How the connection to the relay is secured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text, for a relay on the same host or network (port 25).
    None,
    /// Plain text upgraded with STARTTLS, which is required (port 587).
    #[default]
    StartTls,
    /// TLS from the first byte, "SMTPS" (port 465).
    Implicit,
}

impl SmtpTls {
    /// The port this mode uses unless told otherwise.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpTls::None => 25,
            SmtpTls::StartTls => 587,
            SmtpTls::Implicit => 465,
        }
    }
}

/// Why an [`EmailSink`] could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailConfigError {
    /// No sender address.
    #[error("no sender: set `from`")]
    NoSender,
    /// No recipient address.
    #[error("no recipients: add at least one `to`")]
    NoRecipients,
    /// An address that does not parse.
    #[error("{field} address {address:?} is not valid: {reason}")]
    BadAddress {
        /// `from` or `to`.
        field: &'static str,
        /// The address as given.
        address: String,
        /// Why.
        reason: String,
    },
    /// An empty relay host.
    #[error("no relay host")]
    NoHost,
    /// TLS could not be set up for the host.
    #[error("TLS setup for {host} failed: {reason}")]
    Tls {
        /// The relay host.
        host: String,
        /// Why.
        reason: String,
    },
}

/// Settings of an [`EmailSink`]; see [`EmailSink::builder`].
#[derive(Clone)]
pub struct EmailSinkBuilder {
    pub(super) host: String,
    port: Option<u16>,
    tls: SmtpTls,
    credentials: Option<(String, String)>,
    from: Option<String>,
    to: Vec<String>,
    subject_prefix: String,
    timeout: Duration,
    name: String,
}

impl std::fmt::Debug for EmailSinkBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSinkBuilder")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("credentials", &self.credentials.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

impl EmailSinkBuilder {
    pub(super) fn new(host: String) -> Self {
        EmailSinkBuilder {
            host,
            port: None,
            tls: SmtpTls::default(),
            credentials: None,
            from: None,
            to: Vec::new(),
            subject_prefix: "[monitor] ".to_owned(),
            timeout: DEFAULT_SMTP_TIMEOUT,
            name: "email".to_owned(),
        }
    }

    /// The relay's port (default: the TLS mode's, see
    /// [`SmtpTls::default_port`]).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// How the connection is secured (default [`SmtpTls::StartTls`]).
    pub fn tls(mut self, tls: SmtpTls) -> Self {
        self.tls = tls;
        self
    }

    /// Logs in with `user` and `password` (kept secret: never logged).
    pub fn credentials(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some((user.into(), password.into()));
        self
    }

    /// The sender, `ops@example.com` or `Monitor <ops@example.com>`.
    pub fn from(mut self, address: impl Into<String>) -> Self {
        self.from = Some(address.into());
        self
    }

    /// Adds a recipient (call once per address).
    pub fn to(mut self, address: impl Into<String>) -> Self {
        self.to.push(address.into());
        self
    }

    /// Text before every subject (default `"[monitor] "`).
    pub fn subject_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.subject_prefix = prefix.into();
        self
    }

    /// Bound on one whole delivery: connecting, the relay's greeting and
    /// every command (default [`DEFAULT_SMTP_TIMEOUT`]). The router's own
    /// per-attempt timeout applies too.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Names the sink (for counts), e.g. when there are several.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The sink, with every address parsed and TLS set up; a bad setting
    /// is an error here, never a panic or a failure at the first alert.
    pub fn build(self) -> Result<EmailSink, EmailConfigError> {
        let host = self.host.trim().to_owned();
        if host.is_empty() {
            return Err(EmailConfigError::NoHost);
        }
        let parse = |field: &'static str, address: &str| {
            address
                .trim()
                .parse::<Mailbox>()
                .map_err(|e| EmailConfigError::BadAddress {
                    field,
                    address: address.to_owned(),
                    reason: e.to_string(),
                })
        };
        let from = parse(
            "from",
            self.from.as_deref().ok_or(EmailConfigError::NoSender)?,
        )?;
        if self.to.is_empty() {
            return Err(EmailConfigError::NoRecipients);
        }
        let to = self
            .to
            .iter()
            .map(|a| parse("to", a))
            .collect::<Result<Vec<_>, _>>()?;
        let tls_error = |e: lettre::transport::smtp::Error| EmailConfigError::Tls {
            host: host.clone(),
            reason: e.to_string(),
        };
        let tls = match self.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::StartTls => {
                Tls::Required(TlsParameters::new(host.clone()).map_err(tls_error)?)
            }
            SmtpTls::Implicit => Tls::Wrapper(TlsParameters::new(host.clone()).map_err(tls_error)?),
        };
        let mut transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
            .port(self.port.unwrap_or(self.tls.default_port()))
            .tls(tls)
            .timeout(Some(self.timeout));
        if let Some((user, password)) = self.credentials {
            transport = transport.credentials(Credentials::new(user, password));
        }
        Ok(EmailSink {
            name: self.name,
            transport: transport.build(),
            from,
            to,
            subject_prefix: self.subject_prefix,
            timeout: self.timeout,
        })
    }
}
