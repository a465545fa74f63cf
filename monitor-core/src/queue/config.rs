//! How a queue is set up: its limits, clock and listener.

use std::time::{Duration, SystemTime};

use crossbeam_utils::CachePadded;
use parking_lot::Mutex;

use super::handle::{Inner, QueueHandle};
use super::notice::QueueListener;
use super::shard::{SHARDS, Shard};
use crate::clock::Clock;

/// Default most messages a queue tracks at once.
pub const DEFAULT_MAX_TRACKED: usize = 65_536;
/// Highest `max_tracked` accepted.
pub const MAX_MAX_TRACKED: usize = 4 * 1024 * 1024;
/// Default time after which an attempt never finished is dropped from the
/// live figures (counted as expired).
pub const DEFAULT_IN_FLIGHT_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// Longest queue name kept, in bytes.
pub const NAME_BYTES: usize = 64;

/// Limits of a queue's live state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueLimits {
    /// Most messages tracked at once (default [`DEFAULT_MAX_TRACKED`],
    /// 32 to [`MAX_MAX_TRACKED`]). The room is split evenly over the
    /// queue's 32 shards (rounded up), so with ids that hash unevenly a
    /// shard may refuse a little before the total is reached; refusals are
    /// counted.
    pub max_tracked: usize,
    /// An attempt not finished within this time is dropped from the live
    /// figures and counted as expired (default 15 minutes).
    pub in_flight_timeout: Duration,
}

impl Default for QueueLimits {
    fn default() -> Self {
        QueueLimits {
            max_tracked: DEFAULT_MAX_TRACKED,
            in_flight_timeout: DEFAULT_IN_FLIGHT_TIMEOUT,
        }
    }
}

/// Settings for a standalone [`QueueHandle`]; see [`QueueHandle::builder`].
pub struct QueueBuilder {
    name: String,
    limits: QueueLimits,
    clock: Option<Clock>,
    listener: Option<Box<dyn QueueListener>>,
}

impl QueueBuilder {
    pub(super) fn new(name: &str) -> Self {
        QueueBuilder {
            name: name.to_owned(),
            limits: QueueLimits::default(),
            clock: None,
            listener: None,
        }
    }

    /// Live-state limits (default [`QueueLimits::default`]).
    pub fn limits(mut self, limits: QueueLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Reads time from `clock` (default: the system clock).
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = Some(clock.into());
        self
    }

    /// Tells `listener` about every message's step but enqueueing (the
    /// monitor's publishes `queue:message:*` events).
    pub fn listener(mut self, listener: impl QueueListener) -> Self {
        self.listener = Some(Box::new(listener));
        self
    }

    /// The queue.
    pub fn build(self) -> QueueHandle {
        let mut name = self.name;
        crate::text::clean(&mut name, NAME_BYTES, false);
        if name.is_empty() {
            name.push_str("queue");
        }
        let max = self.limits.max_tracked.clamp(SHARDS, MAX_MAX_TRACKED);
        let per_shard = max.div_ceil(SHARDS);
        QueueHandle {
            inner: std::sync::Arc::new(Inner {
                name,
                clock: self.clock.unwrap_or_default(),
                per_shard,
                timeout_ms: u64::try_from(self.limits.in_flight_timeout.as_millis())
                    .unwrap_or(u64::MAX),
                limits: QueueLimits {
                    max_tracked: per_shard * SHARDS,
                    ..self.limits
                },
                listener: self.listener,
                shards: (0..SHARDS)
                    .map(|_| CachePadded::new(Mutex::new(Shard::new())))
                    .collect(),
            }),
        }
    }
}

/// When an enqueued message is due, and whose it is.
///
/// ```
/// use monitor_core::queue::Enqueue;
/// use std::time::Duration;
///
/// let now = Enqueue::new();
/// let later = Enqueue::new().client("acme").after(Duration::from_secs(600));
/// # let _ = (now, later);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Enqueue<'a> {
    pub(super) client: Option<&'a str>,
    pub(super) due: Due,
}

#[derive(Clone, Copy, Debug, Default)]
pub(super) enum Due {
    #[default]
    Now,
    At(SystemTime),
    After(Duration),
}

impl<'a> Enqueue<'a> {
    /// Due now, no tenant.
    pub fn new() -> Self {
        Enqueue::default()
    }

    /// The tenant the message belongs to: its `queue:message:*` events
    /// carry this `client_id`, so that tenant's live views receive them.
    pub fn client(mut self, client_id: &'a str) -> Self {
        self.client = Some(client_id);
        self
    }

    /// Scheduled: due at `at` (a time already past means due now).
    pub fn at(mut self, at: SystemTime) -> Self {
        self.due = Due::At(at);
        self
    }

    /// Scheduled: due `delay` from now.
    pub fn after(mut self, delay: Duration) -> Self {
        self.due = Due::After(delay);
        self
    }
}
