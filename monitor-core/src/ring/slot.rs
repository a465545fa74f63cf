//! One slot of the ring and the atomics it uses, behind a shim so the
//! protocol can be model-checked with loom (feature `loom-model`), where the
//! epoch-managed pointer is replaced by a loom mutex with the same contract.

#[cfg(feature = "loom-model")]
use std::sync::Arc;

#[cfg(feature = "loom-model")]
pub(super) use loom::sync::atomic::{AtomicU64, Ordering};
#[cfg(not(feature = "loom-model"))]
pub(super) use std::sync::atomic::{AtomicU64, Ordering};

/// A published value and the ticket that placed it.
pub(super) struct Entry<T> {
    pub(super) ticket: u64,
    pub(super) value: T,
}

#[cfg(not(feature = "loom-model"))]
pub(super) use crossbeam_epoch::pin;
#[cfg(not(feature = "loom-model"))]
pub(super) use epoch_slot::Slot;

/// The production slot: a pointer to a heap entry, swapped with
/// compare-and-swap and reclaimed through crossbeam-epoch, so readers can
/// hold an entry while writers replace it. This is the only `unsafe` in the
/// workspace: dereferencing and retiring epoch-protected pointers.
#[cfg(not(feature = "loom-model"))]
#[allow(unsafe_code)]
mod epoch_slot {
    use super::{Entry, Ordering};
    use crossbeam_epoch::{self as epoch, Atomic, Owned};

    pub(in crate::ring) struct Slot<T> {
        cell: Atomic<Entry<T>>,
    }

    impl<T> Slot<T> {
        pub(in crate::ring) fn empty() -> Self {
            Slot {
                cell: Atomic::null(),
            }
        }

        /// Installs `entry` unless the slot already holds a newer ticket, in
        /// which case `entry` was lapped and is dropped.
        pub(in crate::ring) fn publish(&self, entry: Entry<T>)
        where
            T: Send + 'static,
        {
            let guard = epoch::pin();
            let mut new = Owned::new(entry);
            let mut current = self.cell.load(Ordering::Acquire, &guard);
            loop {
                // SAFETY: `current` was loaded under `guard`, and entries are
                // only freed by `defer_destroy`, which waits until every guard
                // pinned before the entry was unlinked is gone.
                if unsafe { current.as_ref() }.is_some_and(|c| c.ticket > new.ticket) {
                    return;
                }
                match self.cell.compare_exchange(
                    current,
                    new,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                    &guard,
                ) {
                    Ok(_) => {
                        if !current.is_null() {
                            // SAFETY: `current` is unlinked by the successful
                            // CAS above and no new reader can reach it; readers
                            // that already hold it are pinned, so destruction
                            // waits for them. `T: Send` lets it drop elsewhere.
                            unsafe { guard.defer_destroy(current) };
                        }
                        return;
                    }
                    Err(failed) => {
                        current = failed.current;
                        new = failed.new;
                    }
                }
            }
        }

        /// The slot's entry, if any, protected for as long as `guard` lives.
        pub(in crate::ring) fn load<'g>(&self, guard: &'g epoch::Guard) -> Option<&'g Entry<T>> {
            let current = self.cell.load(Ordering::Acquire, guard);
            // SAFETY: loaded under `guard`, and the reference cannot outlive
            // it; see `publish` for why the entry stays alive until then.
            unsafe { current.as_ref() }
        }
    }

    impl<T> Drop for Slot<T> {
        fn drop(&mut self) {
            // SAFETY: `&mut self` means no other thread can reach this slot,
            // so the entry is exclusively ours to free now.
            let guard = unsafe { epoch::unprotected() };
            let current = self
                .cell
                .swap(epoch::Shared::null(), Ordering::Relaxed, guard);
            if !current.is_null() {
                // SAFETY: as above: unlinked and unreachable by anyone else.
                drop(unsafe { current.into_owned() });
            }
        }
    }
}

#[cfg(feature = "loom-model")]
pub(super) struct Slot<T> {
    cell: loom::sync::Mutex<Option<Arc<Entry<T>>>>,
}

#[cfg(feature = "loom-model")]
impl<T> Slot<T> {
    pub(super) fn empty() -> Self {
        Slot {
            cell: loom::sync::Mutex::new(None),
        }
    }

    /// Under loom the "guard" keeps every entry it handed out alive.
    pub(super) fn load<'g>(&self, guard: &'g Guard) -> Option<&'g Entry<T>>
    where
        T: 'static,
    {
        let entry = self.cell.lock().ok().and_then(|g| g.clone())?;
        Some(guard.keep(entry))
    }

    pub(super) fn publish(&self, entry: Entry<T>) {
        if let Ok(mut cell) = self.cell.lock()
            && cell.as_ref().is_none_or(|c| c.ticket < entry.ticket)
        {
            *cell = Some(Arc::new(entry));
        }
    }
}

/// Loom stand-in for an epoch guard: it owns what it handed out.
#[cfg(feature = "loom-model")]
pub(super) struct Guard {
    kept: std::sync::Mutex<Vec<Box<dyn std::any::Any>>>,
}

#[cfg(feature = "loom-model")]
pub(super) fn pin() -> Guard {
    Guard {
        kept: std::sync::Mutex::new(Vec::new()),
    }
}

#[cfg(feature = "loom-model")]
impl Guard {
    fn keep<T: 'static>(&self, entry: Arc<Entry<T>>) -> &Entry<T> {
        let ptr: *const Entry<T> = Arc::as_ptr(&entry);
        if let Ok(mut kept) = self.kept.lock() {
            kept.push(Box::new(entry));
        }
        // SAFETY: the Arc is owned by `self.kept` until the guard drops, so
        // the pointee lives at least as long as the returned reference.
        #[allow(unsafe_code)]
        unsafe {
            &*ptr
        }
    }
}
