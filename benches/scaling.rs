//! Does a second recording thread slow the first? Interleaved rounds of
//! 1 thread and 2 threads, so the host's frequency drift hits both alike.
//!
//! Three measurements per round, each `CALLS` records per thread:
//! - `1 thread`: one thread, one collector;
//! - `2 threads, shared`: two threads recording into one collector (the
//!   case the budget is about);
//! - `2 threads, private`: two threads, a collector each. Nothing is
//!   shared, so this is the machine's own 1→2 thread ratio for exactly this
//!   instruction mix (turbo, shared L3, noisy neighbours).
//!
//! Prints the median, best and worst per-round ratios.
//! Run with: `cargo bench -p monitor-benches --bench scaling`

mod support;

use std::hint::black_box;
use std::time::Instant;

use monitor_core::{CollectorConfig, MetricsCollector};
use support::{response_time, user_ids};

const USERS: usize = 10_000;
const CALLS: u64 = 4_000_000;
const ROUNDS: usize = 21;

/// Per-call ns for each thread recording `CALLS` into its collector at once.
fn run(collectors: &[MetricsCollector], ids: &[Vec<String>]) -> f64 {
    let t = Instant::now();
    std::thread::scope(|s| {
        for (c, ids) in collectors.iter().zip(ids) {
            s.spawn(move || {
                for i in 0..CALLS {
                    c.record_message(black_box(&ids[i as usize % USERS]), response_time(i));
                }
            });
        }
    });
    t.elapsed().as_nanos() as f64 / CALLS as f64
}

fn summary(name: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    println!(
        "{name:34} median {:6.3}   best {:6.3}   worst {:6.3}",
        v[v.len() / 2],
        v[0],
        v[v.len() - 1]
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` probes every bench binary
    }
    let ids: Vec<Vec<String>> = (0..2).map(|t| user_ids(USERS, &format!("t{t}"))).collect();
    let shared = MetricsCollector::new(CollectorConfig::default());
    let private = [
        MetricsCollector::new(CollectorConfig::default()),
        MetricsCollector::new(CollectorConfig::default()),
    ];
    let (mut one, mut two_shared, mut two_private) = (vec![], vec![], vec![]);
    for _ in 0..ROUNDS {
        one.push(run(std::slice::from_ref(&shared), &ids));
        two_shared.push(run(&[shared.clone(), shared.clone()], &ids));
        two_private.push(run(&private, &ids));
    }
    println!(
        "record_message, ns per call per thread ({ROUNDS} interleaved rounds of {CALLS} calls):"
    );
    summary("1 thread", one.clone());
    summary("2 threads, shared collector", two_shared.clone());
    summary("2 threads, private collectors", two_private.clone());
    println!("per-round ratios:");
    let ratio = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x / y).collect::<Vec<_>>();
    summary("shared 2T / 1T   (budget <= 1.3)", ratio(&two_shared, &one));
    summary(
        "private 2T / 1T  (machine ceiling)",
        ratio(&two_private, &one),
    );
    summary(
        "shared / private (cost of sharing)",
        ratio(&two_shared, &two_private),
    );
}
