//! [`MetricsCollector`]: message volume, response times and distinct users,
//! recorded in tens of nanoseconds from any number of threads.
//!
//! # How a record stays cheap
//! `record_message` does no locking, no allocation and no system call:
//! - "now" is one atomic load of the cached [`Clock`];
//! - the user id is hashed once (rapidhash);
//! - count, latency sum, latency bucket, a recent-sample entry and one
//!   HyperLogLog register go into the calling thread's own shard, with plain
//!   loads and stores on cache lines no other thread writes.
//!
//! Once per minute per thread, the first record of the new minute folds the
//! shard's previous minute (counts, buckets and users) into shared
//! minute/hour/day periods under a mutex. Readers take that mutex and merge
//! shared periods with the shards' live minutes, so every record is counted
//! exactly once and every user sketch is the exact union of its parts.
//!
//! Buckets are keyed by wall-clock period and roll over on their own; there
//! is nothing to call periodically.

mod archive;
mod config;
pub mod prometheus;
mod read;
mod sample;
mod shard;
mod span;
mod state;
mod stats;
mod thread_slot;

pub use config::{CollectorConfig, DEFAULT_RECENT, MAX_RECENT};
pub use read::{MAX_DAYS, MAX_HOURS};
pub use state::{CollectorState, PeriodState};
pub use stats::{
    CollectorCounters, CurrentStats, DailyBucket, HourlyBucket, MessageStats, ResponseSample,
    SeriesBucket, UserStats,
};

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use crossbeam_utils::CachePadded;
use parking_lot::Mutex;

use crate::clock::{Clock, unix_ms};
use crate::sketch::hll::UserHash;
use archive::Archive;
use sample::{MINUTE_MS, Sample};
use shard::Shard;

/// Threads beyond this many alive at once share one locked shard.
const MAX_SHARDS: usize = 256;

/// Records messages and answers with current stats and hourly/daily series.
///
/// Cheap to clone (an `Arc` inside); clones share the same data.
///
/// ```
/// use monitor_core::{CollectorConfig, ManualClock, MetricsCollector};
/// use std::time::{Duration, SystemTime};
///
/// let clock = ManualClock::new(SystemTime::now());
/// let c = MetricsCollector::new(CollectorConfig::default().with_clock(clock.clone()));
/// c.record_message("user-42", Duration::from_millis(245));
/// c.record_message("user-7", Duration::from_millis(120));
/// c.record_message_at("user-42", clock.now(), Duration::from_millis(245));
///
/// let s = c.current_stats();
/// assert_eq!(s.messages.total, 3);
/// assert_eq!(s.messages.last_hour, 3);
/// assert_eq!(s.users.active_now, 2);
/// let p95 = s.messages.p95_ms.expect("measured");
/// assert!((p95 - 245.0).abs() / 245.0 < 0.02);
///
/// clock.advance(Duration::from_secs(2 * 3600));
/// let hours = c.hourly(3);
/// assert_eq!(hours.iter().map(|b| b.count).collect::<Vec<_>>(), [3, 0, 0]);
/// ```
#[derive(Clone)]
pub struct MetricsCollector {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Clock,
    /// When the collector started (ms since the epoch).
    started_ms: u64,
    recent_len: usize,
    shards: Box<[CachePadded<OnceLock<Shard>>]>,
    /// The shard of threads without one of their own; written under
    /// `overflow_lock` only.
    overflow: Shard,
    overflow_lock: Mutex<()>,
    overflow_records: AtomicU64,
    future_records: AtomicU64,
    archive: Mutex<Archive>,
    active_connections: AtomicU64,
    /// Last heartbeat in ms since the epoch; 0 when none yet.
    last_heartbeat_ms: AtomicU64,
}

impl MetricsCollector {
    /// A collector with `config`.
    pub fn new(config: CollectorConfig) -> Self {
        let recent_len = config.recent_response_times();
        let clock = config.clock().clone();
        MetricsCollector {
            inner: Arc::new(Inner {
                started_ms: clock.now_ms(),
                clock,
                recent_len,
                shards: (0..MAX_SHARDS)
                    .map(|_| CachePadded::new(OnceLock::new()))
                    .collect(),
                overflow: Shard::new(recent_len),
                overflow_lock: Mutex::new(()),
                overflow_records: AtomicU64::new(0),
                future_records: AtomicU64::new(0),
                archive: Mutex::new(Archive::new()),
                active_connections: AtomicU64::new(0),
                last_heartbeat_ms: AtomicU64::new(0),
            }),
        }
    }

    /// Records one handled message from `user_id` that took `response_time`,
    /// at the clock's current time.
    #[inline]
    pub fn record_message(&self, user_id: &str, response_time: Duration) {
        let now = self.inner.clock.now_ms();
        let sample = Sample::now(now, self.inner.started_ms, response_time);
        self.inner.record(user_id, &sample);
    }

    /// Records one message handled at `at`. Times in the future are taken
    /// as now; times older than a bucket's window count only in the total
    /// and in the windows that still hold them.
    pub fn record_message_at(&self, user_id: &str, at: SystemTime, response_time: Duration) {
        let now = self.inner.clock.now_ms();
        let mut t = unix_ms(at);
        if t > now {
            if t - now > MINUTE_MS {
                self.inner.future_records.fetch_add(1, Relaxed);
            }
            t = now;
        }
        let sample = Sample::at(t, now, self.inner.started_ms, response_time);
        self.inner.record(user_id, &sample);
    }

    /// Sets the host's active connection gauge.
    pub fn set_active_connections(&self, n: u64) {
        self.inner.active_connections.store(n, Relaxed);
    }

    /// Adds one to the active connection gauge.
    pub fn connection_opened(&self) {
        self.inner.active_connections.fetch_add(1, Relaxed);
    }

    /// Takes one from the active connection gauge (never below zero).
    pub fn connection_closed(&self) {
        let _ = self
            .inner
            .active_connections
            .fetch_update(Relaxed, Relaxed, |n| n.checked_sub(1));
    }

    /// Notes that the host is alive now.
    pub fn heartbeat(&self) {
        let now = self.inner.clock.now_ms().max(1);
        self.inner.last_heartbeat_ms.store(now, Relaxed);
    }

    /// Resets buckets whose window has passed. Never needed for correct
    /// figures (readers only look at periods inside their window); useful
    /// before taking a snapshot to keep it small.
    pub fn cleanup(&self) {
        let now_minute = self.inner.clock.now_ms() / MINUTE_MS;
        self.inner.archive.lock().expire(now_minute);
    }

    /// When this collector was created (a restore keeps it): the series
    /// know nothing of the periods before, unless they hold messages.
    pub fn started_at(&self) -> SystemTime {
        crate::clock::from_unix_ms(self.inner.started_ms)
    }

    /// The clock this collector reads.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }
}

impl Inner {
    #[inline]
    fn record(&self, user_id: &str, sample: &Sample) {
        let user = UserHash::of(user_id);
        match thread_slot::current().and_then(|i| self.shards.get(i)) {
            Some(cell) => {
                cell.get_or_init(|| Shard::new(self.recent_len))
                    .record(sample, user, &self.archive)
            }
            None => self.record_shared(sample, user),
        }
    }

    #[cold]
    fn record_shared(&self, sample: &Sample, user: UserHash) {
        let _exclusive = self.overflow_lock.lock();
        self.overflow.record(sample, user, &self.archive);
        self.overflow_records.fetch_add(1, Relaxed);
    }
}

impl std::fmt::Debug for MetricsCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsCollector")
            .field("total", &self.inner.total(&self.inner.archive.lock()))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
