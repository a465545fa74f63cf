//! The bot's outbound WhatsApp queue, as a real one behaves: notifications
//! enqueued for the tenants (some scheduled a minute ahead), one worker
//! sending them in batches, the provider now and then rate-limiting
//! (retried with backoff) or refusing a number (failed), and a message
//! that fails three times parked in the dead-letter queue. Every step is
//! recorded on `monitor.queue("whatsapp")`.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use monitor_core::Monitor;
use monitor_core::queue::Enqueue;
use rand::Rng;

use super::TENANTS;

/// Messages the worker takes per round.
const BATCH: usize = 8;
/// How often the worker runs.
const EVERY: Duration = Duration::from_millis(250);
/// Attempts before a message goes to the dead-letter queue.
const MAX_ATTEMPTS: u32 = 3;

struct Waiting {
    id: String,
    due: Instant,
    attempts: u32,
}

/// Runs the queue until the process ends: about four notifications a
/// second enqueued, one in ten scheduled a minute ahead.
pub async fn run(monitor: Monitor) {
    let queue = monitor.queue("whatsapp");
    let mut waiting: VecDeque<Waiting> = VecDeque::new();
    let mut ticks = tokio::time::interval(EVERY);
    for n in 0u64.. {
        ticks.tick().await;
        let mut rng = rand::rng();
        let now = Instant::now();
        // A notification per tick, and its scheduled ones.
        let id = format!("wa-{n}");
        let tenant = TENANTS[rng.random_range(0..TENANTS.len())];
        let delay = if rng.random_range(0..10) == 0 {
            Duration::from_secs(60)
        } else {
            Duration::ZERO
        };
        queue.enqueue(&id, Enqueue::new().client(tenant).after(delay));
        waiting.push_back(Waiting {
            id,
            due: now + delay,
            attempts: 0,
        });
        // The worker: a batch of due messages, the rest wait.
        let mut later = VecDeque::with_capacity(waiting.len());
        let mut taken = 0;
        while let Some(mut m) = waiting.pop_front() {
            if taken == BATCH || m.due > now {
                later.push_back(m);
                continue;
            }
            taken += 1;
            queue.processing(&m.id);
            m.attempts += 1;
            match rng.random_range(0..100) {
                0..=2 => queue.failed(&m.id, "number is not on WhatsApp"),
                3..=10 if m.attempts >= MAX_ATTEMPTS => {
                    queue.dead_letter(&m.id, "rate limited three times");
                }
                3..=10 => {
                    let backoff = Duration::from_secs(5 * u64::from(m.attempts));
                    queue.retry(&m.id, backoff, "429 Too Many Requests");
                    m.due = now + backoff;
                    later.push_back(m);
                }
                _ => queue.sent(&m.id),
            }
        }
        waiting = later;
    }
}
