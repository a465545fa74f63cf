//! `error_query`: the error log's query string, from raw text to a page.
//!
//! The input is a raw query string (`range=24h&severity=critical,error`).
//! It is decoded into pairs the way monitor-axum's router does
//! (`serde_urlencoded` into `Vec<(String, String)>`, in
//! `monitor-axum/src/routes/params.rs`), parsed with
//! [`ErrorQuery::parse`], and a parsed query is run, as an operator and
//! narrowed to one tenant, over a small fixed [`ErrorLog`]. Checked:
//!
//! - nothing panics;
//! - a refused query names a field that is a known key or the key given,
//!   with a non-empty message;
//! - a parsed query has `1 <= limit <= 500` and `offset <= 1 000 000`;
//! - a page holds at most `limit` errors, exactly
//!   `min(limit, total - offset)`, and is the `offset..` slice of the
//!   whole result in the query's order;
//! - the whole result is exactly the records that satisfy every filter
//!   (checked against a plain re-implementation of the filters);
//! - a tenant's page holds only that tenant's errors;
//! - the page serializes to JSON (what the route answers).

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use monitor_core::ManualClock;
use monitor_core::clock::unix_ms;
use monitor_core::errors::{
    ErrorEvent, ErrorLog, ErrorQuery, ErrorView, MAX_LIMIT, MAX_OFFSET, QUERY_KEYS, Severity, Sort,
};

/// The tenant the narrowed query runs for.
const TENANT: &str = "acme";

/// Runs one input (see the module docs).
pub fn run(data: &[u8]) {
    let raw = crate::text(data);
    // monitor-axum: `serde_urlencoded::from_str::<Vec<(String, String)>>`;
    // a string it refuses is a 400 before the query parser sees it.
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(&raw) else {
        return;
    };
    let query = match ErrorQuery::parse(pairs.iter().map(|(k, v)| (k, v))) {
        Ok(query) => query,
        Err(e) => {
            let clipped = |k: &str| k.chars().take(64).collect::<String>();
            assert!(
                QUERY_KEYS.contains(&e.field.as_str())
                    || pairs.iter().any(|(k, _)| clipped(k) == e.field),
                "error names {:?}, not a key of {pairs:?}",
                e.field
            );
            assert!(!e.message.is_empty());
            return;
        }
    };
    assert!((1..=MAX_LIMIT).contains(&query.limit), "{query:?}");
    assert!(query.offset <= MAX_OFFSET, "{query:?}");
    let (log, now) = log();
    check(log, now, &query);
    check(log, now, &query.for_client(TENANT));
}

/// Runs `query` and checks the page against the whole result and the
/// whole result against the filters.
fn check(log: &ErrorLog, now: SystemTime, query: &ErrorQuery) {
    let page = log.query(query);
    assert!(page.errors.len() <= query.limit);
    assert_eq!(
        page.errors.len(),
        query.limit.min(page.total.saturating_sub(query.offset)),
        "{query:?}"
    );
    serde_json::to_string(&page).expect("a page serializes");

    let everything = ErrorQuery {
        limit: MAX_LIMIT,
        offset: 0,
        ..query.clone()
    };
    let whole = log.query(&everything);
    assert_eq!(whole.total, page.total);
    assert!(whole.total <= MAX_LIMIT, "the fixed log is small");
    let ids = |views: &[ErrorView]| views.iter().map(|v| v.id).collect::<Vec<_>>();
    let slice: Vec<u64> = ids(&whole.errors)
        .into_iter()
        .skip(query.offset)
        .take(query.limit)
        .collect();
    assert_eq!(ids(&page.errors), slice, "{query:?}");
    assert_ordered(query.sort, &whole.errors);

    let all = log.query(&ErrorQuery {
        limit: MAX_LIMIT,
        ..ErrorQuery::default()
    });
    let mut expected: Vec<u64> = all
        .errors
        .iter()
        .filter(|v| matches(query, now, v))
        .map(|v| v.id)
        .collect();
    let mut got = ids(&whole.errors);
    expected.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, expected, "{query:?}");
    if query.client_id.as_deref() == Some(TENANT) {
        assert!(
            page.errors
                .iter()
                .all(|v| v.client_id.as_deref() == Some(TENANT))
        );
    }
}

/// The filters of [`ErrorQuery`], written out plainly.
fn matches(q: &ErrorQuery, now: SystemTime, v: &ErrorView) -> bool {
    let t = unix_ms(v.timestamp);
    let from = match (q.range, q.since) {
        (Some(r), _) => unix_ms(now).saturating_sub(r.duration().as_millis() as u64),
        (None, Some(since)) => unix_ms(since),
        (None, None) => 0,
    };
    let to = q.until.map_or(u64::MAX, unix_ms);
    let lower = |s: &str| s.to_ascii_lowercase();
    from <= t
        && t <= to
        && q.service.as_ref().is_none_or(|s| *s == v.service)
        && q.error_type.as_ref().is_none_or(|s| *s == v.error_type)
        && (q.severities.is_empty() || q.severities.contains(&v.severity))
        && q.client_id
            .as_ref()
            .is_none_or(|c| v.client_id.as_ref() == Some(c))
        && q.resolved.is_none_or(|r| r == v.resolved)
        && q.search.as_ref().is_none_or(|s| {
            [&v.message, &v.error_type, &v.service, &v.operation]
                .iter()
                .any(|field| lower(field).contains(&lower(s)))
        })
}

fn assert_ordered(sort: Sort, views: &[ErrorView]) {
    for pair in views.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let ok = match sort {
            Sort::Newest => a.id > b.id,
            Sort::Oldest => a.id < b.id,
            Sort::Severity => (a.severity, a.id) > (b.severity, b.id),
        };
        assert!(ok, "{sort:?} order broken: {} then {}", a.id, b.id);
    }
}

/// A small log shared by every run, and the time its clock stands at:
/// four services, three types, two tenants and none, every severity,
/// some resolved, spread over ten days.
fn log() -> (&'static ErrorLog, SystemTime) {
    static LOG: OnceLock<(ErrorLog, SystemTime)> = OnceLock::new();
    let (log, now) = LOG.get_or_init(|| {
        let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000));
        let log = ErrorLog::builder().clock(clock.clone()).build();
        let services = ["db", "api", "Payments", "cache"];
        let types = ["Timeout", "Refused", "NullPointer"];
        let clients = [None, Some(TENANT), Some("globex")];
        let messages = [
            "connection refused",
            "TIMEOUT after 30 s",
            "Ünïcode ß message",
            "null pointer in handler",
        ];
        for i in 0..48usize {
            let mut event =
                ErrorEvent::new(services[i % 4], "op", types[i % 3], messages[(i / 3) % 4])
                    .severity(Severity::ALL[(i / 2) % 4]);
            if let Some(client) = clients[i % 3] {
                event = event.client(client);
            }
            let logged = log.log(event);
            if i % 7 == 0 {
                log.resolve(logged.id).expect("just logged");
            }
            clock.advance(Duration::from_secs(5 * 3_600));
        }
        (log, clock.now())
    });
    (log, *now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_of_every_kind() {
        for raw in [
            "",
            "range=24h&severity=critical,error&q=timeout&limit=5&offset=2",
            "since=2026-11-21T10:00:00Z&until=2026-12-21T10:00:00Z&sort=time_asc",
            "sort=severity&resolved=false&client=acme",
            "service=db&type=Timeout&q=%C3%BC",
            "limit=0",
            "nope=1",
            "=&=",
            "offset=1000000",
        ] {
            run(raw.as_bytes());
        }
    }
}
