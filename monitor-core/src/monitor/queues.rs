//! The monitor's queues, one per name, created on first use and wired to
//! the bus; and `queue:stats`, published at most once per queue per
//! interval, only for a queue whose figures changed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use parking_lot::{Mutex, RwLock};

use crate::bus::{Channel, EventBus, EventData, MonitorEvent};
use crate::clock::Clock;
use crate::queue::{NAME_BYTES, QueueHandle, QueueLimits, QueueListener, QueueNotice, QueueStats};

/// Most queues one monitor tracks; further names share the `__other__`
/// queue.
pub const MAX_QUEUES: usize = 32;
/// The queue that takes names past [`MAX_QUEUES`] (and names that are not
/// valid: empty, longer than 64 bytes, control characters).
pub const OTHER_QUEUE: &str = "__other__";

pub(super) struct Queues {
    queues: RwLock<BTreeMap<String, QueueHandle>>,
    /// Lookups sent to `__other__`.
    overflowed: AtomicU64,
    /// What each queue's last `queue:stats` said.
    published: Mutex<BTreeMap<String, QueueStats>>,
    limits: QueueLimits,
    clock: Clock,
    bus: EventBus,
}

impl Queues {
    pub(super) fn new(limits: QueueLimits, clock: Clock, bus: EventBus) -> Self {
        Queues {
            queues: RwLock::new(BTreeMap::new()),
            overflowed: AtomicU64::new(0),
            published: Mutex::new(BTreeMap::new()),
            limits,
            clock,
            bus,
        }
    }

    pub(super) fn get_or_create(&self, name: &str) -> QueueHandle {
        let valid =
            !name.is_empty() && name.len() <= NAME_BYTES && !name.chars().any(char::is_control);
        {
            let queues = self.queues.read();
            if let Some(q) = queues.get(name) {
                return q.clone();
            }
            if let (false, Some(other)) =
                (valid && queues.len() < MAX_QUEUES, queues.get(OTHER_QUEUE))
            {
                self.overflowed.fetch_add(1, Relaxed);
                return other.clone();
            }
        }
        let mut queues = self.queues.write();
        if let Some(q) = queues.get(name) {
            return q.clone();
        }
        let name = if valid && queues.len() < MAX_QUEUES {
            name
        } else {
            self.overflowed.fetch_add(1, Relaxed);
            OTHER_QUEUE
        };
        queues
            .entry(name.to_owned())
            .or_insert_with(|| {
                QueueHandle::builder(name)
                    .limits(self.limits)
                    .clock(self.clock.clone())
                    .listener(ToBus(self.bus.clone()))
                    .build()
            })
            .clone()
    }

    pub(super) fn get(&self, name: &str) -> Option<QueueHandle> {
        self.queues.read().get(name).cloned()
    }

    /// Every queue, by name.
    pub(super) fn all(&self) -> Vec<QueueHandle> {
        self.queues.read().values().cloned().collect()
    }

    pub(super) fn overflowed(&self) -> u64 {
        self.overflowed.load(Relaxed)
    }

    /// Publishes `queue:stats` for each queue whose figures (time aside)
    /// changed since its last one; nothing when no one listens on `queue`.
    /// Returns how many were published.
    pub(super) fn publish_stats(&self) -> usize {
        if !self.bus.has_subscribers(Channel::Queue) {
            return 0;
        }
        let mut published = 0;
        for queue in self.all() {
            let stats = queue.stats();
            {
                let mut last = self.published.lock();
                if last
                    .get(&stats.name)
                    .is_some_and(|old| same_figures(old, &stats))
                {
                    continue;
                }
                last.insert(stats.name.clone(), stats.clone());
            }
            let at = stats.timestamp;
            let data = EventData::QueueStats(Box::new(stats));
            self.bus.publish(MonitorEvent::new(
                "queue:stats",
                Channel::Queue,
                None,
                at,
                data,
            ));
            published += 1;
        }
        published
    }
}

/// Whether `a` and `b` say the same, whenever they were taken.
fn same_figures(a: &QueueStats, b: &QueueStats) -> bool {
    QueueStats {
        timestamp: b.timestamp,
        ..a.clone()
    } == *b
}

/// Per-message notices as `queue:message:*` events, with the message's
/// tenant as `client_id`. Nothing is built when no one listens on `queue`.
struct ToBus(EventBus);

impl QueueListener for ToBus {
    #[inline]
    fn wants(&self) -> bool {
        self.0.has_subscribers(Channel::Queue)
    }

    fn notice(&self, notice: &QueueNotice) {
        let client = notice.client_id.as_deref();
        let data = EventData::QueueMessage(Box::new(notice.clone()));
        self.0.publish(MonitorEvent::new(
            notice.event_type(),
            Channel::Queue,
            client,
            notice.at,
            data,
        ));
    }
}
