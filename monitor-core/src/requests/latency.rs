//! A route's latencies since start, in the crate's log-linear buckets
//! ([`crate::sketch::histogram`]) held as shared atomics, so any number of
//! threads record into one route at once; readers merge them into a
//! [`LatencyHistogram`] for quantiles (within 1.6 %).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use crate::sketch::histogram::{BUCKETS, LatencyHistogram, bucket_of};

/// 8 KiB of buckets plus a count and a sum.
pub(crate) struct AtomicLatency {
    buckets: Box<[AtomicU64]>,
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl AtomicLatency {
    pub(crate) fn new() -> Self {
        AtomicLatency {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    /// Records one latency (saturating at `u64::MAX` µs; the histogram
    /// clamps values beyond its 19 hours to its last bucket).
    pub(crate) fn record(&self, elapsed: Duration) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        let bucket = bucket_of(micros);
        if let Some(b) = self.buckets.get(bucket) {
            b.fetch_add(1, Relaxed);
        }
        self.count.fetch_add(1, Relaxed);
        let clamped = micros.min(crate::sketch::histogram::MAX_MICROS);
        self.sum_micros.fetch_add(clamped, Relaxed);
    }

    /// The latencies so far, as a plain histogram.
    pub(crate) fn histogram(&self) -> LatencyHistogram {
        let mut h = LatencyHistogram::new();
        h.add_totals(self.count.load(Relaxed), self.sum_micros.load(Relaxed));
        for (i, n) in self.buckets.iter().enumerate() {
            let n = n.load(Relaxed);
            if n > 0 {
                h.add_bucket(i, n);
            }
        }
        h
    }
}
