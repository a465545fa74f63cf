use std::time::Duration;

use super::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn counts_statuses_and_server_errors_per_method_and_route() {
    let r = RequestStats::default();
    r.record("GET", "/users/{id}", 200, ms(10));
    r.record("GET", "/users/{id}", 200, ms(10));
    r.record("GET", "/users/{id}", 404, ms(1));
    r.record("GET", "/users/{id}", 502, ms(30));
    r.record("POST", "/users/{id}", 201, ms(20));
    r.record("GET", "/health", 200, ms(1));

    let routes = r.routes();
    assert_eq!(routes.len(), 3);
    let get = &routes[0];
    assert_eq!(
        (get.method.as_str(), get.route.as_str()),
        ("GET", "/users/{id}")
    );
    assert_eq!((get.count, get.errors), (4, 1));
    let by_status: Vec<(&str, u64)> = get
        .by_status
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(by_status, [("200", 2), ("404", 1), ("502", 1)]);
    assert_eq!(routes[1].route, "/health", "ties sorted by route");
    assert_eq!((routes[2].method.as_str(), routes[2].count), ("POST", 1));
    assert_eq!(r.overflowed(), 0);
}

#[test]
fn quantiles_are_within_the_histogram_error() {
    let r = RequestStats::default();
    for i in 1..=1_000 {
        r.record("GET", "/", 200, ms(i));
    }
    let v = &r.routes()[0];
    for (got, exact) in [(v.p50_ms, 500.0), (v.p95_ms, 950.0), (v.p99_ms, 990.0)] {
        let got = got.expect("measured");
        assert!((got - exact).abs() / exact <= 0.02, "{got} vs {exact}");
    }
    let avg = v.avg_ms.expect("measured");
    assert!((avg - 500.5).abs() < 1e-9, "{avg}");
}

#[test]
fn keys_past_the_cap_go_to_other_and_are_counted() {
    let r = RequestStats::new(3);
    for route in ["/a", "/b", "/c"] {
        r.record("GET", route, 200, ms(1));
    }
    for i in 0..100 {
        r.record("GET", &format!("/raw/{i}"), 200, ms(1));
    }
    r.record("POST", "/a", 200, ms(1)); // a new key too: method + route
    r.record("GET", "/a", 500, ms(1)); // known keys keep counting
    let routes = r.routes();
    assert_eq!(routes.len(), 5, "{routes:?}");
    assert_eq!(r.overflowed(), 101);
    let other: Vec<&RouteStatsView> = routes.iter().filter(|v| v.route == OTHER_ROUTE).collect();
    assert_eq!(other.len(), 2, "one __other__ per method");
    assert_eq!(other.iter().map(|v| v.count).sum::<u64>(), 101);
    let a = routes.iter().find(|v| v.route == "/a" && v.method == "GET");
    assert_eq!(a.map(|v| (v.count, v.errors)), Some((2, 1)));
}

#[test]
fn hostile_routes_and_methods_are_cleaned() {
    let r = RequestStats::new(8);
    r.record("GET", &"x".repeat(10_000), 200, ms(1));
    r.record("GET", "/a\0b\u{1b}[31m", 200, ms(1));
    r.record("GET", "\0\0", 200, ms(1));
    r.record("BREW", "/pot", 418, ms(1));
    r.record("get", "/pot", 418, ms(1));
    let routes = r.routes();
    let names: Vec<&str> = routes.iter().map(|v| v.route.as_str()).collect();
    assert!(
        names.iter().all(|n| n.len() <= MAX_ROUTE_BYTES),
        "{names:?}"
    );
    assert!(names.iter().all(|n| !n.chars().any(char::is_control)));
    assert!(
        names.contains(&"/ab[31m") && names.contains(&"<empty>"),
        "{names:?}"
    );
    let pot = routes.iter().find(|v| v.route == "/pot").expect("pot");
    assert_eq!((pot.method.as_str(), pot.count), (OTHER_METHOD, 2));
    assert_eq!(routes.len(), 4);
}

#[test]
fn threads_recording_at_once_lose_nothing() {
    let r = RequestStats::new(4);
    std::thread::scope(|s| {
        for t in 0..4 {
            let r = &r;
            s.spawn(move || {
                for i in 0..5_000u64 {
                    let route = format!("/r{}", (i + t) % 6);
                    r.record("GET", &route, 200 + (i % 3) as u16, ms(i % 50));
                }
            });
        }
    });
    let routes = r.routes();
    assert_eq!(routes.iter().map(|v| v.count).sum::<u64>(), 20_000);
    assert_eq!(routes.len(), 5, "four keys and __other__");
    let other = routes
        .iter()
        .find(|v| v.route == OTHER_ROUTE)
        .expect("other");
    assert_eq!(other.count, r.overflowed());
}

#[test]
fn publishes_counts_quantiles_and_overflow() {
    use metrics_exporter_prometheus::PrometheusBuilder;

    let r = RequestStats::new(1);
    r.record("GET", "/users/{id}", 200, ms(100));
    r.record("GET", "/users/{id}", 404, ms(100));
    r.record("GET", "/other", 200, ms(1));
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || {
        r.publish_metrics();
        r.publish_metrics();
    });
    let text = handle.render();
    for line in [
        r#"monitor_http_requests_total{method="GET",route="/users/{id}",status="200"} 1"#,
        r#"monitor_http_requests_total{method="GET",route="/users/{id}",status="404"} 1"#,
        r#"monitor_http_requests_total{method="GET",route="__other__",status="200"} 1"#,
        "monitor_http_routes_overflowed_total 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
    }
    let p99 = text
        .lines()
        .find_map(|l| {
            l.strip_prefix(
                r#"monitor_http_request_duration_seconds{method="GET",route="/users/{id}",percentile="99"} "#,
            )
        })
        .and_then(|v| v.parse::<f64>().ok())
        .expect("p99 series");
    assert!((p99 - 0.1).abs() / 0.1 < 0.02, "{p99}");
}
