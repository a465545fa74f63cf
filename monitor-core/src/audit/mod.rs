//! The audit log: every state-changing request (resolve, acknowledge,
//! action run, silence, snapshot restore) with who asked (role and
//! tenant, never the token), what, on what, when, and the outcome
//! (`ok`, `refused` with the reason, `failed`).
//!
//! - [`AuditRecord`] is what a handler writes; [`AuditLog::record`]
//!   stores it as an [`AuditEntry`] with an id and a time.
//! - The log is bounded ([`DEFAULT_AUDIT_CAPACITY`] entries unless the
//!   monitor's builder says otherwise): the oldest entry goes first and
//!   is counted.
//! - [`AuditLog::query`] reads it newest first, paged, filtered by
//!   action (or action family) and outcome.
//! - It is persisted in the snapshot ([`AuditState`]) and reloaded at
//!   start; a restore into a running monitor never replaces it.
//!
//! ```
//! use monitor_core::{Monitor, Role};
//! use monitor_core::audit::{AuditQuery, AuditRecord};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let monitor = Monitor::builder().start()?;
//! let role = Role::Client("acme".into());
//! monitor.audit().record(AuditRecord::new(&role, "error.acknowledge").target("7"));
//! let page = monitor.audit().query(&AuditQuery::default());
//! assert_eq!(page.entries[0].actor.tenant.as_deref(), Some("acme"));
//! # Ok(())
//! # }
//! ```

mod entry;
mod log;
mod query;
mod state;

#[cfg(test)]
mod tests;

pub use entry::{
    ACTION_BYTES, ACTOR_BYTES, Actor, AuditEntry, AuditOutcome, AuditRecord, DETAIL_BYTES,
    TARGET_BYTES,
};
pub use log::{AuditCounters, AuditLog, DEFAULT_AUDIT_CAPACITY, MAX_AUDIT_CAPACITY};
pub use query::{
    AuditPage, AuditQuery, AuditQueryError, DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, QUERY_KEYS,
};
pub use state::{AuditState, StoredEntry};
