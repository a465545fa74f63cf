//! One record reduced to what the recording structures need.

use std::time::Duration;

use crate::sketch::histogram::{self, MAX_MICROS};

/// Milliseconds per minute, the finest bucket of the collector.
pub(crate) const MINUTE_MS: u64 = 60_000;
/// Minutes per hour and per day (UTC).
pub(crate) const HOUR_MINUTES: u64 = 60;
pub(crate) const DAY_MINUTES: u64 = 1_440;

/// A record's time slot, latency and bucket, computed once per call.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sample {
    /// Minute (since the Unix epoch) the record belongs to.
    pub(crate) minute: u64,
    /// The collector's current minute, to tell "late" from "clock went back".
    pub(crate) now_minute: u64,
    /// Response time in µs, clamped to the histogram range.
    pub(crate) micros: u64,
    /// Histogram bucket of `micros`.
    pub(crate) bucket: usize,
    /// Record time in ms since the collector started, wrapping (49 days).
    pub(crate) rel_ms: u32,
}

impl Sample {
    /// A record made now (`now_ms`).
    #[inline]
    pub(crate) fn now(now_ms: u64, epoch_ms: u64, response_time: Duration) -> Self {
        let minute = now_ms / MINUTE_MS;
        Self::build(now_ms, minute, minute, epoch_ms, response_time)
    }

    /// A record made at `t_ms` (at or before `now_ms`).
    pub(crate) fn at(t_ms: u64, now_ms: u64, epoch_ms: u64, response_time: Duration) -> Self {
        Self::build(
            t_ms,
            t_ms / MINUTE_MS,
            now_ms / MINUTE_MS,
            epoch_ms,
            response_time,
        )
    }

    #[inline]
    fn build(t_ms: u64, minute: u64, now_minute: u64, epoch_ms: u64, rt: Duration) -> Self {
        let micros = rt
            .as_secs()
            .saturating_mul(1_000_000)
            .saturating_add(u64::from(rt.subsec_micros()))
            .min(MAX_MICROS);
        Sample {
            minute,
            now_minute,
            micros,
            bucket: histogram::bucket_of(micros),
            rel_ms: t_ms.wrapping_sub(epoch_ms) as u32,
        }
    }
}
