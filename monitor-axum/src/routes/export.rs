//! `GET /api/export?format=csv|json&series=hourly|daily|errors`: a series
//! or a page of the error log as a file to download.
//!
//! - `series` (required): `hourly` (with `hours`, 1–168, default 24),
//!   `daily` (with `days`, 1–30, default 7) or `errors` (with every
//!   `/api/errors` parameter, parsed by the same code: `limit` 1–500,
//!   default 50, and `offset` to page; `X-Total-Count` says how many
//!   matched in all, since a CSV file has no room for `total`).
//! - `format` (optional, default `json`): `json` is exactly the body of the
//!   matching API route; `csv` is a header row and one row per bucket or
//!   error (columns and the formula guard in [`rows`]).
//! - Auth is that of the matching API route: `hourly` and `daily` are for
//!   operators (a tenant gets 403); a tenant's `errors` export is confined
//!   to its own errors whatever `client` it sends.
//! - Checks run in this order: token (401), `format` and `series` (400),
//!   role for the series (403), the series' own parameters (400). Unknown,
//!   repeated or invalid parameters are 400 naming the parameter.
//! - `Content-Disposition: attachment;
//!   filename="monitor-<series>-<yyyymmddThhmmss, UTC>.<json|csv>"`.

mod rows;

use std::time::SystemTime;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use monitor_core::errors::ErrorPage;
use monitor_core::trend::TrendBucket;
use time::OffsetDateTime;

use super::errors::query_for;
use super::metrics_api::operators_only;
use super::params::{DAYS, HOURS, Periods, pairs};
use crate::gate::Caller;
use crate::{ApiError, AppState};

/// Header with the number of errors that matched before paging.
const TOTAL_COUNT: HeaderName = HeaderName::from_static("x-total-count");

/// The file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

impl Format {
    fn parse(value: Option<&str>) -> Result<Self, ApiError> {
        match value {
            None | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some(_) => Err(ApiError::invalid("format", "expected json or csv")),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

/// What to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Series {
    Hourly,
    Daily,
    Errors,
}

impl Series {
    fn parse(value: Option<&str>) -> Result<Self, ApiError> {
        match value {
            Some("hourly") => Ok(Series::Hourly),
            Some("daily") => Ok(Series::Daily),
            Some("errors") => Ok(Series::Errors),
            None => Err(ApiError::invalid(
                "series",
                "required: hourly, daily or errors",
            )),
            Some(_) => Err(ApiError::invalid(
                "series",
                "expected hourly, daily or errors",
            )),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Series::Hourly => "hourly",
            Series::Daily => "daily",
            Series::Errors => "errors",
        }
    }
}

/// The query with `format` and `series` taken out; the rest belongs to
/// the series.
struct Request {
    format: Format,
    series: Series,
    rest: Vec<(String, String)>,
}

impl Request {
    fn parse(pairs: Vec<(String, String)>) -> Result<Self, ApiError> {
        let (mut format, mut series) = (None, None);
        let mut rest = Vec::new();
        for (key, value) in pairs {
            let slot = match key.as_str() {
                "format" => &mut format,
                "series" => &mut series,
                _ => {
                    rest.push((key, value));
                    continue;
                }
            };
            if slot.replace(value).is_some() {
                return Err(ApiError::invalid(&key, "given more than once"));
            }
        }
        Ok(Request {
            format: Format::parse(format.as_deref())?,
            series: Series::parse(series.as_deref())?,
            rest,
        })
    }

    /// The series length, when `periods` is the only other parameter.
    fn periods(&self, periods: Periods) -> Result<usize, ApiError> {
        let name = periods.name;
        let mut value = None;
        for (key, v) in &self.rest {
            if key != name {
                return Err(ApiError::invalid(
                    key,
                    format!("unknown parameter (expected format, series or {name})"),
                ));
            }
            if value.replace(v.as_str()).is_some() {
                return Err(ApiError::invalid(name, "given more than once"));
            }
        }
        periods.parse(value)
    }
}

/// What was read, before it is written in a format.
enum Data {
    Buckets(Vec<TrendBucket>),
    Errors(ErrorPage),
}

pub(crate) async fn export(
    State(app): State<AppState>,
    Caller(role): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let request = Request::parse(pairs(raw.as_deref())?)?;
    let data = match request.series {
        Series::Hourly => {
            operators_only(&role)?;
            Data::Buckets(app.monitor.hourly_trend(request.periods(HOURS)?))
        }
        Series::Daily => {
            operators_only(&role)?;
            Data::Buckets(app.monitor.daily_trend(request.periods(DAYS)?))
        }
        Series::Errors => {
            let query = query_for(&role, request.rest)?;
            Data::Errors(app.monitor.errors().query(&query))
        }
    };
    let mut response = match (request.format, &data) {
        (Format::Json, Data::Buckets(b)) => Json(b).into_response(),
        (Format::Json, Data::Errors(page)) => Json(page).into_response(),
        (Format::Csv, Data::Buckets(b)) => csv(rows::buckets(b)?),
        (Format::Csv, Data::Errors(page)) => csv(rows::errors(&page.errors)?),
    };
    let name = file_name(request.series, request.format, app.monitor.clock().now());
    let disposition = HeaderValue::try_from(format!("attachment; filename=\"{name}\""))
        .map_err(|_| ApiError::internal())?;
    let out = response.headers_mut();
    out.insert(header::CONTENT_DISPOSITION, disposition);
    if let Data::Errors(page) = &data {
        out.insert(TOTAL_COUNT, HeaderValue::from(page.total));
    }
    Ok(response)
}

fn csv(body: Vec<u8>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// `monitor-<series>-<yyyymmddThhmmss>.<ext>`, the time in UTC.
fn file_name(series: Series, format: Format, now: SystemTime) -> String {
    let stamp = utc_stamp(now);
    format!("monitor-{}-{stamp}.{}", series.as_str(), format.extension())
}

/// `now` as `yyyymmddThhmmss` in UTC, for file names.
pub(crate) fn utc_stamp(now: SystemTime) -> String {
    const STAMP: &[time::format_description::BorrowedFormatItem<'_>] =
        time::macros::format_description!("[year][month][day]T[hour][minute][second]");
    OffsetDateTime::from(now)
        .format(STAMP)
        .unwrap_or_else(|_| String::from("19700101T000000"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn request(query: &str) -> Result<Request, ApiError> {
        Request::parse(pairs(Some(query))?)
    }

    #[test]
    fn format_defaults_to_json_and_series_is_required() {
        let r = request("series=daily").expect("valid");
        assert_eq!((r.format, r.series), (Format::Json, Series::Daily));
        let r = request("format=csv&series=errors&limit=5").expect("valid");
        assert_eq!((r.format, r.series), (Format::Csv, Series::Errors));
        assert_eq!(r.rest, [("limit".to_owned(), "5".to_owned())]);
        let bad_series = ApiError::invalid("series", "expected hourly, daily or errors");
        let bad_format = ApiError::invalid("format", "expected json or csv");
        for (query, want) in [
            (
                "format=json",
                ApiError::invalid("series", "required: hourly, daily or errors"),
            ),
            ("series=weekly", bad_series.clone()),
            ("series=", bad_series),
            ("format=xml&series=daily", bad_format.clone()),
            ("format=CSV&series=daily", bad_format),
            (
                "format=csv&format=json&series=daily",
                ApiError::invalid("format", "given more than once"),
            ),
            (
                "series=daily&series=hourly",
                ApiError::invalid("series", "given more than once"),
            ),
        ] {
            assert_eq!(request(query).err(), Some(want), "{query}");
        }
    }

    #[test]
    fn a_series_takes_only_its_own_length() {
        let periods = |query: &str| request(query).and_then(|r| r.periods(HOURS));
        assert_eq!(periods("series=hourly"), Ok(24));
        assert_eq!(periods("series=hourly&hours=168"), Ok(168));
        assert_eq!(
            periods("series=hourly&days=2"),
            Err(ApiError::invalid(
                "days",
                "unknown parameter (expected format, series or hours)"
            ))
        );
        assert_eq!(
            periods("series=hourly&hours=2&hours=3"),
            Err(ApiError::invalid("hours", "given more than once"))
        );
        assert_eq!(periods("series=hourly&hours=0"), HOURS.parse(Some("0")));
    }

    #[test]
    fn file_names_carry_series_and_utc_time() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_795_256_430_999);
        assert_eq!(
            file_name(Series::Errors, Format::Csv, t),
            "monitor-errors-20261121T102030.csv"
        );
        assert_eq!(
            file_name(Series::Hourly, Format::Json, SystemTime::UNIX_EPOCH),
            "monitor-hourly-19700101T000000.json"
        );
    }
}
