//! Rings of values keyed by period number (minute, hour or day since the
//! epoch): a slot is reused for a newer period by resetting it, so a stale
//! period can never leak into a new window.

/// Key of a slot that never held anything.
pub(crate) const EMPTY: u64 = u64::MAX;

/// What a ring of `len` slots does with a record for `key` whose slot
/// holds `slot_key`, when "now" is `now_key`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admit {
    /// The slot already holds `key`.
    Ready,
    /// Reset the slot for `key`: it is empty, older, or from the future
    /// (the wall clock went back).
    Reset,
    /// The slot holds a newer period that is still valid, or `key` is older
    /// than the ring's whole window: the record is too old for this ring.
    TooOld,
}

#[inline]
pub(crate) fn admit(slot_key: u64, key: u64, now_key: u64, len: u64) -> Admit {
    if slot_key == key {
        Admit::Ready
    } else if key.saturating_add(len) <= now_key {
        Admit::TooOld
    } else if slot_key == EMPTY || slot_key < key || slot_key > now_key {
        Admit::Reset
    } else {
        Admit::TooOld
    }
}

/// `len` values, each belonging to one period.
#[derive(Clone)]
pub(crate) struct KeyedRing<T> {
    slots: Vec<(u64, T)>,
}

impl<T: Default> KeyedRing<T> {
    pub(crate) fn new(len: usize) -> Self {
        KeyedRing {
            slots: (0..len.max(1)).map(|_| (EMPTY, T::default())).collect(),
        }
    }

    fn index(&self, key: u64) -> usize {
        (key % self.slots.len() as u64) as usize
    }

    /// The value for `key`, if the ring still holds it.
    pub(crate) fn get(&self, key: u64) -> Option<&T> {
        let (k, v) = &self.slots[self.index(key)];
        (*k == key).then_some(v)
    }

    /// The same, mutably.
    pub(crate) fn get_mut(&mut self, key: u64) -> Option<&mut T> {
        let i = self.index(key);
        let (k, v) = &mut self.slots[i];
        (*k == key).then_some(v)
    }

    /// The value to update for `key` at `now_key`, reset first when its
    /// slot held another period; `None` when `key` is too old.
    pub(crate) fn entry(&mut self, key: u64, now_key: u64) -> Option<&mut T> {
        let len = self.slots.len() as u64;
        let i = self.index(key);
        let (k, v) = &mut self.slots[i];
        match admit(*k, key, now_key, len) {
            Admit::Ready => {}
            Admit::Reset => (*k, *v) = (key, T::default()),
            Admit::TooOld => return None,
        }
        Some(v)
    }

    /// Every held period with its key.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &T)> {
        self.slots
            .iter()
            .filter(|(k, _)| *k != EMPTY)
            .map(|(k, v)| (*k, v))
    }

    /// Held periods still inside the window of `len` periods ending at
    /// `now_key`, with their keys (what a snapshot keeps).
    pub(crate) fn iter_within(&self, now_key: u64) -> impl Iterator<Item = (u64, &T)> {
        let len = self.slots.len() as u64;
        self.iter()
            .filter(move |(k, _)| *k <= now_key && k.saturating_add(len) > now_key)
    }

    /// Empties slots that left the window of `len` periods ending at
    /// `now_key` (or lie in its future).
    pub(crate) fn expire(&mut self, now_key: u64) {
        let len = self.slots.len() as u64;
        for (k, v) in &mut self.slots {
            if *k != EMPTY && (*k > now_key || *k + len <= now_key) {
                (*k, *v) = (EMPTY, T::default());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_roll_forward_and_refuse_stale_periods() {
        let mut ring: KeyedRing<u32> = KeyedRing::new(4);
        *ring.entry(10, 10).expect("fresh") += 1;
        *ring.entry(14, 14).expect("newer reuses the slot") += 5;
        assert_eq!(ring.get(10), None);
        assert_eq!(ring.get(14), Some(&5));
        assert!(ring.entry(10, 14).is_none(), "older than the window");
        assert!(ring.entry(13, 14).is_some());
        ring.expire(20);
        assert_eq!(ring.iter().count(), 0);
    }

    #[test]
    fn a_slot_from_the_future_is_reset_when_the_clock_went_back() {
        let mut ring: KeyedRing<u32> = KeyedRing::new(4);
        *ring.entry(14, 14).expect("fresh") += 1;
        *ring
            .entry(10, 10)
            .expect("slot 14 is in the future of now=10") += 2;
        assert_eq!(ring.get(10), Some(&2));
    }
}
