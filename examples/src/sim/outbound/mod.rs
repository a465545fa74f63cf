//! The bot's outbound WhatsApp queue, as a real one behaves: notifications
//! enqueued for the tenants (some scheduled a minute ahead), one worker
//! sending them in batches, the provider now and then rate-limiting
//! (retried with backoff) or refusing a number (failed), and a message
//! that fails three times parked in the dead-letter queue. Every step is
//! recorded on `monitor.queue("whatsapp")`.
//!
//! The dead letters are kept ([`Parked`], at most [`PARKED_CAP`], the
//! oldest dropped and counted past it) until an operator re-sends them
//! with the `flush-dead-letters` action: [`Outbound::take_parked`], then
//! [`Outbound::requeue`] each, which enqueues it again with its tenant and
//! hands it to the [`Worker`] for a fresh set of attempts.

mod parked;
mod worker;

use std::sync::Arc;

use monitor_core::Monitor;
use monitor_core::queue::{Enqueue, QueueHandle};
use parking_lot::Mutex;
use tokio::sync::mpsc;

pub use parked::{PARKED_CAP, Parked, Taken};
pub use worker::Worker;

use parked::ParkedList;

/// The queue's name in the monitor.
pub const QUEUE: &str = "whatsapp";
/// Re-sent messages waiting for the worker to pick them up; a flush waits
/// for room past it.
const INBOX: usize = 64;

/// The outbound queue's shared side: its monitor queue, the dead letters,
/// and the way back into the worker. Cheap to clone.
#[derive(Clone)]
pub struct Outbound {
    queue: QueueHandle,
    parked: Arc<Mutex<ParkedList>>,
    resend: mpsc::Sender<Parked>,
}

/// The queue and its worker, which [`Worker::run`] drives; until it runs
/// (or once it is dropped) nothing is sent and a flush keeps its messages.
pub fn new(monitor: &Monitor) -> (Outbound, Worker) {
    let (resend, inbox) = mpsc::channel(INBOX);
    let outbound = Outbound {
        queue: monitor.queue(QUEUE),
        parked: Arc::new(Mutex::new(ParkedList::new(PARKED_CAP))),
        resend,
    };
    let worker = Worker::new(outbound.clone(), inbox);
    (outbound, worker)
}

impl Outbound {
    /// The monitor's queue.
    pub fn queue(&self) -> &QueueHandle {
        &self.queue
    }

    /// Records `id` as dead-lettered on the queue and parks it.
    pub fn dead_letter(&self, id: &str, tenant: &str, reason: &'static str) {
        self.queue.dead_letter(id, reason);
        self.parked.lock().push(Parked {
            id: id.to_owned(),
            tenant: tenant.to_owned(),
            reason,
        });
    }

    /// How many dead letters are parked now.
    pub fn parked(&self) -> usize {
        self.parked.lock().len()
    }

    /// Dead letters dropped at [`PARKED_CAP`] since the start.
    pub fn dropped_total(&self) -> u64 {
        self.parked.lock().dropped_total()
    }

    /// Takes every parked message (and the count the cap dropped since the
    /// last take).
    pub fn take_parked(&self) -> Taken {
        self.parked.lock().take()
    }

    /// Parks again messages a flush could not re-send, ahead of newer ones.
    pub fn put_back(&self, messages: Vec<Parked>) {
        if !messages.is_empty() {
            self.parked.lock().put_back(messages);
        }
    }

    /// Enqueues `message` again (with its tenant, due now) and hands it to
    /// the worker, waiting while the worker's inbox is full. Gives it back
    /// when no worker runs.
    pub async fn requeue(&self, message: Parked) -> Result<(), Parked> {
        let Ok(slot) = self.resend.reserve().await else {
            return Err(message);
        };
        self.queue
            .enqueue(&message.id, Enqueue::new().client(&message.tenant));
        slot.send(message);
        Ok(())
    }
}
