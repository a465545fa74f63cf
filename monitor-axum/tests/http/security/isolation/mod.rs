//! Tenant isolation as a property: for random tenants (2–4, random names,
//! some prefixes of others) with random objects each (errors that share
//! fingerprints across tenants, with a group cap small enough to spill
//! into the shared overflow group; calls active and ended; messages;
//! labelled events; queued messages), no tenant token reads another
//! tenant's object on any route of the table, writes one (404, and it is
//! unchanged), or receives another tenant's event over SSE or the
//! WebSocket.
//!
//! Every object of tenant `i` carries the marker `M{i}M` (tenant names are
//! lower-case letters, so a marker never occurs by chance), and every
//! answer is also scanned for another tenant's `"client_id":"name"`.

mod http;
mod streams;
mod world;

use std::collections::BTreeSet;
use std::time::Duration;

use axum::Router;
use monitor_axum::RouterConfig;
use monitor_core::Monitor;
use monitor_core::errors::ErrorLog;
use proptest::prelude::*;

use super::route_table::{Access, authenticated};
use http::{reads, reads_stay_home, writes_stay_home};
use streams::streams_stay_home;
use world::*;

async fn check(world: World) {
    let monitor = Monitor::builder()
        .metrics_interval(Duration::from_secs(3600))
        .error_log(ErrorLog::builder().max_groups(world.max_groups))
        .start()
        .expect("inside a runtime");
    let app: Router = Router::new().nest(
        "/monitor",
        RouterConfig::new().router(monitor.clone(), auth_for(&world.names)),
    );
    monitor.activities("call"); // the kind exists even with no call yet
    monitor.events("buttons");
    monitor
        .actions()
        .register("probe", "A tenant must never start it", |_ctx| async move {
            Ok::<_, String>(String::new())
        })
        .expect("registers");
    monitor.queue("whatsapp");
    let ids = seed_world(&monitor, &world);
    reads_stay_home(&app, &world).await;
    streams_stay_home(&app, &monitor, &world).await;
    writes_stay_home(&app, &monitor, &world, &ids).await;
    // And the same reads once the live steps and the writes happened.
    reads_stay_home(&app, &world).await;
}

#[test]
fn the_isolation_test_covers_every_authenticated_route() {
    let names = vec!["a".to_owned(), "b".to_owned()];
    let mut checked: BTreeSet<&str> = BTreeSet::new();
    for route in authenticated() {
        if !reads(route.template, &names, 1).is_empty() {
            checked.insert(route.template);
        }
    }
    // The rest are checked by `writes_stay_home` and `streams_stay_home`.
    for other in [
        "/api/errors/{id}/resolve",
        "/api/errors/{id}/acknowledge",
        "/api/actions/{name}/run",
        "/api/alerts/silences/{id}",
        "/api/stream",
        "/ws",
    ] {
        checked.insert(other);
    }
    let all: BTreeSet<&str> = authenticated().map(|r| r.template).collect();
    assert_eq!(checked, all);
    assert!(authenticated().any(|r| r.access == Access::WebSocket));
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_tenant_reads_writes_or_hears_another(world in world()) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(check(world));
    }
}
