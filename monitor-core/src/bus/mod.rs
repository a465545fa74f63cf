//! One event bus every part of the monitor publishes to, and every live
//! view (WebSocket, SSE, in-process consumers) subscribes to.
//!
//! - Events are typed ([`MonitorEvent`]) and travel as the JSON envelope
//!   `{"type", "data", "timestamp", "client_id"}`.
//! - A subscriber picks [channels](Channel) and has an [`Audience`]: the
//!   operators see every tenant; a tenant sees only events of its own
//!   `client_id`, plus the tenant-free `health:changed`.
//! - Each event is serialized once per audience kind that receives it (at
//!   most twice: operators, and tenants when their view differs), however
//!   many subscribers there are; with no interested subscriber it is not
//!   serialized at all.
//! - Publishing never waits on a subscriber: each has a bounded queue, a
//!   full queue drops the event for that subscriber alone and counts it,
//!   and `metrics:update` / `health:changed` coalesce latest-wins, as
//!   does `queue:stats` per queue.
//!
//! Written here rather than on `tokio::sync::broadcast`: a broadcast ring
//! makes every receiver filter every event and cannot coalesce per type or
//! serialize once per audience.
//!
//! ```
//! use monitor_core::bus::{Audience, Channel, ChannelSet, EventBus, EventData, MonitorEvent};
//! use std::time::SystemTime;
//!
//! let bus = EventBus::new();
//! let mut acme = bus.subscribe(Audience::tenant("acme"), ChannelSet::all())?;
//! let event = |client: &str| {
//!     let data = EventData::Json(serde_json::json!({"n": 1}));
//!     MonitorEvent::new("error:logged", Channel::Errors, Some(client), SystemTime::now(), data)
//! };
//! bus.publish(event("globex"));
//! bus.publish(event("acme"));
//! let got = acme.try_recv().expect("acme's own event");
//! assert!(got.json().contains(r#""client_id":"acme""#));
//! assert!(acme.try_recv().is_none(), "globex's event never reached acme");
//! # Ok::<(), monitor_core::bus::TooManySubscribers>(())
//! ```

mod channel;
mod event;
mod subscriber;

pub use channel::{Channel, ChannelSet, UnknownChannel};
pub use event::{AlertSent, EventData, MAX_MESSAGE_TEXT_CHARS, MessageEvent, MonitorEvent};
pub use subscriber::Delivery;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};

use parking_lot::RwLock;

use subscriber::SubQueue;

/// Default queue length per subscriber.
pub const DEFAULT_QUEUE: usize = 1_024;
/// Default most subscribers at once.
pub const DEFAULT_MAX_SUBSCRIBERS: usize = 10_000;

/// Who a subscriber is, which decides what it may receive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Operators (`admin`, `monitor`): every tenant's events, in full.
    Operators,
    /// One tenant: its own events and tenant-free `health:changed`.
    Tenant(Arc<str>),
}

impl Audience {
    /// The audience of tenant `client_id`.
    pub fn tenant(client_id: &str) -> Self {
        Audience::Tenant(client_id.into())
    }

    /// Whether this audience may receive `event`.
    pub fn admits(&self, event: &MonitorEvent) -> bool {
        match self {
            Audience::Operators => true,
            Audience::Tenant(me) => match &event.client_id {
                Some(c) => c == me,
                None => event.event_type == "health:changed",
            },
        }
    }
}

/// An event as published: the typed value and its JSON, made on first
/// need and shared by every subscriber.
#[derive(Debug)]
pub struct Published {
    event: MonitorEvent,
    full: OnceLock<String>,
    tenant: OnceLock<Option<String>>,
    bus: Arc<Counters>,
}

impl Published {
    fn json(&self, tenant: bool) -> &str {
        let full = || {
            self.full.get_or_init(|| {
                self.bus.serialized.fetch_add(1, Relaxed);
                self.event.to_json()
            })
        };
        if tenant {
            let view = self.tenant.get_or_init(|| {
                self.event.tenant_view().map(|e| {
                    self.bus.serialized.fetch_add(1, Relaxed);
                    e.to_json()
                })
            });
            if let Some(view) = view {
                return view;
            }
        }
        full()
    }
}

#[derive(Debug, Default)]
struct Counters {
    published: AtomicU64,
    unheard: AtomicU64,
    serialized: AtomicU64,
    queued: AtomicU64,
    dropped: AtomicU64,
    refused_subscribers: AtomicU64,
}

/// What the bus has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct BusStats {
    /// Events published.
    pub published: u64,
    /// Events no subscriber wanted (never serialized).
    pub unheard: u64,
    /// JSON serializations made (at most two per event).
    pub serialized: u64,
    /// Deliveries queued to subscribers.
    pub queued: u64,
    /// Deliveries dropped because a subscriber's queue was full.
    pub dropped: u64,
    /// Subscriptions refused at the subscriber cap.
    pub refused_subscribers: u64,
    /// Subscribers now.
    pub subscribers: u64,
}

/// The subscriber cap was reached; nothing was subscribed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the event bus already has its maximum of {0} subscribers")]
pub struct TooManySubscribers(pub usize);

struct Inner {
    subscribers: RwLock<Vec<Arc<SubQueue>>>,
    /// Subscribers per channel, so publishers can skip building events
    /// nobody hears without walking the list.
    listening: [AtomicUsize; Channel::ALL.len()],
    next_id: AtomicU64,
    queue: usize,
    max_subscribers: usize,
    counters: Arc<Counters>,
}

impl Inner {
    fn count(&self, channels: ChannelSet, add: bool) {
        for c in channels.iter() {
            let n = &self.listening[c as usize];
            if add {
                n.fetch_add(1, Relaxed);
            } else {
                n.fetch_sub(1, Relaxed);
            }
        }
    }
}

/// The event bus: cheap to clone, publish from anywhere.
#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Inner>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    /// A bus with [`DEFAULT_QUEUE`] places per subscriber.
    pub fn new() -> Self {
        Self::with_limits(DEFAULT_QUEUE, DEFAULT_MAX_SUBSCRIBERS)
    }

    /// A bus with `queue` places per subscriber and at most
    /// `max_subscribers` subscribers.
    pub fn with_limits(queue: usize, max_subscribers: usize) -> Self {
        EventBus {
            inner: Arc::new(Inner {
                subscribers: RwLock::new(Vec::new()),
                listening: std::array::from_fn(|_| AtomicUsize::new(0)),
                next_id: AtomicU64::new(1),
                queue: queue.max(1),
                max_subscribers,
                counters: Arc::default(),
            }),
        }
    }

    /// Subscribes `audience` to `channels`.
    pub fn subscribe(
        &self,
        audience: Audience,
        channels: ChannelSet,
    ) -> Result<Subscription, TooManySubscribers> {
        let mut subs = self.inner.subscribers.write();
        if subs.len() >= self.inner.max_subscribers {
            self.inner
                .counters
                .refused_subscribers
                .fetch_add(1, Relaxed);
            return Err(TooManySubscribers(self.inner.max_subscribers));
        }
        let id = self.inner.next_id.fetch_add(1, Relaxed);
        let queue = Arc::new(SubQueue::new(id, audience, channels, self.inner.queue));
        subs.push(Arc::clone(&queue));
        self.inner.count(channels, true);
        Ok(Subscription {
            queue,
            bus: Arc::clone(&self.inner),
        })
    }

    /// Whether any subscriber would receive an event on `channel` (lets a
    /// publisher skip building an event nobody hears).
    pub fn has_subscribers(&self, channel: Channel) -> bool {
        self.inner.listening[channel as usize].load(Relaxed) > 0
    }

    /// Publishes `event` to every subscriber that wants it; never waits on
    /// one. Returns how many queued it.
    pub fn publish(&self, event: MonitorEvent) -> usize {
        let c = &self.inner.counters;
        c.published.fetch_add(1, Relaxed);
        let subs = self.inner.subscribers.read();
        if !subs.iter().any(|s| s.wants(&event)) {
            c.unheard.fetch_add(1, Relaxed);
            return 0;
        }
        let published = Arc::new(Published {
            event,
            full: OnceLock::new(),
            tenant: OnceLock::new(),
            bus: Arc::clone(c),
        });
        let (mut queued, mut tenants) = (0, false);
        for sub in subs.iter().filter(|s| s.wants(&published.event)) {
            tenants |= matches!(sub.audience, Audience::Tenant(_));
            if sub.push(&published) {
                queued += 1;
            } else {
                c.dropped.fetch_add(1, Relaxed);
            }
        }
        drop(subs);
        // Serialize now, on the publisher, once per audience kind, so
        // subscribers only copy bytes.
        let _ = published.json(false);
        if tenants {
            let _ = published.json(true);
        }
        c.queued.fetch_add(queued as u64, Relaxed);
        queued
    }

    /// Counts so far.
    pub fn stats(&self) -> BusStats {
        let c = &self.inner.counters;
        BusStats {
            published: c.published.load(Relaxed),
            unheard: c.unheard.load(Relaxed),
            serialized: c.serialized.load(Relaxed),
            queued: c.queued.load(Relaxed),
            dropped: c.dropped.load(Relaxed),
            refused_subscribers: c.refused_subscribers.load(Relaxed),
            subscribers: self.inner.subscribers.read().len() as u64,
        }
    }

    /// Sets `monitor_bus_*` series on the installed `metrics` recorder.
    pub fn publish_metrics(&self) {
        let s = self.stats();
        metrics::describe_gauge!("monitor_bus_subscribers", "Event bus subscribers now.");
        metrics::describe_counter!("monitor_bus_events_total", "Events published on the bus.");
        metrics::describe_counter!(
            "monitor_bus_dropped_total",
            "Events dropped for subscribers whose queue was full."
        );
        metrics::gauge!("monitor_bus_subscribers").set(s.subscribers as f64);
        metrics::counter!("monitor_bus_events_total").absolute(s.published);
        metrics::counter!("monitor_bus_dropped_total").absolute(s.dropped);
    }

    /// Closes every subscription: pending events are still received, then
    /// `recv` returns `None`.
    pub fn close(&self) {
        for sub in self.inner.subscribers.write().drain(..) {
            self.inner.count(sub.channels(), false);
            sub.close();
        }
    }
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus")
            .field("stats", &self.stats())
            .finish()
    }
}

/// A live subscription; unsubscribes when dropped.
pub struct Subscription {
    queue: Arc<SubQueue>,
    bus: Arc<Inner>,
}

impl Subscription {
    /// The next event; `None` once the bus was closed and the queue is
    /// empty. Cancel-safe.
    pub async fn recv(&mut self) -> Option<Delivery> {
        self.queue.pop().await
    }

    /// The next event if one is waiting.
    pub fn try_recv(&mut self) -> Option<Delivery> {
        self.queue.try_pop()
    }

    /// Who this subscriber is.
    pub fn audience(&self) -> &Audience {
        &self.queue.audience
    }

    /// The channels subscribed to.
    pub fn channels(&self) -> ChannelSet {
        self.queue.channels()
    }

    /// Replaces the channels subscribed to (takes effect for the next
    /// published event).
    pub fn set_channels(&self, channels: ChannelSet) {
        // Under the list's lock, so counts and membership change together.
        let subs = self.bus.subscribers.read();
        if subs.iter().any(|s| s.id == self.queue.id) {
            let old = self.queue.set_channels(channels);
            self.bus.count(old, false);
            self.bus.count(channels, true);
        } else {
            self.queue.set_channels(channels);
        }
    }

    /// Events dropped for this subscriber since the last call (its queue
    /// was full): what a WebSocket reports as `lagged`.
    pub fn take_dropped(&self) -> u64 {
        self.queue.take_dropped()
    }

    /// Events dropped for this subscriber in all.
    pub fn dropped_total(&self) -> u64 {
        self.queue.dropped_total()
    }

    /// Events received so far.
    pub fn delivered(&self) -> u64 {
        self.queue.delivered()
    }

    /// Events waiting in the queue.
    pub fn queued(&self) -> usize {
        self.queue.queued()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let id = self.queue.id;
        let mut subs = self.bus.subscribers.write();
        let before = subs.len();
        subs.retain(|s| s.id != id);
        if subs.len() < before {
            self.bus.count(self.queue.channels(), false);
        }
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("audience", &self.queue.audience)
            .field("channels", &self.channels())
            .finish_non_exhaustive()
    }
}
