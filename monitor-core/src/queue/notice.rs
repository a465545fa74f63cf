//! What a queue tells its listener about each message: the data of the
//! `queue:message:*` events.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::step::MessageStep;
use crate::clock::rfc3339;

/// Longest message id carried by a notice, in bytes (longer ones are cut).
pub const MESSAGE_ID_BYTES: usize = 128;
/// Longest reason carried by a notice, in bytes.
pub const REASON_BYTES: usize = 256;

/// One message's step, as the `queue:message:{step}` event carries it.
/// Built only when a listener [wants](QueueListener::wants) it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueNotice {
    /// What happened (never `enqueued`: enqueueing publishes nothing).
    pub step: MessageStep,
    /// The queue's name.
    pub queue: String,
    /// The caller's message id (control characters removed, at most
    /// [`MESSAGE_ID_BYTES`]).
    pub message_id: String,
    /// The tenant given at enqueue, if any.
    pub client_id: Option<String>,
    /// Attempts started so far (1 on the first `processing`).
    pub attempt: u32,
    /// When it happened.
    #[serde(with = "rfc3339")]
    pub at: SystemTime,
    /// `processing`: how long the message had been due (0 when taken
    /// before its time).
    pub waited_ms: Option<u64>,
    /// `sent`, `failed`, `retry`, `dead_letter` after a `processing`: how
    /// long the attempt took.
    pub took_ms: Option<u64>,
    /// `retry`: when the message is due again.
    #[serde(with = "rfc3339::option")]
    pub retry_at: Option<SystemTime>,
    /// The caller's reason (`failed`, `retry`, `dead_letter`), cleaned and
    /// at most [`REASON_BYTES`]; `None` when empty.
    pub reason: Option<String>,
    /// Whether the queue knew the message (false for an id it does not
    /// track: enqueued before a restart, past the cap, or never enqueued).
    pub tracked: bool,
}

impl QueueNotice {
    /// The bus event type, `queue:message:{step}`.
    pub fn event_type(&self) -> &'static str {
        self.step.event_type().unwrap_or("queue:message:enqueued")
    }
}

/// Receives a queue's per-message notices. Any
/// `Fn(&QueueNotice) + Send + Sync + 'static` closure is one.
///
/// Listeners run on the recording thread, after the queue's lock is
/// released: they must only hand the notice on (the monitor's publishes it
/// on the bus).
pub trait QueueListener: Send + Sync + 'static {
    /// Whether a notice is wanted now; when `false` none is built, so a
    /// recording call with no one listening costs one check (default:
    /// always).
    fn wants(&self) -> bool {
        true
    }

    /// One message's step.
    fn notice(&self, notice: &QueueNotice);
}

impl<F> QueueListener for F
where
    F: Fn(&QueueNotice) + Send + Sync + 'static,
{
    fn notice(&self, notice: &QueueNotice) {
        self(notice)
    }
}

/// Caller text made safe to carry: control characters removed, cut to
/// `max` bytes.
pub(crate) fn cleaned(text: &str, max: usize) -> String {
    let mut out = text.to_owned();
    crate::text::clean(&mut out, max, false);
    out
}
