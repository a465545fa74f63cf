//! One subscriber's bounded queue: what the publisher pushes into without
//! waiting, and what the subscriber awaits.
//!
//! Coalescing events (`metrics:update`, `health:changed`) keep only their
//! latest instance in a slot of their own, and `queue:stats` its latest
//! per queue (at most [`MAX_KEYED`] queues; beyond, they queue like any
//! event); every other event takes a place in the queue, and when the
//! queue is full the event is dropped for this subscriber only and
//! counted, so the subscriber can tell its client it lagged.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering::Relaxed};

use parking_lot::Mutex;
use tokio::sync::Notify;

use super::event::Coalesce;
use super::{Audience, ChannelSet, Published};

const COALESCE_SLOTS: usize = 2;
/// Most keyed latest-wins events (`queue:stats`, one per queue) a
/// subscriber holds; the monitor has at most 33 queues.
pub(crate) const MAX_KEYED: usize = 64;

/// One event as a subscriber receives it, with the JSON for its audience.
#[derive(Clone, Debug)]
pub struct Delivery {
    event: Arc<Published>,
    tenant: bool,
}

impl Delivery {
    /// The typed event (the full, operator view).
    pub fn event(&self) -> &super::MonitorEvent {
        &self.event.event
    }

    /// The JSON envelope for this subscriber's audience, serialized once
    /// per event for all subscribers of that audience.
    pub fn json(&self) -> &str {
        self.event.json(self.tenant)
    }
}

struct Queue {
    items: VecDeque<Delivery>,
    latest: [Option<Delivery>; COALESCE_SLOTS],
    /// Latest keyed events, in order of first arrival.
    keyed: VecDeque<Delivery>,
    closed: bool,
}

/// The shared half of a subscription: the bus holds one, the
/// [`Subscription`](super::Subscription) the other.
pub(crate) struct SubQueue {
    pub(crate) id: u64,
    pub(crate) audience: Audience,
    channels: AtomicU8,
    capacity: usize,
    queue: Mutex<Queue>,
    notify: Notify,
    dropped: AtomicU64,
    dropped_total: AtomicU64,
    delivered: AtomicU64,
}

impl SubQueue {
    pub(crate) fn new(id: u64, audience: Audience, channels: ChannelSet, capacity: usize) -> Self {
        SubQueue {
            id,
            audience,
            channels: AtomicU8::new(channels.bits()),
            capacity: capacity.max(1),
            queue: Mutex::new(Queue {
                items: VecDeque::new(),
                latest: [const { None }; COALESCE_SLOTS],
                keyed: VecDeque::new(),
                closed: false,
            }),
            notify: Notify::new(),
            dropped: AtomicU64::new(0),
            dropped_total: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
        }
    }

    pub(crate) fn channels(&self) -> ChannelSet {
        ChannelSet::from_bits(self.channels.load(Relaxed))
    }

    /// Replaces the channels; returns the previous ones.
    pub(crate) fn set_channels(&self, channels: ChannelSet) -> ChannelSet {
        ChannelSet::from_bits(self.channels.swap(channels.bits(), Relaxed))
    }

    /// Whether this subscriber wants `event` at all.
    pub(crate) fn wants(&self, event: &super::MonitorEvent) -> bool {
        self.channels().contains(event.channel) && self.audience.admits(event)
    }

    /// Queues `event`; never waits (beyond the queue's short lock) and
    /// never fails: a full queue drops it and counts the drop.
    pub(crate) fn push(&self, event: &Arc<Published>) -> bool {
        let delivery = Delivery {
            event: Arc::clone(event),
            tenant: matches!(self.audience, Audience::Tenant(_)),
        };
        let queued = {
            let mut q = self.queue.lock();
            if q.closed {
                return false;
            }
            let coalesce = event.event.coalesce();
            let held = match coalesce {
                Some(Coalesce::Keyed(key)) => q
                    .keyed
                    .iter()
                    .position(|d| d.event().coalesce() == Some(Coalesce::Keyed(key))),
                _ => None,
            };
            match (coalesce, held) {
                (Some(Coalesce::Slot(slot)), _) => {
                    q.latest[slot] = Some(delivery);
                    true
                }
                (Some(Coalesce::Keyed(_)), Some(at)) => {
                    q.keyed[at] = delivery;
                    true
                }
                (Some(Coalesce::Keyed(_)), None) if q.keyed.len() < MAX_KEYED => {
                    q.keyed.push_back(delivery);
                    true
                }
                _ if q.items.len() < self.capacity => {
                    q.items.push_back(delivery);
                    true
                }
                _ => false,
            }
        };
        if queued {
            self.notify.notify_one();
        } else {
            self.dropped.fetch_add(1, Relaxed);
            self.dropped_total.fetch_add(1, Relaxed);
        }
        queued
    }

    pub(crate) fn try_pop(&self) -> Option<Delivery> {
        let mut q = self.queue.lock();
        let next = match q.items.pop_front() {
            Some(d) => Some(d),
            None => match q.latest.iter_mut().find_map(Option::take) {
                Some(d) => Some(d),
                None => q.keyed.pop_front(),
            },
        };
        if next.is_some() {
            self.delivered.fetch_add(1, Relaxed);
        }
        next
    }

    pub(crate) async fn pop(&self) -> Option<Delivery> {
        loop {
            let notified = self.notify.notified();
            if let Some(d) = self.try_pop() {
                return Some(d);
            }
            if self.queue.lock().closed {
                return None;
            }
            notified.await;
        }
    }

    pub(crate) fn close(&self) {
        self.queue.lock().closed = true;
        self.notify.notify_one();
    }

    pub(crate) fn take_dropped(&self) -> u64 {
        self.dropped.swap(0, Relaxed)
    }

    pub(crate) fn dropped_total(&self) -> u64 {
        self.dropped_total.load(Relaxed)
    }

    pub(crate) fn delivered(&self) -> u64 {
        self.delivered.load(Relaxed)
    }

    pub(crate) fn queued(&self) -> usize {
        let q = self.queue.lock();
        q.items.len() + q.latest.iter().flatten().count() + q.keyed.len()
    }
}
