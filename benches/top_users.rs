//! Feeding the top-users summaries (`TopUsers::record`: a mutex, the
//! hourly and daily Space-Saving summaries of everyone and of the
//! user's tenant, the label) next to the obvious exact alternative, a
//! `Mutex<HashMap<String, u64>>` per tenant and one for everyone, on the
//! same skewed ids (user k drawn with probability ~1/k). The exact map
//! has no windows, no names, no bound: it grows with every new user.
//! Reading the 24 h list (merging 24 hourly summaries) is measured too.
//!
//! Run with: `cargo bench -p monitor-benches --bench top_users`

mod support;

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use monitor_core::ManualClock;
use monitor_core::analytics::{TopUsers, TopUsersConfig, Window};
use parking_lot::Mutex;
use support::user_ids;

/// Distinct users.
const USERS: usize = 100_000;
/// Tenants the users are spread over.
const TENANTS: [&str; 3] = ["acme", "globex", "initech"];

/// Indexes into the ids, user k about as often as 1/k (a cheap Zipf).
fn skewed(n: usize) -> Vec<usize> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            ((USERS as f64).powf(u) as usize).clamp(1, USERS) - 1
        })
        .collect()
}

/// The exact count a user would otherwise write.
#[derive(Default)]
struct Exact {
    all: Mutex<HashMap<String, u64>>,
    tenants: Mutex<HashMap<(String, String), u64>>,
}

impl Exact {
    fn record(&self, tenant: &str, user: &str) {
        let mut all = self.all.lock();
        match all.get_mut(user) {
            Some(n) => *n += 1,
            None => {
                all.insert(user.to_owned(), 1);
            }
        }
        drop(all);
        *self
            .tenants
            .lock()
            .entry((tenant.to_owned(), user.to_owned()))
            .or_default() += 1;
    }
}

fn bench(c: &mut Criterion) {
    let ids = user_ids(USERS, "t0");
    let picks = skewed(1 << 16);
    let clock = ManualClock::new(SystemTime::now());
    let top = TopUsers::new(TopUsersConfig::default(), clock.clone().into());
    let exact = Exact::default();

    let mut group = c.benchmark_group("top_users/record");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(4));
    let mut i = 0usize;
    group.bench_function("space_saving_windows", |b| {
        b.iter(|| {
            let k = picks[i & (picks.len() - 1)];
            i += 1;
            top.record(
                Some(TENANTS[k % 3]),
                black_box(&ids[k]),
                Some("Ada Lovelace"),
            );
        })
    });
    let mut i = 0usize;
    group.bench_function("exact_mutex_hashmap", |b| {
        b.iter(|| {
            let k = picks[i & (picks.len() - 1)];
            i += 1;
            exact.record(TENANTS[k % 3], black_box(&ids[k]));
        })
    });
    group.finish();

    // A full day: 24 hourly summaries to merge.
    for _ in 0..23 {
        clock.advance(Duration::from_secs(3600));
        for &k in picks.iter().take(20_000) {
            top.record(Some(TENANTS[k % 3]), &ids[k], None);
        }
    }
    let mut group = c.benchmark_group("top_users/read");
    group.throughput(Throughput::Elements(1));
    group.bench_function("top_10_of_24h", |b| {
        b.iter(|| black_box(top.top(Window::Day, None, 10)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
