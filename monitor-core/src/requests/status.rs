//! Per-route counts by status code, bounded without a lock.
//!
//! A route keeps up to [`MAX_STATUS_CODES`] distinct codes exactly
//! (`"200"`, `"404"`); once those slots are taken, further codes are
//! counted by class (`"4xx"`). Codes outside 100–599 are always counted
//! as [`OTHER_STATUS`].

use std::sync::atomic::{
    AtomicU16, AtomicU64,
    Ordering::{AcqRel, Acquire, Relaxed},
};

/// Distinct status codes a route counts exactly.
pub const MAX_STATUS_CODES: usize = 16;
/// Status label of codes outside 100–599.
pub const OTHER_STATUS: &str = "other";

const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// Lock-free status counts of one route.
pub(crate) struct StatusCounts {
    /// The code each slot counts; 0 while free. Slots fill in order.
    codes: [AtomicU16; MAX_STATUS_CODES],
    counts: [AtomicU64; MAX_STATUS_CODES],
    /// 1xx–5xx past the exact slots, then codes outside 100–599.
    classes: [AtomicU64; 6],
}

impl StatusCounts {
    pub(crate) fn new() -> Self {
        StatusCounts {
            codes: std::array::from_fn(|_| AtomicU16::new(0)),
            counts: std::array::from_fn(|_| AtomicU64::new(0)),
            classes: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    /// Counts one response with `status`.
    pub(crate) fn record(&self, status: u16) {
        if !(100..=599).contains(&status) {
            self.classes[5].fetch_add(1, Relaxed);
            return;
        }
        for (code, count) in self.codes.iter().zip(&self.counts) {
            let held = match code.load(Acquire) {
                0 => match code.compare_exchange(0, status, AcqRel, Acquire) {
                    Ok(_) => status,
                    Err(taken) => taken,
                },
                held => held,
            };
            if held == status {
                count.fetch_add(1, Relaxed);
                return;
            }
        }
        self.classes[usize::from(status / 100 - 1)].fetch_add(1, Relaxed);
    }

    /// Every non-zero count as `(label, count)`: exact codes, then classes.
    pub(crate) fn counts(&self) -> Vec<(String, u64)> {
        let exact = self.codes.iter().zip(&self.counts).filter_map(|(c, n)| {
            let (code, n) = (c.load(Acquire), n.load(Relaxed));
            (code != 0 && n > 0).then(|| (code.to_string(), n))
        });
        let labels = CLASSES.iter().chain(std::iter::once(&OTHER_STATUS));
        let classes = labels.zip(&self.classes).filter_map(|(label, n)| {
            let n = n.load(Relaxed);
            (n > 0).then(|| ((*label).to_owned(), n))
        });
        exact.chain(classes).collect()
    }

    /// Responses with a 5xx status.
    pub(crate) fn server_errors(&self) -> u64 {
        let exact: u64 = self
            .codes
            .iter()
            .zip(&self.counts)
            .filter(|(c, _)| (500..=599).contains(&c.load(Acquire)))
            .map(|(_, n)| n.load(Relaxed))
            .sum();
        exact + self.classes[4].load(Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_codes_then_classes_then_other() {
        let s = StatusCounts::new();
        for code in 200..200 + MAX_STATUS_CODES as u16 {
            s.record(code);
        }
        s.record(200);
        s.record(404); // no slot left: its class
        s.record(503);
        s.record(42);
        s.record(999);
        let counts = s.counts();
        assert_eq!(counts.len(), MAX_STATUS_CODES + 3);
        assert_eq!(counts[0], ("200".to_owned(), 2));
        assert!(counts.contains(&("4xx".to_owned(), 1)));
        assert!(counts.contains(&("5xx".to_owned(), 1)));
        assert!(counts.contains(&(OTHER_STATUS.to_owned(), 2)));
        assert_eq!(s.server_errors(), 1);
    }

    #[test]
    fn threads_racing_for_slots_never_count_a_code_twice() {
        let s = StatusCounts::new();
        std::thread::scope(|scope| {
            for t in 0..4u16 {
                let s = &s;
                scope.spawn(move || {
                    for i in 0..1_000u16 {
                        s.record(200 + (i + t) % 8);
                    }
                });
            }
        });
        let counts = s.counts();
        assert_eq!(counts.len(), 8, "{counts:?}");
        assert_eq!(counts.iter().map(|(_, n)| n).sum::<u64>(), 4_000);
    }
}
