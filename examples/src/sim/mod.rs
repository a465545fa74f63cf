//! The demo's background traffic: what a busy chat and call bot would
//! record, generated.
//!
//! Four handler threads answer messages from 50 000 simulated users (a few
//! heavy users, a long tail) with log-normal response times and the odd
//! slow outlier, at up to [`PEAK_RATE`] messages per second, following a
//! working day ([`load`]: quiet at night and at weekends). At start the
//! past week is filled in with the same shape ([`history`]), so charts and
//! the day × hour heatmap have something to show. Beside them the bot
//! takes calls (masked phone numbers, connection quality), runs agent jobs
//! (an orchestrator and its steps, with progress), reports errors of
//! several severities, counts button clicks and sends notifications
//! through an outbound queue ([`outbound`]); [`health`] adds a flaky
//! optional health check; [`actions`] are operator actions to run from
//! the API. Each user belongs to one tenant and has a name; one message
//! in [`PUBLISH_ONE_IN`] is also published as `message:new` (name and
//! text): about two a second at the peak, enough for a live feed to read.
//! Every message is counted for top users.

use std::f64::consts::TAU;
use std::thread;
use std::time::Duration;

use monitor_core::Monitor;
use monitor_core::activity::{ActivityMeta, ActivityTracker, Outcome};
use monitor_core::bus::MessageEvent;
use monitor_core::errors::{ErrorEvent, Severity};
use monitor_core::health::{CheckOptions, CheckResult, FnCheck, Health, HealthBuilder};
use rand::Rng;

pub mod actions;
pub mod history;
pub mod load;
pub mod outbound;

/// Simulated users.
pub const USERS: u64 = 50_000;
/// Handler threads.
pub const HANDLERS: usize = 4;
/// Messages per second per handler thread at the busiest hour of a
/// weekday ([`load::at`] = 1).
pub const PEAK_RATE_PER_HANDLER: u64 = 25;
/// Messages per second, all handlers, at the busiest hour.
pub const PEAK_RATE: u64 = HANDLERS as u64 * PEAK_RATE_PER_HANDLER;
/// The simulated tenants.
pub const TENANTS: [&str; 3] = ["acme", "globex", "initech"];
/// The heartbeat source the bot beats while it runs (required, 10 s).
pub const HEARTBEAT: &str = "handlers";
/// One message in this many is also published as `message:new` (about
/// two a second at the peak rate, one every few seconds at night).
pub const PUBLISH_ONE_IN: u32 = 50;

/// First names of the simulated users.
const NAMES: [&str; 10] = [
    "Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Ken", "Radia", "Edsger", "Frances",
];
/// Family names of the simulated users.
const FAMILY_NAMES: [&str; 10] = [
    "Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Thompson", "Perlman",
    "Dijkstra", "Allen",
];
/// What they write.
const TEXTS: [&str; 10] = [
    "Where is my order?",
    "Can I change the delivery address?",
    "Thanks, that worked!",
    "I was charged twice this month",
    "How do I reset my password?",
    "Is the store open on Sunday?",
    "Please cancel my subscription",
    "The app keeps crashing when I log in",
    "Do you ship to Canada?",
    "Can I talk to a person?",
];

/// The demo's health: a flaky optional `llm-api` check every 5 s and the
/// required [`HEARTBEAT`] source.
pub fn health() -> HealthBuilder {
    Health::builder()
        .check(
            "llm-api",
            flaky_check(),
            CheckOptions::optional().every(Duration::from_secs(5)),
        )
        .heartbeat(HEARTBEAT, Duration::from_secs(10), true)
}

/// Starts the traffic: [`HANDLERS`] threads recording messages, and tasks
/// taking calls, reporting errors and sending the outbound queue (its
/// `worker`, from [`outbound::new`]) on the current tokio runtime. They
/// run until the process ends.
///
/// # Panics
///
/// Outside a tokio runtime.
pub fn start(monitor: &Monitor, worker: outbound::Worker) {
    for _ in 0..HANDLERS {
        let monitor = monitor.clone();
        thread::spawn(move || handle_messages(&monitor));
    }
    // Both kinds exist before the router serves: a page polling right
    // after a restart would otherwise get a 404 for a kind these tasks
    // had not touched yet.
    tokio::spawn(take_calls(monitor.activities("call")));
    tokio::spawn(run_agents(monitor.activities("agent")));
    tokio::spawn(report_errors(monitor.clone()));
    tokio::spawn(worker.run());
}

/// A log-normal duration: median `median_ms`, spread `sigma` (the standard
/// deviation of its logarithm).
pub fn log_normal(rng: &mut impl Rng, median_ms: f64, sigma: f64) -> Duration {
    let (u1, u2): (f64, f64) = (
        rng.random_range(f64::EPSILON..1.0),
        rng.random_range(0.0..1.0),
    );
    let z = (-2.0 * u1.ln()).sqrt() * (TAU * u2).cos();
    let ms = (median_ms.ln() + sigma * z).exp();
    Duration::from_micros((ms * 1000.0) as u64)
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

/// One handler thread: picks a user, "answers", records the message, at
/// the rate the hour calls for (looked up once a second).
fn handle_messages(monitor: &Monitor) -> ! {
    let mut rng = rand::rng();
    let mut user_id = String::new();
    let mut name = String::new();
    let mut pause = Duration::ZERO;
    let mut next_look = std::time::Instant::now();
    loop {
        if std::time::Instant::now() >= next_look {
            let rate = PEAK_RATE_PER_HANDLER as f64 * load::at(std::time::SystemTime::now());
            pause = Duration::from_secs_f64(1.0 / rate.max(1.0));
            next_look += Duration::from_secs(1);
        }
        let k = pick_user(&mut rng);
        self::user_id(&mut user_id, k);
        let took = response_time(&mut rng);
        monitor.record_message(&user_id, took);
        let (tenant, name) = (tenant_of(k), user_name(&mut name, k));
        if rng.random_range(0..PUBLISH_ONE_IN) == 0 {
            let text = TEXTS[rng.random_range(0..TEXTS.len())];
            monitor.publish_message(
                Some(tenant),
                MessageEvent::new(
                    &user_id,
                    Some(name),
                    Some(text),
                    took.as_secs_f64() * 1000.0,
                ),
            );
        } else {
            // Not published, still counted for top users (publishing
            // counts it too).
            monitor
                .top_users()
                .record(Some(tenant), &user_id, Some(name));
        }
        if rng.random_range(0..200) == 0 {
            let button = ["UNLOCK_CONTENT", "SHARE", "SUBSCRIBE"][rng.random_range(0..3)];
            monitor.events("buttons").record(button);
        }
        thread::sleep(pause);
    }
}

/// A call every ~300 ms, each lasting a few seconds.
async fn take_calls(calls: ActivityTracker) {
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

/// The steps of one agent run, in order.
const AGENT_STEPS: [&str; 3] = ["strategist", "generator", "reviewer"];

/// An agent run every ~6 s: an orchestrator (`agent` activity) whose steps
/// run one after the other as its children, each reporting progress.
async fn run_agents(agents: ActivityTracker) {
    for n in 0u64.. {
        let tenant = TENANTS[rand::rng().random_range(0..TENANTS.len())];
        let agents = agents.clone();
        tokio::spawn(async move {
            let run = format!("run-{n}");
            let meta = ActivityMeta::new()
                .client(tenant)
                .category("content-engine")
                .attr("task", "weekly digest");
            if agents.start(&run, meta).is_err() {
                return;
            }
            for (i, step) in AGENT_STEPS.iter().enumerate() {
                let id = format!("{run}/{step}");
                let meta = ActivityMeta::new()
                    .client(tenant)
                    .category(*step)
                    .parent(&run);
                let _ = agents.start(&id, meta);
                for pct in [25.0, 50.0, 75.0] {
                    tokio::time::sleep(Duration::from_millis(700)).await;
                    let _ = agents.progress(&id, pct, "working");
                }
                let _ = agents.end(&id, Outcome::new("completed"));
                let done = (i + 1) as f64 * 100.0 / AGENT_STEPS.len() as f64;
                let _ = agents.progress(&run, done, step);
            }
            let _ = agents.end(&run, Outcome::new("completed"));
        });
        tokio::time::sleep(Duration::from_secs(6)).await;
    }
}

/// The demo's errors: (service, operation, error type, severity,
/// message), drawn by [`pick_error_kind`].
pub(crate) const ERROR_KINDS: [(&str, &str, &str, Severity, &str); 4] = [
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

/// An index into [`ERROR_KINDS`]: mostly warnings, some errors, rarely
/// critical.
pub(crate) fn pick_error_kind(rng: &mut impl Rng) -> usize {
    match rng.random_range(0..20) {
        0 => 2,
        1..=6 => 1,
        7..=9 => 3,
        _ => 0,
    }
}

/// Seconds between two errors at `share` of the peak load: one every 4 s
/// at the peak, at most 30 s apart at night.
pub(crate) fn error_interval(share: f64) -> f64 {
    (4.0 / share).min(30.0)
}

/// About one error per 400 messages ([`error_interval`]): the error rate
/// stays near 0.25 %, under the health thresholds, so the demo is
/// healthy unless someone makes it otherwise.
async fn report_errors(monitor: Monitor) {
    loop {
        let (i, tenant) = {
            let mut rng = rand::rng();
            (
                pick_error_kind(&mut rng),
                TENANTS[rng.random_range(0..TENANTS.len())],
            )
        };
        let (service, op, kind, severity, message) = ERROR_KINDS[i];
        monitor.log_error(
            ErrorEvent::new(service, op, kind, message)
                .client(tenant)
                .severity(severity),
        );
        let share = load::at(std::time::SystemTime::now());
        tokio::time::sleep(Duration::from_secs_f64(error_interval(share))).await;
    }
}

/// Writes user `k`'s id (`user-42`) into `buf`, reusing its allocation.
pub(crate) fn user_id(buf: &mut String, k: u64) {
    use std::fmt::Write;
    buf.clear();
    let _ = write!(buf, "user-{k}");
}

/// The tenant user `k` belongs to.
pub(crate) fn tenant_of(k: u64) -> &'static str {
    TENANTS[(k % TENANTS.len() as u64) as usize]
}

/// User `k`'s display name ("Margaret Allen"), written into `buf`.
pub(crate) fn user_name(buf: &mut String, k: u64) -> &str {
    use std::fmt::Write;
    buf.clear();
    let first = NAMES[(k % 10) as usize];
    let family = FAMILY_NAMES[((k / 10 + 3 * k) % 10) as usize];
    let _ = write!(buf, "{first} {family}");
    buf
}

/// Heavy users first: user `k` is picked with probability ~1/k (Zipf).
pub(crate) fn pick_user(rng: &mut impl Rng) -> u64 {
    let u: f64 = rng.random_range(0.0..1.0);
    ((USERS as f64).powf(u) as u64).clamp(1, USERS)
}

/// Log-normal around 180 ms, with a 1 % tail of slow LLM-style answers.
pub(crate) fn response_time(rng: &mut impl Rng) -> Duration {
    let t = log_normal(rng, 180.0, 0.5);
    if rng.random_range(0..100) == 0 {
        t * 12
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_normal_centres_on_its_median() {
        let mut rng = rand::rng();
        let mut draws: Vec<Duration> = (0..4_001).map(|_| log_normal(&mut rng, 4.0, 0.4)).collect();
        draws.sort();
        let median = draws[2_000].as_secs_f64() * 1000.0;
        assert!((3.5..4.5).contains(&median), "median {median} ms");
        assert!(draws.iter().all(|d| *d > Duration::ZERO));
    }

    #[test]
    fn users_stay_in_range() {
        let mut rng = rand::rng();
        assert!((0..10_000).all(|_| (1..=USERS).contains(&pick_user(&mut rng))));
    }
}
