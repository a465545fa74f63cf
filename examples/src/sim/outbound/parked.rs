//! The dead letters waiting for an operator: a bounded list, oldest first.

use std::collections::VecDeque;

/// Most dead letters kept for [`flush`](super::Outbound::take_parked);
/// past it the oldest is dropped and counted.
pub const PARKED_CAP: usize = 1_000;

/// A message the worker gave up on, as the dead-letter queue keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parked {
    /// The message's id on the queue.
    pub id: String,
    /// Its tenant.
    pub tenant: String,
    /// Why it was dead-lettered.
    pub reason: &'static str,
}

/// What [`Outbound::take_parked`](super::Outbound::take_parked) hands over.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Taken {
    /// Every parked message, oldest first.
    pub messages: Vec<Parked>,
    /// Dead letters dropped at the cap since the last take.
    pub dropped: u64,
}

/// The list itself: at most `cap` messages.
#[derive(Debug)]
pub(super) struct ParkedList {
    cap: usize,
    messages: VecDeque<Parked>,
    dropped: u64,
    dropped_total: u64,
}

impl ParkedList {
    pub(super) fn new(cap: usize) -> Self {
        ParkedList {
            cap: cap.max(1),
            messages: VecDeque::new(),
            dropped: 0,
            dropped_total: 0,
        }
    }

    /// Keeps `message`; at the cap the oldest makes room and is counted.
    pub(super) fn push(&mut self, message: Parked) {
        if self.messages.len() == self.cap {
            self.messages.pop_front();
            self.dropped += 1;
            self.dropped_total += 1;
        }
        self.messages.push_back(message);
    }

    /// Everything parked, and what the cap dropped since the last take.
    pub(super) fn take(&mut self) -> Taken {
        Taken {
            messages: self.messages.drain(..).collect(),
            dropped: std::mem::take(&mut self.dropped),
        }
    }

    /// Puts back messages a flush could not re-send, ahead of newer ones.
    pub(super) fn put_back(&mut self, messages: Vec<Parked>) {
        for m in messages.into_iter().rev() {
            if self.messages.len() == self.cap {
                // The newest go first: the ones put back are older.
                self.messages.pop_back();
                self.dropped += 1;
                self.dropped_total += 1;
            }
            self.messages.push_front(m);
        }
    }

    pub(super) fn len(&self) -> usize {
        self.messages.len()
    }

    pub(super) fn dropped_total(&self) -> u64 {
        self.dropped_total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parked(n: usize) -> Parked {
        Parked {
            id: format!("wa-{n}"),
            tenant: "acme".to_owned(),
            reason: "test",
        }
    }

    #[test]
    fn the_cap_drops_the_oldest_and_counts_it() {
        let mut list = ParkedList::new(3);
        for n in 0..5 {
            list.push(parked(n));
        }
        assert_eq!(list.len(), 3);
        let taken = list.take();
        let ids: Vec<&str> = taken.messages.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["wa-2", "wa-3", "wa-4"]);
        assert_eq!(taken.dropped, 2);
        assert_eq!(
            list.take(),
            Taken::default(),
            "a take empties it and its count"
        );
        assert_eq!(list.dropped_total(), 2);
    }

    #[test]
    fn put_back_keeps_the_order_and_the_cap() {
        let mut list = ParkedList::new(3);
        list.push(parked(9));
        list.put_back(vec![parked(1), parked(2), parked(3)]);
        let taken = list.take();
        let ids: Vec<&str> = taken.messages.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["wa-1", "wa-2", "wa-3"]);
        assert_eq!(taken.dropped, 1);
    }
}
