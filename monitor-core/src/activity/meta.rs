//! [`ActivityMeta`]: who an activity belongs to and what it carries,
//! cleaned and masked as it is built.

use std::collections::BTreeMap;

use super::text::{
    ID_BYTES, KEY_BYTES, MAX_ATTRIBUTES, NAME_BYTES, VALUE_BYTES, clean_counted, clean_opt, mask,
};

/// What an activity is about: its tenant, category, parent and attributes.
///
/// Everything is bounded as it is set (text cleaned and truncated, at most
/// [`MAX_ATTRIBUTES`] attributes), and [`pii`](Self::pii) values are masked
/// right here, so the raw value is never stored anywhere. What the bounds
/// cut is counted in the tracker's
/// [`counters`](super::ActivityTracker::counters) once the meta is used.
///
/// ```
/// use monitor_core::activity::ActivityMeta;
///
/// let meta = ActivityMeta::new()
///     .client("acme")
///     .category("support")
///     .pii("phone", "+1 (555) 123-4567")
///     .attr("direction", "inbound");
/// assert_eq!(meta.attributes()["phone"], "*******4567");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActivityMeta {
    pub(crate) client_id: Option<String>,
    pub(crate) category: Option<String>,
    pub(crate) parent: Option<String>,
    pub(crate) attributes: BTreeMap<String, String>,
    pub(crate) cuts: u64,
}

impl ActivityMeta {
    /// Empty meta: no tenant, category, parent or attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tenant the activity belongs to (empty means none).
    pub fn client(mut self, id: impl Into<String>) -> Self {
        self.client_id = clean_opt(id.into(), NAME_BYTES, &mut self.cuts);
        self
    }

    /// The activity's category, e.g. `"support"` or `"sales"` (empty means
    /// none).
    pub fn category(mut self, category: impl Into<String>) -> Self {
        self.category = clean_opt(category.into(), NAME_BYTES, &mut self.cuts);
        self
    }

    /// The id of the activity that started this one (an agent's
    /// orchestrator, a call's session), for [`tree`](super::ActivityTracker::tree).
    pub fn parent(mut self, parent_id: impl Into<String>) -> Self {
        self.parent = clean_opt(parent_id.into(), ID_BYTES, &mut self.cuts);
        self
    }

    /// Sets attribute `key` to `value`, kept as given (cleaned).
    pub fn attr(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let value = clean_counted(value.into(), VALUE_BYTES, &mut self.cuts);
        self.insert(key.into(), value);
        self
    }

    /// Sets attribute `key` to `value` masked as PII: only its last four
    /// digits stay visible (see [`mask_pii`](super::mask_pii)). The raw
    /// value is not kept.
    pub fn pii(mut self, key: impl Into<String>, value: impl AsRef<str>) -> Self {
        let (masked, capped) = mask(value.as_ref());
        self.cuts += u64::from(capped);
        self.insert(key.into(), masked);
        self
    }

    /// The tenant, if set.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// The category, if set.
    pub fn category_name(&self) -> Option<&str> {
        self.category.as_deref()
    }

    /// The parent id, if set.
    pub fn parent_id(&self) -> Option<&str> {
        self.parent.as_deref()
    }

    /// The attributes as they will be stored (PII already masked).
    pub fn attributes(&self) -> &BTreeMap<String, String> {
        &self.attributes
    }

    /// How many fields the bounds cut so far (truncated, stripped, or
    /// dropped past [`MAX_ATTRIBUTES`]).
    pub fn cuts(&self) -> u64 {
        self.cuts
    }

    fn insert(&mut self, key: String, value: String) {
        let Some(key) = clean_opt(key, KEY_BYTES, &mut self.cuts) else {
            self.cuts += 1; // an attribute without a key is dropped
            return;
        };
        insert_bounded(
            &mut self.attributes,
            key,
            value,
            MAX_ATTRIBUTES,
            &mut self.cuts,
        );
    }
}

/// Inserts `key` = `value` unless `map` already holds `cap` other keys, in
/// which case the entry is dropped and counted.
pub(crate) fn insert_bounded(
    map: &mut BTreeMap<String, String>,
    key: String,
    value: String,
    cap: usize,
    cuts: &mut u64,
) {
    if map.len() >= cap && !map.contains_key(&key) {
        *cuts += 1;
        return;
    }
    map.insert(key, value);
}
