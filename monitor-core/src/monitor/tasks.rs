//! The monitor's background work: periodic `metrics:update` and
//! `queue:stats`, activity and queue expiry, periodic snapshots, system
//! samples. Tasks hold only a weak reference, so dropping the last
//! [`Monitor`] clone ends them; [`Monitor::shutdown`] ends them at once.

use std::borrow::Cow;
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::time::MissedTickBehavior;

use super::{Inner, Monitor};
use crate::bus::{Channel, EventData, MonitorEvent};

/// How often the cards' values are noted (twice a minute, so every minute
/// has one).
const CARD_NOTE_EVERY: Duration = Duration::from_secs(30);
/// How often the heatmap copies the collector's hours.
const HEATMAP_SYNC: Duration = Duration::from_secs(600);

/// How often each periodic task runs.
pub(super) struct Intervals {
    pub(super) metrics: Duration,
    pub(super) queue_stats: Duration,
    pub(super) snapshots: Duration,
    pub(super) system: Duration,
}

pub(super) fn start(monitor: &Monitor, rt: &Handle, intervals: Intervals) {
    let weak = Arc::downgrade(&monitor.inner);
    let mut tasks = monitor.inner.tasks.lock();
    tasks.push(rt.spawn(every(intervals.metrics, weak.clone(), |m| {
        publish_metrics_update(&m);
    })));
    tasks.push(rt.spawn(every(intervals.queue_stats, weak.clone(), |m| {
        m.publish_queue_stats();
    })));
    tasks.push(rt.spawn(every(intervals.system, weak.clone(), |m| {
        // `/proc` reads and `statvfs` off the async workers (a hung
        // network mount must not stall them).
        tokio::task::spawn_blocking(move || {
            m.sample_system();
        });
    })));
    // The collector keeps 7 days of hours, the heatmap 4 weeks: copy them
    // across well within the 7 days (and before every read and snapshot).
    tasks.push(rt.spawn(every(HEATMAP_SYNC, weak.clone(), |m| {
        m.inner.analytics.heatmap.sync_from(&m.inner.collector);
    })));
    // Expiry also runs lazily on start; this catches kinds gone quiet.
    tasks.push(
        rt.spawn(every(crate::activity::EXPIRE_EVERY, weak.clone(), |m| {
            for tracker in m.activity_trackers() {
                tracker.expire();
            }
            for queue in m.queues() {
                queue.expire();
            }
        })),
    );
    // The cards' values of every minute, for the changes of `/api/metrics`.
    tasks.push(rt.spawn(every(CARD_NOTE_EVERY, weak.clone(), |m| {
        m.note_cards();
    })));
    if let Some(watch) = &monitor.inner.anomaly_watch {
        tasks.push(
            rt.spawn(every(watch.config().interval(), weak.clone(), |m| {
                let _ = m.check_anomalies();
            })),
        );
    }
    if let Some(schedule) = &monitor.inner.summaries {
        let schedule = Arc::clone(schedule);
        let weak = weak.clone();
        // The first check is one interval after the start, not after the
        // task first runs.
        let every = schedule.config().interval();
        let first = tokio::time::Instant::now() + every;
        tasks.push(rt.spawn(async move {
            let mut ticks = tokio::time::interval_at(first, every);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(inner) = weak.upgrade() else { return };
                schedule.tick(&Monitor { inner }).await;
            }
        }));
    }
    if monitor.inner.persistence.file.is_some() {
        tasks.push(rt.spawn(every(intervals.snapshots, weak, |m| {
            // File I/O off the async workers; a slow disk delays nothing.
            tokio::task::spawn_blocking(move || {
                let _ = m.save_snapshot();
            });
        })));
    }
}

/// Runs `f` every `period` (first after one period) while the monitor
/// lives.
async fn every(period: Duration, weak: Weak<Inner>, f: impl Fn(Monitor) + Send + 'static) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(inner) = weak.upgrade() else { return };
        f(Monitor { inner });
    }
}

/// Publishes the current stats, unless no one listens on `metrics`.
pub(super) fn publish_metrics_update(m: &Monitor) {
    let i = &*m.inner;
    if !i.bus.has_subscribers(Channel::Metrics) {
        return;
    }
    let stats = i.collector.current_stats();
    let at = stats.timestamp;
    let data = EventData::Metrics(Box::new(stats));
    let event = MonitorEvent::new(
        Cow::Borrowed("metrics:update"),
        Channel::Metrics,
        None,
        at,
        data,
    );
    i.bus.publish(event);
}
