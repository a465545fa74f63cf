//! What `/api/metrics`' cards compare with: each card's own value one
//! window earlier.
//!
//! The collector keeps minutes for only a little over an hour, so the
//! 60 minutes before the last 60 cannot be recounted. Instead the monitor
//! notes the cards' values every minute (on read and from a background
//! task) in a ring of 25 hours, and a card's previous value is the one it
//! showed one window ago: the last hour's figures 60 minutes ago, active
//! users now 30 minutes ago, users today 24 hours ago. The ring is not in
//! snapshots: after a restart a change is `null` until its window has
//! passed. Messages in the last 24 h are compared exactly instead, with
//! the 24 clock hours before them (see
//! [`Monitor::card_changes`](crate::Monitor::card_changes)).

use parking_lot::Mutex;
use serde::Serialize;

use super::change::Change;
use crate::period::KeyedRing;

/// Minutes of card values kept: 25 hours, so the value of 24 hours ago is
/// still there.
pub const CARD_MINUTES: usize = 25 * 60;

/// The cards' values at one minute.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CardSample {
    /// Messages in the last 60 minutes.
    pub messages_last_hour: u64,
    /// p95 response time of the last hour.
    pub p95_ms: Option<f64>,
    /// Error rate of the last hour.
    pub error_rate_last_hour: Option<f64>,
    /// Users seen in the last 30 minutes.
    pub active_now: u64,
    /// Users seen today.
    pub active_today: u64,
}

/// Card values by minute (minutes since the epoch), the last
/// [`CARD_MINUTES`].
pub(crate) struct CardHistory {
    ring: Mutex<KeyedRing<Option<CardSample>>>,
}

impl CardHistory {
    pub(crate) fn new() -> Self {
        CardHistory {
            ring: Mutex::new(KeyedRing::new(CARD_MINUTES)),
        }
    }

    /// Notes `sample` as the cards' values at `minute` (the latest note of
    /// a minute wins).
    pub(crate) fn note(&self, minute: u64, sample: CardSample) {
        if let Some(slot) = self.ring.lock().entry(minute, minute) {
            *slot = Some(sample);
        }
    }

    /// The values noted `ago` minutes before `minute`, or failing that the
    /// minute just before or after (the background note runs once a
    /// minute, not on the minute).
    pub(crate) fn at(&self, minute: u64, ago: u64) -> Option<CardSample> {
        let target = minute.checked_sub(ago)?;
        let ring = self.ring.lock();
        [target, target.saturating_sub(1), target + 1]
            .into_iter()
            .filter(|&m| m < minute)
            .find_map(|m| ring.get(m).copied().flatten())
    }
}

/// How the figures of `/api/metrics` changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct CardChanges {
    /// Messages in the last 60 minutes against the 60 before (their value
    /// 60 minutes ago).
    pub messages_last_hour: Change,
    /// Messages in the current clock hour and the 23 before against the
    /// 24 clock hours before those.
    pub messages_last_24h: Change,
    /// p95 of the last hour against its value 60 minutes ago.
    pub p95: Change,
    /// Error rate of the last hour against its value 60 minutes ago.
    pub error_rate_last_hour: Change,
    /// Users of the last 30 minutes against the 30 before.
    pub active_now: Change,
    /// Users today against yesterday's by this time (24 hours ago).
    pub active_today: Change,
}

impl CardChanges {
    /// `now` against the samples of the history; `last_24h` is the exact
    /// pair (current, previous) of 24-hour message counts.
    pub(crate) fn of(
        now: &CardSample,
        hour_ago: Option<CardSample>,
        half_hour_ago: Option<CardSample>,
        day_ago: Option<CardSample>,
        last_24h: Change,
    ) -> Self {
        let n = |v: u64| Some(v as f64);
        CardChanges {
            messages_last_hour: Change::between(
                n(now.messages_last_hour),
                hour_ago.map(|s| s.messages_last_hour as f64),
            ),
            messages_last_24h: last_24h,
            p95: Change::between(now.p95_ms, hour_ago.and_then(|s| s.p95_ms)),
            error_rate_last_hour: Change::between(
                now.error_rate_last_hour,
                hour_ago.and_then(|s| s.error_rate_last_hour),
            ),
            active_now: Change::between(
                n(now.active_now),
                half_hour_ago.map(|s| s.active_now as f64),
            ),
            active_today: Change::between(
                n(now.active_today),
                day_ago.map(|s| s.active_today as f64),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(messages: u64) -> CardSample {
        CardSample {
            messages_last_hour: messages,
            ..CardSample::default()
        }
    }

    #[test]
    fn finds_the_sample_of_a_window_ago_or_a_neighbour() {
        let h = CardHistory::new();
        h.note(1_000, sample(10));
        h.note(1_059, sample(20));
        assert_eq!(h.at(1_060, 60).map(|s| s.messages_last_hour), Some(10));
        assert_eq!(h.at(1_061, 60).map(|s| s.messages_last_hour), Some(10));
        assert_eq!(h.at(1_059, 60).map(|s| s.messages_last_hour), Some(10));
        assert_eq!(h.at(1_063, 60), None, "nothing within a minute");
        assert_eq!(h.at(1_000, 0), None, "a sample is never its own past");
    }

    #[test]
    fn forgets_what_is_older_than_the_ring() {
        let h = CardHistory::new();
        h.note(10_000, sample(1));
        h.note(10_000 + CARD_MINUTES as u64, sample(2));
        assert_eq!(
            h.at(10_000 + CARD_MINUTES as u64, CARD_MINUTES as u64),
            None
        );
    }
}
