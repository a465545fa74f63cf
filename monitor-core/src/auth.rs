//! Who is asking: tokens mapped to roles, shared by every adapter (the
//! HTTP router, the WebSocket broadcaster) so one configuration governs
//! both.
//!
//! Tokens are kept only as SHA-256 digests and compared in constant time
//! against every configured token (no early exit, no length leak), so
//! neither timing nor a memory dump gives a token away; `Debug` shows
//! roles, never tokens.

use std::num::NonZeroU32;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What a token may do.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, including resolving errors.
    Admin,
    /// Read everything.
    Monitor,
    /// Read one tenant's data and acknowledge its errors.
    Client(Arc<str>),
}

impl Role {
    /// The tenant a `client:{id}` role is confined to.
    pub fn tenant(&self) -> Option<&str> {
        match self {
            Role::Client(id) => Some(id),
            _ => None,
        }
    }

    /// Whether this role sees every tenant.
    pub fn sees_all(&self) -> bool {
        !matches!(self, Role::Client(_))
    }

    /// Whether this role may change state as an operator.
    pub fn is_admin(&self) -> bool {
        matches!(self, Role::Admin)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Role::Admin => f.write_str("admin"),
            Role::Monitor => f.write_str("monitor"),
            Role::Client(id) => write!(f, "client:{id}"),
        }
    }
}

/// The monitor's auth settings: tokens and their roles, whether `/health`
/// and `/metrics` need one, and the per-token rate limit.
#[derive(Clone)]
pub struct MonitorAuth {
    tokens: Arc<Vec<([u8; 32], Role)>>,
    public_health: bool,
    public_metrics: bool,
    rate_limit: Option<NonZeroU32>,
}

/// Requests per second each token may make by default
/// ([`MonitorAuth::rate_limit`]).
pub const DEFAULT_RATE_LIMIT: u32 = 50;

impl Default for MonitorAuth {
    fn default() -> Self {
        Self::new()
    }
}

impl MonitorAuth {
    /// No tokens yet (every authenticated route answers 401); `/health`
    /// and `/metrics` public; [`DEFAULT_RATE_LIMIT`] requests per second
    /// per token.
    pub fn new() -> Self {
        MonitorAuth {
            tokens: Arc::new(Vec::new()),
            public_health: true,
            public_metrics: true,
            rate_limit: NonZeroU32::new(DEFAULT_RATE_LIMIT),
        }
    }

    fn with(mut self, token: &str, role: Role) -> Self {
        if !token.is_empty() {
            Arc::make_mut(&mut self.tokens).push((digest(token), role));
        }
        self
    }

    /// A token with the `admin` role (empty tokens are ignored).
    pub fn admin(self, token: impl AsRef<str>) -> Self {
        self.with(token.as_ref(), Role::Admin)
    }

    /// A token with the read-only `monitor` role.
    pub fn monitor(self, token: impl AsRef<str>) -> Self {
        self.with(token.as_ref(), Role::Monitor)
    }

    /// A token for tenant `client_id` (`client:{id}`).
    pub fn client(self, client_id: impl AsRef<str>, token: impl AsRef<str>) -> Self {
        self.with(token.as_ref(), Role::Client(client_id.as_ref().into()))
    }

    /// Whether `/health` needs a token (default: no).
    pub fn protect_health(mut self, protect: bool) -> Self {
        self.public_health = !protect;
        self
    }

    /// Whether `/metrics` needs a token (default: no, as Prometheus
    /// scrapes it). With a token, any role may scrape: the series carry no
    /// tenant data.
    pub fn protect_metrics(mut self, protect: bool) -> Self {
        self.public_metrics = !protect;
        self
    }

    /// Requests per second each token may make to authenticated routes,
    /// with bursts of as many (default [`DEFAULT_RATE_LIMIT`]); `0` turns
    /// the limit off. Past it the router answers 429 with `Retry-After`.
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.rate_limit = NonZeroU32::new(per_second);
        self
    }

    /// Whether `/health` is served without a token.
    pub fn public_health(&self) -> bool {
        self.public_health
    }

    /// Whether `/metrics` is served without a token.
    pub fn public_metrics(&self) -> bool {
        self.public_metrics
    }

    /// The per-token rate limit, `None` when off.
    pub fn rate_limit_per_second(&self) -> Option<NonZeroU32> {
        self.rate_limit
    }

    /// How many tokens are configured (indexes of
    /// [`identify`](Self::identify) are below this).
    pub fn token_count(&self) -> usize {
        self.tokens.len()
    }

    /// The role of `token`, comparing against every configured token in
    /// constant time.
    pub fn authenticate(&self, token: &str) -> Option<Role> {
        self.identify(token).map(|(_, role)| role)
    }

    /// Which configured token `token` is (its index, for per-token rate
    /// limits) and its role. Every configured token is compared, in
    /// constant time, whatever matches first.
    ///
    /// What is compared are SHA-256 digests (`subtle`'s `ct_eq` over 32
    /// bytes), so the time taken depends on neither the presented token's
    /// length nor how many leading bytes it shares with a real one, and
    /// the loop never stops early: a match on the first token costs as
    /// much as one on the last or none. If a token is configured twice,
    /// the first one wins.
    pub fn identify(&self, token: &str) -> Option<(usize, Role)> {
        let presented = digest(token);
        let mut found = None;
        for (index, (known, role)) in self.tokens.iter().enumerate() {
            if bool::from(known.ct_eq(&presented)) && found.is_none() {
                found = Some((index, role.clone()));
            }
        }
        found
    }
}

/// The token of an `Authorization` header value `Bearer <token>` (scheme
/// case as browsers and curl send it), if there is a non-empty one.
///
/// ```
/// use monitor_core::auth::bearer_token;
///
/// assert_eq!(bearer_token("Bearer abc "), Some("abc"));
/// assert_eq!(bearer_token("Basic abc"), None);
/// assert_eq!(bearer_token("Bearer "), None);
/// ```
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let token = authorization
        .strip_prefix("Bearer ")
        .or_else(|| authorization.strip_prefix("bearer "))?
        .trim();
    (!token.is_empty()).then_some(token)
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl std::fmt::Debug for MonitorAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let roles: Vec<String> = self.tokens.iter().map(|(_, r)| r.to_string()).collect();
        f.debug_struct("MonitorAuth")
            .field("roles", &roles)
            .field("public_health", &self.public_health)
            .field("public_metrics", &self.public_metrics)
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_map_to_roles_and_never_show() {
        let auth = MonitorAuth::new()
            .admin("adm-secret")
            .monitor("mon-secret")
            .client("acme", "acme-secret")
            .admin("");
        assert_eq!(auth.authenticate("adm-secret"), Some(Role::Admin));
        assert_eq!(auth.authenticate("mon-secret"), Some(Role::Monitor));
        assert_eq!(
            auth.authenticate("acme-secret"),
            Some(Role::Client("acme".into()))
        );
        assert_eq!(auth.authenticate("acme-secre"), None);
        assert_eq!(
            auth.authenticate(""),
            None,
            "an empty token is never configured"
        );
        let shown = format!("{auth:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("client:acme"));
    }

    #[test]
    fn every_configured_token_is_compared_in_full() {
        let auth = MonitorAuth::new()
            .admin("first-token-0001")
            .monitor("middle-token-0002")
            .client("acme", "last-token-0003");
        // The first and the last configured token both authenticate, with
        // their own index (the rate limiter's).
        assert_eq!(auth.identify("first-token-0001"), Some((0, Role::Admin)));
        assert_eq!(
            auth.identify("last-token-0003"),
            Some((2, Role::Client("acme".into())))
        );
        // Differing only in the last byte, or by one byte more or less,
        // is not a match: whole tokens are compared, not prefixes.
        for near in [
            "first-token-0002",
            "last-token-0004",
            "last-token-000",
            "last-token-00033",
            "Last-token-0003",
        ] {
            assert_eq!(auth.identify(near), None, "{near}");
        }
        // A token configured twice: the first configuration wins.
        let twice = MonitorAuth::new().monitor("same").admin("same");
        assert_eq!(twice.identify("same"), Some((0, Role::Monitor)));
    }
}
