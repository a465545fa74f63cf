//! The CSV form of a [`Summary`]: one fact per row, in four columns
//! `section,index,key,value`, so the file stays flat whatever the number
//! of top users or anomalies (a spreadsheet pivots it on `section` and
//! `index`).
//!
//! | section | index | keys |
//! |---|---|---|
//! | `period` | empty | `kind`, `name`, `from`, `to`, `generated_at` |
//! | `totals` | empty | `messages`, `unique_users`, `avg_response_time_ms`, `p95_ms`, `p99_ms`, `errors`, `error_rate` |
//! | `errors` | empty | `critical`, `error`, `warning`, `info` |
//! | `top_users` | empty | `days_counted`, `total_messages`, `max_overcount_bound` |
//! | `top_user` | rank, from 1 | `user_id`, `user_name`, `client_id`, `count`, `max_overcount` |
//! | `anomalies` | empty | `count` |
//! | `anomaly` | from 1, oldest first | `start`, `metric`, `direction`, `value`, `mean`, `std_dev`, `deviations` |
//!
//! Quoting is the `csv` crate's (RFC 4180: a value with a comma, quote
//! or line break is quoted, quotes doubled; CRLF line ends; UTF-8 without
//! a byte-order mark), as in `/api/export`. A value that is unknown
//! (`null` in JSON) is empty. Times are RFC 3339 UTC; floats are in their
//! shortest exact form.
//!
//! **Formula guard** (as `/api/export`): a text value a spreadsheet would
//! run as a formula (one starting with `=`, `+`, `-`, `@`, tab or carriage
//! return) gets a leading `'` ([`spreadsheet_text`]); only host-given text
//! (user ids, names, tenants) is guarded, never numbers or fixed words.

use csv::{Terminator, WriterBuilder};

use super::report::Summary;
use crate::clock::rfc3339;

/// The header row.
pub const CSV_COLUMNS: [&str; 4] = ["section", "index", "key", "value"];

/// Characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `s` as a CSV text cell: with a leading `'` when a spreadsheet would
/// take it for a formula, else unchanged.
///
/// ```
/// use monitor_core::summary::spreadsheet_text;
///
/// assert_eq!(spreadsheet_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(spreadsheet_text("Ada, \"the\" first"), "Ada, \"the\" first");
/// ```
pub fn spreadsheet_text(s: &str) -> String {
    if s.starts_with(FORMULA_STARTS) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn float(x: Option<f64>) -> String {
    x.filter(|x| x.is_finite())
        .map(|x| x.to_string())
        .unwrap_or_default()
}

fn int(x: Option<u64>) -> String {
    x.map(|x| x.to_string()).unwrap_or_default()
}

impl Summary {
    /// The summary as CSV (layout in the module docs).
    pub fn to_csv(&self) -> Result<Vec<u8>, std::io::Error> {
        let mut rows: Vec<[String; 4]> = Vec::new();
        let mut put = |section: &str, index: Option<usize>, key: &str, value: String| {
            rows.push([
                section.to_owned(),
                index.map(|i| i.to_string()).unwrap_or_default(),
                key.to_owned(),
                value,
            ]);
        };
        put("period", None, "kind", self.period.as_str().to_owned());
        put("period", None, "name", self.name.clone());
        put("period", None, "from", rfc3339::format(self.from));
        put("period", None, "to", rfc3339::format(self.to));
        put(
            "period",
            None,
            "generated_at",
            rfc3339::format(self.generated_at),
        );
        let t = &self.totals;
        put("totals", None, "messages", t.messages.to_string());
        put("totals", None, "unique_users", t.unique_users.to_string());
        put(
            "totals",
            None,
            "avg_response_time_ms",
            float(t.avg_response_time_ms),
        );
        put("totals", None, "p95_ms", float(t.p95_ms));
        put("totals", None, "p99_ms", float(t.p99_ms));
        put("totals", None, "errors", int(t.errors));
        put("totals", None, "error_rate", float(t.error_rate));
        let e = self.errors;
        put("errors", None, "critical", int(e.map(|e| e.critical)));
        put("errors", None, "error", int(e.map(|e| e.error)));
        put("errors", None, "warning", int(e.map(|e| e.warning)));
        put("errors", None, "info", int(e.map(|e| e.info)));
        let top = &self.top_users;
        put(
            "top_users",
            None,
            "days_counted",
            top.days_counted.to_string(),
        );
        put(
            "top_users",
            None,
            "total_messages",
            top.total_messages.to_string(),
        );
        put(
            "top_users",
            None,
            "max_overcount_bound",
            top.max_overcount_bound.to_string(),
        );
        for (i, u) in top.users.iter().enumerate() {
            let rank = Some(i + 1);
            let opt = |s: &Option<String>| s.as_deref().map(spreadsheet_text).unwrap_or_default();
            put("top_user", rank, "user_id", spreadsheet_text(&u.user_id));
            put("top_user", rank, "user_name", opt(&u.user_name));
            put("top_user", rank, "client_id", opt(&u.client_id));
            put("top_user", rank, "count", u.count.to_string());
            put(
                "top_user",
                rank,
                "max_overcount",
                u.max_overcount.to_string(),
            );
        }
        let count = self.anomalies.as_ref().map(|a| a.len() as u64);
        put("anomalies", None, "count", int(count));
        for (i, f) in self.anomalies.iter().flatten().enumerate() {
            let n = Some(i + 1);
            let a = &f.anomaly;
            put("anomaly", n, "start", rfc3339::format(f.start));
            put("anomaly", n, "metric", f.metric.as_str().to_owned());
            put("anomaly", n, "direction", a.direction.as_str().to_owned());
            put("anomaly", n, "value", float(Some(a.value)));
            put("anomaly", n, "mean", float(Some(a.mean)));
            put("anomaly", n, "std_dev", float(Some(a.std_dev)));
            put("anomaly", n, "deviations", float(Some(a.deviations)));
        }
        let mut out = WriterBuilder::new()
            .terminator(Terminator::CRLF)
            .from_writer(Vec::new());
        out.write_record(CSV_COLUMNS)?;
        for row in &rows {
            out.write_record(row)?;
        }
        out.into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}
