//! A short-lived cache of built JSON bodies, one per audience, for the
//! routes dashboards poll and whose figures are costly to gather
//! (`/api/metrics` merges every shard's sketches: ~0.3 ms of CPU).
//!
//! Within the time to live, every caller of the same audience gets the
//! same bytes. When it runs out, one caller rebuilds while the others keep
//! getting the previous body until the new one is in (stale while
//! revalidating): no stampede, and no caller waits on another's build. Only
//! the very first callers of an audience build side by side.
//! Audiences are operators plus one per configured tenant, so the map is
//! bounded by the configuration.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use parking_lot::Mutex;

use crate::ApiError;

/// Bodies by audience (`None` = operators, `Some(tenant)`).
pub(crate) struct BodyCache {
    ttl: Duration,
    slots: Mutex<HashMap<Option<String>, Slot>>,
}

/// One audience's body, when it was built, and whether a caller is
/// building the next one.
struct Slot {
    built: Instant,
    body: Bytes,
    rebuilding: bool,
}

impl BodyCache {
    /// A cache whose bodies live `ttl`; zero turns caching off.
    pub(crate) fn new(ttl: Duration) -> Self {
        BodyCache {
            ttl,
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Forgets every body (the state they were built from was replaced).
    pub(crate) fn clear(&self) {
        self.slots.lock().clear();
    }

    /// The body for `audience`, built by `build` when absent or stale.
    pub(crate) fn get_or_build(
        &self,
        audience: Option<&str>,
        build: impl FnOnce() -> Result<Bytes, ApiError>,
    ) -> Result<Bytes, ApiError> {
        if self.ttl.is_zero() {
            return build();
        }
        let key = audience.map(str::to_owned);
        {
            let mut slots = self.slots.lock();
            if let Some(slot) = slots.get_mut(&key) {
                if slot.built.elapsed() < self.ttl || slot.rebuilding {
                    return Ok(slot.body.clone());
                }
                slot.rebuilding = true;
            }
        }
        // Built outside the lock: other audiences and stale readers go on.
        let built = build();
        let mut slots = self.slots.lock();
        match built {
            Ok(body) => {
                let slot = Slot {
                    built: Instant::now(),
                    body: body.clone(),
                    rebuilding: false,
                };
                slots.insert(key, slot);
                Ok(body)
            }
            Err(e) => {
                if let Some(slot) = slots.get_mut(&key) {
                    slot.rebuilding = false;
                }
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_live_their_ttl_per_audience() {
        let cache = BodyCache::new(Duration::from_millis(50));
        let mut builds = 0;
        let mut get = |who: Option<&str>, n: &str| {
            cache
                .get_or_build(who, || {
                    builds += 1;
                    Ok(Bytes::from(n.to_owned()))
                })
                .expect("builds")
        };
        assert_eq!(get(None, "a"), "a");
        assert_eq!(get(None, "b"), "a", "cached");
        assert_eq!(get(Some("acme"), "c"), "c", "another audience");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(get(None, "d"), "d", "stale, rebuilt");
        assert_eq!(get(None, "e"), "d", "fresh again");
        assert_eq!(builds, 3);

        let off = BodyCache::new(Duration::ZERO);
        let n = std::sync::atomic::AtomicU32::new(0);
        for _ in 0..3 {
            off.get_or_build(None, || {
                Ok(Bytes::from(
                    n.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                        .to_string(),
                ))
            })
            .expect("builds");
        }
        assert_eq!(n.into_inner(), 3, "zero ttl builds every time");
    }

    #[test]
    fn readers_get_the_stale_body_while_one_caller_rebuilds() {
        let cache = std::sync::Arc::new(BodyCache::new(Duration::from_millis(20)));
        cache
            .get_or_build(None, || Ok(Bytes::from_static(b"old")))
            .expect("builds");
        std::thread::sleep(Duration::from_millis(30));
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (finish_tx, finish_rx) = std::sync::mpsc::channel::<()>();
        let builder = {
            let cache = std::sync::Arc::clone(&cache);
            std::thread::spawn(move || {
                cache.get_or_build(None, || {
                    started_tx.send(()).expect("test waits");
                    finish_rx.recv().expect("test says when");
                    Ok(Bytes::from_static(b"new"))
                })
            })
        };
        started_rx.recv().expect("a rebuild started");
        let during = cache
            .get_or_build(None, || panic!("a second build while one runs"))
            .expect("stale body");
        assert_eq!(during, "old");
        finish_tx.send(()).expect("builder waits");
        assert_eq!(builder.join().expect("no panic").expect("built"), "new");
        let after = cache
            .get_or_build(None, || panic!("fresh, no build"))
            .expect("cached");
        assert_eq!(after, "new");

        // A failed build keeps the old body and lets the next caller retry.
        std::thread::sleep(Duration::from_millis(30));
        let failed = cache.get_or_build(None, || Err(ApiError::internal()));
        assert!(failed.is_err());
        let retried = cache
            .get_or_build(None, || Ok(Bytes::from_static(b"newer")))
            .expect("rebuilt");
        assert_eq!(retried, "newer");
    }
}
