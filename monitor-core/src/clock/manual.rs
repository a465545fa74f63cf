//! A clock that moves only when told to.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use super::{from_unix_ms, unix_ms};

/// A hand-driven clock for tests and replays; clones share the same time.
#[derive(Clone, Debug)]
pub struct ManualClock {
    ms: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: SystemTime) -> Self {
        ManualClock {
            ms: Arc::new(AtomicU64::new(unix_ms(start))),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.ms.fetch_add(by, Ordering::Relaxed);
    }

    /// Sets the clock to `to`, forwards or backwards.
    pub fn set(&self, to: SystemTime) {
        self.ms.store(unix_ms(to), Ordering::Relaxed);
    }

    /// The current manual time.
    pub fn now(&self) -> SystemTime {
        from_unix_ms(self.now_ms())
    }

    /// The current manual time in milliseconds since the Unix epoch.
    #[inline]
    pub fn now_ms(&self) -> u64 {
        self.ms.load(Ordering::Relaxed)
    }
}
