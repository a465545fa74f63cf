//! [`RingBuffer`]: a fixed-capacity circular buffer for many concurrent
//! writers that overwrites its oldest entry and is read by non-destructive
//! snapshots.
//!
//! No crate offers multi-producer, overwrite-oldest *and* non-destructive
//! reads (crossbeam's `ArrayQueue::force_push` overwrites, but reading
//! removes), so it is written here, in safe Rust:
//!
//! - every push takes a ticket from one counter (`fetch_add`); the ticket
//!   picks the slot (`ticket & mask`) and travels with the value;
//! - the `(ticket, value)` pair is published into its slot as one heap
//!   entry, swapped in by compare-and-swap and reclaimed with
//!   crossbeam-epoch, so a reader sees a whole entry or none, never a torn
//!   one, and an entry outlives every reader still looking at it;
//! - a slot only moves forward: a writer that was lapped (a newer ticket
//!   already sits in its slot) drops its value, which is exactly what
//!   "overwrite the oldest" means;
//! - a snapshot reads the counter, then every slot, and keeps an entry only
//!   when its ticket is the one expected at that position. Entries not yet
//!   published, or overwritten meanwhile, are skipped, so a snapshot never
//!   returns a never-written entry and lists entries in ticket order
//!   (oldest to newest; each writer's entries in its program order).
//!
//! A push is lock-free (one `fetch_add`, one allocation, one CAS when
//! uncontended); it never blocks and never fails. The cost of an entry is
//! one allocation, so the recording hot path of the collector keeps its own
//! allocation-free per-thread sample rings and this type serves the colder
//! logs (errors, events, activity history).

mod slot;

use slot::{AtomicU64, Entry, Ordering, Slot, pin};

/// A lock-free, fixed-capacity, overwrite-oldest circular buffer.
///
/// ```
/// use monitor_core::RingBuffer;
///
/// let ring = RingBuffer::new(4);
/// for i in 0..6 {
///     ring.push(i);
/// }
/// assert_eq!(ring.snapshot(), vec![2, 3, 4, 5]);
/// assert_eq!(ring.overwritten(), 2);
/// ```
pub struct RingBuffer<T> {
    head: AtomicU64,
    mask: u64,
    slots: Box<[Slot<T>]>,
}

impl<T> RingBuffer<T> {
    /// A buffer holding the last `capacity` entries, rounded up to a power of
    /// two (at least 1).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1).next_power_of_two();
        RingBuffer {
            head: AtomicU64::new(0),
            mask: capacity as u64 - 1,
            slots: (0..capacity).map(|_| Slot::empty()).collect(),
        }
    }

    /// How many entries the buffer keeps.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Appends `value`, overwriting the oldest entry when full.
    /// Never blocks and never fails.
    pub fn push(&self, value: T)
    where
        T: Send + 'static,
    {
        let ticket = self.head.fetch_add(1, Ordering::AcqRel);
        self.slot(ticket).publish(Entry { ticket, value });
    }

    /// Entries pushed since creation (including overwritten ones).
    pub fn total_pushed(&self) -> u64 {
        self.head.load(Ordering::Acquire)
    }

    /// Entries lost to overwriting because the buffer was full.
    pub fn overwritten(&self) -> u64 {
        self.total_pushed().saturating_sub(self.capacity() as u64)
    }

    /// Number of entries currently held (at most the capacity).
    pub fn len(&self) -> usize {
        self.total_pushed().min(self.capacity() as u64) as usize
    }

    /// `true` when nothing was ever pushed.
    pub fn is_empty(&self) -> bool {
        self.total_pushed() == 0
    }

    /// Every held entry, oldest to newest, without removing anything and
    /// without stopping writers.
    pub fn snapshot(&self) -> Vec<T>
    where
        T: Clone + 'static,
    {
        self.latest(self.capacity())
    }

    /// The newest `n` entries (or fewer), oldest to newest.
    pub fn latest(&self, n: usize) -> Vec<T>
    where
        T: Clone + 'static,
    {
        let mut out = Vec::new();
        self.visit_latest(n, |value| out.push(value.clone()));
        out
    }

    /// Calls `f` on the newest `n` entries (or fewer), oldest to newest,
    /// without cloning them.
    pub fn visit_latest(&self, n: usize, mut f: impl FnMut(&T))
    where
        T: 'static,
    {
        let guard = pin();
        let head = self.head.load(Ordering::Acquire);
        let n = (n.min(self.capacity())) as u64;
        for ticket in head.saturating_sub(n)..head {
            if let Some(entry) = self.slot(ticket).load(&guard)
                && entry.ticket == ticket
            {
                f(&entry.value);
            }
        }
    }

    fn slot(&self, ticket: u64) -> &Slot<T> {
        // The mask keeps the index below the slice length.
        &self.slots[(ticket & self.mask) as usize]
    }
}

impl<T> std::fmt::Debug for RingBuffer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RingBuffer")
            .field("capacity", &self.capacity())
            .field("total_pushed", &self.total_pushed())
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(feature = "loom-model")))]
mod tests;

#[cfg(all(test, feature = "loom-model"))]
mod loom_tests;
