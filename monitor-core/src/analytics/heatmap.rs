//! [`Heatmap`]: messages by day of week × hour of day over the last four
//! weeks.
//!
//! The collector keeps hourly counts for 7 days ([`MAX_HOURS`]); the
//! heatmap keeps 4 weeks of them: 672 `(hour, count)` slots, slot
//! `hour % 672`. It is fed by copying the collector's hourly series in,
//! never from `record_message`: [`Heatmap::sync`] overwrites each hour's
//! slot with the collector's count, so syncing again never counts twice,
//! and an hour is final once the collector has moved past it. The
//! [`Monitor`](crate::Monitor) syncs before every read, before every
//! snapshot and every 10 minutes, well within the collector's 7 days.
//!
//! Days and hours are UTC unless the host sets a whole-hour offset
//! ([`Heatmap::new`]); hourly buckets are UTC hours, so an offset that is
//! not whole hours could not be honoured.

use std::sync::Arc;
use std::time::SystemTime;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::clock::{from_unix_ms, rfc3339, unix_ms};
use crate::collector::{MAX_HOURS, MetricsCollector, SeriesBucket};

/// Weeks the heatmap keeps.
pub const HEATMAP_WEEKS: usize = 4;
/// Hours the heatmap keeps.
const SLOTS: usize = HEATMAP_WEEKS * 7 * 24;
const HOUR_MS: u64 = 3_600_000;
/// Day names, Monday first.
pub const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// The heatmap's hours, shared by clones. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Heatmap {
    slots: Arc<Mutex<Vec<(u64, u64)>>>,
    offset_hours: i8,
}

/// Day-of-week × hour-of-day message counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeatmapReport {
    /// Weeks summed (1 to [`HEATMAP_WEEKS`]).
    pub weeks: usize,
    /// `"UTC"` or `"UTC+02:00"`: the zone of `days` and hours.
    pub timezone: String,
    /// Start of the first hour summed.
    #[serde(with = "rfc3339")]
    pub from: SystemTime,
    /// When it was read (the current hour is included so far).
    #[serde(with = "rfc3339")]
    pub to: SystemTime,
    /// Row names of `counts`, Monday first.
    pub days: [&'static str; 7],
    /// `counts[day][hour]`: messages in that hour of that weekday.
    pub counts: [[u64; 24]; 7],
    /// The largest cell.
    pub max: u64,
    /// All cells.
    pub total: u64,
}

/// The heatmap's durable state: the hours it keeps that had messages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatmapState {
    /// `(hours since the epoch, messages)`, at most 672, distinct hours.
    pub hours: Vec<(u64, u64)>,
}

impl Heatmap {
    /// An empty heatmap whose days and hours are `utc_offset_hours` from
    /// UTC (clamped to −12..=14).
    pub fn new(utc_offset_hours: i8) -> Self {
        Heatmap {
            slots: Arc::new(Mutex::new(vec![(u64::MAX, 0); SLOTS])),
            offset_hours: utc_offset_hours.clamp(-12, 14),
        }
    }

    /// Sets each bucket's hour to the bucket's count.
    pub fn sync(&self, hours: &[SeriesBucket]) {
        let mut slots = self.slots.lock();
        for b in hours {
            let hour = unix_ms(b.start) / HOUR_MS;
            slots[(hour % SLOTS as u64) as usize] = (hour, b.count);
        }
    }

    /// [`sync`](Self::sync) with the collector's last 7 days of hours.
    pub fn sync_from(&self, collector: &MetricsCollector) {
        self.sync(&collector.hourly(MAX_HOURS));
    }

    /// The last `weeks` weeks (1 to [`HEATMAP_WEEKS`]) up to `now`,
    /// as synced so far.
    pub fn report(&self, now: SystemTime, weeks: usize) -> HeatmapReport {
        let weeks = weeks.clamp(1, HEATMAP_WEEKS);
        let now_hour = unix_ms(now) / HOUR_MS;
        let first = (now_hour + 1).saturating_sub((weeks * 7 * 24) as u64);
        let mut counts = [[0u64; 24]; 7];
        for &(hour, count) in self.slots.lock().iter() {
            if (first..=now_hour).contains(&hour) {
                let (day, h) = self.cell(hour);
                counts[day][h] += count;
            }
        }
        let cells = counts.iter().flatten();
        HeatmapReport {
            weeks,
            timezone: self.timezone(),
            from: from_unix_ms(first * HOUR_MS),
            to: now,
            days: DAY_NAMES,
            max: cells.clone().copied().max().unwrap_or(0),
            total: cells.sum(),
            counts,
        }
    }

    /// Weekday (Monday 0) and hour of day of `hour`, in the heatmap's zone.
    fn cell(&self, hour: u64) -> (usize, usize) {
        let local = hour as i64 + i64::from(self.offset_hours);
        // 1970-01-01 was a Thursday (3 with Monday 0).
        let weekday = (local.div_euclid(24) + 3).rem_euclid(7);
        (weekday as usize, local.rem_euclid(24) as usize)
    }

    fn timezone(&self) -> String {
        match self.offset_hours {
            0 => "UTC".to_owned(),
            h => format!(
                "UTC{}{:02}:00",
                if h < 0 { '-' } else { '+' },
                h.unsigned_abs()
            ),
        }
    }

    /// The hours kept that had messages, for a snapshot.
    pub fn export(&self) -> HeatmapState {
        let mut hours: Vec<(u64, u64)> = self
            .slots
            .lock()
            .iter()
            .copied()
            .filter(|&(h, c)| h != u64::MAX && c > 0)
            .collect();
        hours.sort_unstable();
        HeatmapState { hours }
    }

    /// Replaces every hour with `state`'s; a state with more hours than
    /// kept, or one hour twice, is an error and changes nothing.
    pub fn replace(&self, state: &HeatmapState) -> Result<(), String> {
        if state.hours.len() > SLOTS {
            return Err(format!(
                "heatmap: {} hours, at most {SLOTS}",
                state.hours.len()
            ));
        }
        let mut fresh = vec![(u64::MAX, 0); SLOTS];
        for &(hour, count) in &state.hours {
            let slot = &mut fresh[(hour % SLOTS as u64) as usize];
            if slot.0 != u64::MAX || hour == u64::MAX {
                return Err(format!("heatmap: hour {hour} twice or out of range"));
            }
            *slot = (hour, count);
        }
        *self.slots.lock() = fresh;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_follow_the_offset() {
        let utc = Heatmap::new(0);
        // Hour 0 since the epoch: Thursday 00:00 UTC.
        assert_eq!(utc.cell(0), (3, 0));
        assert_eq!(utc.cell(24 * 4 + 13), (0, 13), "Monday 13:00");
        let tokyo = Heatmap::new(9);
        assert_eq!(
            tokyo.cell(24 * 4 + 20),
            (1, 5),
            "Monday 20:00 UTC is Tuesday 05:00"
        );
        assert_eq!(tokyo.timezone(), "UTC+09:00");
        assert_eq!(Heatmap::new(-5).timezone(), "UTC-05:00");
        assert_eq!(Heatmap::new(-5).cell(24 * 4 + 2), (6, 21), "Sunday evening");
    }

    #[test]
    fn replace_refuses_an_hour_twice() {
        let h = Heatmap::new(0);
        let bad = HeatmapState {
            hours: vec![(5, 1), (5 + SLOTS as u64, 2)],
        };
        assert!(h.replace(&bad).is_err());
        assert!(
            h.replace(&HeatmapState {
                hours: vec![(5, 1)]
            })
            .is_ok()
        );
        assert_eq!(h.export().hours, [(5, 1)]);
    }
}
