//! Helpers shared by the behaviour tests.

/// The value of the sample line `series` (name with labels, exactly as
/// rendered) in Prometheus text.
pub(crate) fn value_of(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// Polls `done` every 10 ms for up to 10 s, then fails the test.
pub(crate) async fn until(done: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "timed out waiting"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}
