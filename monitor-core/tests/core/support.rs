//! Helpers shared by the behaviour tests.

/// The value of the sample line `series` (name with labels, exactly as
/// rendered) in Prometheus text.
pub(crate) fn value_of(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}
