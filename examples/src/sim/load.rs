//! How busy the simulated bot is at a given time: a working day (quiet at
//! 04:00 UTC, busiest at 16:00), lighter weekends, and a fixed wobble per
//! hour, so neighbouring hours differ the way real ones do. The live
//! handlers and the [`history`](super::history) backfill read the same
//! curve, so the current hour sits where the past week says it should.

use std::f64::consts::TAU;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// The share of the peak rate at the quietest hour of a weekday.
pub const NIGHT: f64 = 0.08;

/// The share of [`PEAK_RATE`](super::PEAK_RATE) the bot handles at `t`,
/// in `(0, 1]`.
pub fn at(t: SystemTime) -> f64 {
    let secs = t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let hour = secs / 3_600;
    let hour_of_day = (secs % 86_400) as f64 / 3_600.0;
    // 1970-01-01 was a Thursday: day 0 → 4 with Sunday = 0.
    let weekday = (secs / 86_400 + 4) % 7;
    let week = match weekday {
        0 => 0.55,
        6 => 0.7,
        _ => 1.0,
    };
    let day = (1.0 - (TAU * (hour_of_day - 4.0) / 24.0).cos()) / 2.0;
    let wobble = SmallRng::seed_from_u64(hour).random_range(0.85..1.0);
    (NIGHT + (1.0 - NIGHT) * day.powf(1.5)) * week * wobble
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Monday 2026-11-16 00:00 UTC.
    const MONDAY: u64 = 1_763_251_200;

    fn hour(day: u64, h: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(MONDAY + day * 86_400 + h * 3_600)
    }

    #[test]
    fn afternoons_are_busier_than_nights_and_weekdays_than_sundays() {
        for day in 0..7 {
            assert!(at(hour(day, 16)) > 3.0 * at(hour(day, 4)), "day {day}");
        }
        assert!(at(hour(2, 15)) > at(hour(6, 15)));
    }

    #[test]
    fn stays_within_its_range_and_is_the_same_for_the_same_hour() {
        for h in 0..24 * 14 {
            let share = at(hour(0, h));
            assert!(share > 0.0 && share <= 1.0, "hour {h}: {share}");
        }
        // Within an hour the curve moves smoothly (same wobble).
        let t = hour(3, 10);
        assert!((at(t) - at(t + Duration::from_secs(60))).abs() < 0.01);
    }
}
