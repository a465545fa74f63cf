//! The past week, filled in at start: what the simulated bot would have
//! handled had it been running, minute by minute along the same
//! [`load`](super::load) curve as the live handlers. Without it a fresh
//! demo's charts show one bar and the day × hour heatmap one cell.
//!
//! The week is recorded into a private collector on a [`ManualClock`],
//! through the ordinary `record_message` path (tens of nanoseconds each,
//! no lock), then exported and merged into the bot's collector with
//! `restore`, the way a snapshot is: one lock, once. Recording the same
//! messages into the live collector with `record_message_at` would take
//! its archive lock per message and keep readers recomputing old hours.
//!
//! Top users get the same messages, each hour's counted per user and fed
//! at the hour's end with
//! [`TopUsers::record_many_at`](monitor_core::analytics::TopUsers::record_many_at).
//!
//! Errors are filled in as counts, at the live loop's rate and mix
//! ([`ErrorLog::count_at`](monitor_core::errors::ErrorLog::count_at), per
//! kind and hour): the error-rate chart, trends and summaries have a past,
//! the error list starts with the process. Calls and agent runs start with
//! the process too; a bot restored from a snapshot already has its
//! history and skips this.

use std::collections::HashMap;
use std::io::Write;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use monitor_core::{CollectorConfig, ManualClock, MetricsCollector, Monitor};
use rand::Rng;

use monitor_core::errors::Severity;

use super::{
    ERROR_KINDS, PEAK_RATE, error_interval, load, pick_error_kind, pick_user, response_time,
    tenant_of, user_id, user_name,
};

/// How far back the history goes.
pub const DAYS: u64 = 7;

/// Response times drawn once and reused: drawing a log-normal per message
/// would cost more than recording it.
const DRAWS: usize = 4_096;

/// Fills in the [`DAYS`] before the current hour on a background thread
/// (a few seconds of one core) and returns at once.
/// With `spike`, [`spike`] follows.
pub fn spawn(monitor: &Monitor, spike: bool) {
    let monitor = monitor.clone();
    let until = SystemTime::now();
    thread::Builder::new()
        .name("demo-history".into())
        .spawn(move || {
            let began = std::time::Instant::now();
            let _ = match backfill(&monitor, until, DAYS) {
                Ok(filled) => writeln!(
                    std::io::stdout(),
                    "history: the past {DAYS} days filled in ({} messages, {} errors, {:.1} s)",
                    filled.messages,
                    filled.errors,
                    began.elapsed().as_secs_f64()
                ),
                Err(e) => writeln!(std::io::stderr(), "demo bot: history not filled in: {e}"),
            };
            if spike {
                // The error burst first: once the message spike is
                // printed, both are in.
                let (at, n) = error_burst(&monitor, until);
                let _ = writeln!(
                    std::io::stdout(),
                    "history: an error burst of {n} in the hour from {}",
                    monitor_core::clock::rfc3339::format(at)
                );
                let _ = match self::spike(&monitor, until) {
                    Ok(at) => writeln!(
                        std::io::stdout(),
                        "history: a spike of {SPIKE_MESSAGES} extra messages in the hour from {}",
                        monitor_core::clock::rfc3339::format(at)
                    ),
                    Err(e) => writeln!(std::io::stderr(), "demo bot: no spike: {e}"),
                };
            }
        })
        .expect("spawn the history thread");
}

/// What [`backfill`] filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filled {
    /// Messages recorded.
    pub messages: u64,
    /// Errors counted.
    pub errors: u64,
}

/// Records `days` of traffic ending at the start of `until`'s hour (the
/// live handlers fill that hour) and adds them to `monitor`'s collector,
/// top users and error counts.
pub fn backfill(
    monitor: &Monitor,
    until: SystemTime,
    days: u64,
) -> Result<Filled, monitor_core::sketch::SketchStateError> {
    let end_minute = until
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        / 3_600
        * 60;
    let start_minute = end_minute.saturating_sub(days * 24 * 60);
    let clock = ManualClock::new(minute(start_minute));
    let past = MetricsCollector::new(CollectorConfig::default().with_clock(clock.clone()));

    let mut rng = rand::rng();
    // Formatted per message into one buffer: a table of 50 000 ids would
    // cost a cache miss or two per message, more than the record.
    let mut user = String::new();
    let mut name = String::new();
    let top_users = monitor.top_users();
    // Top users get each hour's messages per user at the hour's end, one
    // lock per user and hour instead of one per message.
    let mut hour_counts: HashMap<u64, u64> = HashMap::new();
    let times: Vec<Duration> = (0..DRAWS).map(|_| response_time(&mut rng)).collect();
    // Errors per kind in the current hour, counted at the hour's end.
    let mut hour_errors = [0u64; ERROR_KINDS.len()];
    let mut recorded = 0;
    let mut errors = 0;
    for m in start_minute..end_minute {
        let share = load::at(minute(m));
        let per_minute = PEAK_RATE as f64 * 60.0 * share;
        // Whole messages, the fraction carried by chance.
        let n = per_minute as u64 + u64::from(rng.random_bool(per_minute.fract()));
        clock.set(minute(m));
        for i in 0..n {
            clock.set(minute(m) + Duration::from_millis(i * 60_000 / n.max(1)));
            let k = pick_user(&mut rng);
            user_id(&mut user, k);
            past.record_message(&user, times[rng.random_range(0..DRAWS)]);
            *hour_counts.entry(k).or_default() += 1;
        }
        recorded += n;
        let errors_per_minute = 60.0 / error_interval(share);
        let e = errors_per_minute as u64 + u64::from(rng.random_bool(errors_per_minute.fract()));
        for _ in 0..e {
            hour_errors[pick_error_kind(&mut rng)] += 1;
        }
        errors += e;
        if (m + 1) % 60 == 0 || m + 1 == end_minute {
            let hour = minute(m - m % 60);
            for (i, n) in hour_errors.iter_mut().enumerate() {
                let (service, _, _, severity, _) = ERROR_KINDS[i];
                monitor.errors().count_at(hour, service, severity, *n);
                *n = 0;
            }
            for (k, n) in hour_counts.drain() {
                user_id(&mut user, k);
                let name = user_name(&mut name, k);
                top_users.record_many_at(Some(tenant_of(k)), &user, Some(name), hour, n);
            }
        }
    }
    // Export as of now, so the past hours sit where they belong.
    clock.set(until);
    monitor.collector().restore(&past.export())?;
    Ok(Filled {
        messages: recorded,
        errors,
    })
}

/// How many hours before the current one [`error_burst`] puts its errors.
pub const ERROR_BURST_HOURS_AGO: u64 = 5;

/// Share of the burst hour's usual messages that [`error_burst`] adds as
/// errors: 5 %, twenty times the usual rate and more than 2 points (the
/// floor of an error rate's standard deviation) above it.
pub const ERROR_BURST_RATE: f64 = 0.05;

/// Counts a payment-gateway outage in the hour starting
/// [`ERROR_BURST_HOURS_AGO`] hours before `until`'s (`MONITOR_SIM_SPIKE=1`):
/// critical errors worth [`ERROR_BURST_RATE`] of the hour's usual
/// messages, an error-rate anomaly for the dashboard to mark. Returns the
/// hour's start and the errors counted.
pub fn error_burst(monitor: &Monitor, until: SystemTime) -> (SystemTime, u64) {
    let hour = (until
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        / 3_600)
        .saturating_sub(ERROR_BURST_HOURS_AGO);
    let start = minute(hour * 60);
    let usual = PEAK_RATE as f64 * 3_600.0 * load::at(start + Duration::from_secs(1_800));
    let n = (usual * ERROR_BURST_RATE).ceil() as u64;
    monitor
        .errors()
        .count_at(start, "payments", Severity::Critical, n);
    (start, n)
}

/// How many hours before the current one [`spike`] puts its burst.
pub const SPIKE_HOURS_AGO: u64 = 3;

/// Extra messages in the spike hour: three busiest hours' worth, so the
/// hour stands more than 2 standard deviations above any day's mean.
pub const SPIKE_MESSAGES: u64 = 3 * PEAK_RATE * 3_600;

/// Adds [`SPIKE_MESSAGES`] to the hour starting [`SPIKE_HOURS_AGO`] hours
/// before `until`'s (`MONITOR_SIM_SPIKE=1`), so the dashboard's anomaly
/// markers have something to show without waiting for one. Recorded like
/// [`backfill`] (a private collector, then `restore`, which adds), into
/// the collector only: top users do not see the burst. Returns the hour's
/// start.
pub fn spike(
    monitor: &Monitor,
    until: SystemTime,
) -> Result<SystemTime, monitor_core::sketch::SketchStateError> {
    let hour_minute = (until
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        / 3_600)
        .saturating_sub(SPIKE_HOURS_AGO)
        * 60;
    let clock = ManualClock::new(minute(hour_minute));
    let past = MetricsCollector::new(CollectorConfig::default().with_clock(clock.clone()));
    let mut rng = rand::rng();
    let mut user = String::new();
    let times: Vec<Duration> = (0..DRAWS).map(|_| response_time(&mut rng)).collect();
    let per_minute = SPIKE_MESSAGES / 60;
    for m in hour_minute..hour_minute + 60 {
        for i in 0..per_minute {
            clock.set(minute(m) + Duration::from_millis(i * 60_000 / per_minute));
            user_id(&mut user, pick_user(&mut rng));
            past.record_message(&user, times[rng.random_range(0..DRAWS)]);
        }
    }
    clock.set(until);
    monitor.collector().restore(&past.export())?;
    Ok(minute(hour_minute))
}

fn minute(m: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(m * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_day_of_history_lands_in_the_hourly_buckets() {
        let monitor = Monitor::builder().start().expect("monitor");
        let now = SystemTime::now();
        let filled_in = backfill(&monitor, now, 1).expect("backfill");
        let recorded = filled_in.messages;
        let collector = monitor.collector();
        assert_eq!(collector.current_stats().messages.total, recorded);
        // The 24 hours before the current one, which stays empty.
        let filled: Vec<u64> = collector.hourly(25).iter().map(|b| b.count).collect();
        assert_eq!(filled.len(), 25);
        assert_eq!(filled[24], 0, "{filled:?}");
        assert_eq!(filled.iter().sum::<u64>(), recorded, "{filled:?}");
        assert!(filled[..24].iter().all(|&n| n > 0), "{filled:?}");
        // Top users counted every one of them, each under its tenant.
        let top = monitor
            .top_users()
            .top(monitor_core::analytics::Window::Week, None, 3);
        assert_eq!(top.total_messages, recorded);
        assert!(top.users.iter().all(|u| u.client_id.is_some()), "{top:?}");
        // Errors: counted in each of those hours (at least two a minute),
        // none in the current one, near the live loop's 1 in 400.
        let now_hour = now
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs()
            / 3_600;
        let errors: Vec<u64> = monitor
            .errors()
            .errors_per_hour(now_hour - 24, 25)
            .into_iter()
            .map(|n| n.expect("kept"))
            .collect();
        assert_eq!(errors.iter().sum::<u64>(), filled_in.errors, "{errors:?}");
        assert!(errors[..24].iter().all(|&n| n >= 100), "{errors:?}");
        assert_eq!(errors[24], 0, "{errors:?}");
        let rate = filled_in.errors as f64 / recorded as f64;
        assert!((0.002..0.006).contains(&rate), "error rate {rate}");
    }

    #[tokio::test]
    async fn the_error_burst_hour_is_flagged_for_its_error_rate() {
        let monitor = Monitor::builder().start().expect("monitor");
        let now = SystemTime::now();
        backfill(&monitor, now, 2).expect("backfill");
        let (at, n) = error_burst(&monitor, now);
        assert!(n > 0);
        let flagged: Vec<SystemTime> = monitor
            .hourly_trend(24)
            .iter()
            .filter(|b| b.anomalies.error_rate.is_some_and(|a| a.value > a.mean))
            .map(|b| b.bucket.start)
            .collect();
        assert_eq!(flagged, [at]);
    }

    #[tokio::test]
    async fn the_spike_hour_is_the_one_flagged() {
        let monitor = Monitor::builder().start().expect("monitor");
        let now = SystemTime::now();
        backfill(&monitor, now, 2).expect("backfill");
        let at = spike(&monitor, now).expect("spike");
        let trend = monitor.hourly_trend(24);
        let flagged: Vec<SystemTime> = trend
            .iter()
            .filter(|b| b.anomalies.count.is_some_and(|a| a.value > a.mean))
            .map(|b| b.bucket.start)
            .collect();
        assert!(
            flagged.contains(&at),
            "spike at {at:?}, flagged {flagged:?}"
        );
        let hour = trend
            .iter()
            .find(|b| b.bucket.start == at)
            .expect("the spike hour in the last 24");
        assert!(hour.bucket.count >= SPIKE_MESSAGES, "{}", hour.bucket.count);
    }
}
