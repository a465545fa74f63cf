//! What can happen to a message, and the counts kept per step.

use serde::{Deserialize, Serialize};

/// One step of a message's life in a queue, as counted and published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStep {
    /// Put in the queue (due now or scheduled for later).
    Enqueued,
    /// Taken by a worker: an attempt started.
    Processing,
    /// Delivered: done.
    Sent,
    /// Given up without a dead-letter queue: done.
    Failed,
    /// An attempt failed and the message waits to be tried again.
    Retry,
    /// Moved to the dead-letter queue: done.
    DeadLetter,
}

/// How many steps there are.
pub(crate) const STEPS: usize = 6;

impl MessageStep {
    /// Every step, in the order of [`QueueCounts`]' fields.
    pub const ALL: [MessageStep; STEPS] = [
        MessageStep::Enqueued,
        MessageStep::Processing,
        MessageStep::Sent,
        MessageStep::Failed,
        MessageStep::Retry,
        MessageStep::DeadLetter,
    ];

    /// The wire name: `enqueued`, `processing`, `sent`, `failed`, `retry`,
    /// `dead_letter` (the `outcome` label in Prometheus).
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStep::Enqueued => "enqueued",
            MessageStep::Processing => "processing",
            MessageStep::Sent => "sent",
            MessageStep::Failed => "failed",
            MessageStep::Retry => "retry",
            MessageStep::DeadLetter => "dead_letter",
        }
    }

    /// The bus event type for this step (`queue:message:sent`); `None` for
    /// [`Enqueued`](Self::Enqueued), which publishes no per-message event.
    pub fn event_type(self) -> Option<&'static str> {
        match self {
            MessageStep::Enqueued => None,
            MessageStep::Processing => Some("queue:message:processing"),
            MessageStep::Sent => Some("queue:message:sent"),
            MessageStep::Failed => Some("queue:message:failed"),
            MessageStep::Retry => Some("queue:message:retry"),
            MessageStep::DeadLetter => Some("queue:message:dead_letter"),
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for MessageStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Messages counted per step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounts {
    /// Put in the queue.
    pub enqueued: u64,
    /// Attempts started.
    pub processing: u64,
    /// Delivered.
    pub sent: u64,
    /// Given up.
    pub failed: u64,
    /// Attempts that failed and will be tried again.
    pub retried: u64,
    /// Moved to the dead-letter queue.
    pub dead_lettered: u64,
}

impl QueueCounts {
    /// The count of `step`.
    pub fn get(&self, step: MessageStep) -> u64 {
        self.as_array()[step.index()]
    }

    pub(crate) fn from_array(a: [u64; STEPS]) -> Self {
        let [enqueued, processing, sent, failed, retried, dead_lettered] = a;
        QueueCounts {
            enqueued,
            processing,
            sent,
            failed,
            retried,
            dead_lettered,
        }
    }

    pub(crate) fn as_array(&self) -> [u64; STEPS] {
        [
            self.enqueued,
            self.processing,
            self.sent,
            self.failed,
            self.retried,
            self.dead_lettered,
        ]
    }
}

/// Adds `b` into `a`, saturating.
pub(crate) fn add_into(a: &mut [u64; STEPS], b: &[u64; STEPS]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x = x.saturating_add(*y);
    }
}
