//! Reading a queue: live figures from a scan of its shards, counts and the
//! hourly series summed over them.

use super::handle::QueueHandle;
use super::shard::{HOUR_MS, HOURS, Live};
use super::step::{QueueCounts, STEPS, add_into};
use super::view::{QueueAnomalies, QueueDetail, QueueHour, QueueStats};
use crate::clock::from_unix_ms;

/// Everything one pass over the shards gathers.
struct Pass {
    live: Live,
    tracked: u64,
    totals: [u64; STEPS],
    /// The last `n` hours, oldest first.
    hours: Vec<[u64; STEPS]>,
    anomalies: QueueAnomalies,
}

impl QueueHandle {
    /// The queue's figures now: depth, scheduled, in flight, oldest pending
    /// age, totals, the last 24 hours and the anomalies. Linear in the
    /// messages tracked (each shard locked in turn, briefly); attempts past
    /// the in-flight timeout are expired on the way.
    pub fn stats(&self) -> QueueStats {
        self.pass(HOURS).0
    }

    /// [`stats`](Self::stats) and the last `hours` hours (1 to
    /// [`HOURS`], clamped) per step, oldest first.
    pub fn detail(&self, hours: usize) -> QueueDetail {
        let (stats, hourly) = self.pass(hours.clamp(1, HOURS));
        QueueDetail { stats, hourly }
    }

    /// Drops attempts older than the in-flight timeout from the live
    /// figures (counted as expired); returns how many. [`stats`] does it
    /// too; the monitor also calls this every few seconds.
    ///
    /// [`stats`]: Self::stats
    pub fn expire(&self) -> u64 {
        let i = &*self.inner;
        let now = i.clock.now_ms();
        let mut expired = 0;
        for shard in i.shards.iter() {
            let mut s = shard.lock();
            let before = s.anomalies.expired;
            s.scan(now, i.timeout_ms, &mut Live::default());
            expired += s.anomalies.expired - before;
        }
        expired
    }

    fn pass(&self, n: usize) -> (QueueStats, Vec<QueueHour>) {
        let i = &*self.inner;
        let now = i.clock.now_ms();
        let this_hour = now / HOUR_MS;
        let mut p = Pass {
            live: Live::default(),
            tracked: 0,
            totals: [0; STEPS],
            hours: vec![[0; STEPS]; HOURS],
            anomalies: QueueAnomalies::default(),
        };
        for shard in i.shards.iter() {
            let mut s = shard.lock();
            s.scan(now, i.timeout_ms, &mut p.live);
            p.tracked += s.tracked() as u64;
            add_into(&mut p.totals, &s.totals);
            p.anomalies.add(&s.anomalies);
            for (back, slot) in p.hours.iter_mut().rev().enumerate() {
                let Some(hour) = this_hour.checked_sub(back as u64) else {
                    break;
                };
                if let Some(counts) = s.hours.get(hour) {
                    add_into(slot, counts);
                }
            }
        }
        let mut day = [0; STEPS];
        for h in &p.hours {
            add_into(&mut day, h);
        }
        let stats = QueueStats {
            name: i.name.clone(),
            timestamp: from_unix_ms(now),
            depth: p.live.depth,
            scheduled: p.live.scheduled,
            in_flight: p.live.in_flight,
            oldest_pending_age_ms: p.live.oldest_due_ms.map(|due| now.saturating_sub(due)),
            totals: QueueCounts::from_array(p.totals),
            last_24h: QueueCounts::from_array(day),
            tracked: p.tracked,
            max_tracked: i.limits.max_tracked as u64,
            anomalies: p.anomalies,
        };
        let first = this_hour.saturating_sub(n as u64 - 1);
        let hourly = p.hours[HOURS - n..]
            .iter()
            .zip(first..)
            .map(|(counts, hour)| QueueHour {
                timestamp: from_unix_ms(hour * HOUR_MS),
                counts: QueueCounts::from_array(*counts),
            })
            .collect();
        (stats, hourly)
    }
}
