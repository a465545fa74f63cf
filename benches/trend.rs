//! What the trend figures cost on read: the pure analysis (changes and
//! anomaly flags) over a week of hourly buckets, and the whole
//! `hourly_trend(168)` / `daily_trend(30)` of a monitor holding a day of
//! traffic, beside the collector's plain series they extend. Nothing here
//! runs on `record_message`.
//!
//! Run with: `cargo bench -p monitor-benches --bench trend`

mod support;

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use monitor_core::errors::ErrorEvent;
use monitor_core::trend::{HOURLY, analyse, flag, period_over_period};
use monitor_core::{ManualClock, Monitor, SeriesBucket};
use support::{response_time, user_ids};

/// 192 hours (a week and the day before it) of a daily cycle with noise.
fn synthetic() -> (Vec<SeriesBucket>, Vec<Option<u64>>) {
    let buckets: Vec<SeriesBucket> = (0..192u64)
        .map(|h| {
            let cycle = [40, 30, 20, 20, 30, 60, 120, 200, 260, 300, 320, 310][(h % 12) as usize];
            let count = cycle + (h.wrapping_mul(2_654_435_761) % 37);
            SeriesBucket {
                start: UNIX_EPOCH + Duration::from_secs(h * 3600),
                count,
                unique_users: count / 3,
                avg_response_time_ms: Some(120.0),
                p50_ms: Some(100.0),
                p95_ms: Some(250.0 + (h % 7) as f64),
                p99_ms: Some(400.0),
            }
        })
        .collect();
    let errors = buckets.iter().map(|b| Some(b.count / 50)).collect();
    (buckets, errors)
}

/// A monitor with a day of traffic (a record every 100 ms from 100 000
/// users) and an error every minute.
fn populated() -> Monitor {
    let clock = ManualClock::new(SystemTime::now() - Duration::from_secs(86_400));
    let monitor = Monitor::builder()
        .clock(clock.clone())
        .start()
        .expect("inside a runtime");
    let ids = user_ids(100_000, "t");
    for step in 0..864_000u64 {
        clock.advance(Duration::from_millis(100));
        let id = &ids[(step.wrapping_mul(2_654_435_761) % 100_000) as usize];
        monitor.record_message(id, response_time(step));
        if step % 600 == 0 {
            monitor.log_error(ErrorEvent::new("db", "query", "Timeout", "slow"));
        }
    }
    monitor
}

fn pure(c: &mut Criterion) {
    let (buckets, errors) = synthetic();
    let counts: Vec<Option<f64>> = buckets.iter().map(|b| Some(b.count as f64)).collect();
    let mut group = c.benchmark_group("trend");
    group.throughput(Throughput::Elements(168));
    group.bench_function("analyse_168_hours", |b| {
        b.iter(|| black_box(analyse(&buckets, &errors, 0, &HOURLY, 168)))
    });
    group.bench_function("flag_168", |b| {
        b.iter(|| black_box(flag(&counts[24..], &HOURLY.count_rule)))
    });
    group.bench_function("period_over_period_168", |b| {
        b.iter(|| black_box(period_over_period(&counts, 24)))
    });
    group.finish();
}

fn monitor(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let _entered = rt.enter();
    let monitor = populated();
    let collector = monitor.collector();
    let mut group = c.benchmark_group("trend_read");
    group.bench_function("collector_hourly_168", |b| {
        b.iter(|| black_box(collector.hourly(168)))
    });
    group.bench_function("hourly_trend_168", |b| {
        b.iter(|| black_box(monitor.hourly_trend(168)))
    });
    group.bench_function("collector_daily_30", |b| {
        b.iter(|| black_box(collector.daily(30)))
    });
    group.bench_function("daily_trend_30", |b| {
        b.iter(|| black_box(monitor.daily_trend(30)))
    });
    group.finish();
}

criterion_group!(benches, pure, monitor);
criterion_main!(benches);
