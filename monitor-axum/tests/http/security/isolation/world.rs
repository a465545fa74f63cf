//! The random world: tenants, what each owns at the start, the live steps,
//! and the markers every object carries.

use crate::common::ADMIN;

use std::time::Duration;

use monitor_axum::MonitorAuth;
use monitor_core::Monitor;
use monitor_core::activity::{ActivityMeta, Outcome};
use monitor_core::bus::MessageEvent;
use monitor_core::errors::ErrorEvent;
use monitor_core::queue::Enqueue;
use proptest::prelude::*;

/// What one tenant owns at the start.
#[derive(Clone, Debug)]
pub struct Seed {
    /// (service, error type) picks: the same picks in two tenants share
    /// a fingerprint.
    pub errors: Vec<(u8, u8)>,
    /// Calls, `true` when ended.
    pub calls: Vec<bool>,
    pub messages: u8,
    pub events: u8,
    /// Messages in the `whatsapp` queue (some sent, some left pending).
    pub queued: u8,
}

/// One live step, after the streams are open.
#[derive(Clone, Debug)]
pub enum Step {
    Error {
        tenant: usize,
        service: u8,
    },
    Call {
        tenant: usize,
    },
    Message {
        tenant: usize,
    },
    /// A queued message enqueued, processed and sent.
    Queue {
        tenant: usize,
    },
    /// An event published straight on the bus, for a tenant or for none.
    Raw {
        tenant: Option<usize>,
        channel: u8,
    },
}

#[derive(Clone, Debug)]
pub struct World {
    pub names: Vec<String>,
    pub seeds: Vec<Seed>,
    pub max_groups: usize,
    pub steps: Vec<Step>,
}

pub fn seed() -> impl Strategy<Value = Seed> {
    (
        prop::collection::vec((0u8..3, 0u8..2), 0..5),
        prop::collection::vec(any::<bool>(), 0..4),
        0u8..3,
        0u8..3,
        0u8..3,
    )
        .prop_map(|(errors, calls, messages, events, queued)| Seed {
            errors,
            calls,
            messages,
            events,
            queued,
        })
}

pub fn world() -> impl Strategy<Value = World> {
    prop::collection::btree_set("[a-z]{1,4}", 2..=4).prop_flat_map(|names| {
        let n = names.len();
        let step = prop_oneof![
            (0..n, 0u8..3).prop_map(|(tenant, service)| Step::Error { tenant, service }),
            (0..n).prop_map(|tenant| Step::Call { tenant }),
            (0..n).prop_map(|tenant| Step::Message { tenant }),
            (0..n).prop_map(|tenant| Step::Queue { tenant }),
            (prop::option::of(0..n), 0u8..4)
                .prop_map(|(tenant, channel)| Step::Raw { tenant, channel }),
        ];
        (
            Just(names.into_iter().collect::<Vec<_>>()),
            prop::collection::vec(seed(), n),
            prop_oneof![Just(3usize), Just(6), Just(10_000)],
            prop::collection::vec(step, 1..16),
        )
            .prop_map(|(names, seeds, max_groups, steps)| World {
                names,
                seeds,
                max_groups,
                steps,
            })
    })
}

pub fn marker(i: usize) -> String {
    format!("M{i}M")
}

pub fn token(names: &[String], i: usize) -> String {
    format!("tok-{}-{i}-s3cret", names[i])
}

/// Logs an error for tenant `i`; returns its id.
pub fn log_error(monitor: &Monitor, names: &[String], i: usize, service: u8, kind: u8) -> u64 {
    let event = ErrorEvent::new(
        format!("svc{service}"),
        "op",
        format!("Kind{kind}"),
        format!("{} failed", marker(i)),
    )
    .client(&names[i]);
    monitor.log_error(event).id
}

pub fn call(monitor: &Monitor, names: &[String], i: usize, n: usize, ended: bool) {
    let calls = monitor.activities("call");
    let id = format!("{}-call-{n}", marker(i));
    let meta = ActivityMeta::new()
        .client(&names[i])
        .category(format!("{}-cat", marker(i)))
        .attr("note", marker(i));
    calls.start(&id, meta).expect("a new id");
    if ended {
        calls
            .end(
                &id,
                Outcome::new("completed").label("quality", format!("{}-q", marker(i))),
            )
            .expect("active");
    }
}

pub fn message(monitor: &Monitor, names: &[String], i: usize, n: usize) {
    let user = format!("{}-user-{n}", marker(i));
    monitor.record_message(&user, Duration::from_millis(20));
    let text = format!("{} says hi", marker(i));
    monitor.publish_message(
        Some(&names[i]),
        MessageEvent::new(&user, Some(&user), Some(&text), 20.0),
    );
}

/// Enqueues tenant `i`'s message `n` in the `whatsapp` queue; `sent` also
/// processes and sends it.
pub fn queued(monitor: &Monitor, names: &[String], i: usize, n: usize, sent: bool) {
    let q = monitor.queue("whatsapp");
    let id = format!("{}-msg-{n}", marker(i));
    q.enqueue(&id, Enqueue::new().client(&names[i]));
    if sent {
        q.processing(&id);
        q.sent(&id);
    }
}

/// Seeds every tenant; returns each tenant's error ids.
pub fn seed_world(monitor: &Monitor, world: &World) -> Vec<Vec<u64>> {
    let names = &world.names;
    let mut ids = vec![Vec::new(); names.len()];
    for (i, seed) in world.seeds.iter().enumerate() {
        for &(service, kind) in &seed.errors {
            ids[i].push(log_error(monitor, names, i, service, kind));
        }
        for (n, &ended) in seed.calls.iter().enumerate() {
            call(monitor, names, i, n, ended);
        }
        for n in 0..seed.messages {
            message(monitor, names, i, usize::from(n));
        }
        for n in 0..seed.queued {
            queued(monitor, names, i, usize::from(n), n % 2 == 0);
        }
        for _ in 0..seed.events {
            monitor
                .events("buttons")
                .record(&format!("{}-label", marker(i)));
        }
    }
    ids
}

pub fn auth_for(names: &[String]) -> MonitorAuth {
    names.iter().enumerate().fold(
        MonitorAuth::new().admin(ADMIN).rate_limit(0),
        |auth, (i, name)| auth.client(name, token(names, i)),
    )
}
