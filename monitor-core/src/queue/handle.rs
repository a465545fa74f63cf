//! [`QueueHandle`]: recording what happens to each message of one queue.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use crossbeam_utils::CachePadded;
use parking_lot::Mutex;

use super::config::{Due, Enqueue, QueueBuilder, QueueLimits};
use super::notice::{MESSAGE_ID_BYTES, QueueListener, QueueNotice, REASON_BYTES, cleaned};
use super::shard::{Found, Shard, key_of, shard_of};
use super::step::MessageStep;
use crate::clock::{Clock, from_unix_ms, unix_ms};

/// Longest tenant id kept, in bytes.
pub const CLIENT_ID_BYTES: usize = 128;

pub(crate) struct Inner {
    pub(super) name: String,
    pub(super) clock: Clock,
    pub(super) limits: QueueLimits,
    pub(super) per_shard: usize,
    pub(super) timeout_ms: u64,
    pub(super) listener: Option<Box<dyn QueueListener>>,
    pub(super) shards: Box<[CachePadded<Mutex<Shard>>]>,
}

/// One outbound queue's figures, fed per message: cheap to clone (an `Arc`
/// inside), every clone the same queue.
///
/// Each call hashes the message id once and takes the lock of one of 32
/// shards (the one the id hashes to) for a map operation and a few counts.
/// Ids are kept as 64-bit hashes, never as text, so once the shards' maps
/// have grown to the backlog a call allocates nothing; two threads
/// recording different messages rarely meet. Listeners run after the lock
/// is released.
///
/// A message's life: [`enqueue`](Self::enqueue) (due now or later) →
/// [`processing`](Self::processing) → one of [`sent`](Self::sent),
/// [`failed`](Self::failed), [`dead_letter`](Self::dead_letter) (done) or
/// [`retry`](Self::retry) (waiting again, back to `processing`).
///
/// ```
/// use monitor_core::queue::{Enqueue, QueueHandle};
/// use std::time::Duration;
///
/// let whatsapp = QueueHandle::builder("whatsapp").build();
/// whatsapp.enqueue("m1", Enqueue::new().client("acme"));
/// whatsapp.enqueue("m2", Enqueue::new().after(Duration::from_secs(3_600)));
/// whatsapp.processing("m1");
/// whatsapp.retry("m1", Duration::from_secs(30), "429 from the provider");
///
/// let stats = whatsapp.stats();
/// assert_eq!((stats.depth, stats.scheduled, stats.in_flight), (0, 2, 0));
/// assert_eq!(stats.totals.enqueued, 2);
/// assert_eq!(stats.totals.retried, 1);
/// ```
#[derive(Clone)]
pub struct QueueHandle {
    pub(crate) inner: Arc<Inner>,
}

impl QueueHandle {
    /// Starts configuring a standalone queue named `name` (cleaned, at most
    /// [`NAME_BYTES`](super::NAME_BYTES); empty becomes `queue`).
    pub fn builder(name: &str) -> QueueBuilder {
        QueueBuilder::new(name)
    }

    /// The queue's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Its limits (`max_tracked` as rounded up to the shards).
    pub fn limits(&self) -> QueueLimits {
        self.inner.limits
    }

    /// Message `id` was put in the queue. Counted as enqueued, and tracked
    /// as pending (due now, or later when scheduled) unless the queue
    /// already tracks `max_tracked` messages (then counted as refused). An
    /// id already tracked starts over as a new message (counted as a
    /// duplicate).
    #[inline]
    pub fn enqueue(&self, id: &str, message: Enqueue<'_>) {
        self.track(id, message, true);
    }

    /// Tracks message `id` as pending without counting it as enqueued: for
    /// messages the host already had in its own durable queue when the
    /// process (re)started, since live state is not kept across restarts.
    pub fn adopt(&self, id: &str, message: Enqueue<'_>) {
        self.track(id, message, false);
    }

    /// An attempt at message `id` starts (it leaves the pending set and is
    /// in flight). An id not tracked is counted as unknown and tracked in
    /// flight from now on, room permitting.
    #[inline]
    pub fn processing(&self, id: &str) {
        let (i, key, now, want) = self.begin(id);
        let found = self.inner.shards[shard_of(key)]
            .lock()
            .processing(key, now, i.per_shard, want);
        if want {
            self.tell(MessageStep::Processing, id, found, now, None, "");
        }
    }

    /// Message `id` was delivered: done.
    #[inline]
    pub fn sent(&self, id: &str) {
        self.finish(id, MessageStep::Sent, "");
    }

    /// Message `id` was given up (a permanent failure, no dead-letter
    /// queue): done. `reason` goes into the event only.
    #[inline]
    pub fn failed(&self, id: &str, reason: &str) {
        self.finish(id, MessageStep::Failed, reason);
    }

    /// Message `id` was moved to the dead-letter queue: done.
    #[inline]
    pub fn dead_letter(&self, id: &str, reason: &str) {
        self.finish(id, MessageStep::DeadLetter, reason);
    }

    /// An attempt at message `id` failed and it waits to be tried again,
    /// due `after` from now (zero: due now; later counts as scheduled).
    /// An id not tracked is counted as unknown and tracked as pending from
    /// now on, room permitting.
    #[inline]
    pub fn retry(&self, id: &str, after: Duration, reason: &str) {
        let (i, key, now, want) = self.begin(id);
        let due = now.saturating_add(u64::try_from(after.as_millis()).unwrap_or(u64::MAX));
        let found =
            self.inner.shards[shard_of(key)]
                .lock()
                .retry(key, due, (now, i.per_shard), want);
        if want {
            self.tell(MessageStep::Retry, id, found, now, Some(due), reason);
        }
    }

    #[inline]
    fn begin(&self, id: &str) -> (&Inner, u64, u64, bool) {
        let i = &*self.inner;
        let want = i.listener.as_ref().is_some_and(|l| l.wants());
        (i, key_of(id), i.clock.now_ms(), want)
    }

    fn track(&self, id: &str, message: Enqueue<'_>, counted: bool) {
        let (i, key, now, _) = self.begin(id);
        let due = match message.due {
            Due::Now => now,
            Due::At(at) => unix_ms(at).max(now),
            Due::After(d) => now.saturating_add(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        };
        let client = message.client.filter(|c| !c.is_empty()).map(clean_client);
        let client = client.as_deref().filter(|c| !c.is_empty());
        i.shards[shard_of(key)]
            .lock()
            .enqueue(key, due, client, (now, i.per_shard, counted));
    }

    #[inline]
    fn finish(&self, id: &str, step: MessageStep, reason: &str) {
        let (_, key, now, want) = self.begin(id);
        let found = self.inner.shards[shard_of(key)]
            .lock()
            .finish(key, step.index(), now, want);
        if want {
            self.tell(step, id, found, now, None, reason);
        }
    }

    #[cold]
    fn tell(
        &self,
        step: MessageStep,
        id: &str,
        found: Found,
        now: u64,
        retry_at: Option<u64>,
        reason: &str,
    ) {
        let Some(listener) = &self.inner.listener else {
            return;
        };
        let processing = step == MessageStep::Processing;
        let notice = QueueNotice {
            step,
            queue: self.inner.name.clone(),
            message_id: cleaned(id, MESSAGE_ID_BYTES),
            client_id: found.client.as_deref().map(str::to_owned),
            attempt: found.attempt,
            at: from_unix_ms(now),
            waited_ms: if processing { found.elapsed_ms } else { None },
            took_ms: if processing { None } else { found.elapsed_ms },
            retry_at: retry_at.map(from_unix_ms),
            reason: Some(cleaned(reason, REASON_BYTES)).filter(|r| !r.is_empty()),
            tracked: found.tracked,
        };
        listener.notice(&notice);
    }
}

/// A tenant id as kept: control characters removed, at most
/// [`CLIENT_ID_BYTES`]. Borrowed when already clean (the usual case).
fn clean_client(client: &str) -> Cow<'_, str> {
    if client.len() <= CLIENT_ID_BYTES && !client.chars().any(char::is_control) {
        Cow::Borrowed(client)
    } else {
        Cow::Owned(cleaned(client, CLIENT_ID_BYTES))
    }
}

impl std::fmt::Debug for QueueHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueHandle")
            .field("name", &self.inner.name)
            .field("limits", &self.inner.limits)
            .finish_non_exhaustive()
    }
}
