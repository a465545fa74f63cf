//! A queue's durable state: counts, the hourly series and the anomalies.
//!
//! Live state (which messages are pending or in flight) is not kept: the
//! host's own queue is the truth about what waits, and a monitor restarted
//! without it would show messages that no longer exist as pending for
//! ever. After a restart depth, scheduled and in flight start at zero; a
//! step for a message enqueued before is counted as unknown and tracks the
//! message from then on, and a host that knows its backlog can
//! [`adopt`](QueueHandle::adopt) it.

use serde::{Deserialize, Serialize};

use super::config::NAME_BYTES;
use super::handle::QueueHandle;
use super::shard::{HOUR_MS, HOURS};
use super::step::{MessageStep, QueueCounts, STEPS, add_into};
use super::view::QueueAnomalies;
use crate::period::KeyedRing;

/// A queue's durable state, for snapshots.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueState {
    /// The queue's name.
    pub name: String,
    /// Counts since the first record.
    pub totals: QueueCounts,
    /// `(hour since the epoch, counts)` for the hours still kept.
    pub hours: Vec<(u64, QueueCounts)>,
    /// What the live figures could not follow.
    pub anomalies: QueueAnomalies,
}

/// Why a [`QueueState`] was refused; nothing was restored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueueStateError {
    /// The name is empty, too long or has control characters.
    #[error("queue name {0:?} is not a valid queue name")]
    BadName(String),
    /// More hours than a queue keeps.
    #[error("queue {name}: {found} hours of history, at most {max} are kept")]
    TooManyHours {
        /// The queue.
        name: String,
        /// Hours in the state.
        found: usize,
        /// Hours a queue keeps.
        max: usize,
    },
    /// The same hour twice.
    #[error("queue {name}: hour {hour} appears twice")]
    DuplicateHour {
        /// The queue.
        name: String,
        /// The hour since the epoch.
        hour: u64,
    },
    /// The hours of one step add up to more than its total.
    #[error("queue {name}: hourly {step} counts add up to {hourly}, more than the total {total}")]
    HoursExceedTotal {
        /// The queue.
        name: String,
        /// The step.
        step: MessageStep,
        /// Sum of its hours.
        hourly: u64,
        /// Its total.
        total: u64,
    },
}

impl QueueState {
    /// The state of a queue that never recorded anything.
    pub fn empty(name: &str) -> Self {
        QueueState {
            name: name.to_owned(),
            totals: QueueCounts::default(),
            hours: Vec::new(),
            anomalies: QueueAnomalies::default(),
        }
    }

    /// Checks the state is one a queue could have written.
    pub fn validate(&self) -> Result<(), QueueStateError> {
        let name = &self.name;
        if name.is_empty() || name.len() > NAME_BYTES || name.chars().any(char::is_control) {
            return Err(QueueStateError::BadName(name.chars().take(80).collect()));
        }
        if self.hours.len() > HOURS {
            return Err(QueueStateError::TooManyHours {
                name: name.clone(),
                found: self.hours.len(),
                max: HOURS,
            });
        }
        let mut seen: Vec<u64> = self.hours.iter().map(|(h, _)| *h).collect();
        seen.sort_unstable();
        if let Some(w) = seen.windows(2).find(|w| w[0] == w[1]) {
            return Err(QueueStateError::DuplicateHour {
                name: name.clone(),
                hour: w[0],
            });
        }
        let mut sums = [0u64; STEPS];
        for (_, counts) in &self.hours {
            add_into(&mut sums, &counts.as_array());
        }
        for step in MessageStep::ALL {
            let (hourly, total) = (sums[step.index()], self.totals.get(step));
            if hourly > total {
                return Err(QueueStateError::HoursExceedTotal {
                    name: name.clone(),
                    step,
                    hourly,
                    total,
                });
            }
        }
        Ok(())
    }
}

impl QueueHandle {
    /// The queue's durable state: totals, the hours still kept, anomalies.
    pub fn export(&self) -> QueueState {
        let i = &*self.inner;
        let this_hour = i.clock.now_ms() / HOUR_MS;
        let mut totals = [0; STEPS];
        let mut hours = vec![[0u64; STEPS]; HOURS];
        let mut anomalies = QueueAnomalies::default();
        for shard in i.shards.iter() {
            let s = shard.lock();
            add_into(&mut totals, &s.totals);
            anomalies.add(&s.anomalies);
            for (hour, counts) in s.hours.iter_within(this_hour) {
                let back = (this_hour - hour) as usize;
                add_into(&mut hours[HOURS - 1 - back], counts);
            }
        }
        let first = this_hour.saturating_sub(HOURS as u64 - 1);
        QueueState {
            name: i.name.clone(),
            totals: QueueCounts::from_array(totals),
            hours: (first..)
                .zip(hours)
                .filter(|(_, c)| c.iter().any(|&n| n > 0))
                .map(|(h, c)| (h, QueueCounts::from_array(c)))
                .collect(),
            anomalies,
        }
    }

    /// Adds `state` (a snapshot of this queue) to the current counts, after
    /// checking it: an invalid state changes nothing. Hours older than the
    /// kept history are ignored; `state.name` is informational.
    pub fn restore(&self, state: &QueueState) -> Result<(), QueueStateError> {
        state.validate()?;
        let i = &*self.inner;
        let now = i.clock.now_ms();
        let mut s = i.shards[0].lock();
        add_into(&mut s.totals, &state.totals.as_array());
        s.anomalies.add(&state.anomalies);
        for (hour, counts) in &state.hours {
            s.add_hour(*hour, &counts.as_array(), now);
        }
        Ok(())
    }

    /// Replaces the queue's counts, hourly series and anomalies with
    /// `state`'s, after checking it (an invalid state changes nothing).
    /// The live figures (which messages are pending, scheduled or in
    /// flight) stay: the host's queue is the truth about what waits.
    pub fn replace(&self, state: &QueueState) -> Result<(), QueueStateError> {
        state.validate()?;
        let i = &*self.inner;
        for shard in &i.shards {
            let mut s = shard.lock();
            s.totals = [0; STEPS];
            s.hours = KeyedRing::new(HOURS);
            s.anomalies = QueueAnomalies::default();
        }
        self.restore(state)
    }
}
