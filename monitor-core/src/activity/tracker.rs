//! [`ActivityTracker`]: the lifecycle of one kind of activity.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

use super::error::ActivityError;
use super::meta::ActivityMeta;
use super::outcome::Outcome;
use super::state::ActivityRecord;
use super::tally::Tally;
use super::text::{ID_BYTES, NAME_BYTES, NOTE_BYTES, clean, clean_str};
use super::view::{ActivityNotice, ActivityView, Phase};
use crate::clock::Clock;

/// Default length of the recent (ended) list.
pub const DEFAULT_RECENT: usize = 20;
/// Longest recent list a tracker accepts.
pub const MAX_RECENT: usize = 1_000;
/// Default most active activities.
pub const DEFAULT_MAX_ACTIVE: usize = 10_000;
/// Highest `max_active` a tracker accepts.
pub const MAX_MAX_ACTIVE: usize = 1_000_000;
/// Default time after which an activity never ended is abandoned.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3_600);
/// How often [`ActivityTracker::start`] runs [`ActivityTracker::expire`]
/// on its own, at most.
pub const EXPIRE_EVERY: Duration = Duration::from_secs(5);

type Listener = Arc<dyn Fn(&ActivityNotice<'_>) + Send + Sync>;

pub(crate) struct Live {
    pub(crate) seq: u64,
    pub(crate) record: ActivityRecord,
}

pub(crate) struct State {
    pub(crate) active: HashMap<String, Live>,
    /// Ended activities, newest first.
    pub(crate) recent: VecDeque<ActivityRecord>,
    pub(crate) next_seq: u64,
    pub(crate) tally: Tally,
    pub(crate) last_expire_ms: u64,
}

pub(crate) struct Inner {
    pub(crate) kind: String,
    pub(crate) clock: Clock,
    pub(crate) recent_cap: usize,
    pub(crate) max_active: usize,
    timeout_ms: u64,
    listeners: Vec<Listener>,
    pub(crate) state: Mutex<State>,
}

/// Tracks one kind of activity (`call`, `session`, `agent`…) from start,
/// through progress, to its end: the active set, a bounded list of recently
/// ended ones, durations, and counts by category, outcome and outcome
/// label. Cheap to clone (an `Arc` inside).
///
/// Every call takes one `parking_lot` mutex for a few map operations and
/// string copies (about a microsecond): fine for calls and agent runs, not
/// meant for per-message hot paths. Reads copy views out under the same
/// lock, linear in the active set. Listeners run after the lock is
/// released, so they may call back into the tracker; two threads acting at
/// once may have their notices delivered in either order.
///
/// ```
/// use monitor_core::activity::{ActivityMeta, ActivityTracker, Outcome};
///
/// let calls = ActivityTracker::builder("call").build();
/// calls.start("c1", ActivityMeta::new().client("acme").pii("phone", "+1 555 123 4567"))?;
/// calls.progress("c1", 50.0, "talking")?;
/// let ended = calls.end("c1", Outcome::new("completed").label("quality", "good"))?;
/// assert_eq!(ended.attributes["phone"], "*******4567");
/// assert_eq!(calls.stats().distributions["quality"][0].percent, 100.0);
/// # Ok::<(), monitor_core::activity::ActivityError>(())
/// ```
#[derive(Clone)]
pub struct ActivityTracker {
    pub(crate) inner: Arc<Inner>,
}

/// Settings for an [`ActivityTracker`].
pub struct ActivityTrackerBuilder {
    kind: String,
    clock: Option<Clock>,
    recent: usize,
    max_active: usize,
    timeout: Duration,
    listeners: Vec<Listener>,
}

impl ActivityTrackerBuilder {
    /// Reads time from `clock` (default: the system clock).
    pub fn clock(mut self, clock: impl Into<Clock>) -> Self {
        self.clock = Some(clock.into());
        self
    }

    /// Keeps the last `recent` ended activities (default 20, at most
    /// [`MAX_RECENT`]).
    pub fn recent(mut self, recent: usize) -> Self {
        self.recent = recent.min(MAX_RECENT);
        self
    }

    /// Holds at most `max_active` active activities (default 10 000, from
    /// 1 to [`MAX_MAX_ACTIVE`]); starts beyond are refused and counted.
    pub fn max_active(mut self, max_active: usize) -> Self {
        self.max_active = max_active.clamp(1, MAX_MAX_ACTIVE);
        self
    }

    /// Ends activities not ended within `timeout` of their start as
    /// `abandoned` (default one hour).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Calls `listener` after every start, progress and end (expiry
    /// included). Listeners run on the acting thread, outside the lock:
    /// they must only enqueue.
    pub fn listener(
        mut self,
        listener: impl Fn(&ActivityNotice<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.listeners.push(Arc::new(listener));
        self
    }

    /// The tracker.
    pub fn build(self) -> ActivityTracker {
        let kind = clean_str(&self.kind, NAME_BYTES).0;
        ActivityTracker {
            inner: Arc::new(Inner {
                kind: if kind.is_empty() {
                    "activity".to_owned()
                } else {
                    kind
                },
                clock: self.clock.unwrap_or_default(),
                recent_cap: self.recent,
                max_active: self.max_active,
                timeout_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
                listeners: self.listeners,
                state: Mutex::new(State {
                    active: HashMap::new(),
                    recent: VecDeque::new(),
                    next_seq: 0,
                    tally: Tally::new(),
                    last_expire_ms: 0,
                }),
            }),
        }
    }
}

impl ActivityTracker {
    /// Starts configuring a tracker for activities of `kind` (used in event
    /// types such as `call:started`; cleaned, empty becomes `activity`).
    pub fn builder(kind: &str) -> ActivityTrackerBuilder {
        ActivityTrackerBuilder {
            kind: kind.to_owned(),
            clock: None,
            recent: DEFAULT_RECENT,
            max_active: DEFAULT_MAX_ACTIVE,
            timeout: DEFAULT_TIMEOUT,
            listeners: Vec::new(),
        }
    }

    /// The kind of activity tracked.
    pub fn kind(&self) -> &str {
        &self.inner.kind
    }

    /// Starts activity `id` (cleaned like every text, so a later call with
    /// the same raw id finds it). Refused when `id` is already active, or
    /// when `max_active` activities are (counted). At most every
    /// [`EXPIRE_EVERY`] it first expires timed-out activities.
    pub fn start(&self, id: &str, meta: ActivityMeta) -> Result<(), ActivityError> {
        let (id, id_cut) = clean_str(id, ID_BYTES);
        let inner = &*self.inner;
        let now = inner.clock.now_ms();
        let (expired, started) = {
            let mut st = inner.state.lock();
            st.tally.cleaned += meta.cuts + u64::from(id_cut);
            let expired = if now.abs_diff(st.last_expire_ms) >= EXPIRE_EVERY.as_millis() as u64 {
                inner.expire_locked(&mut st, now)
            } else {
                Vec::new()
            };
            (expired, inner.start_locked(&mut st, id, meta, now))
        };
        inner.tell_all(Phase::Ended, &expired);
        let view = started?;
        inner.tell(Phase::Started, &view);
        Ok(())
    }

    /// Records progress `pct` (clamped to 0–100; NaN refused) and, when not
    /// empty, `note` (cleaned) on active activity `id`.
    pub fn progress(&self, id: &str, pct: f64, note: &str) -> Result<(), ActivityError> {
        if pct.is_nan() {
            return Err(ActivityError::InvalidProgress(pct));
        }
        let (id, _) = clean_str(id, ID_BYTES);
        let (note, note_cut) = clean(note.to_owned(), NOTE_BYTES);
        let inner = &*self.inner;
        let now = inner.clock.now_ms();
        let view = {
            let mut st = inner.state.lock();
            st.tally.cleaned += u64::from(note_cut);
            let live = st
                .active
                .get_mut(&id)
                .ok_or_else(|| ActivityError::NotFound(id.clone()))?;
            live.record.progress_pct = Some(pct.clamp(0.0, 100.0));
            if !note.is_empty() {
                live.record.note = Some(note);
            }
            live.record.view(&inner.kind, now)
        };
        inner.tell(Phase::Progress, &view);
        Ok(())
    }

    /// Ends active activity `id` with `outcome`; returns its final view.
    pub fn end(&self, id: &str, outcome: Outcome) -> Result<ActivityView, ActivityError> {
        let (id, _) = clean_str(id, ID_BYTES);
        let inner = &*self.inner;
        let now = inner.clock.now_ms();
        let view = {
            let mut st = inner.state.lock();
            st.tally.cleaned += outcome.cuts;
            let live = st
                .active
                .remove(&id)
                .ok_or_else(|| ActivityError::NotFound(id.clone()))?;
            inner.finish_locked(&mut st, live.record, outcome, now)
        };
        inner.tell(Phase::Ended, &view);
        Ok(view)
    }

    /// Ends every activity started at least the timeout ago as
    /// [`Outcome::abandoned`], telling the listeners; returns how many.
    pub fn expire(&self) -> usize {
        let inner = &*self.inner;
        let now = inner.clock.now_ms();
        let expired = inner.expire_locked(&mut inner.state.lock(), now);
        inner.tell_all(Phase::Ended, &expired);
        expired.len()
    }
}

impl Inner {
    fn start_locked(
        &self,
        st: &mut State,
        id: String,
        meta: ActivityMeta,
        now: u64,
    ) -> Result<ActivityView, ActivityError> {
        if id.is_empty() {
            return Err(ActivityError::EmptyId);
        }
        if st.active.contains_key(&id) {
            return Err(ActivityError::Duplicate(id));
        }
        if st.active.len() >= self.max_active {
            st.tally.refused += 1;
            return Err(ActivityError::TooManyActive {
                limit: self.max_active,
            });
        }
        st.tally.on_start(meta.category.as_deref());
        let record = ActivityRecord {
            id: id.clone(),
            client_id: meta.client_id,
            category: meta.category,
            parent: meta.parent,
            attributes: meta.attributes,
            started_ms: now,
            ended_ms: None,
            progress_pct: None,
            note: None,
            outcome: None,
            labels: Default::default(),
        };
        let view = record.view(&self.kind, now);
        let seq = st.next_seq;
        st.next_seq += 1;
        st.active.insert(id, Live { seq, record });
        Ok(view)
    }

    /// Ends `record` (already out of the active set) with `outcome`: counts
    /// it, files it first in the recent list, and returns its view.
    fn finish_locked(
        &self,
        st: &mut State,
        mut record: ActivityRecord,
        outcome: Outcome,
        now: u64,
    ) -> ActivityView {
        let now = now.max(record.started_ms);
        record.ended_ms = Some(now);
        record.outcome = Some(outcome.result);
        record.labels = outcome.labels;
        st.tally.on_end(&record, now - record.started_ms);
        let view = record.view(&self.kind, now);
        if self.recent_cap > 0 {
            st.recent.push_front(record);
            st.recent.truncate(self.recent_cap);
        }
        view
    }

    fn expire_locked(&self, st: &mut State, now: u64) -> Vec<ActivityView> {
        st.last_expire_ms = now;
        let mut old: Vec<(u64, String)> = st
            .active
            .iter()
            .filter(|(_, l)| now.saturating_sub(l.record.started_ms) >= self.timeout_ms)
            .map(|(id, l)| (l.seq, id.clone()))
            .collect();
        old.sort_unstable();
        let mut views = Vec::with_capacity(old.len());
        for (_, id) in old {
            if let Some(live) = st.active.remove(&id) {
                views.push(self.finish_locked(st, live.record, Outcome::abandoned(), now));
            }
        }
        views
    }

    fn tell(&self, phase: Phase, activity: &ActivityView) {
        let notice = ActivityNotice { phase, activity };
        for listener in &self.listeners {
            listener(&notice);
        }
    }

    fn tell_all(&self, phase: Phase, views: &[ActivityView]) {
        for view in views {
            self.tell(phase, view);
        }
    }
}
