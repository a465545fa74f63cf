//! A simulated chat and call bot, monitored end to end.
//!
//! Run with: cargo run --release --example bot
//!
//! Four handler threads answer messages from 50 000 simulated users (a few
//! heavy users, a long tail) with log-normal response times and the odd
//! slow outlier, at a few thousand messages per second. Beside them the bot
//! takes calls (with masked phone numbers and connection quality), reports
//! errors of several severities, counts button clicks, and has a flaky
//! optional health check. Every two seconds it prints what the monitor
//! knows.
//!
//! `MONITOR_SNAPSHOT=path` keeps the monitor's state across restarts;
//! `MONITOR_SIM=0` turns the simulated traffic off. Ctrl-C (or SIGTERM)
//! stops it gracefully, writing a final snapshot.

use std::f64::consts::TAU;
use std::io::Write;
use std::thread;
use std::time::{Duration, Instant};

use monitor_core::activity::{ActivityMeta, Outcome};
use monitor_core::clock::rfc3339;
use monitor_core::errors::{ErrorEvent, Severity};
use monitor_core::health::{CheckOptions, CheckResult, FnCheck, Health};
use monitor_core::{CurrentStats, Monitor, RestoreOutcome};
use rand::Rng;

const USERS: u64 = 50_000;
const HANDLERS: usize = 4;
/// Messages per second per handler thread.
const RATE_PER_HANDLER: u64 = 800;
const TENANTS: [&str; 3] = ["acme", "globex", "initech"];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = Monitor::builder().health(
        Health::builder()
            .check(
                "llm-api",
                flaky_check(),
                CheckOptions::optional().every(Duration::from_secs(5)),
            )
            .heartbeat("handlers", Duration::from_secs(10), true),
    );
    if let Ok(path) = std::env::var("MONITOR_SNAPSHOT") {
        builder = builder.snapshot_file(path);
    }
    let monitor = builder.start()?;
    let restored = match monitor.persist_status().restore {
        RestoreOutcome::Disabled => "off (set MONITOR_SNAPSHOT=path)".to_owned(),
        RestoreOutcome::Fresh => "new file".to_owned(),
        RestoreOutcome::Restored { taken_at } => {
            format!("restored from {}", rfc3339::format(taken_at))
        }
        RestoreOutcome::SetAside { error, moved_to } => {
            format!("unusable ({error}), kept as {moved_to}")
        }
        RestoreOutcome::Failed { error } => format!("unreadable ({error}), not writing"),
    };
    let simulate = std::env::var("MONITOR_SIM").map_or(true, |v| v != "0");
    let _ = writeln!(
        std::io::stdout(),
        "demo bot: {HANDLERS} handlers, {USERS} simulated users, ~{} msg/s, calls and errors{}; snapshot: {restored}; Ctrl-C to stop",
        HANDLERS as u64 * RATE_PER_HANDLER,
        if simulate { "" } else { " (simulation off)" },
    );

    if simulate {
        for _ in 0..HANDLERS {
            let monitor = monitor.clone();
            thread::spawn(move || handle_messages(&monitor));
        }
        tokio::spawn(take_calls(monitor.clone()));
        tokio::spawn(report_errors(monitor.clone()));
    }

    let started = Instant::now();
    let mut last_total = monitor.collector().current_stats().messages.total;
    let mut ticks = tokio::time::interval(Duration::from_secs(2));
    ticks.tick().await;
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = shutdown_signal() => break,
        }
        monitor.heartbeat("handlers");
        let stats = monitor.collector().current_stats();
        print_stats(
            &monitor,
            &stats,
            stats.messages.total - last_total,
            started.elapsed(),
        );
        last_total = stats.messages.total;
    }
    monitor.shutdown().await?;
    let _ = writeln!(
        std::io::stdout(),
        "stopped; {}",
        match monitor.persist_status().path {
            Some(path) => format!("final snapshot written to {path}"),
            None => "no snapshot (set MONITOR_SNAPSHOT to keep state)".to_owned(),
        }
    );
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// An external API that is slow now and then and sometimes down.
fn flaky_check() -> FnCheck<impl Fn() -> std::future::Ready<CheckResult> + Send + Sync + 'static> {
    FnCheck::new(|| {
        let roll = rand::rng().random_range(0..10);
        std::future::ready(match roll {
            0 => CheckResult::down("HTTP 503 from the LLM provider"),
            1 => CheckResult::degraded("answering in 2.3 s"),
            _ => CheckResult::up("ok"),
        })
    })
}

/// One handler thread: picks a user, "answers", records the message.
fn handle_messages(monitor: &Monitor) -> ! {
    let mut rng = rand::rng();
    let mut user_id = String::new();
    let pause = Duration::from_micros(1_000_000 / RATE_PER_HANDLER);
    loop {
        user_id.clear();
        user_id.push_str("user-");
        user_id.push_str(&pick_user(&mut rng).to_string());
        monitor.record_message(&user_id, response_time(&mut rng));
        if rng.random_range(0..200) == 0 {
            let button = ["UNLOCK_CONTENT", "SHARE", "SUBSCRIBE"][rng.random_range(0..3)];
            monitor.events("buttons").record(button);
        }
        thread::sleep(pause);
    }
}

/// A call every ~300 ms, each lasting a few seconds.
async fn take_calls(monitor: Monitor) {
    let calls = monitor.activities("call");
    for n in 0u64.. {
        let (tenant, phone, seconds, quality) = {
            let mut rng = rand::rng();
            let quality = ["excellent", "good", "good", "fair", "poor"][rng.random_range(0..5)];
            (
                TENANTS[rng.random_range(0..TENANTS.len())],
                format!(
                    "+1 555 {:03} {:04}",
                    rng.random_range(0..1000),
                    rng.random_range(0..10_000)
                ),
                rng.random_range(2..12),
                quality,
            )
        };
        let id = format!("call-{n}");
        let meta = ActivityMeta::new()
            .client(tenant)
            .category(if n % 3 == 0 { "sales" } else { "support" })
            .pii("phone", phone);
        if calls.start(&id, meta).is_ok() {
            let calls = calls.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(seconds)).await;
                let _ = calls.progress(&id, 80.0, "wrapping up");
                let _ = calls.end(&id, Outcome::new("completed").label("quality", quality));
            });
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// An error every ~1.5 s: mostly warnings, some errors, rarely critical.
async fn report_errors(monitor: Monitor) {
    let kinds = [
        (
            "llm",
            "complete",
            "RateLimited",
            Severity::Warning,
            "429 from provider, retrying",
        ),
        ("db", "query", "Timeout", Severity::Error, "query took 31 s"),
        (
            "payments",
            "charge",
            "GatewayDown",
            Severity::Critical,
            "no answer from gateway",
        ),
        (
            "webhook",
            "deliver",
            "BadPayload",
            Severity::Info,
            "missing field user_id",
        ),
    ];
    loop {
        let (i, tenant) = {
            let mut rng = rand::rng();
            let i = match rng.random_range(0..20) {
                0 => 2,
                1..=6 => 1,
                7..=9 => 3,
                _ => 0,
            };
            (i, TENANTS[rng.random_range(0..TENANTS.len())])
        };
        let (service, op, kind, severity, message) = kinds[i];
        monitor.log_error(
            ErrorEvent::new(service, op, kind, message)
                .client(tenant)
                .severity(severity),
        );
        tokio::time::sleep(Duration::from_millis(1_500)).await;
    }
}

/// Heavy users first: user `k` is picked with probability ~1/k (Zipf).
fn pick_user(rng: &mut impl Rng) -> u64 {
    let u: f64 = rng.random_range(0.0..1.0);
    ((USERS as f64).powf(u) as u64).clamp(1, USERS)
}

/// Log-normal around 180 ms, with a 1 % tail of slow LLM-style answers.
fn response_time(rng: &mut impl Rng) -> Duration {
    let (u1, u2): (f64, f64) = (
        rng.random_range(f64::EPSILON..1.0),
        rng.random_range(0.0..1.0),
    );
    let z = (-2.0 * u1.ln()).sqrt() * (TAU * u2).cos();
    let mut ms = (180f64.ln() + 0.5 * z).exp();
    if rng.random_range(0..100) == 0 {
        ms *= 12.0;
    }
    Duration::from_micros((ms * 1000.0) as u64)
}

fn print_stats(monitor: &Monitor, s: &CurrentStats, new: u64, elapsed: Duration) {
    let ms = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.0} ms"));
    let m = &s.messages;
    let calls = monitor.activities("call").stats();
    // A closed stdout (`bot | head`) ends the printing, not the bot.
    let _ = writeln!(
        std::io::stdout(),
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
    );
}
