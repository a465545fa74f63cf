//! The obvious queue tracker, as a user would write it: one mutex around
//! a `HashMap<String, _>` of messages (state, enqueue `Instant`, tenant),
//! per-step counts and an hourly map keyed by `SystemTime::now()`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

struct Message {
    enqueued_at: Instant,
    in_flight: bool,
    client: Option<String>,
}

#[derive(Default)]
struct Inner {
    messages: HashMap<String, Message>,
    counts: [u64; 6],
    hourly: HashMap<(u64, usize), u64>,
}

/// `Mutex<HashMap<String, Message>>` queue tracker.
#[derive(Default)]
pub struct NaiveQueue {
    inner: Mutex<Inner>,
}

fn hour() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        / 3_600
}

impl NaiveQueue {
    fn count(g: &mut Inner, step: usize) {
        g.counts[step] += 1;
        *g.hourly.entry((hour(), step)).or_default() += 1;
    }

    /// Enqueued: tracked as pending.
    pub fn enqueue(&self, id: &str, client: Option<&str>) {
        let now = Instant::now();
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        Self::count(&mut g, 0);
        g.messages.insert(
            id.to_owned(),
            Message {
                enqueued_at: now,
                in_flight: false,
                client: client.map(str::to_owned),
            },
        );
    }

    /// An attempt starts.
    pub fn processing(&self, id: &str) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        Self::count(&mut g, 1);
        if let Some(m) = g.messages.get_mut(id) {
            m.in_flight = true;
        }
    }

    /// Delivered: forgotten.
    pub fn sent(&self, id: &str) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        Self::count(&mut g, 2);
        g.messages.remove(id);
    }

    /// Pending messages and the oldest one's age (what its stats page
    /// shows).
    pub fn depth_and_oldest(&self) -> (usize, Option<std::time::Duration>) {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let pending = g.messages.values().filter(|m| !m.in_flight);
        let oldest = pending.clone().map(|m| m.enqueued_at).min();
        (pending.count(), oldest.map(|t| t.elapsed()))
    }
}
