//! [`Windows`]: one scope's (everyone's, or one tenant's) Space-Saving
//! summaries, one per hour for the last 24 hours and one per UTC day for
//! the last 8 days (the 7-day window, and the day before it so that a
//! summary written just after Monday 00:00 still has the whole closed
//! week), merged when read.
//!
//! Merging takes the union of the summaries' keys. For each key, a
//! summary that counts it adds its count and error; one that does not
//! adds its [`uncounted_bound`](SpaceSaving::uncounted_bound) to both (the
//! key may have occurred that often there). So the merged count is still
//! an upper bound of the true count, the merged error still bounds the
//! overcount, and each summary adds at most `its total / capacity`:
//! `max_overcount <= N / capacity` for the window's `N` messages. A key
//! whose true count in the window exceeds that is counted by at least one
//! summary, so it is among the candidates.

use std::collections::BTreeMap;

use rapidhash::RapidHashMap;

use super::space_saving::{Counter, SpaceSaving};
use super::{DAY_HOURS, Window};

/// Hourly summaries kept: the current hour and the 23 before it.
pub(crate) const HOURS_KEPT: u64 = 24;
/// Daily summaries kept: today and the 7 days before (one more than
/// [`WEEK_DAYS`], for the closed week of a summary).
pub(crate) const DAYS_KEPT: u64 = 8;
/// Days of [`Window::Week`]: today and the 6 days before.
pub(crate) const WEEK_DAYS: u64 = 7;

/// A key's merged figures over a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Merged {
    pub(crate) key: u64,
    /// Upper bound of the true count.
    pub(crate) count: u64,
    /// `count - max_overcount` is a lower bound of the true count.
    pub(crate) max_overcount: u64,
}

/// A window read: totals and the candidates, heaviest first.
#[derive(Debug, Default)]
pub(crate) struct Read {
    pub(crate) total: u64,
    /// `Σ total / capacity` over the window's summaries: no candidate's
    /// `max_overcount` exceeds it.
    pub(crate) overcount_bound: u64,
    pub(crate) candidates: Vec<Merged>,
}

/// One scope's summaries by period.
#[derive(Clone, Debug)]
pub(crate) struct Windows {
    capacity: usize,
    pub(crate) hours: BTreeMap<u64, SpaceSaving>,
    pub(crate) days: BTreeMap<u64, SpaceSaving>,
}

impl Windows {
    pub(crate) fn new(capacity: usize) -> Self {
        Windows {
            capacity,
            hours: BTreeMap::new(),
            days: BTreeMap::new(),
        }
    }

    /// Counts `n` messages of `key` in `hour` (an hour index since the
    /// epoch), given the current hour. `false` when the hour is too old
    /// for either window.
    /// Summaries out of the windows stay until [`expire`](Self::expire)
    /// (the feed calls it once an hour).
    pub(crate) fn offer(&mut self, key: u64, hour: u64, now_hour: u64, n: u64) -> bool {
        let (day, today) = (hour / DAY_HOURS, now_hour / DAY_HOURS);
        let mut kept = false;
        if hour + HOURS_KEPT > now_hour {
            let cap = self.capacity;
            let s = self
                .hours
                .entry(hour)
                .or_insert_with(|| SpaceSaving::new(cap));
            s.offer_n(key, n);
            kept = true;
        }
        if day + DAYS_KEPT > today {
            let cap = self.capacity;
            let s = self
                .days
                .entry(day)
                .or_insert_with(|| SpaceSaving::new(cap));
            s.offer_n(key, n);
            kept = true;
        }
        kept
    }

    /// Drops summaries that no window reaches any more.
    pub(crate) fn expire(&mut self, now_hour: u64) {
        let first_hour = (now_hour + 1).saturating_sub(HOURS_KEPT);
        let first_day = (now_hour / DAY_HOURS + 1).saturating_sub(DAYS_KEPT);
        self.hours = self.hours.split_off(&first_hour);
        self.days = self.days.split_off(&first_day);
    }

    /// True when no summary holds anything.
    pub(crate) fn is_empty(&self) -> bool {
        self.hours.is_empty() && self.days.is_empty()
    }

    /// Every key some summary counts.
    pub(crate) fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.hours
            .values()
            .chain(self.days.values())
            .flat_map(|s| s.counters().iter().map(|c| c.key))
    }

    /// The summaries `window` covers at `now_hour`.
    fn in_window(&self, window: Window, now_hour: u64) -> Vec<&SpaceSaving> {
        match window {
            Window::Day => {
                let from = (now_hour + 1).saturating_sub(HOURS_KEPT);
                self.hours.range(from..=now_hour).map(|(_, s)| s).collect()
            }
            Window::Week => {
                let today = now_hour / DAY_HOURS;
                let from = (today + 1).saturating_sub(WEEK_DAYS);
                self.days.range(from..=today).map(|(_, s)| s).collect()
            }
        }
    }

    /// The UTC days `first..=last` merged (those still kept), and how
    /// many of them the retention still covers (a day without records
    /// has no summary but is covered: it had none).
    /// Days before the last [`DAYS_KEPT`] at `now_hour` are not read, even
    /// when no record has expired them yet.
    pub(crate) fn read_days(&self, first: u64, last: u64, now_hour: u64) -> (Read, u64) {
        let first = first.max((now_hour / DAY_HOURS + 1).saturating_sub(DAYS_KEPT));
        let last = last.min(now_hour / DAY_HOURS);
        if first > last {
            return (Read::default(), 0);
        }
        let parts: Vec<&SpaceSaving> = self.days.range(first..=last).map(|(_, s)| s).collect();
        (merge(&parts), last - first + 1)
    }

    /// The window's merged candidates, heaviest first (ties: the larger
    /// guaranteed count, then the key).
    pub(crate) fn read(&self, window: Window, now_hour: u64) -> Read {
        merge(&self.in_window(window, now_hour))
    }
}

/// The union of `parts` as the module doc describes.
pub(crate) fn merge(parts: &[&SpaceSaving]) -> Read {
    let all_bounds: u64 = parts.iter().map(|s| s.uncounted_bound()).sum();
    // key → (Σ count, Σ error, Σ bound of the summaries that count it)
    let mut acc: RapidHashMap<u64, (u64, u64, u64)> = RapidHashMap::default();
    for s in parts {
        let bound = s.uncounted_bound();
        for &Counter { key, count, error } in s.counters() {
            let e = acc.entry(key).or_default();
            e.0 += count;
            e.1 += error;
            e.2 += bound;
        }
    }
    let mut candidates: Vec<Merged> = acc
        .into_iter()
        .map(|(key, (count, error, counted_bounds))| {
            let elsewhere = all_bounds - counted_bounds;
            Merged {
                key,
                count: count + elsewhere,
                max_overcount: error + elsewhere,
            }
        })
        .collect();
    candidates.sort_unstable_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then((b.count - b.max_overcount).cmp(&(a.count - a.max_overcount)))
            .then(a.key.cmp(&b.key))
    });
    Read {
        total: parts.iter().map(|s| s.total()).sum(),
        overcount_bound: parts.iter().map(|s| s.total() / s.capacity() as u64).sum(),
        candidates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_and_days_roll_off() {
        let mut w = Windows::new(8);
        let start = 1_000 * DAY_HOURS; // midnight UTC
        assert!(w.offer(1, start, start, 1));
        assert!(w.offer(1, start + 5, start + 5, 1));
        assert_eq!(w.read(Window::Day, start + 5).total, 2);
        assert_eq!(
            w.read(Window::Day, start + 24).total,
            1,
            "the first hour left"
        );
        assert_eq!(w.read(Window::Week, start + 24).total, 2);
        let eight_days = start + 8 * DAY_HOURS;
        assert_eq!(w.read(Window::Week, eight_days).total, 0);
        let seven_days = start + 7 * DAY_HOURS;
        assert_eq!(
            w.read(Window::Week, seven_days).total,
            0,
            "out of the window"
        );
        let day = start / DAY_HOURS;
        assert_eq!(
            w.read_days(day, day, seven_days).0.total,
            2,
            "kept for a summary"
        );
        assert_eq!(w.read_days(day, day, eight_days).0.total, 0, "gone");
        assert!(
            !w.offer(2, start, eight_days, 1),
            "too old for both windows"
        );
        w.expire(eight_days);
        assert!(w.is_empty());
    }

    #[test]
    fn merging_adds_the_bound_of_summaries_that_miss_a_key() {
        let mut a = SpaceSaving::new(2);
        let mut b = SpaceSaving::new(2);
        for k in [1, 1, 1, 2, 2] {
            a.offer(k);
        }
        for k in [1, 3, 3, 4] {
            b.offer(k); // 1 is replaced by 4: b counts {3: 2, 4: 2 (error 1)}
        }
        let read = merge(&[&a, &b]);
        assert_eq!(read.total, 9);
        let one = read
            .candidates
            .iter()
            .find(|m| m.key == 1)
            .expect("1 is counted by a");
        // true count 4: 3 in a, and b may have held up to 2 of it
        assert_eq!((one.count, one.max_overcount), (5, 2));
        assert!(one.count >= 4 && one.count - one.max_overcount <= 4);
        assert_eq!(read.candidates.first().map(|m| m.key), Some(1));
        assert!(
            read.candidates
                .iter()
                .all(|m| m.max_overcount <= read.overcount_bound)
        );
    }
}
