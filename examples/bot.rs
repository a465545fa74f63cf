//! A simulated chat bot recording every message it handles.
//!
//! Run with: cargo run --release --example bot
//!
//! Four handler threads answer messages from 50 000 simulated users (a few
//! heavy users, a long tail), with log-normal response times and the odd
//! slow outlier, at a few thousand messages per second. Every two seconds
//! the bot prints what the collector knows. Stop it with Ctrl-C.

use std::f64::consts::TAU;
use std::thread;
use std::time::{Duration, Instant};

use monitor_core::{CollectorConfig, CurrentStats, MetricsCollector};
use rand::Rng;

const USERS: u64 = 50_000;
const HANDLERS: usize = 4;
/// Messages per second per handler thread.
const RATE_PER_HANDLER: u64 = 800;

fn main() {
    let collector = MetricsCollector::new(CollectorConfig::default());
    println!(
        "demo bot: {HANDLERS} handlers, {USERS} simulated users, ~{} msg/s; Ctrl-C to stop",
        HANDLERS as u64 * RATE_PER_HANDLER
    );

    for _ in 0..HANDLERS {
        let collector = collector.clone();
        thread::spawn(move || handle_messages(&collector));
    }

    let started = Instant::now();
    let mut last_total = 0;
    loop {
        thread::sleep(Duration::from_secs(2));
        collector.heartbeat();
        let stats = collector.current_stats();
        print_stats(&stats, stats.messages.total - last_total, started.elapsed());
        last_total = stats.messages.total;
    }
}

/// One handler thread: picks a user, "answers", records the message.
fn handle_messages(collector: &MetricsCollector) -> ! {
    let mut rng = rand::rng();
    let mut user_id = String::new();
    let pause = Duration::from_micros(1_000_000 / RATE_PER_HANDLER);
    loop {
        user_id.clear();
        user_id.push_str("user-");
        user_id.push_str(&pick_user(&mut rng).to_string());
        collector.record_message(&user_id, response_time(&mut rng));
        thread::sleep(pause);
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

fn print_stats(s: &CurrentStats, new: u64, elapsed: Duration) {
    let ms = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.0} ms"));
    let m = &s.messages;
    println!(
        "[{:>4}s] messages {:>8} (+{:>5}, last hour {:>8})  p50 {:>7}  p95 {:>7}  p99 {:>7}  users {:>6} (now {:>6}, today {:>6})",
        elapsed.as_secs(),
        m.total,
        new,
        m.last_hour,
        ms(m.p50_ms),
        ms(m.p95_ms),
        ms(m.p99_ms),
        s.users.total,
        s.users.active_now,
        s.users.active_today,
    );
}
