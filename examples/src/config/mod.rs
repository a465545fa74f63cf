//! The demo bot's settings: every environment variable of SPEC §6 parsed
//! into one [`DemoConfig`], with errors that name the variable and never
//! quote a secret.
//!
//! Parsing reads values through a lookup function, so it is tested
//! without touching the process environment:
//!
//! ```
//! use monitor_examples::config::DemoConfig;
//! use std::collections::HashMap;
//!
//! let env = HashMap::from([
//!     ("MONITOR_CLIENT_TOKENS", "acme:tokA,globex:tokB"),
//!     ("MONITOR_ALERT_GROUP_WAIT", "1s"),
//! ]);
//! let config = DemoConfig::from_lookup(|name| env.get(name).map(|v| v.to_string()))?;
//! assert_eq!(config.client_tokens.len(), 2);
//! assert_eq!(config.rate_limit, 50);
//! assert!(config.admin_token_generated);
//! # Ok::<(), monitor_examples::config::ConfigError>(())
//! ```

mod parse;
#[cfg(test)]
mod tests;

pub use parse::{
    MAX_CLIENT_ID_BYTES, MAX_TOKEN_BYTES, parse_addr, parse_client_tokens, parse_duration,
    parse_rate_limit, parse_switch, parse_token, parse_token_list, parse_url,
};

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;
use std::time::Duration;

use monitor_axum::MonitorAuth;
use rand::Rng;
use rand::distr::Alphanumeric;

/// `MONITOR_ADDR`: where the bot listens.
pub const ADDR: &str = "MONITOR_ADDR";
/// `MONITOR_ADMIN_TOKEN`: the admin token (else a random one, printed).
pub const ADMIN_TOKEN: &str = "MONITOR_ADMIN_TOKEN";
/// `MONITOR_CLIENT_TOKENS`: `client:token` pairs, comma-separated.
pub const CLIENT_TOKENS: &str = "MONITOR_CLIENT_TOKENS";
/// `MONITOR_MONITOR_TOKENS`: read-only tokens, comma-separated.
pub const MONITOR_TOKENS: &str = "MONITOR_MONITOR_TOKENS";
/// `MONITOR_RATE_LIMIT`: requests per second per token (0 = off).
pub const RATE_LIMIT: &str = "MONITOR_RATE_LIMIT";
/// `MONITOR_SNAPSHOT`: snapshot file path (unset = no persistence).
pub const SNAPSHOT: &str = "MONITOR_SNAPSHOT";
/// `MONITOR_SUMMARY_DIR`: directory for daily/weekly summaries (unset =
/// no scheduled summaries).
pub const SUMMARY_DIR: &str = "MONITOR_SUMMARY_DIR";
/// `MONITOR_SLACK_WEBHOOK`: Slack incoming-webhook URL for alerts.
pub const SLACK_WEBHOOK: &str = "MONITOR_SLACK_WEBHOOK";
/// `MONITOR_ALERTMANAGER_URL`: Alertmanager base URL for alerts.
pub const ALERTMANAGER_URL: &str = "MONITOR_ALERTMANAGER_URL";
/// `MONITOR_ALERT_GROUP_WAIT`: wait before a group's first alert (`1s`).
pub const ALERT_GROUP_WAIT: &str = "MONITOR_ALERT_GROUP_WAIT";
/// `MONITOR_SIM`: `0` turns the simulated traffic off.
pub const SIM: &str = "MONITOR_SIM";
/// `MONITOR_SIM_SPIKE`: `1` adds a burst to the filled-in history.
pub const SIM_SPIKE: &str = "MONITOR_SIM_SPIKE";

/// Every variable the demo reads.
pub const VARS: [&str; 12] = [
    ADDR,
    ADMIN_TOKEN,
    CLIENT_TOKENS,
    MONITOR_TOKENS,
    RATE_LIMIT,
    SNAPSHOT,
    SUMMARY_DIR,
    SLACK_WEBHOOK,
    ALERTMANAGER_URL,
    ALERT_GROUP_WAIT,
    SIM,
    SIM_SPIKE,
];

/// Where the bot listens by default.
pub const DEFAULT_ADDR: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080));
/// Requests per second per token by default (the router's own default).
pub const DEFAULT_RATE_LIMIT: u32 = monitor_axum::DEFAULT_RATE_LIMIT;
/// Length of a generated admin token.
pub const GENERATED_TOKEN_CHARS: usize = 32;

/// A value that must not be printed: `Debug` shows `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Where alerts go, and how long a group waits before its first one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlertSettings {
    /// `MONITOR_SLACK_WEBHOOK`.
    pub slack_webhook: Option<Secret>,
    /// `MONITOR_ALERTMANAGER_URL`.
    pub alertmanager_url: Option<String>,
    /// `MONITOR_ALERT_GROUP_WAIT`; `None` keeps the router's default (30 s).
    pub group_wait: Option<Duration>,
}

/// Everything the demo bot reads from its environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoConfig {
    /// `MONITOR_ADDR` (default [`DEFAULT_ADDR`]).
    pub addr: SocketAddr,
    /// `MONITOR_ADMIN_TOKEN`, or a random token.
    pub admin_token: Secret,
    /// Whether the admin token was generated (nothing was set).
    pub admin_token_generated: bool,
    /// `MONITOR_CLIENT_TOKENS`: (client id, token) pairs.
    pub client_tokens: Vec<(String, Secret)>,
    /// `MONITOR_MONITOR_TOKENS`: read-only tokens.
    pub monitor_tokens: Vec<Secret>,
    /// `MONITOR_RATE_LIMIT`: requests per second per token; 0 = off.
    pub rate_limit: u32,
    /// `MONITOR_SNAPSHOT`: the snapshot file, if any.
    pub snapshot: Option<PathBuf>,
    /// `MONITOR_SUMMARY_DIR`: where daily and weekly summaries go, if
    /// anywhere.
    pub summary_dir: Option<PathBuf>,
    /// The alert variables.
    pub alerts: AlertSettings,
    /// `MONITOR_SIM`: whether the simulated traffic runs (default yes).
    pub simulate: bool,
    /// `MONITOR_SIM_SPIKE`: whether the filled-in history gets an
    /// anomalous hour (default no).
    pub spike: bool,
}

/// A variable with a value the demo cannot use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable, e.g. `MONITOR_ADDR`.
    pub var: &'static str,
    /// What is wrong with it (never quoting a secret).
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.var, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl DemoConfig {
    /// Reads [`VARS`] from the process environment. A value that is not
    /// UTF-8 is an error, not ignored.
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut values = std::collections::HashMap::new();
        for var in VARS {
            match std::env::var(var) {
                Ok(v) => {
                    values.insert(var, v);
                }
                Err(std::env::VarError::NotPresent) => {}
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(ConfigError {
                        var,
                        message: "the value is not valid UTF-8".to_owned(),
                    });
                }
            }
        }
        Self::from_lookup(|name| values.get(name).cloned())
    }

    /// Parses the settings from `lookup(name)`; unset and blank values take
    /// the defaults.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |var: &'static str| lookup(var).filter(|v| !v.trim().is_empty());
        fn parsed<T>(
            var: &'static str,
            value: Option<String>,
            parse: impl FnOnce(&str) -> Result<T, String>,
        ) -> Result<Option<T>, ConfigError> {
            value
                .map(|v| parse(&v).map_err(|message| ConfigError { var, message }))
                .transpose()
        }

        let admin = parsed(ADMIN_TOKEN, get(ADMIN_TOKEN), parse_token)?;
        let config = DemoConfig {
            addr: parsed(ADDR, get(ADDR), parse_addr)?.unwrap_or(DEFAULT_ADDR),
            admin_token_generated: admin.is_none(),
            admin_token: admin.unwrap_or_else(random_token),
            client_tokens: parsed(CLIENT_TOKENS, get(CLIENT_TOKENS), parse_client_tokens)?
                .unwrap_or_default(),
            monitor_tokens: parsed(MONITOR_TOKENS, get(MONITOR_TOKENS), parse_token_list)?
                .unwrap_or_default(),
            rate_limit: parsed(RATE_LIMIT, get(RATE_LIMIT), parse_rate_limit)?
                .unwrap_or(DEFAULT_RATE_LIMIT),
            snapshot: get(SNAPSHOT).map(|p| PathBuf::from(p.trim())),
            summary_dir: get(SUMMARY_DIR).map(|p| PathBuf::from(p.trim())),
            alerts: AlertSettings {
                slack_webhook: parsed(SLACK_WEBHOOK, get(SLACK_WEBHOOK), parse_url)?
                    .map(Secret::new),
                alertmanager_url: parsed(ALERTMANAGER_URL, get(ALERTMANAGER_URL), parse_url)?,
                group_wait: parsed(ALERT_GROUP_WAIT, get(ALERT_GROUP_WAIT), parse_duration)?,
            },
            simulate: parsed(SIM, get(SIM), parse_switch)?.unwrap_or(true),
            spike: parsed(SIM_SPIKE, get(SIM_SPIKE), parse_switch)?.unwrap_or(false),
        };
        config.check_tokens_unique()?;
        Ok(config)
    }

    /// One token with two roles would make its role a matter of order.
    fn check_tokens_unique(&self) -> Result<(), ConfigError> {
        let mut seen = BTreeSet::new();
        seen.insert(self.admin_token.expose());
        for (client, token) in &self.client_tokens {
            if !seen.insert(token.expose()) {
                return Err(ConfigError {
                    var: CLIENT_TOKENS,
                    message: format!(
                        "the token of client {client} is also given for another role or client"
                    ),
                });
            }
        }
        for (i, token) in self.monitor_tokens.iter().enumerate() {
            if !seen.insert(token.expose()) {
                return Err(ConfigError {
                    var: MONITOR_TOKENS,
                    message: format!("entry {} is also given for another role or client", i + 1),
                });
            }
        }
        Ok(())
    }

    /// The monitor router's auth: the admin token, read-only tokens, one
    /// token per client entry, and the per-token rate limit.
    pub fn auth(&self) -> MonitorAuth {
        let mut auth = MonitorAuth::new()
            .admin(self.admin_token.expose())
            .rate_limit(self.rate_limit);
        for token in &self.monitor_tokens {
            auth = auth.monitor(token.expose());
        }
        for (client, token) in &self.client_tokens {
            auth = auth.client(client, token.expose());
        }
        auth
    }

    /// Which roles have tokens, without any token: `admin (generated),
    /// 1 monitor token, clients: acme, globex`.
    pub fn roles_summary(&self) -> String {
        let admin = if self.admin_token_generated {
            "admin (generated at start)"
        } else {
            "admin (from MONITOR_ADMIN_TOKEN)"
        };
        let monitors = match self.monitor_tokens.len() {
            0 => "no monitor tokens".to_owned(),
            1 => "1 monitor token".to_owned(),
            n => format!("{n} monitor tokens"),
        };
        let clients: BTreeSet<&str> = self.client_tokens.iter().map(|(c, _)| c.as_str()).collect();
        let clients = if clients.is_empty() {
            "no client tokens".to_owned()
        } else {
            format!(
                "client tokens for {}",
                clients.into_iter().collect::<Vec<_>>().join(", ")
            )
        };
        format!("{admin}, {monitors}, {clients}")
    }

    /// The dashboard link with the admin token in the fragment (which
    /// browsers never send to the server), in the folder form SPEC §6
    /// names: the bot redirects `/monitor/` to `/monitor`, where axum nests
    /// the router's `/`, and the browser keeps the fragment. An unspecified
    /// listen address (`0.0.0.0`) is shown as loopback so the link opens
    /// locally.
    pub fn dashboard_link(&self) -> String {
        format!(
            "http://{}/monitor/#token={}",
            display_addr(self.addr),
            self.admin_token.expose()
        )
    }
}

/// `addr` as a browser should reach it: unspecified IPs become loopback.
pub fn display_addr(addr: SocketAddr) -> SocketAddr {
    let mut shown = addr;
    if addr.ip().is_unspecified() {
        shown.set_ip(match addr {
            SocketAddr::V4(_) => Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    shown
}

/// A fresh random token: [`GENERATED_TOKEN_CHARS`] alphanumerics from the
/// thread's cryptographically secure generator.
pub fn random_token() -> Secret {
    Secret(
        rand::rng()
            .sample_iter(Alphanumeric)
            .take(GENERATED_TOKEN_CHARS)
            .map(char::from)
            .collect(),
    )
}
