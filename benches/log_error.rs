//! `ErrorLog::log` with alert routing attached: sinks healthy (a local HTTP
//! server answering 200) versus every sink down (connection refused and a
//! server that never answers), next to logging with no routing at all.
//! Logging only enqueues for the router, so the three must cost about the
//! same, well under a microsecond.
//!
//! Run with: `cargo bench -p monitor-benches --bench log_error`

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use monitor_core::alerts::{AlertHandle, AlertRouter, RetryPolicy, Route, SlackSink, WebhookSink};
use monitor_core::errors::{ErrorEvent, ErrorLog};

/// A local server answering every POST with 200, or never answering.
async fn server(answer: bool) -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || async move {
            if !answer {
                std::future::pending::<()>().await;
            }
            "ok"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    format!("http://{}/hook", listener.local_addr().expect("addr"))
}

fn router(runtime: &tokio::runtime::Runtime, urls: [String; 2]) -> AlertHandle {
    let _guard = runtime.enter();
    let [a, b] = urls;
    AlertRouter::new()
        .retry(RetryPolicy {
            timeout: Duration::from_secs(2),
            ..RetryPolicy::default()
        })
        .route(
            Route::new("all")
                .sink(WebhookSink::new(a))
                .sink(SlackSink::new(b))
                .group_wait(Duration::from_millis(100))
                .group_interval(Duration::from_secs(1)),
        )
        .spawn()
        .expect("inside the runtime")
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let healthy = runtime.block_on(async { [server(true).await, server(true).await] });
    let down = [refused_url(), runtime.block_on(server(false))];
    let cases = [
        ("no_routing", None),
        ("sinks_healthy", Some(router(&runtime, healthy))),
        ("sinks_down", Some(router(&runtime, down))),
    ];
    let mut group = c.benchmark_group("log_error");
    group.throughput(Throughput::Elements(1));
    for (name, alerts) in cases {
        let log = match &alerts {
            Some(handle) => ErrorLog::builder().listener(handle.listener()).build(),
            None => ErrorLog::builder().build(),
        };
        let mut i = 0u64;
        // The event is built outside the timing (it is the caller's cost);
        // 64 groups, so the router keeps delivering.
        let mut event = || {
            i += 1;
            ErrorEvent::new(
                "payments",
                "charge",
                ERROR_TYPES[(i % 64) as usize],
                "gateway answered 502 after 30 s",
            )
        };
        group.bench_function(name, |b| {
            b.iter_batched(&mut event, |e| black_box(log.log(e)), BatchSize::SmallInput);
        });
        if let Some(handle) = alerts {
            let stats = handle.stats();
            eprintln!(
                "{name}: queue dropped {}, per sink {:?}",
                stats.queue_dropped,
                stats
                    .sinks
                    .iter()
                    .map(|s| (&s.name, s.sent, s.failed, s.dropped))
                    .collect::<Vec<_>>()
            );
        }
    }
    group.finish();
}

const ERROR_TYPES: [&str; 64] = [
    "T00", "T01", "T02", "T03", "T04", "T05", "T06", "T07", "T08", "T09", "T10", "T11", "T12",
    "T13", "T14", "T15", "T16", "T17", "T18", "T19", "T20", "T21", "T22", "T23", "T24", "T25",
    "T26", "T27", "T28", "T29", "T30", "T31", "T32", "T33", "T34", "T35", "T36", "T37", "T38",
    "T39", "T40", "T41", "T42", "T43", "T44", "T45", "T46", "T47", "T48", "T49", "T50", "T51",
    "T52", "T53", "T54", "T55", "T56", "T57", "T58", "T59", "T60", "T61", "T62", "T63",
];

criterion_group!(benches, bench);
criterion_main!(benches);
