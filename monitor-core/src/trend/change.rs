//! Period over period: a value beside the same figure one period earlier.

use serde::{Deserialize, Serialize};

/// A figure's previous-period value and its change.
///
/// `previous` is `null` when the earlier period is not known (outside what
/// is kept, or before history begins); `change_pct` is `null` when either
/// value is unknown or the previous value is 0 (no finite percentage).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The same figure one period earlier.
    pub previous: Option<f64>,
    /// `(current - previous) / previous * 100`.
    pub change_pct: Option<f64>,
}

impl Change {
    /// `current` against `previous`.
    ///
    /// ```
    /// use monitor_core::trend::Change;
    ///
    /// let c = Change::between(Some(150.0), Some(100.0));
    /// assert_eq!(c.change_pct, Some(50.0));
    /// assert_eq!(Change::between(Some(5.0), Some(0.0)).change_pct, None);
    /// assert_eq!(Change::between(Some(5.0), None).previous, None);
    /// ```
    pub fn between(current: Option<f64>, previous: Option<f64>) -> Self {
        let change_pct = match (current, previous) {
            (Some(c), Some(p)) if p != 0.0 => Some((c - p) / p * 100.0),
            _ => None,
        };
        Change {
            previous,
            change_pct,
        }
    }
}

/// Each value of `values` against the one `lag` places before it (the
/// same hour a day earlier is `lag = 24` in an hourly series). The first
/// `lag` values have no earlier value in the slice: their `previous` is
/// `None`.
pub fn period_over_period(values: &[Option<f64>], lag: usize) -> Vec<Change> {
    values
        .iter()
        .enumerate()
        .map(|(i, &current)| {
            let previous = i
                .checked_sub(lag)
                .and_then(|j| values.get(j).copied().flatten());
            Change::between(current, previous)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_with_the_value_lag_places_earlier() {
        let v = [Some(10.0), Some(20.0), Some(15.0), Some(40.0), None];
        let c = period_over_period(&v, 2);
        assert_eq!(c[0], Change::default(), "nothing two places before");
        assert_eq!(c[1].previous, None);
        assert_eq!(c[2].previous, Some(10.0));
        assert_eq!(c[2].change_pct, Some(50.0));
        assert_eq!(c[3].previous, Some(20.0));
        assert_eq!(c[3].change_pct, Some(100.0));
        assert_eq!(c[4].previous, Some(15.0), "previous known, current not");
        assert_eq!(c[4].change_pct, None);
    }

    #[test]
    fn a_zero_or_unknown_previous_has_no_percentage() {
        assert_eq!(
            Change::between(Some(3.0), Some(0.0)),
            Change {
                previous: Some(0.0),
                change_pct: None
            }
        );
        assert_eq!(
            Change::between(Some(0.0), Some(4.0)).change_pct,
            Some(-100.0)
        );
        assert_eq!(Change::between(None, None), Change::default());
    }
}
