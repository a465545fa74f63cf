//! Queues: what happens to each message of a host's outbound queues
//! (`monitor.queue("whatsapp")`).
//!
//! - A [`QueueHandle`] per queue records each message's steps:
//!   [`enqueue`](QueueHandle::enqueue) (due now or scheduled),
//!   [`processing`](QueueHandle::processing), then
//!   [`sent`](QueueHandle::sent), [`failed`](QueueHandle::failed),
//!   [`dead_letter`](QueueHandle::dead_letter) or
//!   [`retry`](QueueHandle::retry).
//! - It keeps counts per [`MessageStep`] (all-time and per hour for 24
//!   hours) and the live figures: depth (due and waiting), scheduled, in
//!   flight and the oldest pending age ([`QueueStats`]).
//! - Live state is bounded: at most [`QueueLimits::max_tracked`] messages
//!   (further ones counted, not tracked), attempts past the in-flight
//!   timeout expire; every cut is counted in [`QueueAnomalies`].
//! - A [`QueueListener`] receives a [`QueueNotice`] per step (not per
//!   enqueue), built only when it [wants](QueueListener::wants) one: the
//!   monitor's publishes `queue:message:{processing,sent,failed,retry,dead_letter}`
//!   with the message's tenant as `client_id`.
//! - [`QueueHandle::export`] / [`QueueHandle::restore`] carry counts and
//!   series through snapshots as a [`QueueState`]; live state starts afresh
//!   (see [`QueueState`]).
//!
//! Recording costs tens of nanoseconds (hash the id, one short lock of one
//! of 32 shards); `benches/queue.rs` measures it against a
//! `Mutex<HashMap>` tracker.
//!
//! ```
//! use monitor_core::queue::{Enqueue, QueueHandle};
//! use std::time::Duration;
//!
//! let q = QueueHandle::builder("whatsapp").build();
//! q.enqueue("m1", Enqueue::new().client("acme"));
//! q.enqueue("m2", Enqueue::new());
//! q.processing("m1");
//! q.sent("m1");
//! q.processing("m2");
//! q.dead_letter("m2", "number unreachable");
//! let s = q.stats();
//! assert_eq!((s.totals.sent, s.totals.dead_lettered, s.depth, s.in_flight), (1, 1, 0, 0));
//! assert_eq!(q.detail(24).hourly.last().map(|h| h.counts.enqueued), Some(2));
//! ```

mod config;
mod handle;
mod notice;
mod persist;
mod prometheus;
mod read;
mod shard;
mod step;
mod view;

#[cfg(test)]
mod tests;

pub use config::{
    DEFAULT_IN_FLIGHT_TIMEOUT, DEFAULT_MAX_TRACKED, Enqueue, MAX_MAX_TRACKED, NAME_BYTES,
    QueueBuilder, QueueLimits,
};
pub use handle::{CLIENT_ID_BYTES, QueueHandle};
pub use notice::{MESSAGE_ID_BYTES, QueueListener, QueueNotice, REASON_BYTES};
pub use persist::{QueueState, QueueStateError};
pub use prometheus::names;
pub use shard::HOURS;
pub use step::{MessageStep, QueueCounts};
pub use view::{QueueAnomalies, QueueDetail, QueueHour, QueueStats};
