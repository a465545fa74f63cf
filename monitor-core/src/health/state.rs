//! Durable health state for snapshot files: each heartbeat source's
//! timeline, so uptime percentages survive a restart.
//!
//! Check results are not saved: they are re-probed within one interval of
//! a start, and a stale verdict from before a restart would be a lie.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use serde::{Deserialize, Serialize};

use super::Health;
use super::heartbeat::{History, Source, clean_name};

/// Longest heartbeat interval a snapshot may carry: 30 days.
const MAX_RESTORED_INTERVAL_MS: u64 = 30 * 24 * 3_600 * 1_000;

/// What [`Health::export`] saves.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthState {
    /// Heartbeat sources, by name order.
    pub heartbeats: Vec<HeartbeatState>,
}

/// One heartbeat source's configuration and timeline (Unix milliseconds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeartbeatState {
    /// The source's name.
    pub name: String,
    /// How often it must beat.
    pub interval_ms: u64,
    /// Stale is critical.
    pub required: bool,
    /// When its timeline started.
    pub registered_at_ms: u64,
    /// Its last beat.
    pub last_seen_ms: Option<u64>,
    /// Down time of the gaps closed by a beat.
    pub down_ms: u64,
}

impl Health {
    /// The durable state: every heartbeat source's timeline.
    pub fn export(&self) -> HealthState {
        let sources = self.shared.heartbeats.sources.read();
        HealthState {
            heartbeats: sources
                .iter()
                .map(|(name, s)| {
                    let h = *s.history.lock();
                    HeartbeatState {
                        name: name.clone(),
                        interval_ms: s.interval_ms,
                        required: s.required,
                        registered_at_ms: h.registered_ms,
                        last_seen_ms: h.last_seen_ms,
                        down_ms: h.down_ms,
                    }
                })
                .collect(),
        }
    }

    /// Merges saved timelines in, validated first (the file may be
    /// hostile):
    ///
    /// - an entry with an empty name, a zero or over-30-day interval, or a
    ///   duplicate name is skipped; times in the future are pulled back to
    ///   now, and a down time longer than its timeline is cut to it;
    /// - a source not registered now is added (its saved interval and
    ///   `required`) while under the cap; the rest are skipped;
    /// - a source registered now keeps its configured interval and
    ///   `required`; if the saved timeline started earlier, it takes it
    ///   over: the saved start and down time, the time between the saved
    ///   last beat and this start counted as a gap (so a restart is
    ///   downtime beyond one interval), then what was seen since. A saved
    ///   timeline that starts no earlier than the live one is ignored, so
    ///   restoring the same state twice changes nothing.
    ///
    /// Skipped entries are counted in
    /// [`HealthCounters::rejected_heartbeats`](super::HealthCounters).
    pub fn restore(&self, state: HealthState) {
        self.apply(state, merge);
    }

    /// Puts saved timelines in place of the live ones, validated as
    /// [`restore`](Self::restore) does: a source registered now keeps its
    /// configured interval and its latest beat (the saved one or a newer
    /// live one) and takes the saved start and down time; a saved source
    /// not registered is added while under the cap. Sources the state does
    /// not name keep their timelines: the host registered them.
    pub fn replace(&self, state: HealthState) {
        self.apply(state, |saved, live, _| History {
            last_seen_ms: saved.last_seen_ms.max(live.last_seen_ms),
            ..saved
        });
    }

    /// Validates `state`'s entries and combines each with the live source
    /// of its name through `combine(saved, live, interval_ms)`.
    fn apply(&self, state: HealthState, combine: fn(History, History, u64) -> History) {
        let heartbeats = &self.shared.heartbeats;
        let now = self.shared.clock.now_ms();
        let mut sources = heartbeats.sources.write();
        let mut taken = std::collections::BTreeSet::new();
        let mut rejected = 0u64;
        for saved in state.heartbeats {
            let Some((name, history)) = validate(&saved, now) else {
                rejected += 1;
                continue;
            };
            if !taken.insert(name.clone()) {
                rejected += 1;
                continue;
            }
            if let Some(live) = sources.get(&name) {
                let mut h = live.history.lock();
                *h = combine(history, *h, live.interval_ms);
            } else if sources.len() < heartbeats.cap {
                let source = Source::new(
                    std::time::Duration::from_millis(saved.interval_ms),
                    saved.required,
                    now,
                );
                *source.history.lock() = history;
                sources.insert(name, Arc::new(source));
            } else {
                rejected += 1;
            }
        }
        heartbeats.rejected.fetch_add(rejected, Relaxed);
    }
}

/// The saved entry's name and timeline made consistent with `now`, or
/// `None` when it cannot be trusted at all.
fn validate(saved: &HeartbeatState, now: u64) -> Option<(String, History)> {
    let name = clean_name(&saved.name)?;
    if saved.interval_ms == 0 || saved.interval_ms > MAX_RESTORED_INTERVAL_MS {
        return None;
    }
    let registered_ms = saved.registered_at_ms.min(now);
    let last_seen_ms = saved.last_seen_ms.map(|t| t.clamp(registered_ms, now));
    let span = last_seen_ms.unwrap_or(registered_ms) - registered_ms;
    let history = History {
        registered_ms,
        last_seen_ms,
        down_ms: saved.down_ms.min(span),
    };
    Some((name, history))
}

/// The live timeline `live` extended back by the earlier `saved` one.
fn merge(saved: History, live: History, interval_ms: u64) -> History {
    if saved.registered_ms >= live.registered_ms {
        return live;
    }
    let Some(live_seen) = live.last_seen_ms else {
        // Not seen since this start: the saved timeline simply goes on,
        // its last beat still the start of the current gap.
        return saved;
    };
    let restart_gap = live
        .registered_ms
        .saturating_sub(saved.last_ref_ms())
        .saturating_sub(interval_ms);
    History {
        registered_ms: saved.registered_ms,
        last_seen_ms: Some(live_seen),
        down_ms: saved
            .down_ms
            .saturating_add(restart_gap)
            .saturating_add(live.down_ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(registered_ms: u64, last_seen_ms: Option<u64>, down_ms: u64) -> History {
        History {
            registered_ms,
            last_seen_ms,
            down_ms,
        }
    }

    #[test]
    fn an_earlier_saved_timeline_is_taken_over_with_the_restart_as_a_gap() {
        // Saved: registered at 0, last beat at 100 s, 5 s down. Live:
        // started at 200 s, beat at 210 s. Interval 30 s.
        let merged = merge(
            history(0, Some(100_000), 5_000),
            history(200_000, Some(210_000), 0),
            30_000,
        );
        // The restart gap 100 s -> 200 s is 70 s beyond the interval.
        assert_eq!(merged, history(0, Some(210_000), 75_000));
    }

    #[test]
    fn unseen_since_start_continues_the_saved_timeline() {
        let saved = history(0, Some(100_000), 5_000);
        assert_eq!(merge(saved, history(200_000, None, 0), 30_000), saved);
    }

    #[test]
    fn a_saved_timeline_no_older_than_the_live_one_is_ignored() {
        let live = history(200_000, Some(210_000), 0);
        assert_eq!(merge(history(200_000, None, 9), live, 30_000), live);
        assert_eq!(merge(history(300_000, None, 9), live, 30_000), live);
    }

    #[test]
    fn hostile_entries_are_clamped_or_refused() {
        let entry = |interval_ms, registered_at_ms, last_seen_ms, down_ms| HeartbeatState {
            name: " webhook\u{7} ".to_owned(),
            interval_ms,
            required: true,
            registered_at_ms,
            last_seen_ms,
            down_ms,
        };
        assert_eq!(validate(&entry(0, 0, None, 0), 1_000), None);
        assert_eq!(validate(&entry(u64::MAX, 0, None, 0), 1_000), None);
        let (name, h) = validate(&entry(10, 5_000, Some(9_000), u64::MAX), 1_000).expect("valid");
        assert_eq!(name, "webhook");
        assert_eq!(h, history(1_000, Some(1_000), 0));
        let (_, h) = validate(&entry(10, 100, Some(50), u64::MAX), 1_000).expect("valid");
        assert_eq!(h, history(100, Some(100), 0));
        let (_, h) = validate(&entry(10, 100, Some(600), u64::MAX), 1_000).expect("valid");
        assert_eq!(h.down_ms, 500);
    }
}
