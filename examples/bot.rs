//! A simulated chat and call bot, monitored end to end.
//!
//! Run with: cargo run --release --example bot
//!
//! It generates background traffic (see `monitor_examples::sim`) and every
//! two seconds prints what the monitor knows. Every environment variable
//! is in `monitor_examples::config`. Ctrl-C (or SIGTERM) stops it
//! gracefully, writing a final snapshot.

use std::fmt::Display;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use monitor_core::clock::rfc3339;
use monitor_core::errors::ErrorLog;
use monitor_core::{Monitor, RestoreOutcome};
use monitor_examples::config::DemoConfig;
use monitor_examples::{alerts, report, sim};

#[tokio::main]
async fn main() -> ExitCode {
    let config = match DemoConfig::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("demo bot: {e}");
            return ExitCode::from(2);
        }
    };
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo bot: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: DemoConfig) -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = Monitor::builder()
        .health(sim::health())
        .error_log(ErrorLog::builder().classifier(alerts::classifier()));
    if let Some(router) = alerts::alert_router(&config.alerts) {
        builder = builder.alerts(router);
    }
    if let Some(path) = &config.snapshot {
        builder = builder.snapshot_file(path);
    }
    let monitor = builder.start()?;
    say(format_args!(
        "demo bot: {} handlers, {} simulated users, ~{} msg/s, calls and errors{}; snapshot: {}; Ctrl-C to stop",
        sim::HANDLERS,
        sim::USERS,
        sim::HANDLERS as u64 * sim::RATE_PER_HANDLER,
        if config.simulate {
            ""
        } else {
            " (simulation off)"
        },
        restore_line(&monitor),
    ));
    say(format_args!("alerts: {}", alerts::describe(&config.alerts)));
    if config.simulate {
        sim::start(&monitor);
    }

    let started = Instant::now();
    let mut last_total = monitor.collector().current_stats().messages.total;
    let mut ticks = tokio::time::interval(Duration::from_secs(2));
    ticks.tick().await;
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = shutdown_signal() => break,
        }
        monitor.heartbeat(sim::HEARTBEAT);
        let stats = monitor.collector().current_stats();
        let new = stats.messages.total.saturating_sub(last_total);
        say(report::stats_line(&monitor, &stats, new, started.elapsed()));
        last_total = stats.messages.total;
    }
    monitor.shutdown().await?;
    say(format_args!(
        "stopped; {}",
        match monitor.persist_status().path {
            Some(path) => format!("final snapshot written to {path}"),
            None => "no snapshot (set MONITOR_SNAPSHOT to keep state)".to_owned(),
        }
    ));
    Ok(())
}

/// A line on stdout; a closed stdout (`bot | head`) ends the printing, not
/// the bot.
fn say(line: impl Display) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

fn restore_line(monitor: &Monitor) -> String {
    match monitor.persist_status().restore {
        RestoreOutcome::Disabled => "off (set MONITOR_SNAPSHOT=path)".to_owned(),
        RestoreOutcome::Fresh => "new file".to_owned(),
        RestoreOutcome::Restored { taken_at } => {
            format!("restored from {}", rfc3339::format(taken_at))
        }
        RestoreOutcome::SetAside { error, moved_to } => {
            format!("unusable ({error}), kept as {moved_to}")
        }
        RestoreOutcome::Failed { error } => format!("unreadable ({error}), not writing"),
    }
}

/// Ctrl-C, or SIGTERM on Unix. A signal that cannot be listened for never
/// fires (rather than stopping the bot at once).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    () = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => ctrl_c.await,
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}
