//! Publishing one `error:logged` event to N subscribers on the bus, which
//! serializes it once, against the obvious design that serializes it for
//! each subscriber. Per-event cost; the bus's must grow with N only by
//! the cost of queueing a pointer.
//!
//! Run with: `cargo bench -p monitor-benches --bench bus_publish`

use std::hint::black_box;
use std::time::SystemTime;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use monitor_core::bus::{Audience, Channel, ChannelSet, EventBus, EventData, MonitorEvent};
use monitor_core::errors::{ErrorEvent, ErrorLog};

fn event() -> MonitorEvent {
    let log = ErrorLog::builder().build();
    let logged = log.log(ErrorEvent::new(
        "payments",
        "charge",
        "Declined",
        "card declined: insufficient funds",
    ));
    let view = log.get(logged.id).expect("just logged");
    MonitorEvent::new(
        "error:logged",
        Channel::Errors,
        Some("acme"),
        SystemTime::now(),
        EventData::Error(Box::new(view)),
    )
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("bus_publish");
    g.throughput(Throughput::Elements(1));
    let event = event();
    for n in [1usize, 100, 1_000] {
        let bus = EventBus::with_limits(4, n + 1);
        let mut subs: Vec<_> = (0..n)
            .map(|_| {
                bus.subscribe(Audience::Operators, ChannelSet::all())
                    .expect("room")
            })
            .collect();
        g.bench_with_input(BenchmarkId::new("bus_serialize_once", n), &n, |b, _| {
            b.iter(|| {
                bus.publish(black_box(event.clone()));
                for s in &mut subs {
                    black_box(s.try_recv().map(|d| d.json().len()));
                }
            });
        });
        g.bench_with_input(BenchmarkId::new("naive_serialize_each", n), &n, |b, &n| {
            b.iter(|| {
                for _ in 0..n {
                    black_box(black_box(&event).to_json());
                }
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
