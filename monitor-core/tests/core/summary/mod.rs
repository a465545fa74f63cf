//! Scheduled summaries: content on a synthetic week with known answers,
//! the CSV read back, and the schedule with a paused tokio clock and a
//! `ManualClock` moved together.

mod content;
mod schedule;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use monitor_core::bus::MessageEvent;
use monitor_core::errors::{ErrorEvent, Severity};
use monitor_core::{ManualClock, Monitor};

/// Monday 2026-11-16 00:00 UTC, the start of ISO week 2026-W47.
pub(crate) const MONDAY: u64 = 1_794_787_200;
pub(crate) const HOUR: u64 = 3_600;
pub(crate) const DAY: u64 = 86_400;
/// The hour of Saturday (day 5) with four times the usual messages.
pub(crate) const SPIKE_HOUR: u64 = 15;
/// Bob's name: a comma and quotes for the CSV.
pub(crate) const BOB: &str = "Bob, \"the\" builder";

pub(crate) fn at(secs_after_monday: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(MONDAY + secs_after_monday)
}

/// W47, Monday to Sunday: 100 messages an hour of 80 ms (Saturday 15:00:
/// 400), day `k`'s users `user-{10k}` to `user-{10k + 39}`; on Saturday,
/// errors in hours 0–9 (1 critical, 2 error, 3 warning, 4 info) and
/// published messages of Ada (5), Bob (3) and `=cmd` (1); on Sunday
/// 00:10, 10 of Zed. The clock is left at Monday 2026-11-23 00:30.
pub(crate) fn week_of_traffic(monitor: &Monitor, clock: &ManualClock) {
    let severities = [
        Severity::Critical,
        Severity::Error,
        Severity::Error,
        Severity::Warning,
        Severity::Warning,
        Severity::Warning,
        Severity::Info,
        Severity::Info,
        Severity::Info,
        Severity::Info,
    ];
    for day in 0..7u64 {
        for hour in 0..24u64 {
            clock.set(at(day * DAY + hour * HOUR + 60));
            let n = if day == 5 && hour == SPIKE_HOUR {
                400
            } else {
                100
            };
            for i in 0..n {
                let user = format!("user-{}", i % 40 + 10 * day);
                monitor.record_message(&user, Duration::from_millis(80));
            }
            if day == 5 && hour < 10 {
                let severity = severities[hour as usize];
                let event = ErrorEvent::new("db", "query", "Timeout", "slow").severity(severity);
                monitor.log_error(event);
            }
            if day == 5 && hour == 12 {
                let publish = |id: &str, name: Option<&str>, times: usize| {
                    for _ in 0..times {
                        monitor.publish_message(None, MessageEvent::new(id, name, None, 80.0));
                    }
                };
                publish("u-ada", Some("Ada"), 5);
                publish("u-bob", Some(BOB), 3);
                publish("=cmd", None, 1);
            }
            if day == 6 && hour == 0 {
                clock.set(at(day * DAY + 600));
                for _ in 0..10 {
                    monitor
                        .publish_message(None, MessageEvent::new("u-zed", Some("Zed"), None, 80.0));
                }
            }
        }
    }
    clock.set(at(7 * DAY + 1800));
}
