//! Export and restore of a tracker's durable state.

use std::collections::{HashMap, VecDeque};

use super::state::{ActivityState, validated_records};
use super::tally::Tally;
use super::tracker::{ActivityTracker, Live};
use crate::sketch::HistogramState;

impl ActivityState {
    /// A tracker of `kind` with nothing recorded: restoring it empties a
    /// tracker.
    pub fn empty(kind: &str) -> Self {
        ActivityState {
            kind: kind.to_owned(),
            active: Vec::new(),
            recent: Vec::new(),
            started: 0,
            ended: 0,
            abandoned: 0,
            refused: 0,
            cleaned_fields: 0,
            overflowed_labels: 0,
            durations: HistogramState::default(),
            categories: Default::default(),
            outcomes: Default::default(),
            distributions: Default::default(),
        }
    }
}

impl ActivityTracker {
    /// The tracker's durable state: active and recent activities, totals,
    /// the duration histogram and every count, for a snapshot file.
    pub fn export(&self) -> ActivityState {
        let st = self.inner.state.lock();
        let mut live: Vec<&Live> = st.active.values().collect();
        live.sort_unstable_by_key(|l| l.seq);
        let mut state = ActivityState::empty(&self.inner.kind);
        state.active = live.into_iter().map(|l| l.record.clone()).collect();
        state.recent = st.recent.iter().cloned().collect();
        st.tally.export_into(&mut state);
        state
    }

    /// Replaces the tracker's whole state with `state` (meant for a fresh
    /// tracker at start-up; what was there is dropped, and no notices are
    /// sent). `state.kind` is informational: the tracker keeps its own.
    ///
    /// Nothing in `state` is trusted: every text is cleaned, every list and
    /// map trimmed to this tracker's caps (the newest activities kept),
    /// start times in the future clamped to now, NaN progress dropped and
    /// out-of-range histogram buckets ignored; each cut is added to
    /// [`counters`](Self::counters). Restored activities older than the
    /// timeout are abandoned by the next [`expire`](Self::expire) (or start).
    pub fn restore(&self, state: ActivityState) {
        let inner = &*self.inner;
        let now = inner.clock.now_ms();
        let mut cuts = 0;
        let mut tally = Tally::restored(&state, &mut cuts);
        let (active, recent) = validated_records(
            state.active,
            state.recent,
            inner.max_active,
            inner.recent_cap,
            now,
            &mut cuts,
        );
        tally.cleaned = tally.cleaned.saturating_add(cuts);
        let next_seq = active.len() as u64;
        let active: HashMap<String, Live> = active
            .into_iter()
            .zip(0u64..)
            .map(|(record, seq)| (record.id.clone(), Live { seq, record }))
            .collect();
        let mut st = inner.state.lock();
        st.active = active;
        st.recent = VecDeque::from(recent);
        st.next_seq = next_seq;
        st.tally = tally;
        st.last_expire_ms = 0;
    }
}
