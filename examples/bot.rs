//! A simulated chat and call bot, monitored end to end: the demo.
//!
//! Run with: cargo run --release --example bot
//!
//! It generates background traffic (see `monitor_examples::sim`), serves
//! the monitor under `/monitor` and its own webhooks under `/webhook/`
//! (see `monitor_examples::webhooks`) on `MONITOR_ADDR` (default
//! 127.0.0.1:8080), prints the dashboard link with the admin token, and
//! every two seconds prints what the monitor knows. Every environment
//! variable is in `monitor_examples::config` and the README. Ctrl-C (or
//! SIGTERM) stops it gracefully, writing a final snapshot.

use std::fmt::Display;
use std::future::IntoFuture;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use monitor_axum::{ApiError, RequestMetricsLayer};
use monitor_core::clock::rfc3339;
use monitor_core::errors::ErrorLog;
use monitor_core::summary::SummaryConfig;
use monitor_core::{Monitor, RestoreOutcome};
use monitor_examples::config::{DemoConfig, display_addr};
use monitor_examples::webhooks::webhooks;
use monitor_examples::{alerts, report, sim};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How long open connections (streams) may delay the exit after a signal.
const GRACE: Duration = Duration::from_secs(5);

#[tokio::main]
async fn main() -> ExitCode {
    let config = match DemoConfig::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("demo bot: {e}");
            return ExitCode::from(2);
        }
    };
    // Bound before the monitor starts, so a second bot on a taken port
    // never touches the first one's snapshot.
    let listener = match TcpListener::bind(config.addr).await {
        Ok(listener) => listener,
        Err(e) => {
            let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                " (another program, perhaps another bot, has that port; pick another with e.g. MONITOR_ADDR=127.0.0.1:8081)"
            } else {
                ""
            };
            eprintln!("demo bot: cannot listen on {}: {e}{hint}", config.addr);
            return ExitCode::FAILURE;
        }
    };
    match run(config, listener).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo bot: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: DemoConfig, listener: TcpListener) -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = Monitor::builder()
        .health(sim::health())
        .error_log(ErrorLog::builder().classifier(alerts::classifier()));
    if let Some(router) = alerts::alert_router(&config.alerts) {
        builder = builder.alerts(router);
    }
    if let Some(path) = &config.snapshot {
        builder = builder.snapshot_file(path);
    }
    if let Some(dir) = &config.summary_dir {
        builder = builder.summaries(SummaryConfig::new().directory(dir));
    }
    let monitor = builder.start()?;
    let (outbound, worker) = sim::outbound::new(&monitor);
    sim::actions::register(&monitor, &outbound)?;

    say(format_args!(
        "demo bot: {} handlers, {} simulated users, up to {} msg/s (a working day's curve), calls and errors{}; snapshot: {}; Ctrl-C to stop",
        sim::HANDLERS,
        sim::USERS,
        sim::PEAK_RATE,
        if config.simulate {
            ""
        } else {
            " (simulation off)"
        },
        restore_line(&monitor),
    ));
    let shown = display_addr(config.addr);
    say(format_args!(
        "listening on {}: the monitor under http://{shown}/monitor/, webhooks at http://{shown}/webhook/{{message,call,error}}",
        config.addr
    ));
    say(format_args!("dashboard: {}", config.dashboard_link()));
    say(format_args!(
        "tokens: {}; rate limit: {}",
        config.roles_summary(),
        rate_line(config.rate_limit)
    ));
    say(format_args!("alerts: {}", alerts::describe(&config.alerts)));
    say(format_args!(
        "summaries: {}",
        match &config.summary_dir {
            Some(dir) => format!(
                "daily and weekly into {} (and GET /monitor/api/analytics/summary)",
                dir.display()
            ),
            None => "on demand only, GET /monitor/api/analytics/summary (set MONITOR_SUMMARY_DIR=dir to write them)".to_owned(),
        }
    ));

    let auth = config.auth();
    let app = Router::new()
        .nest("/monitor", monitor_axum::router(monitor.clone(), auth))
        // axum serves the nested `/` (the dashboard) at `/monitor`; send the
        // folder form there too (the browser keeps the `#token=` fragment).
        .route(
            "/monitor/",
            get(|| async { Redirect::permanent("../monitor") }),
        )
        // The bot's own routes, timed per route into the monitor
        // (`/metrics`: monitor_http_requests_total{route="/webhook/message"}).
        .merge(webhooks(monitor.clone()).layer(RequestMetricsLayer::new(monitor.clone())))
        .fallback(|| async {
            ApiError::not_found(
                "no such route (the monitor is under /monitor/, webhooks under /webhook/)",
            )
        });

    if config.simulate {
        // A restored snapshot already holds the past week.
        if !matches!(
            monitor.persist_status().restore,
            RestoreOutcome::Restored { .. }
        ) {
            sim::history::spawn(&monitor, config.spike);
        }
        sim::start(&monitor, worker);
    } else {
        // No worker: a flush finds nothing parked, and would say so.
        drop(worker);
    }
    let (stop, stopping) = watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let stats = tokio::spawn(print_stats(monitor.clone(), stopping.clone()));

    let serve = axum::serve(listener, app)
        .with_graceful_shutdown(stopped(stopping.clone()))
        .into_future();
    tokio::select! {
        served = serve => served?,
        () = async { stopped(stopping).await; tokio::time::sleep(GRACE).await } => {
            say(format_args!("connections still open {GRACE:?} after the signal; closing them"));
        }
    }
    let _ = stats.await;
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

fn rate_line(per_second: u32) -> String {
    match per_second {
        0 => "off".to_owned(),
        n => format!("{n} requests/s per token"),
    }
}

/// Every two seconds, what the monitor knows, until the signal.
async fn print_stats(monitor: Monitor, mut stopping: watch::Receiver<bool>) {
    let started = Instant::now();
    let mut last_total = monitor.collector().current_stats().messages.total;
    let mut ticks = tokio::time::interval(Duration::from_secs(2));
    ticks.tick().await;
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stopping.wait_for(|&stop| stop) => break,
        }
        monitor.heartbeat(sim::HEARTBEAT);
        let stats = monitor.collector().current_stats();
        let new = stats.messages.total.saturating_sub(last_total);
        say(report::stats_line(&monitor, &stats, new, started.elapsed()));
        last_total = stats.messages.total;
    }
}

/// Resolves once the stop signal was given.
async fn stopped(mut stopping: watch::Receiver<bool>) {
    let _ = stopping.wait_for(|&stop| stop).await;
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
