//! [`Worker`]: the one sender of the outbound queue. About four
//! notifications a second are enqueued (one in ten scheduled a minute
//! ahead); every quarter second it sends a batch of due ones.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use monitor_core::queue::Enqueue;
use rand::Rng;
use tokio::sync::mpsc;

use super::{Outbound, Parked};
use crate::sim::TENANTS;

/// Messages the worker takes per round.
const BATCH: usize = 8;
/// How often the worker runs.
const EVERY: Duration = Duration::from_millis(250);
/// Attempts before a message goes to the dead-letter queue.
pub(super) const MAX_ATTEMPTS: u32 = 3;
/// One new message in this many goes to a customer whose 24-hour
/// messaging window has closed: every attempt fails until it is
/// dead-lettered (about five a minute).
const CLOSED_WINDOW_ONE_IN: u32 = 50;

/// A message waiting for its (next) attempt.
struct Waiting {
    id: String,
    tenant: String,
    due: Instant,
    attempts: u32,
    closed_window: bool,
}

/// What one attempt came to.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Attempt {
    Sent,
    Failed(&'static str),
    Retry(Duration, &'static str),
    DeadLetter(&'static str),
}

/// The attempt number `attempts` (1 for the first) of a message, given a
/// roll of 0–99 for the provider's mood.
pub(super) fn attempt(closed_window: bool, attempts: u32, roll: u32) -> Attempt {
    let backoff = Duration::from_secs(5 * u64::from(attempts));
    if closed_window {
        return if attempts >= MAX_ATTEMPTS {
            Attempt::DeadLetter("outside the 24-hour window three times")
        } else {
            Attempt::Retry(backoff, "outside the 24-hour customer-care window")
        };
    }
    match roll {
        0..=2 => Attempt::Failed("number is not on WhatsApp"),
        3..=10 if attempts >= MAX_ATTEMPTS => Attempt::DeadLetter("rate limited three times"),
        3..=10 => Attempt::Retry(backoff, "429 Too Many Requests"),
        _ => Attempt::Sent,
    }
}

/// The queue's sender; see [`Worker::run`].
pub struct Worker {
    outbound: Outbound,
    inbox: mpsc::Receiver<Parked>,
    waiting: VecDeque<Waiting>,
}

impl Worker {
    pub(super) fn new(outbound: Outbound, inbox: mpsc::Receiver<Parked>) -> Self {
        Worker {
            outbound,
            inbox,
            waiting: VecDeque::new(),
        }
    }

    /// Runs the queue until the process ends.
    pub async fn run(mut self) {
        let mut ticks = tokio::time::interval(EVERY);
        for n in 0u64.. {
            ticks.tick().await;
            self.enqueue_new(n);
            self.take_resent();
            self.send_batch();
        }
    }

    /// A notification per round: one in ten scheduled a minute ahead.
    fn enqueue_new(&mut self, n: u64) {
        let mut rng = rand::rng();
        let id = format!("wa-{n}");
        let tenant = TENANTS[rng.random_range(0..TENANTS.len())];
        let delay = if rng.random_range(0..10) == 0 {
            Duration::from_secs(60)
        } else {
            Duration::ZERO
        };
        self.outbound
            .queue
            .enqueue(&id, Enqueue::new().client(tenant).after(delay));
        self.waiting.push_back(Waiting {
            id,
            tenant: tenant.to_owned(),
            due: Instant::now() + delay,
            attempts: 0,
            closed_window: rng.random_ratio(1, CLOSED_WINDOW_ONE_IN),
        });
    }

    /// Messages a flush re-sent (already enqueued again): due now, a fresh
    /// set of attempts (the customer wrote back, so the window is open).
    fn take_resent(&mut self) {
        for m in self.drain_inbox() {
            self.waiting.push_back(Waiting {
                id: m.id,
                tenant: m.tenant,
                due: Instant::now(),
                attempts: 0,
                closed_window: false,
            });
        }
    }

    /// What the inbox holds now.
    pub(crate) fn drain_inbox(&mut self) -> Vec<Parked> {
        let mut taken = Vec::new();
        while let Ok(m) = self.inbox.try_recv() {
            taken.push(m);
        }
        taken
    }

    /// A batch of due messages; the rest wait.
    fn send_batch(&mut self) {
        let queue = &self.outbound.queue;
        let mut rng = rand::rng();
        let now = Instant::now();
        let mut later = VecDeque::with_capacity(self.waiting.len());
        let mut taken = 0;
        while let Some(mut m) = self.waiting.pop_front() {
            if taken == BATCH || m.due > now {
                later.push_back(m);
                continue;
            }
            taken += 1;
            queue.processing(&m.id);
            m.attempts += 1;
            match attempt(m.closed_window, m.attempts, rng.random_range(0..100)) {
                Attempt::Sent => queue.sent(&m.id),
                Attempt::Failed(why) => queue.failed(&m.id, why),
                Attempt::DeadLetter(why) => self.outbound.dead_letter(&m.id, &m.tenant, why),
                Attempt::Retry(backoff, why) => {
                    queue.retry(&m.id, backoff, why);
                    m.due = now + backoff;
                    later.push_back(m);
                }
            }
        }
        self.waiting = later;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_window_is_retried_then_dead_lettered() {
        let steps: Vec<Attempt> = (1..=MAX_ATTEMPTS).map(|n| attempt(true, n, 99)).collect();
        assert!(matches!(steps[0], Attempt::Retry(d, _) if d == Duration::from_secs(5)));
        assert!(matches!(steps[1], Attempt::Retry(d, _) if d == Duration::from_secs(10)));
        assert!(matches!(steps[2], Attempt::DeadLetter(_)));
    }

    #[test]
    fn the_provider_mostly_delivers() {
        assert_eq!(attempt(false, 1, 50), Attempt::Sent);
        assert!(matches!(attempt(false, 1, 1), Attempt::Failed(_)));
        assert!(matches!(attempt(false, 1, 5), Attempt::Retry(..)));
        assert!(matches!(
            attempt(false, MAX_ATTEMPTS, 5),
            Attempt::DeadLetter(_)
        ));
    }
}
