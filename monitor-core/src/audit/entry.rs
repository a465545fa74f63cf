//! What an audit entry holds: who acted ([`Actor`]), what they asked for,
//! on what, when, and how it ended ([`AuditOutcome`]).

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::clock::rfc3339;

/// Longest role or tenant kept, in bytes.
pub const ACTOR_BYTES: usize = 128;
/// Longest action name kept (`error.resolve`), in bytes.
pub const ACTION_BYTES: usize = 64;
/// Longest target kept (an error id, an action name), in bytes.
pub const TARGET_BYTES: usize = 128;
/// Longest reason or detail kept, in bytes.
pub const DETAIL_BYTES: usize = 512;

/// Who made a request: a role and, for a tenant token, its tenant. Built
/// from the authenticated [`Role`], never from the token, so a token
/// cannot reach the audit log.
///
/// ```
/// use monitor_core::Role;
/// use monitor_core::audit::Actor;
///
/// let actor = Actor::from(&Role::Client("acme".into()));
/// assert_eq!((actor.role.as_str(), actor.tenant.as_deref()), ("client", Some("acme")));
/// assert_eq!(Actor::from(&Role::Admin).role, "admin");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// `admin`, `monitor`, `client`, or what the host names (`system`).
    pub role: String,
    /// The tenant of a `client` role.
    pub tenant: Option<String>,
}

impl Actor {
    /// An actor of `role` (e.g. `system` for the host's own calls) with an
    /// optional tenant.
    pub fn new(role: impl Into<String>, tenant: Option<&str>) -> Self {
        Actor {
            role: role.into(),
            tenant: tenant.map(str::to_owned),
        }
    }

    /// The host itself (no token): role `system`.
    pub fn system() -> Self {
        Actor::new("system", None)
    }
}

impl From<&Role> for Actor {
    fn from(role: &Role) -> Self {
        match role {
            Role::Admin => Actor::new("admin", None),
            Role::Monitor => Actor::new("monitor", None),
            Role::Client(id) => Actor::new("client", Some(id)),
        }
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.tenant {
            Some(t) => write!(f, "{}:{t}", self.role),
            None => f.write_str(&self.role),
        }
    }
}

/// How a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditOutcome {
    /// Done (or, for an action run, started).
    Ok,
    /// Refused before anything changed: not allowed, not found, in
    /// conflict, or bad input. The entry's `reason` says which.
    Refused,
    /// Accepted, but it failed while being carried out.
    Failed,
}

impl AuditOutcome {
    /// `"ok"`, `"refused"` or `"failed"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Ok => "ok",
            AuditOutcome::Refused => "refused",
            AuditOutcome::Failed => "failed",
        }
    }

    /// The outcome named `text` (`ok`, `refused`, `failed`).
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Ok, Self::Refused, Self::Failed]
            .into_iter()
            .find(|o| o.as_str() == text)
    }
}

/// One request to write to the audit log; see
/// [`AuditLog::record`](super::AuditLog::record). Ends `ok` unless
/// [`refused`](Self::refused) or [`failed`](Self::failed) says otherwise.
///
/// ```
/// use monitor_core::Role;
/// use monitor_core::audit::{AuditOutcome, AuditRecord};
///
/// let record = AuditRecord::new(&Role::Admin, "error.resolve")
///     .target("42")
///     .refused("no error with id 42");
/// assert_eq!(record.outcome(), AuditOutcome::Refused);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    pub(crate) actor: Actor,
    pub(crate) action: String,
    pub(crate) target: Option<String>,
    pub(crate) outcome: AuditOutcome,
    pub(crate) reason: Option<String>,
    pub(crate) detail: Option<String>,
}

impl AuditRecord {
    /// `actor` (a [`Role`], or an [`Actor`]) asked for `action`, e.g.
    /// `error.resolve`, `error.acknowledge`, `action.run`,
    /// `silence.create`, `silence.delete`, `snapshot.restore`.
    pub fn new(actor: impl Into<Actor>, action: impl Into<String>) -> Self {
        AuditRecord {
            actor: actor.into(),
            action: action.into(),
            target: None,
            outcome: AuditOutcome::Ok,
            reason: None,
            detail: None,
        }
    }

    /// What it was done to: an error id, an action name, a silence id.
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// Anything else worth keeping (a run id, the parameters given).
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Refused, and why (the answer's message: never the token).
    pub fn refused(mut self, reason: impl Into<String>) -> Self {
        self.outcome = AuditOutcome::Refused;
        self.reason = Some(reason.into());
        self
    }

    /// Failed while being carried out, and why.
    pub fn failed(mut self, reason: impl Into<String>) -> Self {
        self.outcome = AuditOutcome::Failed;
        self.reason = Some(reason.into());
        self
    }

    /// The outcome so far.
    pub fn outcome(&self) -> AuditOutcome {
        self.outcome
    }
}

impl From<Role> for Actor {
    fn from(role: Role) -> Self {
        Actor::from(&role)
    }
}

/// One entry of the audit log, as `GET /api/audit` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Increasing number, never reused (not even across a restart).
    pub id: u64,
    /// When it was recorded.
    #[serde(with = "rfc3339")]
    pub at: SystemTime,
    /// Who asked.
    pub actor: Actor,
    /// What was asked: `error.resolve`, `action.run`, `silence.create`…
    pub action: String,
    /// On what.
    pub target: Option<String>,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// Why it was refused or failed.
    pub reason: Option<String>,
    /// Anything else worth keeping.
    pub detail: Option<String>,
}
