//! Every route of the router, as the security tests walk them, and a test
//! that fails when the router gains (or loses) a route this list does not
//! know: the security properties are only proved for routes listed here.

use axum::http::Method;

/// Who a route lets in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No token (the dashboard's page and files).
    Public,
    /// Public unless `MonitorAuth::protect_health` / `protect_metrics`.
    Protectable,
    /// Any known token through the gate (some then refuse a role: 403).
    Token,
    /// `/ws`: the token may also come after the upgrade (first frame).
    WebSocket,
}

/// One route: its template as the router declares it, its method, and
/// who it lets in.
#[derive(Clone, Debug)]
pub struct Route {
    pub method: Method,
    pub template: &'static str,
    pub access: Access,
}

const fn route(method: Method, template: &'static str, access: Access) -> Route {
    Route {
        method,
        template,
        access,
    }
}

use Access::*;

/// The router's table (monitor-axum/src/config.rs), one line per route.
pub const ROUTES: &[Route] = &[
    route(Method::GET, "/", Public),
    route(Method::GET, "/assets/{name}", Public),
    route(Method::GET, "/health", Protectable),
    route(Method::GET, "/metrics", Protectable),
    route(Method::GET, "/api/me", Token),
    route(Method::GET, "/api/metrics", Token),
    route(Method::GET, "/api/metrics/current", Token),
    route(Method::GET, "/api/metrics/hourly", Token),
    route(Method::GET, "/api/metrics/daily", Token),
    route(Method::GET, "/api/metrics/sessions", Token),
    route(Method::GET, "/api/events", Token),
    route(Method::GET, "/api/events/{family}", Token),
    route(Method::GET, "/api/errors", Token),
    route(Method::GET, "/api/errors/stats", Token),
    route(Method::GET, "/api/errors/unresolved", Token),
    route(Method::POST, "/api/errors/{id}/resolve", Token),
    route(Method::POST, "/api/errors/{id}/acknowledge", Token),
    route(Method::GET, "/api/activities/{kind}/active", Token),
    route(Method::GET, "/api/activities/{kind}/recent", Token),
    route(Method::GET, "/api/activities/{kind}/tree", Token),
    route(Method::GET, "/api/actions", Token),
    route(Method::POST, "/api/actions/{name}/run", Token),
    route(Method::GET, "/api/audit", Token),
    route(Method::GET, "/api/alerts/silences", Token),
    route(Method::POST, "/api/alerts/silences", Token),
    route(Method::DELETE, "/api/alerts/silences/{id}", Token),
    route(Method::GET, "/api/stream", Token),
    route(Method::GET, "/api/export", Token),
    route(Method::GET, "/api/queues", Token),
    route(Method::GET, "/api/queues/{queue}", Token),
    route(Method::GET, "/api/snapshot", Token),
    route(Method::POST, "/api/snapshot", Token),
    route(Method::GET, "/api/analytics/top-users", Token),
    route(Method::GET, "/api/analytics/heatmap", Token),
    route(Method::GET, "/api/analytics/summary", Token),
    route(Method::GET, "/ws", WebSocket),
];

/// The routes behind the gate (plus `/ws`, whose upgrade it also guards).
pub fn authenticated() -> impl Iterator<Item = &'static Route> {
    ROUTES
        .iter()
        .filter(|r| matches!(r.access, Token | WebSocket))
}

/// `template` under `/monitor` with its parameters filled in: `id` for
/// `{id}`, `call` for `{kind}`, `buttons` for `{family}`, `whatsapp` for
/// `{queue}`, `app.js` for `{name}`.
pub fn concrete(template: &str, id: u64) -> String {
    let path = template
        .replace("{id}", &id.to_string())
        .replace("{kind}", "call")
        .replace("{family}", "buttons")
        .replace("{queue}", "whatsapp")
        .replace("{name}", "app.js");
    format!("/monitor{path}").trim_end_matches('/').to_owned()
}

/// The `.route("path", method(handler))` lines of the router's source.
fn declared() -> Vec<(String, String)> {
    const SOURCE: &str = include_str!("../../../src/config.rs");
    SOURCE
        .split(".route(\"")
        .skip(1)
        .map(|rest| {
            let (path, after) = rest.split_once('"').expect("a closing quote");
            let method = after
                .trim_start_matches([',', ' '])
                .split('(')
                .next()
                .expect("a method router");
            (method.to_uppercase(), path.to_owned())
        })
        .collect()
}

#[test]
fn the_list_is_the_routers_table() {
    let declared = declared();
    assert!(declared.len() >= 20, "parsed {declared:?}");
    let listed: Vec<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.template.to_owned()))
        .collect();
    for d in &declared {
        assert!(
            listed.contains(d),
            "the router serves {d:?}, which the security tests do not know: \
             add it to ROUTES and to the isolation, log and rate-limit tests"
        );
    }
    for l in &listed {
        assert!(
            declared.contains(l),
            "ROUTES lists {l:?}, which the router no longer serves"
        );
    }
}
