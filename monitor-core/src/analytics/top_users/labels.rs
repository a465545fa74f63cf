//! [`Labels`]: who a summary key is (tenant, user id, latest name), kept
//! only for keys some summary still counts.
//!
//! A label is added when a key is first offered and updated when the host
//! gives a new name. Keys that every summary has since dropped leave
//! garbage behind, so once the table doubles past what was live at the
//! last sweep, it is swept against the live keys: amortised O(1) per
//! record, and never more than twice the live keys plus
//! [`SWEEP_SLACK`].

use std::collections::HashSet;
use std::sync::Arc;

use rapidhash::RapidHashMap;

/// Labels allowed beyond twice the live keys before a sweep.
pub(crate) const SWEEP_SLACK: usize = 1024;
/// Most bytes of a user id kept (longer ones are cut, marked with `…`).
pub const MAX_USER_ID_BYTES: usize = 128;
/// Most bytes of a display name kept.
pub const MAX_USER_NAME_BYTES: usize = 64;
/// Most bytes of a tenant id kept.
pub const MAX_CLIENT_ID_BYTES: usize = 64;

/// Who a key stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Label {
    pub(crate) client_id: Option<Arc<str>>,
    pub(crate) user_id: Box<str>,
    pub(crate) user_name: Option<Box<str>>,
}

/// Labels by key.
#[derive(Debug)]
pub(crate) struct Labels {
    map: RapidHashMap<u64, Label>,
    sweep_at: usize,
}

impl Labels {
    pub(crate) fn new() -> Self {
        Labels {
            map: RapidHashMap::default(),
            sweep_at: SWEEP_SLACK,
        }
    }

    /// Notes `key`'s label; a given name replaces the one kept, no name
    /// keeps it. Allocates only for a new key or a changed name.
    pub(crate) fn note(
        &mut self,
        key: u64,
        client_id: Option<&Arc<str>>,
        user_id: &str,
        user_name: Option<&str>,
    ) {
        match self.map.get_mut(&key) {
            Some(label) => {
                if let Some(name) = user_name
                    && label.user_name.as_deref() != Some(name)
                {
                    label.user_name = Some(name.into());
                }
            }
            None => {
                self.map.insert(
                    key,
                    Label {
                        client_id: client_id.cloned(),
                        user_id: user_id.into(),
                        user_name: user_name.map(Into::into),
                    },
                );
            }
        }
    }

    /// Inserts a restored label as it is.
    pub(crate) fn insert(&mut self, key: u64, label: Label) {
        self.map.insert(key, label);
    }

    pub(crate) fn get(&self, key: u64) -> Option<&Label> {
        self.map.get(&key)
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// Every label, in no order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &Label)> {
        self.map.iter().map(|(k, l)| (*k, l))
    }

    /// True when the table has grown enough to be worth a sweep.
    pub(crate) fn wants_sweep(&self) -> bool {
        self.map.len() > self.sweep_at
    }

    /// Keeps only the labels of `live` keys.
    pub(crate) fn sweep(&mut self, live: &HashSet<u64>) {
        self.map.retain(|k, _| live.contains(k));
        self.sweep_at = 2 * self.map.len() + SWEEP_SLACK;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_name_wins_and_no_name_keeps_it() {
        let mut l = Labels::new();
        l.note(1, None, "u1", Some("Ada"));
        l.note(1, None, "u1", None);
        assert_eq!(l.get(1).and_then(|x| x.user_name.as_deref()), Some("Ada"));
        l.note(1, None, "u1", Some("Ada L."));
        assert_eq!(
            l.get(1).and_then(|x| x.user_name.as_deref()),
            Some("Ada L.")
        );
    }

    #[test]
    fn sweeps_keep_only_live_keys() {
        let mut l = Labels::new();
        for k in 0..(SWEEP_SLACK as u64 + 10) {
            l.note(k, None, "u", None);
        }
        assert!(l.wants_sweep());
        l.sweep(&HashSet::from([3, 5]));
        assert_eq!(l.len(), 2);
        assert!(!l.wants_sweep());
    }
}
