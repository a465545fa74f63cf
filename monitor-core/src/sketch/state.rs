//! Sketches in a compact, serializable form for snapshots, validated on
//! the way back in (a snapshot file may be damaged or hostile).

use serde::{Deserialize, Serialize};

use super::histogram::{BUCKETS, LatencyHistogram};
use super::hll::{HllRegisters, REGISTERS};

/// A distinct-user sketch as stored: the non-zero registers when few are
/// set, every register otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HllState {
    /// `(register, value)` pairs of the non-zero registers.
    Sparse(Vec<(u16, u8)>),
    /// Every register, one byte each.
    Dense(Vec<u8>),
}

/// A stored sketch or histogram that cannot be what it claims to be.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SketchStateError {
    /// A register index or value out of range, or the wrong length.
    #[error("invalid distinct-user sketch: {0}")]
    Hll(&'static str),
    /// A bucket index out of range, or counts that do not add up.
    #[error("invalid latency histogram: {0}")]
    Histogram(&'static str),
}

impl HllRegisters {
    /// The registers in their compact stored form.
    pub fn to_state(&self) -> HllState {
        let set: Vec<(u16, u8)> = self
            .as_bytes()
            .iter()
            .enumerate()
            .filter(|&(_, &r)| r > 0)
            .map(|(i, &r)| (i as u16, r))
            .collect();
        if set.len() < REGISTERS / 3 {
            HllState::Sparse(set)
        } else {
            HllState::Dense(self.as_bytes().to_vec())
        }
    }

    /// Rebuilds registers from [`to_state`](Self::to_state) output.
    pub fn from_state(state: &HllState) -> Result<Self, SketchStateError> {
        match state {
            HllState::Dense(bytes) => HllRegisters::from_bytes(bytes)
                .ok_or(SketchStateError::Hll("wrong length or register value")),
            HllState::Sparse(pairs) => {
                if pairs.len() > REGISTERS {
                    return Err(SketchStateError::Hll("more pairs than registers"));
                }
                let mut bytes = vec![0u8; REGISTERS];
                for &(i, r) in pairs {
                    let slot = bytes
                        .get_mut(usize::from(i))
                        .ok_or(SketchStateError::Hll("register index out of range"))?;
                    *slot = r;
                }
                HllRegisters::from_bytes(&bytes)
                    .ok_or(SketchStateError::Hll("register value out of range"))
            }
        }
    }
}

/// A latency histogram as stored: totals and the non-empty buckets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistogramState {
    /// Values recorded.
    pub count: u64,
    /// Their sum in µs.
    pub sum_micros: u64,
    /// `(bucket, count)` of the non-empty buckets.
    pub buckets: Vec<(u16, u64)>,
}

impl LatencyHistogram {
    /// The histogram in its stored form.
    pub fn to_state(&self) -> HistogramState {
        HistogramState {
            count: self.count(),
            sum_micros: self.sum_micros(),
            buckets: self
                .bucket_counts()
                .iter()
                .enumerate()
                .filter(|&(_, &n)| n > 0)
                .map(|(i, &n)| (i as u16, n))
                .collect(),
        }
    }

    /// Rebuilds a histogram from [`to_state`](Self::to_state) output;
    /// bucket counts must add up to the count.
    pub fn from_state(state: &HistogramState) -> Result<Self, SketchStateError> {
        state.validate()?;
        let mut h = LatencyHistogram::new();
        h.add_totals(state.count, state.sum_micros);
        for &(i, n) in &state.buckets {
            h.add_bucket(usize::from(i), n);
        }
        Ok(h)
    }
}

impl HistogramState {
    /// Checks bucket indexes and that the buckets add up to the count.
    pub fn validate(&self) -> Result<(), SketchStateError> {
        if self.buckets.len() > BUCKETS {
            return Err(SketchStateError::Histogram("more buckets than exist"));
        }
        let mut sum: u64 = 0;
        for &(i, n) in &self.buckets {
            if usize::from(i) >= BUCKETS {
                return Err(SketchStateError::Histogram("bucket index out of range"));
            }
            sum = sum
                .checked_add(n)
                .ok_or(SketchStateError::Histogram("bucket counts overflow"))?;
        }
        if sum != self.count {
            return Err(SketchStateError::Histogram(
                "buckets do not add up to the count",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sketch::UserHash;

    #[test]
    fn sketches_round_trip_sparse_and_dense() {
        let mut few = HllRegisters::new();
        for i in 0..100 {
            few.insert(UserHash::of(&format!("u{i}")));
        }
        assert!(matches!(few.to_state(), HllState::Sparse(_)));
        assert_eq!(HllRegisters::from_state(&few.to_state()), Ok(few));
        let mut many = HllRegisters::new();
        for i in 0..100_000 {
            many.insert(UserHash::of(&format!("u{i}")));
        }
        assert!(matches!(many.to_state(), HllState::Dense(_)));
        assert_eq!(HllRegisters::from_state(&many.to_state()), Ok(many));
    }

    #[test]
    fn damaged_states_are_refused() {
        assert!(HllRegisters::from_state(&HllState::Dense(vec![0; 10])).is_err());
        assert!(HllRegisters::from_state(&HllState::Sparse(vec![(u16::MAX, 1)])).is_err());
        assert!(HllRegisters::from_state(&HllState::Sparse(vec![(3, 200)])).is_err());
        let bad = HistogramState {
            count: 5,
            sum_micros: 1,
            buckets: vec![(1, 4)],
        };
        assert!(LatencyHistogram::from_state(&bad).is_err());
        let bad = HistogramState {
            count: 1,
            sum_micros: 1,
            buckets: vec![(5_000, 1)],
        };
        assert!(LatencyHistogram::from_state(&bad).is_err());
        let mut h = LatencyHistogram::new();
        h.record(1_500);
        h.record(250_000);
        assert_eq!(
            LatencyHistogram::from_state(&h.to_state()).map(|h| h.summary()),
            Ok(h.summary())
        );
    }
}
