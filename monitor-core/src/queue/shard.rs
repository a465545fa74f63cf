//! One shard of a queue's state: the messages it tracks (by the hash of
//! their id), its share of the counts and hourly series, and the tenant ids
//! its messages carry. A message always lands in the same shard, so every
//! step of it takes one short, rarely contended lock.

use std::sync::Arc;

use rapidhash::RapidHashMap;

use super::step::{STEPS, add_into};
use super::view::QueueAnomalies;
use crate::period::KeyedRing;

/// Shards per queue (a power of two).
pub(crate) const SHARDS: usize = 32;
/// Hours of per-step history a queue keeps.
pub const HOURS: usize = 24;
pub(crate) const HOUR_MS: u64 = 3_600_000;
/// Tenant ids a shard holds at once (those its tracked messages carry);
/// a message of a further tenant is tracked without it (counted).
pub(crate) const MAX_TENANTS: usize = 1_024;

/// The 64-bit key of a message id (rapidhash v3): the shard is its top
/// bits, the map key the whole. Two ids colliding on 64 bits would share
/// one entry; at 65 536 tracked ids the odds are about 1 in 10^10.
#[inline]
pub(crate) fn key_of(id: &str) -> u64 {
    rapidhash::v3::rapidhash_v3(id.as_bytes())
}

#[inline]
pub(crate) fn shard_of(key: u64) -> usize {
    (key >> (64 - SHARDS.trailing_zeros())) as usize
}

/// A message the queue knows.
pub(super) struct Tracked {
    /// Pending: when it is (or was) due. In flight: when the attempt began.
    at_ms: u64,
    attempts: u32,
    /// Its tenant: an index into the shard's [`Tenants`], 0 for none.
    client: u16,
    in_flight: bool,
}

/// The tenant ids a shard's messages carry, each held once and referred
/// to by index, so tracking a message costs no reference count. Unused
/// ids are freed by the next scan.
struct Tenants {
    /// Index `i + 1` is `names[i]`; `None` once freed.
    names: Vec<Option<Arc<str>>>,
    ids: RapidHashMap<Arc<str>, u16>,
    free: Vec<u16>,
}

impl Tenants {
    /// The index of `client`, added if there is room; 0 when there is not.
    fn index(&mut self, client: &str) -> u16 {
        if let Some(&i) = self.ids.get(client) {
            return i;
        }
        let i = match self.free.pop() {
            Some(i) => i,
            None if self.names.len() < MAX_TENANTS => {
                self.names.push(None);
                self.names.len() as u16
            }
            None => return 0,
        };
        let name: Arc<str> = Arc::from(client);
        self.names[usize::from(i) - 1] = Some(Arc::clone(&name));
        self.ids.insert(name, i);
        i
    }

    /// Tenant `i` as a notice carries it, when a notice is wanted.
    fn client(&self, i: u16, want: bool) -> Option<Arc<str>> {
        if !want {
            return None;
        }
        self.names.get(usize::from(i).checked_sub(1)?)?.clone()
    }

    /// Frees every index not in `used`.
    fn keep(&mut self, used: &[bool]) {
        for (n, slot) in self.names.iter_mut().enumerate() {
            if slot.is_some() && !used[n + 1] {
                if let Some(name) = slot.take() {
                    self.ids.remove(&name);
                }
                self.free.push((n + 1) as u16);
            }
        }
    }
}

/// What a step found of its message, for the notice.
#[derive(Default)]
pub(super) struct Found {
    pub(super) tracked: bool,
    /// Only filled when a listener wants a notice.
    pub(super) client: Option<Arc<str>>,
    pub(super) attempt: u32,
    /// `processing`: how long it had been due. Outcomes: how long the
    /// attempt took, when it was in flight.
    pub(super) elapsed_ms: Option<u64>,
}

/// Live figures gathered by a scan.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Live {
    pub(super) depth: u64,
    pub(super) in_flight: u64,
    pub(super) scheduled: u64,
    pub(super) oldest_due_ms: Option<u64>,
}

pub(super) struct Shard {
    messages: RapidHashMap<u64, Tracked>,
    tenants: Tenants,
    pub(super) totals: [u64; STEPS],
    pub(super) hours: KeyedRing<[u64; STEPS]>,
    pub(super) anomalies: QueueAnomalies,
}

impl Shard {
    pub(super) fn new() -> Self {
        Shard {
            messages: RapidHashMap::default(),
            tenants: Tenants {
                names: Vec::new(),
                ids: RapidHashMap::default(),
                free: Vec::new(),
            },
            totals: [0; STEPS],
            hours: KeyedRing::new(HOURS),
            anomalies: QueueAnomalies::default(),
        }
    }

    pub(super) fn tracked(&self) -> usize {
        self.messages.len()
    }

    #[inline]
    fn count(&mut self, step: usize, now: u64) {
        self.totals[step] = self.totals[step].saturating_add(1);
        let hour = now / HOUR_MS;
        if let Some(h) = self.hours.entry(hour, hour) {
            h[step] = h[step].saturating_add(1);
        }
    }

    /// Adds counts restored from a snapshot.
    pub(super) fn add_hour(&mut self, hour: u64, counts: &[u64; STEPS], now: u64) {
        if let Some(h) = self.hours.entry(hour, now / HOUR_MS) {
            add_into(h, counts);
        }
    }

    /// Tracks `key` as pending, due at `due_ms`; `counted` for a real
    /// enqueue (an adoption counts nothing). False when refused at `cap`.
    pub(super) fn enqueue(
        &mut self,
        key: u64,
        due_ms: u64,
        client: Option<&str>,
        (now, cap, counted): (u64, usize, bool),
    ) -> bool {
        if counted {
            self.count(super::MessageStep::Enqueued.index(), now);
        }
        let client = match client {
            Some(c) => match self.tenants.index(c) {
                0 => {
                    self.anomalies.untenanted += 1;
                    0
                }
                i => i,
            },
            None => 0,
        };
        let fresh = Tracked {
            at_ms: due_ms,
            client,
            attempts: 0,
            in_flight: false,
        };
        if let Some(t) = self.messages.get_mut(&key) {
            self.anomalies.duplicates += u64::from(counted);
            *t = fresh;
            return true;
        }
        if self.messages.len() >= cap {
            self.anomalies.refused += 1;
            return false;
        }
        self.messages.insert(key, fresh);
        true
    }

    /// An attempt of `key` starts.
    pub(super) fn processing(&mut self, key: u64, now: u64, cap: usize, want: bool) -> Found {
        self.count(super::MessageStep::Processing.index(), now);
        if let Some(t) = self.messages.get_mut(&key) {
            let waited = (!t.in_flight).then(|| now.saturating_sub(t.at_ms));
            t.in_flight = true;
            t.at_ms = now;
            t.attempts = t.attempts.saturating_add(1);
            let attempt = t.attempts;
            return Found {
                tracked: true,
                client: self.tenants.client(t.client, want),
                attempt,
                elapsed_ms: waited,
            };
        }
        let live = Tracked {
            at_ms: now,
            client: 0,
            attempts: 1,
            in_flight: true,
        };
        self.adopt_unknown(key, live, cap);
        Found {
            attempt: 1,
            ..Found::default()
        }
    }

    /// `key` is done (`sent`, `failed`, `dead_letter`).
    pub(super) fn finish(&mut self, key: u64, step: usize, now: u64, want: bool) -> Found {
        self.count(step, now);
        match self.messages.remove(&key) {
            Some(t) => Found {
                tracked: true,
                elapsed_ms: t.in_flight.then(|| now.saturating_sub(t.at_ms)),
                client: self.tenants.client(t.client, want),
                attempt: t.attempts,
            },
            None => {
                self.anomalies.unknown += 1;
                Found::default()
            }
        }
    }

    /// `key` waits again, due at `due_ms`.
    pub(super) fn retry(
        &mut self,
        key: u64,
        due_ms: u64,
        (now, cap): (u64, usize),
        want: bool,
    ) -> Found {
        self.count(super::MessageStep::Retry.index(), now);
        if let Some(t) = self.messages.get_mut(&key) {
            let took = t.in_flight.then(|| now.saturating_sub(t.at_ms));
            t.in_flight = false;
            t.at_ms = due_ms;
            return Found {
                tracked: true,
                client: self.tenants.client(t.client, want),
                attempt: t.attempts,
                elapsed_ms: took,
            };
        }
        let pending = Tracked {
            at_ms: due_ms,
            client: 0,
            attempts: 0,
            in_flight: false,
        };
        self.adopt_unknown(key, pending, cap);
        Found::default()
    }

    /// A step for an id the queue did not track (enqueued before a
    /// restart, refused at the cap, or never enqueued): counted as
    /// unknown, then tracked from here on when there is room.
    fn adopt_unknown(&mut self, key: u64, t: Tracked, cap: usize) {
        self.anomalies.unknown += 1;
        if self.messages.len() < cap {
            self.messages.insert(key, t);
        } else {
            self.anomalies.refused += 1;
        }
    }

    /// Counts what is pending, scheduled and in flight at `now`, dropping
    /// (and counting) attempts older than `timeout_ms`, and frees tenant
    /// ids no message carries any more.
    pub(super) fn scan(&mut self, now: u64, timeout_ms: u64, live: &mut Live) {
        let mut expired = 0;
        let mut used = vec![false; self.tenants.names.len() + 1];
        self.messages.retain(|_, t| {
            used[usize::from(t.client)] = true;
            if t.in_flight {
                if now.saturating_sub(t.at_ms) >= timeout_ms {
                    expired += 1;
                    return false;
                }
                live.in_flight += 1;
            } else if t.at_ms > now {
                live.scheduled += 1;
            } else {
                live.depth += 1;
                live.oldest_due_ms = Some(live.oldest_due_ms.map_or(t.at_ms, |o| o.min(t.at_ms)));
            }
            true
        });
        self.anomalies.expired += expired;
        self.tenants.keep(&used);
    }
}
