//! What reading costs: `current_stats()`, the hourly and daily series and
//! a Prometheus publish, on a collector holding a day of traffic from
//! 100 000 users recorded by two threads.
//!
//! Run with: `cargo bench -p monitor-benches --bench current_stats`

mod support;

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
use metrics_exporter_prometheus::PrometheusBuilder;
use monitor_core::{CollectorConfig, ManualClock, MetricsCollector};
use support::{response_time, user_ids};

/// A day of traffic, a record every 100 ms, from two threads.
fn populated() -> MetricsCollector {
    let clock = ManualClock::new(SystemTime::now() - Duration::from_secs(86_400));
    let c = MetricsCollector::new(CollectorConfig::default().with_clock(clock.clone()));
    let ids = user_ids(100_000, "s");
    for step in 0..864_000u64 {
        clock.advance(Duration::from_millis(100));
        let id = &ids[(step.wrapping_mul(2_654_435_761) % 100_000) as usize];
        c.record_message(id, response_time(step));
    }
    // A second thread, so readers merge more than one shard.
    std::thread::scope(|s| {
        s.spawn(|| {
            for (i, id) in ids.iter().enumerate().take(50_000) {
                c.record_message(id, response_time(i as u64));
            }
        });
    });
    c
}

fn bench(c: &mut Criterion) {
    let collector = populated();
    let mut group = c.benchmark_group("read");
    group.bench_function("current_stats", |b| {
        b.iter(|| black_box(collector.current_stats()))
    });
    group.bench_function("hourly_24", |b| b.iter(|| black_box(collector.hourly(24))));
    group.bench_function("hourly_168", |b| {
        b.iter(|| black_box(collector.hourly(168)))
    });
    group.bench_function("daily_30", |b| b.iter(|| black_box(collector.daily(30))));
    group.bench_function("recent_response_times", |b| {
        b.iter(|| black_box(collector.recent_response_times()))
    });
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    group.bench_function("publish_and_render_prometheus", |b| {
        b.iter(|| {
            metrics::with_local_recorder(&recorder, || collector.publish_metrics());
            black_box(handle.render())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
