//! Shared helpers for the benches: user ids, the baselines a user would
//! otherwise pick, and a runner that measures N threads recording at once.

#![allow(dead_code, unreachable_pub)] // each bench uses a subset; items are bench-private

pub mod naive;
pub mod naive_queue;
pub mod threads;

/// `n` distinct user ids shaped like real ones.
pub fn user_ids(n: usize, prefix: &str) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}-user-{i:07}")).collect()
}

/// A response time that varies like real traffic without costing anything
/// to produce (20–275 ms).
#[inline]
pub fn response_time(i: u64) -> std::time::Duration {
    std::time::Duration::from_micros(20_000 + (i.wrapping_mul(2_654_435_761) % 255_000))
}
