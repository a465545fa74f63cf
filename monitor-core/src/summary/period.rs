//! Which period a summary covers: a whole UTC day, or a whole ISO week
//! (Monday 00:00 to Monday 00:00 UTC), and the names its files carry.

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::clock::{from_unix_ms, unix_ms};

const DAY_MS: u64 = 86_400_000;
/// Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN: i64 = 2_440_588;

/// Daily or weekly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    /// One UTC day, 00:00 to 24:00.
    Daily,
    /// One ISO week, Monday 00:00 to the next Monday 00:00 UTC.
    Weekly,
}

impl PeriodKind {
    /// `"daily"` or `"weekly"`.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Daily => "daily",
            PeriodKind::Weekly => "weekly",
        }
    }

    /// Days in one period.
    pub fn days(self) -> u64 {
        match self {
            PeriodKind::Daily => 1,
            PeriodKind::Weekly => 7,
        }
    }
}

impl fmt::Display for PeriodKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A period kind that is neither `daily` nor `weekly`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown period (known: daily, weekly)")]
pub struct UnknownPeriod;

impl FromStr for PeriodKind {
    type Err = UnknownPeriod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "daily" => Ok(PeriodKind::Daily),
            "weekly" => Ok(PeriodKind::Weekly),
            _ => Err(UnknownPeriod),
        }
    }
}

/// One day or one ISO week, in UTC.
///
/// ```
/// use monitor_core::summary::{PeriodKind, SummaryPeriod};
/// use monitor_core::clock::rfc3339;
///
/// let now = rfc3339::parse("2026-11-23T00:00:30Z").expect("a time"); // a Monday
/// let day = SummaryPeriod::last_closed(PeriodKind::Daily, now);
/// assert_eq!(day.file_stem(), "summary-daily-2026-11-22");
/// let week = SummaryPeriod::last_closed(PeriodKind::Weekly, now);
/// assert_eq!(week.file_stem(), "summary-weekly-2026-W47");
/// assert_eq!(rfc3339::format(week.from()), "2026-11-16T00:00:00.000Z");
/// assert_eq!(rfc3339::format(week.to()), "2026-11-23T00:00:00.000Z");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SummaryPeriod {
    kind: PeriodKind,
    /// First day, in days since the Unix epoch (a Monday for a week).
    first_day: u64,
}

impl SummaryPeriod {
    /// The latest period of `kind` that ended at or before `now`:
    /// yesterday, or the ISO week before the current one.
    pub fn last_closed(kind: PeriodKind, now: SystemTime) -> Self {
        let today = unix_ms(now) / DAY_MS;
        let first_day = match kind {
            PeriodKind::Daily => today.saturating_sub(1),
            PeriodKind::Weekly => monday_of(today).saturating_sub(7),
        };
        SummaryPeriod { kind, first_day }
    }

    /// The period of `kind` that holds `date` (for a week, the ISO week
    /// it falls in).
    pub fn containing(kind: PeriodKind, date: Date) -> Self {
        let day = u64::try_from(i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN).unwrap_or(0);
        let first_day = match kind {
            PeriodKind::Daily => day,
            PeriodKind::Weekly => monday_of(day),
        };
        SummaryPeriod { kind, first_day }
    }

    /// Daily or weekly.
    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// The first day, in days since the Unix epoch.
    pub fn first_day(&self) -> u64 {
        self.first_day
    }

    /// Start (inclusive).
    pub fn from(&self) -> SystemTime {
        from_unix_ms(self.first_day * DAY_MS)
    }

    /// End (exclusive).
    pub fn to(&self) -> SystemTime {
        from_unix_ms((self.first_day + self.kind.days()) * DAY_MS)
    }

    /// The period before this one.
    pub fn previous(&self) -> Self {
        SummaryPeriod {
            kind: self.kind,
            first_day: self.first_day.saturating_sub(self.kind.days()),
        }
    }

    /// `2026-11-21` for a day, `2026-W47` for an ISO week (the ISO
    /// week-numbering year, which can differ from the calendar year in
    /// the first and last days of a year).
    pub fn name(&self) -> String {
        let date = date_of(self.first_day);
        match self.kind {
            PeriodKind::Daily => format!(
                "{:04}-{:02}-{:02}",
                date.year(),
                u8::from(date.month()),
                date.day()
            ),
            PeriodKind::Weekly => {
                let (year, week, _) = date.to_iso_week_date();
                format!("{year:04}-W{week:02}")
            }
        }
    }

    /// `summary-daily-2026-11-21` or `summary-weekly-2026-W47`: the file
    /// name without its extension.
    pub fn file_stem(&self) -> String {
        format!("summary-{}-{}", self.kind.as_str(), self.name())
    }
}

/// The Monday of the ISO week holding `day` (1970-01-01 was a Thursday).
fn monday_of(day: u64) -> u64 {
    day.saturating_sub((day + 3) % 7)
}

/// The calendar date of `day` days after 1970-01-01.
fn date_of(day: u64) -> Date {
    let julian = i32::try_from(UNIX_EPOCH_JULIAN + day as i64).unwrap_or(i32::MAX);
    Date::from_julian_day(julian)
        .or_else(|_| Date::from_calendar_date(1970, Month::January, 1))
        .unwrap_or(Date::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::rfc3339;

    fn at(text: &str) -> SystemTime {
        rfc3339::parse(text).expect("a valid time")
    }

    #[test]
    fn the_last_closed_day_and_week() {
        let sunday_late = at("2026-11-22T23:59:59Z");
        let d = SummaryPeriod::last_closed(PeriodKind::Daily, sunday_late);
        assert_eq!(d.name(), "2026-11-21");
        let w = SummaryPeriod::last_closed(PeriodKind::Weekly, sunday_late);
        assert_eq!(w.name(), "2026-W46", "the week of the 22nd is still open");
        let monday = at("2026-11-23T00:00:00Z");
        assert_eq!(
            SummaryPeriod::last_closed(PeriodKind::Daily, monday).name(),
            "2026-11-22"
        );
        let w = SummaryPeriod::last_closed(PeriodKind::Weekly, monday);
        assert_eq!(w.name(), "2026-W47");
        assert_eq!(w.previous().name(), "2026-W46");
    }

    #[test]
    fn iso_weeks_use_the_week_numbering_year() {
        // 2027-01-01 is a Friday: ISO week 53 of 2026.
        let date = Date::from_calendar_date(2027, Month::January, 1).expect("a date");
        let w = SummaryPeriod::containing(PeriodKind::Weekly, date);
        assert_eq!(w.name(), "2026-W53");
        assert_eq!(rfc3339::format(w.from()), "2026-12-28T00:00:00.000Z");
        let d = SummaryPeriod::containing(PeriodKind::Daily, date);
        assert_eq!(d.file_stem(), "summary-daily-2027-01-01");
    }

    #[test]
    fn kinds_parse() {
        assert_eq!("weekly".parse(), Ok(PeriodKind::Weekly));
        assert_eq!("hourly".parse::<PeriodKind>(), Err(UnknownPeriod));
    }
}
