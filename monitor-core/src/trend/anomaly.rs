//! Anomalies: a value more than `sigmas` standard deviations away from the
//! mean of the values just before it.

use serde::{Deserialize, Serialize};

/// The least spread a history is taken to have, so a flat history does
/// not make every small move an anomaly.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Floor {
    /// At least `√mean`, and at least 1: counts of independent events
    /// (messages) vary that much on their own (Poisson).
    Poisson,
    /// At least this much (for rates, e.g. 0.01 = one percentage point).
    Absolute(f64),
}

impl Floor {
    fn at(self, mean: f64) -> f64 {
        match self {
            Floor::Poisson => mean.max(0.0).sqrt().max(1.0),
            Floor::Absolute(min) => min.max(0.0),
        }
    }
}

/// How a series is judged.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnomalyRule {
    /// Values before the judged one that make its history (the trailing
    /// window).
    pub window: usize,
    /// Known values the window must hold before anything is judged.
    pub min_history: usize,
    /// Standard deviations from the mean beyond which a value is flagged.
    pub sigmas: f64,
    /// The least standard deviation assumed.
    pub floor: Floor,
}

/// Above or below the trailing mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Higher than usual.
    High,
    /// Lower than usual.
    Low,
}

impl Direction {
    /// `"high"` or `"low"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::High => "high",
            Direction::Low => "low",
        }
    }
}

/// A flagged value with the history it was judged against.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// The value.
    pub value: f64,
    /// Mean of the trailing window's known values.
    pub mean: f64,
    /// Their sample standard deviation, raised to the rule's floor.
    pub std_dev: f64,
    /// Above or below the mean.
    pub direction: Direction,
    /// `(value - mean) / std_dev`: how many standard deviations away.
    pub deviations: f64,
}

/// `value` judged against `history` (its trailing window's known values):
/// `Some` when it lies more than `rule.sigmas` standard deviations from
/// their mean, `None` otherwise or when the history is shorter than
/// `rule.min_history`.
pub fn judge(history: &[f64], value: f64, rule: &AnomalyRule) -> Option<Anomaly> {
    let n = history.len();
    if n < rule.min_history.max(2) || !value.is_finite() {
        return None;
    }
    let mean = history.iter().sum::<f64>() / n as f64;
    let var = history.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let std_dev = var.sqrt().max(rule.floor.at(mean));
    if std_dev.is_nan() || std_dev <= 0.0 {
        return None;
    }
    let deviations = (value - mean) / std_dev;
    (deviations.abs() > rule.sigmas).then_some(Anomaly {
        value,
        mean,
        std_dev,
        direction: if deviations > 0.0 {
            Direction::High
        } else {
            Direction::Low
        },
        deviations,
    })
}

/// Every value of `values` judged against the known values among the
/// `rule.window` before it. Unknown values (`None`) are neither judged
/// nor part of any history.
///
/// ```
/// use monitor_core::trend::{Direction, Floor, AnomalyRule, flag};
///
/// let rule = AnomalyRule { window: 6, min_history: 4, sigmas: 2.0, floor: Floor::Poisson };
/// let v = [100.0, 104.0, 96.0, 101.0, 99.0, 100.0, 180.0].map(Some);
/// let flags = flag(&v, &rule);
/// assert!(flags[..6].iter().all(Option::is_none));
/// assert_eq!(flags[6].expect("a spike").direction, Direction::High);
/// ```
pub fn flag(values: &[Option<f64>], rule: &AnomalyRule) -> Vec<Option<Anomaly>> {
    let mut history = Vec::with_capacity(rule.window);
    values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let value = (*value)?;
            history.clear();
            history.extend(values[i.saturating_sub(rule.window)..i].iter().flatten());
            judge(&history, value, rule)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: AnomalyRule = AnomalyRule {
        window: 8,
        min_history: 6,
        sigmas: 2.0,
        floor: Floor::Absolute(0.0),
    };

    /// A history of mean 10 and sample standard deviation exactly 2.
    const HISTORY: [f64; 8] = [8.0, 12.0, 8.0, 12.0, 8.0, 12.0, 8.0, 12.0];

    fn sd_of_history() -> f64 {
        // 8 values each 2 from the mean: variance 8 * 4 / 7.
        (32.0f64 / 7.0).sqrt()
    }

    #[test]
    fn flags_beyond_two_standard_deviations_either_way() {
        let sd = sd_of_history();
        let spike = judge(&HISTORY, 10.0 + 2.0 * sd + 0.01, &RULE).expect("spike");
        assert_eq!(spike.direction, Direction::High);
        assert!((spike.mean - 10.0).abs() < 1e-12);
        assert!((spike.std_dev - sd).abs() < 1e-12);
        assert!(spike.deviations > 2.0);
        let dip = judge(&HISTORY, 10.0 - 2.0 * sd - 0.01, &RULE).expect("dip");
        assert_eq!(dip.direction, Direction::Low);
        assert!(judge(&HISTORY, 10.0 + 2.0 * sd - 0.01, &RULE).is_none());
        assert!(judge(&HISTORY, 10.0 - 2.0 * sd + 0.01, &RULE).is_none());
    }

    #[test]
    fn short_history_is_not_judged() {
        assert!(judge(&HISTORY[..5], 1000.0, &RULE).is_none());
        assert!(judge(&HISTORY[..6], 1000.0, &RULE).is_some());
    }

    #[test]
    fn a_flat_history_uses_the_floor() {
        let flat = [50.0; 10];
        assert!(judge(&flat, 51.0, &RULE).is_none(), "no floor, no spread");
        let poisson = AnomalyRule {
            floor: Floor::Poisson,
            ..RULE
        };
        // √50 ≈ 7.07: 64 is within 2σ, 65 is beyond.
        assert!(judge(&flat, 64.0, &poisson).is_none());
        assert!(judge(&flat, 65.0, &poisson).is_some());
        // An idle history (all 0) floors at 1: 2 is not an anomaly, 3 is.
        let idle = [0.0; 10];
        assert!(judge(&idle, 2.0, &poisson).is_none());
        assert!(judge(&idle, 3.0, &poisson).is_some());
        let rate = AnomalyRule {
            floor: Floor::Absolute(0.01),
            ..RULE
        };
        assert!(judge(&idle, 0.02, &rate).is_none());
        assert!(judge(&idle, 0.021, &rate).is_some());
    }

    #[test]
    fn flag_uses_only_known_values_of_the_trailing_window() {
        let mut v: Vec<Option<f64>> = HISTORY.iter().copied().map(Some).collect();
        v.insert(3, None);
        v.push(Some(30.0));
        v.push(None);
        let flags = flag(&v, &RULE);
        assert!(flags[..9].iter().all(Option::is_none));
        // The window of the spike is 8 places, one of them unknown: 7 known.
        let spike = flags[9].expect("spike");
        assert_eq!(spike.value, 30.0);
        assert!(flags[10].is_none(), "unknown is never flagged");
    }
}
