//! The bot's periodic stats line. CI's smoke run greps it for
//! `messages +[1-9]`, so its shape is kept as it is.

use std::time::Duration;

use monitor_core::{CurrentStats, Monitor};

/// One line of what the monitor knows: messages (total, new since the last
/// line, last hour), percentiles, users, active calls, errors in the last
/// hour and overall health.
pub fn stats_line(monitor: &Monitor, s: &CurrentStats, new: u64, elapsed: Duration) -> String {
    let ms = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.0} ms"));
    let m = &s.messages;
    let calls = monitor.activities("call").stats();
    format!(
        "[{:>4}s] messages {:>8} (+{:>5}, last hour {:>8})  p50 {:>7}  p95 {:>7}  p99 {:>7}  users {:>6} (now {:>6})  calls {:>3} active  errors {:>4} (1h)  health {}",
        elapsed.as_secs(),
        m.total,
        new,
        m.last_hour,
        ms(m.p50_ms),
        ms(m.p95_ms),
        ms(m.p99_ms),
        s.users.total,
        s.users.active_now,
        calls.active,
        monitor.errors().errors_last_hour(),
        monitor.health().status().as_str(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_line_ci_greps_for() {
        let monitor = Monitor::builder().start().expect("runtime");
        monitor.record_message("u1", Duration::from_millis(120));
        monitor.record_message("u2", Duration::from_millis(80));
        let stats = monitor.collector().current_stats();
        let line = stats_line(&monitor, &stats, 2, Duration::from_secs(4));
        // What `.ci/run` greps: `messages +[1-9][0-9]*`.
        let after = line
            .split_once("messages ")
            .map(|(_, rest)| rest.trim_start())
            .expect("a messages field");
        assert!(after.starts_with('2'), "{line}");
        assert!(
            line.starts_with("[   4s] messages        2 (+    2"),
            "{line}"
        );
        assert!(
            line.contains("calls   0 active") && line.contains("health "),
            "{line}"
        );
        monitor.shutdown().await.expect("no snapshot");
    }
}
