//! `GET /api/analytics/summary?period=daily|weekly&format=json|csv&at=YYYY-MM-DD`:
//! the summary of a closed UTC day or ISO week, built now (the same
//! report the schedule writes; see `monitor_core::summary`).
//!
//! - `period` (default `daily`), `format` (default `json`).
//! - `at` (optional): a date in the period wanted (for `weekly`, any day
//!   of the ISO week); without it, the last closed period. A period not
//!   closed yet, or older than the collector's 30 days, is 400 naming
//!   `at`.
//! - Checks in this order: token (401), `period` and `format` and unknown
//!   parameters (400), role (403), `at` (400), as `/api/export`.
//! - Operators only (a tenant gets 403): the totals, errors and anomalies
//!   are the whole host's, so no part of the report is a tenant's own.
//! - `csv` comes with `Content-Disposition: attachment;
//!   filename="summary-daily-2026-11-21.csv"`, the schedule's file name;
//!   `json` with the same name ending `.json`.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use monitor_core::summary::{DEFAULT_TOP, PeriodKind, SummaryPeriod};
use time::Date;

use super::metrics_api::operators_only;
use super::params::Params;
use crate::gate::Caller;
use crate::{ApiError, AppState};

/// `GET /api/analytics/summary`.
pub(crate) async fn summary(
    State(app): State<AppState>,
    Caller(role): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), &["period", "format", "at"])?;
    let kind = match params.get("period") {
        None => PeriodKind::Daily,
        Some(p) => p.parse().map_err(|e| ApiError::invalid("period", e))?,
    };
    let csv = match params.get("format") {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::invalid("format", "expected json or csv")),
    };
    operators_only(&role)?;
    let at = params.get("at").map(parse_date).transpose()?;
    let period = match at {
        Some(date) => SummaryPeriod::containing(kind, date),
        None => SummaryPeriod::last_closed(kind, app.monitor.clock().now()),
    };
    let summary = app
        .monitor
        .summary(period, DEFAULT_TOP)
        .map_err(|e| ApiError::invalid("at", e))?;
    let extension = if csv { "csv" } else { "json" };
    let mut response = if csv {
        let body = summary.to_csv().map_err(|_| ApiError::internal())?;
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            )],
            body,
        )
            .into_response()
    } else {
        Json(&summary).into_response()
    };
    let name = format!("{}.{extension}", period.file_stem());
    let disposition = HeaderValue::try_from(format!("attachment; filename=\"{name}\""))
        .map_err(|_| ApiError::internal())?;
    response
        .headers_mut()
        .insert(header::CONTENT_DISPOSITION, disposition);
    Ok(response)
}

/// `YYYY-MM-DD`.
fn parse_date(text: &str) -> Result<Date, ApiError> {
    const DATE: &[time::format_description::BorrowedFormatItem<'_>] =
        time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, DATE).map_err(|_| ApiError::invalid("at", "expected a date YYYY-MM-DD"))
}
