//! One slot of the ring and the atomics it uses, behind a shim so the
//! protocol can be model-checked with loom (`--cfg monitor_loom`), where the
//! `arc-swap` cell is replaced by a loom mutex with the same contract.

use std::sync::Arc;

#[cfg(monitor_loom)]
pub(super) use loom::sync::atomic::{AtomicU64, Ordering};
#[cfg(not(monitor_loom))]
pub(super) use std::sync::atomic::{AtomicU64, Ordering};

/// A published value and the ticket that placed it.
pub(super) struct Entry<T> {
    pub(super) ticket: u64,
    pub(super) value: T,
}

#[cfg(not(monitor_loom))]
pub(super) struct Slot<T> {
    cell: arc_swap::ArcSwapOption<Entry<T>>,
}

#[cfg(not(monitor_loom))]
impl<T> Slot<T> {
    pub(super) fn empty() -> Self {
        Slot {
            cell: arc_swap::ArcSwapOption::empty(),
        }
    }

    pub(super) fn load(&self) -> Option<Arc<Entry<T>>> {
        self.cell.load_full()
    }

    /// Installs `entry` unless the slot already holds a newer ticket
    /// (in which case `entry` was lapped and is dropped).
    pub(super) fn publish(&self, entry: Arc<Entry<T>>) {
        let mut current = self.cell.load();
        loop {
            if current.as_ref().is_some_and(|c| c.ticket > entry.ticket) {
                return;
            }
            let previous = self
                .cell
                .compare_and_swap(&*current, Some(Arc::clone(&entry)));
            let won = match (previous.as_ref(), current.as_ref()) {
                (Some(p), Some(c)) => Arc::ptr_eq(p, c),
                (None, None) => true,
                _ => false,
            };
            if won {
                return;
            }
            current = previous;
        }
    }
}

#[cfg(monitor_loom)]
pub(super) struct Slot<T> {
    cell: loom::sync::Mutex<Option<Arc<Entry<T>>>>,
}

#[cfg(monitor_loom)]
impl<T> Slot<T> {
    pub(super) fn empty() -> Self {
        Slot {
            cell: loom::sync::Mutex::new(None),
        }
    }

    pub(super) fn load(&self) -> Option<Arc<Entry<T>>> {
        self.cell.lock().ok().and_then(|g| g.clone())
    }

    pub(super) fn publish(&self, entry: Arc<Entry<T>>) {
        if let Ok(mut cell) = self.cell.lock()
            && cell.as_ref().is_none_or(|c| c.ticket < entry.ticket)
        {
            *cell = Some(entry);
        }
    }
}
