//! The obvious design, ported as-is: one mutex around a set of user ids, a
//! deque of recent response times and an hourly map, keyed by
//! `SystemTime::now()`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Default)]
struct Inner {
    total: u64,
    users: HashSet<String>,
    recent: VecDeque<Duration>,
    hourly: HashMap<u64, u64>,
}

/// `Mutex<HashSet<String>>` + `VecDeque` collector.
#[derive(Default)]
pub struct NaiveCollector {
    inner: Mutex<Inner>,
}

impl NaiveCollector {
    /// Records a message the obvious way.
    pub fn record_message(&self, user_id: &str, response_time: Duration) {
        let hour = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
            / 3_600;
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.total += 1;
        if !g.users.contains(user_id) {
            g.users.insert(user_id.to_owned());
        }
        g.recent.push_back(response_time);
        if g.recent.len() > 1_000 {
            g.recent.pop_front();
        }
        *g.hourly.entry(hour).or_default() += 1;
    }

    /// Messages recorded.
    pub fn total(&self) -> u64 {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).total
    }
}
