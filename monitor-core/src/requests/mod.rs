//! A host's own HTTP requests, per method and matched route: counts by
//! status and latency quantiles (`monitor.requests()`, fed by
//! monitor-axum's `RequestMetricsLayer`).
//!
//! Bounded: at most [`DEFAULT_MAX_ROUTES`] method + route keys (see
//! [`RequestStats::new`]); a request for a new key past the cap is counted
//! under its method and the route [`OTHER_ROUTE`], and
//! [`overflowed`](RequestStats::overflowed) counts those requests. Methods
//! are the nine standard ones or `OTHER` ([`method_label`]); routes are
//! cleaned (no control characters, at most [`MAX_ROUTE_BYTES`]); each key
//! keeps [`MAX_STATUS_CODES`] exact status codes, then counts by class.
//! Each key holds a little over 8 KiB (latency buckets), so a full table
//! (with its `__other__` keys) is about 1.1 MiB.
//!
//! Recording looks the key up under a shared read lock and bumps atomics;
//! only a new key takes the write lock. Figures run since start: request
//! stats are not part of snapshots and restart empty.
//!
//! ```
//! use monitor_core::requests::RequestStats;
//! use std::time::Duration;
//!
//! let requests = RequestStats::default();
//! requests.record("GET", "/users/{id}", 200, Duration::from_millis(12));
//! requests.record("GET", "/users/{id}", 503, Duration::from_millis(40));
//! let routes = requests.routes();
//! assert_eq!(routes[0].route, "/users/{id}");
//! assert_eq!((routes[0].count, routes[0].errors), (2, 1));
//! assert_eq!(routes[0].by_status["200"], 1);
//! ```

mod latency;
mod method;
mod prometheus;
mod route;
mod status;
mod view;

pub use method::{OTHER_METHOD, method_label};
pub use prometheus::names;
pub use status::{MAX_STATUS_CODES, OTHER_STATUS};
pub use view::RouteStatsView;

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use parking_lot::RwLock;
use rapidhash::RapidHashMap;

use route::RouteEntry;

/// Default most method + route keys.
pub const DEFAULT_MAX_ROUTES: usize = 128;
/// Route that takes requests for new keys once the table is full.
pub const OTHER_ROUTE: &str = "__other__";
/// Longest route kept, in bytes (longer ones are cut at a char boundary).
pub const MAX_ROUTE_BYTES: usize = 256;

/// Routes, each with one entry per method seen (a handful at most).
#[derive(Default)]
struct Table {
    routes: RapidHashMap<Box<str>, Vec<RouteEntry>>,
    /// Keys counted against the cap (every key but [`OTHER_ROUTE`]'s).
    keys: usize,
}

impl Table {
    fn find(&self, method: &str, route: &str) -> Option<&RouteEntry> {
        let entries = self.routes.get(route)?;
        entries.iter().find(|e| e.method() == method)
    }
}

/// Requests per method and route; see the [module docs](self).
pub struct RequestStats {
    max_routes: usize,
    table: RwLock<Table>,
    overflowed: AtomicU64,
}

impl Default for RequestStats {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_ROUTES)
    }
}

impl RequestStats {
    /// Empty stats keeping at most `max_routes` method + route keys (at
    /// least 1), plus one [`OTHER_ROUTE`] key per method.
    pub fn new(max_routes: usize) -> Self {
        RequestStats {
            max_routes: max_routes.max(1),
            table: RwLock::new(Table::default()),
            overflowed: AtomicU64::new(0),
        }
    }

    /// The most method + route keys kept.
    pub fn max_routes(&self) -> usize {
        self.max_routes
    }

    /// Counts one answered request: its method, the route template it
    /// matched (never the raw path: that would be unbounded), its status
    /// and how long it took.
    pub fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let method = method_label(method);
        let route = clean_route(route);
        {
            let table = self.table.read();
            if let Some(entry) = table.find(method, &route) {
                entry.record(status, elapsed);
                return;
            }
            if table.keys >= self.max_routes {
                if let Some(other) = table.find(method, OTHER_ROUTE) {
                    self.overflowed.fetch_add(1, Relaxed);
                    other.record(status, elapsed);
                    return;
                }
            }
        }
        let mut table = self.table.write();
        let mut key: &str = &route;
        if table.find(method, key).is_none() {
            if table.keys < self.max_routes {
                table.keys += 1;
            } else {
                self.overflowed.fetch_add(1, Relaxed);
                key = OTHER_ROUTE;
            }
        }
        let entries = table.routes.entry(key.into()).or_default();
        let i = match entries.iter().position(|e| e.method() == method) {
            Some(i) => i,
            None => {
                entries.push(RouteEntry::new(method));
                entries.len() - 1
            }
        };
        entries[i].record(status, elapsed);
    }

    /// Every key with at least one request, most requested first (ties by
    /// route, then method).
    pub fn routes(&self) -> Vec<RouteStatsView> {
        let mut views: Vec<RouteStatsView> = {
            let table = self.table.read();
            table
                .routes
                .iter()
                .flat_map(|(route, entries)| entries.iter().filter_map(|e| e.view(route)))
                .collect()
        };
        views.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.route.cmp(&b.route))
                .then_with(|| a.method.cmp(&b.method))
        });
        views
    }

    /// Requests counted under [`OTHER_ROUTE`] because the table was full.
    pub fn overflowed(&self) -> u64 {
        self.overflowed.load(Relaxed)
    }
}

impl std::fmt::Debug for RequestStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestStats")
            .field("max_routes", &self.max_routes)
            .field("keys", &self.table.read().keys)
            .field("overflowed", &self.overflowed())
            .finish()
    }
}

/// A route as counted: control characters removed, at most
/// [`MAX_ROUTE_BYTES`], never empty (`<empty>`).
fn clean_route(route: &str) -> Cow<'_, str> {
    if !route.is_empty() && route.len() <= MAX_ROUTE_BYTES && !route.chars().any(char::is_control) {
        return route.into();
    }
    let mut out = route.to_owned();
    crate::text::clean(&mut out, MAX_ROUTE_BYTES, false);
    if out.is_empty() {
        out.push_str("<empty>");
    }
    out.into()
}

#[cfg(test)]
mod tests;
