//! The CSV form of an export: a header row (present even when there are
//! no rows), then one row per bucket or error with the fields of the JSON
//! objects, quoted by the `csv` crate (RFC 4180, CRLF line ends, UTF-8
//! without a byte-order mark).
//!
//! Columns:
//! - `hourly`, `daily`: [`BUCKET_COLUMNS`]; the response times, errors and
//!   error rate are empty where JSON has `null`; `change` and `anomalies`
//!   are their JSON objects, compact.
//! - `errors`: [`ERROR_COLUMNS`]; `client_id` is empty without a tenant,
//!   and `context` is the context map as one compact JSON object (keys
//!   sorted), empty when the map is.
//!
//! Timestamps are RFC 3339 in UTC, as in JSON; booleans are `true` /
//! `false`; numbers are written as numbers (a float in its shortest exact
//! form, so `245` where JSON says `245.0`).
//!
//! **Formula guard**: a spreadsheet evaluates a cell that starts with `=`,
//! `+`, `-` or `@` (and some treat a leading tab or carriage return the
//! same way), so error text could run a formula on the reader's machine.
//! Every text cell that starts with one of those gets a leading `'`, which
//! spreadsheets show as text; a program reading the file drops that one
//! `'` to get the original. Numbers, booleans, timestamps and the fixed
//! words in `severity` and `status` are not text cells and are never
//! changed.

use csv::{Terminator, WriterBuilder};
use monitor_core::clock::rfc3339;
use monitor_core::errors::{ErrorView, GroupStatus};
use monitor_core::trend::TrendBucket;
use serde_json::Value;

use crate::ApiError;

/// The columns of an `hourly` or `daily` export.
pub(super) const BUCKET_COLUMNS: [&str; 14] = [
    "start",
    "count",
    "unique_users",
    "avg_response_time_ms",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "partial",
    "errors",
    "error_rate",
    "previous_start",
    "change",
    "anomaly",
    "anomalies",
];

/// The columns of an `errors` export.
pub(super) const ERROR_COLUMNS: [&str; 14] = [
    "id",
    "timestamp",
    "service",
    "operation",
    "error_type",
    "message",
    "severity",
    "client_id",
    "fingerprint",
    "resolved",
    "acknowledged",
    "status",
    "occurrences",
    "context",
];

/// The CSV file of a bucket series.
pub(super) fn buckets(buckets: &[TrendBucket]) -> Result<Vec<u8>, ApiError> {
    let rows = buckets
        .iter()
        .map(bucket_row)
        .collect::<Result<Vec<_>, _>>()?;
    write(BUCKET_COLUMNS, rows.into_iter())
}

/// The CSV file of a page of errors.
pub(super) fn errors(errors: &[ErrorView]) -> Result<Vec<u8>, ApiError> {
    write(ERROR_COLUMNS, errors.iter().map(error_row))
}

/// The header, then the rows; the same `N` for both, so no row can have a
/// column too many or too few.
fn write<const N: usize>(
    columns: [&str; N],
    rows: impl Iterator<Item = [String; N]>,
) -> Result<Vec<u8>, ApiError> {
    // Writing into memory cannot fail; should it ever, the caller gets a
    // 500 without details.
    fn failed<E>(_: E) -> ApiError {
        ApiError::internal()
    }
    let mut out = WriterBuilder::new()
        .terminator(Terminator::CRLF)
        .from_writer(Vec::new());
    out.write_record(columns).map_err(failed)?;
    for row in rows {
        out.write_record(&row).map_err(failed)?;
    }
    out.into_inner().map_err(failed)
}

fn bucket_row(t: &TrendBucket) -> Result<[String; 14], ApiError> {
    let b = &t.bucket;
    Ok([
        rfc3339::format(b.start),
        b.count.to_string(),
        b.unique_users.to_string(),
        float(b.avg_response_time_ms),
        float(b.p50_ms),
        float(b.p95_ms),
        float(b.p99_ms),
        t.partial.to_string(),
        t.errors.map(|n| n.to_string()).unwrap_or_default(),
        float(t.error_rate),
        rfc3339::format(t.previous_start),
        compact(&t.change)?,
        t.anomaly.to_string(),
        compact(&t.anomalies)?,
    ])
}

fn error_row(e: &ErrorView) -> [String; 14] {
    [
        e.id.to_string(),
        rfc3339::format(e.timestamp),
        text(&e.service),
        text(&e.operation),
        text(&e.error_type),
        text(&e.message),
        e.severity.as_str().to_owned(),
        e.client_id.as_deref().map(text).unwrap_or_default(),
        text(&e.fingerprint),
        e.resolved.to_string(),
        e.acknowledged.to_string(),
        status(e.status).to_owned(),
        e.occurrences.to_string(),
        context(e),
    ]
}

/// A float as JSON has it, empty for `null` (JSON also writes a
/// non-finite float as `null`).
/// `value` as one compact JSON object (a bucket's `change` and
/// `anomalies`).
fn compact(value: &impl serde::Serialize) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|_| ApiError::internal())
}

fn float(x: Option<f64>) -> String {
    x.filter(|x| x.is_finite())
        .map(|x| x.to_string())
        .unwrap_or_default()
}

/// A text cell, defused if a spreadsheet would take it for a formula
/// (the guard the summaries' CSV uses too).
fn text(s: &str) -> String {
    monitor_core::summary::spreadsheet_text(s)
}

fn status(s: GroupStatus) -> &'static str {
    match s {
        GroupStatus::Open => "open",
        GroupStatus::Resolved => "resolved",
        GroupStatus::Regressed => "regressed",
    }
}

fn context(e: &ErrorView) -> String {
    if e.context.is_empty() {
        return String::new();
    }
    let map = e
        .context
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    text(&Value::Object(map).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_defused_and_nothing_else() {
        for (raw, shown) in [
            ("=1+1", "'=1+1"),
            ("+33 6 12", "'+33 6 12"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("a=1", "a=1"),
            (" =1", " =1"),
            ("'quoted", "'quoted"),
            ("", ""),
        ] {
            assert_eq!(text(raw), shown, "{raw:?}");
        }
    }

    #[test]
    fn an_empty_export_still_has_its_header() {
        let file = errors(&[]).expect("written");
        assert_eq!(
            String::from_utf8(file).expect("utf-8"),
            format!("{}\r\n", ERROR_COLUMNS.join(","))
        );
        let file = buckets(&[]).expect("written");
        assert!(file.starts_with(b"start,count,unique_users,"));
    }

    #[test]
    fn floats_are_exact_and_null_is_empty() {
        assert_eq!(float(Some(245.0)), "245");
        assert_eq!(float(Some(0.1)), "0.1");
        assert_eq!(float(None), "");
        assert_eq!(float(Some(f64::NAN)), "");
    }
}
