//! Who is asking: bearer tokens mapped to roles, checked in the router.
//!
//! Tokens are kept only as SHA-256 digests and compared in constant time
//! against every configured token (no early exit, no length leak), so
//! neither timing nor a memory dump gives a token away; `Debug` shows
//! roles, never tokens.

use std::sync::Arc;

use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::ApiError;

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

/// The router's auth settings: tokens and their roles, and whether
/// `/health` needs one.
#[derive(Clone)]
pub struct MonitorAuth {
    tokens: Arc<Vec<([u8; 32], Role)>>,
    public_health: bool,
}

impl Default for MonitorAuth {
    fn default() -> Self {
        Self::new()
    }
}

impl MonitorAuth {
    /// No tokens yet (every authenticated route answers 401); `/health`
    /// public.
    pub fn new() -> Self {
        MonitorAuth {
            tokens: Arc::new(Vec::new()),
            public_health: true,
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

    pub(crate) fn public_health(&self) -> bool {
        self.public_health
    }

    /// The role of `token`, comparing against every configured token in
    /// constant time.
    pub fn authenticate(&self, token: &str) -> Option<Role> {
        let presented = digest(token);
        let mut found = None;
        for (known, role) in self.tokens.iter() {
            if bool::from(known.ct_eq(&presented)) && found.is_none() {
                found = Some(role.clone());
            }
        }
        found
    }

    /// The role of the request's `Authorization: Bearer` token; 401
    /// without one or with an unknown one.
    pub fn role_of(&self, headers: &HeaderMap) -> Result<Role, ApiError> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(ApiError::unauthorized)?;
        self.authenticate(token).ok_or_else(ApiError::unauthorized)
    }
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
}
