//! Reading a tracker: views, the tree, stats and counters.

use super::state::ActivityRecord;
use super::tally::{ActivityCounters, ActivityStats, Tally};
use super::text::{ID_BYTES, clean_str};
use super::tracker::{ActivityTracker, Live};
use super::tree;
use super::view::{ActivityNode, ActivityView};

impl ActivityTracker {
    /// Active activities, newest first.
    pub fn active(&self) -> Vec<ActivityView> {
        self.collect_active(None)
    }

    /// Active activities of tenant `client`, newest first.
    pub fn active_for(&self, client: &str) -> Vec<ActivityView> {
        self.collect_active(Some(client))
    }

    /// Recently ended activities, newest first, at most `recent` of them.
    pub fn recent(&self) -> Vec<ActivityView> {
        self.collect_recent(None)
    }

    /// Recently ended activities of tenant `client`, newest first.
    pub fn recent_for(&self, client: &str) -> Vec<ActivityView> {
        self.collect_recent(Some(client))
    }

    /// Activity `id`: the active one, else the most recently ended one.
    pub fn get(&self, id: &str) -> Option<ActivityView> {
        let (id, _) = clean_str(id, ID_BYTES);
        let now = self.inner.clock.now_ms();
        let st = self.inner.state.lock();
        st.active
            .get(&id)
            .map(|l| &l.record)
            .or_else(|| st.recent.iter().find(|r| r.id == id))
            .map(|r| r.view(&self.inner.kind, now))
    }

    /// Active and recently ended activities arranged by parent: roots are
    /// activities whose parent is absent or not known here, newest first;
    /// children oldest first; depth bounded by
    /// [`MAX_TREE_DEPTH`](super::MAX_TREE_DEPTH).
    pub fn tree(&self) -> Vec<ActivityNode> {
        self.tree_of(None)
    }

    /// [`tree`](Self::tree) of tenant `client`'s activities only.
    pub fn tree_for(&self, client: &str) -> Vec<ActivityNode> {
        self.tree_of(Some(client))
    }

    /// Totals, durations and distributions since the tracker was built (or
    /// restored).
    pub fn stats(&self) -> ActivityStats {
        let st = self.inner.state.lock();
        st.tally.stats(&self.inner.kind, st.active.len())
    }

    /// [`stats`](Self::stats) of tenant `client` alone. Totals are not
    /// kept per tenant, so these figures cover what the tracker still
    /// holds: the tenant's active activities and its recently ended ones
    /// (at most the tracker's `recent` cap, shared by all tenants).
    pub fn stats_for(&self, client: &str) -> ActivityStats {
        let st = self.inner.state.lock();
        let mine = |r: &ActivityRecord| r.client_id.as_deref() == Some(client);
        let mut tally = Tally::new();
        let mut active = 0;
        for live in st.active.values().filter(|l| mine(&l.record)) {
            tally.on_start(live.record.category.as_deref());
            active += 1;
        }
        for ended in st.recent.iter().filter(|r| mine(r)) {
            tally.on_start(ended.category.as_deref());
            let end = ended.ended_ms.unwrap_or(ended.started_ms);
            tally.on_end(ended, end.saturating_sub(ended.started_ms));
        }
        tally.stats(&self.inner.kind, active)
    }

    /// What the tracker's bounds have cut so far.
    pub fn counters(&self) -> ActivityCounters {
        self.inner.state.lock().tally.counters()
    }

    fn collect_active(&self, client: Option<&str>) -> Vec<ActivityView> {
        let now = self.inner.clock.now_ms();
        let st = self.inner.state.lock();
        let mut live: Vec<&Live> = st
            .active
            .values()
            .filter(|l| client.is_none_or(|c| l.record.client_id.as_deref() == Some(c)))
            .collect();
        live.sort_unstable_by_key(|l| std::cmp::Reverse(l.seq));
        live.iter()
            .map(|l| l.record.view(&self.inner.kind, now))
            .collect()
    }

    fn collect_recent(&self, client: Option<&str>) -> Vec<ActivityView> {
        let now = self.inner.clock.now_ms();
        let st = self.inner.state.lock();
        st.recent
            .iter()
            .filter(|r| client.is_none_or(|c| r.client_id.as_deref() == Some(c)))
            .map(|r| r.view(&self.inner.kind, now))
            .collect()
    }

    fn tree_of(&self, client: Option<&str>) -> Vec<ActivityNode> {
        let mut views = self.collect_active(client);
        views.extend(self.collect_recent(client));
        tree::build(views)
    }
}

impl std::fmt::Debug for ActivityTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActivityTracker")
            .field("kind", &self.inner.kind)
            .field("counters", &self.counters())
            .finish_non_exhaustive()
    }
}
