//! Log-linear latency buckets (HdrHistogram's layout, 5 sub-bucket bits).
//!
//! Values are microseconds. Below 32 µs every value has its own bucket;
//! above, each power of two is split into 32 equal buckets, so a bucket is
//! at most 1/32 of its lower bound wide and its midpoint is within 1/64
//! (1.6 %) of any value in it. Quantiles read from these buckets are thus
//! within 1.6 % of the exact nearest-rank quantile. 1024 buckets cover
//! 0 µs to 2^36 µs (about 19 hours); larger values land in the last bucket.

use serde::{Deserialize, Serialize};

/// Number of buckets.
pub const BUCKETS: usize = 1024;
const SUB_BITS: u32 = 5;
const SUB: u64 = 1 << SUB_BITS;
/// Largest value with a bucket of its own; larger values are clamped.
pub const MAX_MICROS: u64 = (1 << 36) - 1;

/// The bucket of a value in microseconds.
#[inline]
pub fn bucket_of(micros: u64) -> usize {
    let v = micros.min(MAX_MICROS);
    if v < SUB {
        return v as usize;
    }
    let exp = 63 - u64::from(v.leading_zeros()); // >= SUB_BITS
    let mantissa = (v >> (exp - u64::from(SUB_BITS))) & (SUB - 1);
    ((exp - u64::from(SUB_BITS) + 1) * SUB + mantissa) as usize
}

/// Lower bound and width (µs) of bucket `i`.
pub fn bucket_bounds(i: usize) -> (u64, u64) {
    let i = i as u64;
    if i < SUB {
        return (i, 1);
    }
    let group = i / SUB; // >= 1
    let exp = group + u64::from(SUB_BITS) - 1;
    let width = 1u64 << (exp - u64::from(SUB_BITS));
    ((1u64 << exp) + (i % SUB) * width, width)
}

/// The value reported for bucket `i`, in microseconds: its midpoint
/// (exact for the single-value buckets).
pub fn representative(i: usize) -> f64 {
    let (lo, width) = bucket_bounds(i);
    lo as f64 + (width - 1) as f64 / 2.0
}

/// A merged, plain (non-atomic) histogram that readers build from the
/// recording structures and query.
#[derive(Clone, Debug)]
pub struct LatencyHistogram {
    counts: Vec<u64>,
    count: u64,
    sum_micros: u64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        LatencyHistogram {
            counts: vec![0; BUCKETS],
            count: 0,
            sum_micros: 0,
        }
    }

    /// Records one value (µs). Used by tests, merging and restores; the hot
    /// path writes atomics elsewhere and merges into this.
    pub fn record(&mut self, micros: u64) {
        self.counts[bucket_of(micros)] += 1;
        self.count += 1;
        self.sum_micros = self.sum_micros.saturating_add(micros.min(MAX_MICROS));
    }

    /// Adds `n` values to bucket `i` (out-of-range buckets are ignored).
    pub fn add_bucket(&mut self, i: usize, n: u64) {
        if let Some(c) = self.counts.get_mut(i) {
            *c += n;
        }
    }

    /// Adds to the running totals (count of values and their sum in µs).
    pub fn add_totals(&mut self, count: u64, sum_micros: u64) {
        self.count += count;
        self.sum_micros = self.sum_micros.saturating_add(sum_micros);
    }

    /// Adds every bucket and total of `other`.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.add_totals(other.count, other.sum_micros);
    }

    /// Number of recorded values.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Sum of recorded values in µs.
    pub fn sum_micros(&self) -> u64 {
        self.sum_micros
    }

    /// The bucket counts, one per bucket.
    pub fn bucket_counts(&self) -> &[u64] {
        &self.counts
    }

    /// The nearest-rank `q` quantile (0.0–1.0) in µs, or `None` when empty.
    pub fn quantile_micros(&self, q: f64) -> Option<f64> {
        let total: u64 = self.counts.iter().sum();
        if total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(representative(i));
            }
        }
        None
    }

    /// Count, mean and p50/p95/p99 in milliseconds.
    pub fn summary(&self) -> ResponseTimes {
        let ms = |q: f64| self.quantile_micros(q).map(|us| us / 1000.0);
        ResponseTimes {
            count: self.count,
            avg_ms: (self.count > 0).then(|| self.sum_micros as f64 / self.count as f64 / 1000.0),
            p50_ms: ms(0.50),
            p95_ms: ms(0.95),
            p99_ms: ms(0.99),
        }
    }
}

/// A response-time summary: how many, the mean, and three percentiles, in
/// milliseconds (`None` when there was nothing to measure).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseTimes {
    /// Number of measured responses.
    pub count: u64,
    /// Mean response time.
    pub avg_ms: Option<f64>,
    /// Median.
    pub p50_ms: Option<f64>,
    /// 95th percentile.
    pub p95_ms: Option<f64>,
    /// 99th percentile.
    pub p99_ms: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn buckets_are_contiguous_and_cover_the_range() {
        let mut expected_lo = 0;
        for i in 0..BUCKETS {
            let (lo, width) = bucket_bounds(i);
            assert_eq!(lo, expected_lo, "gap before bucket {i}");
            assert_eq!(bucket_of(lo), i);
            assert_eq!(bucket_of(lo + width - 1), i);
            expected_lo = lo + width;
        }
        assert_eq!(expected_lo, MAX_MICROS + 1);
        assert_eq!(bucket_of(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn every_bucket_midpoint_is_within_1_6_percent() {
        for i in 1..BUCKETS {
            let (lo, width) = bucket_bounds(i);
            let mid = representative(i);
            for v in [lo, lo + width - 1] {
                let err = (mid - v as f64).abs() / v as f64;
                assert!(err <= 1.0 / 64.0 + 1e-12, "bucket {i}: {v} vs {mid}");
            }
        }
    }

    #[test]
    fn empty_histogram_has_no_quantiles() {
        let h = LatencyHistogram::new();
        assert_eq!(h.summary(), ResponseTimes::default());
    }

    fn exact_nearest_rank(sorted: &[u64], q: f64) -> u64 {
        let n = sorted.len() as u64;
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        sorted[(rank - 1) as usize]
    }

    proptest! {
        /// Against an exact sorted computation, every quantile is within 2 %.
        #[test]
        fn quantiles_within_two_percent_of_exact(
            values in prop::collection::vec(
                prop_oneof![1u64..100, 100u64..10_000, 10_000u64..5_000_000, 1u64..MAX_MICROS],
                1..2_000,
            ),
            q in 0.0f64..=1.0,
        ) {
            let mut h = LatencyHistogram::new();
            for &v in &values {
                h.record(v);
            }
            let mut sorted = values;
            sorted.sort_unstable();
            for q in [q, 0.5, 0.95, 0.99] {
                let exact = exact_nearest_rank(&sorted, q) as f64;
                let est = h.quantile_micros(q).unwrap_or(f64::NAN);
                prop_assert!((est - exact).abs() / exact <= 0.02, "q={} exact={} est={}", q, exact, est);
            }
        }
    }
}
