//! Heartbeat sources: when each was last seen, whether it is stale, and
//! its uptime since registration, by exact arithmetic on timestamps.
//!
//! A source's timeline starts at its registration. Every gap between two
//! consecutive reference points (the registration, then each beat, then
//! "now") that is longer than the interval counts as down for the part
//! beyond the interval; uptime is the rest over the time since
//! registration. Only the closed gaps' sum is stored, so memory is flat
//! however long a source lives.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, SystemTime};

use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};

use super::CheckStatus;
use super::status::clean_text;
use crate::clock::rfc3339;

/// Default number of heartbeat sources.
pub const DEFAULT_MAX_HEARTBEATS: usize = 64;
/// Interval given to a source first seen through
/// [`Health::heartbeat`](super::Health::heartbeat) without registration.
pub const DEFAULT_HEARTBEAT_INTERVAL: Duration = Duration::from_secs(60);
/// Longest check or source name, in characters; longer names are cut.
pub const MAX_NAME_CHARS: usize = 64;

/// One heartbeat source as reported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeartbeatReport {
    /// `up` when seen within its interval, `down` when not, `pending`
    /// when never seen and its first interval has not run out.
    pub status: CheckStatus,
    /// Stale is critical (else degraded).
    pub required: bool,
    /// The last beat.
    #[serde(with = "rfc3339::option")]
    pub last_seen: Option<SystemTime>,
    /// How often it must beat, in milliseconds.
    pub interval_ms: u64,
    /// Share of the time since registration it was not stale, 0–100.
    pub uptime_percent: f64,
}

/// A source's timeline in milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct History {
    pub(crate) registered_ms: u64,
    pub(crate) last_seen_ms: Option<u64>,
    /// Down time of the gaps already closed by a beat.
    pub(crate) down_ms: u64,
}

impl History {
    fn new(now: u64) -> Self {
        History {
            registered_ms: now,
            last_seen_ms: None,
            down_ms: 0,
        }
    }

    /// Where the current gap started: the last beat, else registration.
    pub(crate) fn last_ref_ms(&self) -> u64 {
        self.last_seen_ms
            .map_or(self.registered_ms, |seen| seen.max(self.registered_ms))
    }
}

pub(crate) struct Source {
    pub(crate) interval_ms: u64,
    pub(crate) required: bool,
    pub(crate) history: Mutex<History>,
}

impl Source {
    pub(crate) fn new(interval: Duration, required: bool, now: u64) -> Self {
        Source {
            interval_ms: duration_ms(interval).max(1),
            required,
            history: Mutex::new(History::new(now)),
        }
    }

    /// Records a beat at `now`. A beat a little older than the last one
    /// (two threads racing) moves nothing; one older by more than the
    /// interval means the clock stepped back, and the timeline restarts
    /// its gap from this beat, so a source that stops now is seen down one
    /// interval later, not once the clock has caught up again.
    pub(crate) fn beat(&self, now: u64) {
        let mut h = self.history.lock();
        let last_ref = h.last_ref_ms();
        if now > last_ref {
            h.down_ms = h
                .down_ms
                .saturating_add((now - last_ref).saturating_sub(self.interval_ms));
            h.last_seen_ms = Some(now);
        } else if now.saturating_add(self.interval_ms) < last_ref {
            h.last_seen_ms = Some(now);
            h.registered_ms = h.registered_ms.min(now);
        } else if h.last_seen_ms.is_none() {
            h.last_seen_ms = Some(last_ref);
        }
    }

    pub(crate) fn report(&self, now: u64) -> HeartbeatReport {
        let h = *self.history.lock();
        HeartbeatReport {
            status: status_of(&h, self.interval_ms, now),
            required: self.required,
            last_seen: h.last_seen_ms.map(crate::clock::from_unix_ms),
            interval_ms: self.interval_ms,
            uptime_percent: uptime_percent(&h, self.interval_ms, now),
        }
    }
}

fn status_of(h: &History, interval_ms: u64, now: u64) -> CheckStatus {
    if now.saturating_sub(h.last_ref_ms()) > interval_ms {
        CheckStatus::Down
    } else if h.last_seen_ms.is_none() {
        CheckStatus::Pending
    } else {
        CheckStatus::Up
    }
}

/// 100 × (1 − down / lifetime), the current gap's excess included.
pub(crate) fn uptime_percent(h: &History, interval_ms: u64, now: u64) -> f64 {
    let lifetime = now.saturating_sub(h.registered_ms);
    if lifetime == 0 {
        return 100.0;
    }
    let ongoing = now
        .saturating_sub(h.last_ref_ms())
        .saturating_sub(interval_ms);
    let down = h.down_ms.saturating_add(ongoing).min(lifetime);
    #[allow(clippy::cast_precision_loss)] // ms counts stay far below 2^52
    let up = 1.0 - down as f64 / lifetime as f64;
    (up * 100.0).clamp(0.0, 100.0)
}

pub(crate) fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A name as stored: trimmed, no control characters, at most
/// [`MAX_NAME_CHARS`]; `None` when nothing is left.
pub(crate) fn clean_name(name: &str) -> Option<String> {
    let name = clean_text(name.trim(), MAX_NAME_CHARS);
    (!name.is_empty()).then_some(name)
}

/// The bounded set of sources.
pub(crate) struct Heartbeats {
    pub(crate) sources: RwLock<BTreeMap<String, Arc<Source>>>,
    pub(crate) cap: usize,
    pub(crate) rejected: AtomicU64,
}

impl Heartbeats {
    pub(crate) fn new(cap: usize) -> Self {
        Heartbeats {
            sources: RwLock::new(BTreeMap::new()),
            cap,
            rejected: AtomicU64::new(0),
        }
    }

    /// Registers (or re-configures, keeping its history) a source.
    /// Returns false, counted, past the cap or for an empty name.
    pub(crate) fn register(
        &self,
        name: &str,
        interval: Duration,
        required: bool,
        now: u64,
    ) -> bool {
        let Some(name) = clean_name(name) else {
            self.rejected.fetch_add(1, Relaxed);
            return false;
        };
        let mut sources = self.sources.write();
        let history = sources.get(&name).map(|s| *s.history.lock());
        if history.is_none() && sources.len() >= self.cap {
            self.rejected.fetch_add(1, Relaxed);
            return false;
        }
        let source = Source::new(interval, required, now);
        if let Some(h) = history {
            *source.history.lock() = h;
        }
        sources.insert(name, Arc::new(source));
        true
    }

    /// Records a beat; an unknown source is registered (optional, default
    /// interval) while there is room. Returns false when rejected.
    pub(crate) fn beat(&self, name: &str, now: u64) -> bool {
        if let Some(source) = self.sources.read().get(name) {
            source.beat(now);
            return true;
        }
        self.beat_slow(name, now)
    }

    #[cold]
    fn beat_slow(&self, name: &str, now: u64) -> bool {
        let Some(name) = clean_name(name) else {
            self.rejected.fetch_add(1, Relaxed);
            return false;
        };
        let mut sources = self.sources.write();
        if let Some(source) = sources.get(&name) {
            source.beat(now);
            return true;
        }
        if sources.len() >= self.cap {
            self.rejected.fetch_add(1, Relaxed);
            return false;
        }
        let source = Source::new(DEFAULT_HEARTBEAT_INTERVAL, false, now);
        source.beat(now);
        sources.insert(name, Arc::new(source));
        true
    }

    pub(crate) fn reports(&self, now: u64) -> BTreeMap<String, HeartbeatReport> {
        self.sources
            .read()
            .iter()
            .map(|(name, s)| (name.clone(), s.report(now)))
            .collect()
    }
}
