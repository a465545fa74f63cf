//! The event bus: who receives what, that nobody waits on a slow
//! subscriber, and that each event is serialized once.

use std::time::{Duration, SystemTime};

use monitor_core::bus::{
    Audience, Channel, ChannelSet, EventBus, EventData, MessageEvent, MonitorEvent,
};

fn event(event_type: &'static str, channel: Channel, client: Option<&str>) -> MonitorEvent {
    let data = EventData::Json(serde_json::json!({"what": event_type}));
    MonitorEvent::new(event_type, channel, client, SystemTime::now(), data)
}

fn drain(sub: &mut monitor_core::bus::Subscription) -> Vec<String> {
    std::iter::from_fn(|| sub.try_recv())
        .map(|d| {
            d.event().event_type.to_string() + "@" + d.event().client_id.as_deref().unwrap_or("-")
        })
        .collect()
}

#[test]
fn tenants_receive_only_their_own_events_and_health() {
    let bus = EventBus::new();
    let mut ops = bus
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("room");
    let mut acme = bus
        .subscribe(Audience::tenant("acme"), ChannelSet::all())
        .expect("room");
    let mut globex = bus
        .subscribe(Audience::tenant("globex"), ChannelSet::all())
        .expect("room");

    bus.publish(event("error:logged", Channel::Errors, Some("acme")));
    bus.publish(event("call:started", Channel::Calls, Some("globex")));
    bus.publish(event("metrics:update", Channel::Metrics, None));
    bus.publish(event("health:changed", Channel::Health, None));
    bus.publish(event("alert:sent", Channel::Alerts, None));

    assert_eq!(
        drain(&mut ops),
        [
            "error:logged@acme",
            "call:started@globex",
            "alert:sent@-",
            "metrics:update@-",
            "health:changed@-"
        ]
    );
    assert_eq!(drain(&mut acme), ["error:logged@acme", "health:changed@-"]);
    assert_eq!(
        drain(&mut globex),
        ["call:started@globex", "health:changed@-"]
    );
}

#[test]
fn channels_filter_and_can_change_while_subscribed() {
    let bus = EventBus::new();
    let only_errors = ChannelSet::parse_list("errors").expect("known");
    let mut sub = bus
        .subscribe(Audience::Operators, only_errors)
        .expect("room");
    bus.publish(event("call:started", Channel::Calls, None));
    bus.publish(event("error:logged", Channel::Errors, None));
    assert_eq!(drain(&mut sub), ["error:logged@-"]);

    sub.set_channels(sub.channels().with(Channel::Calls).without(Channel::Errors));
    bus.publish(event("error:logged", Channel::Errors, None));
    bus.publish(event("call:ended", Channel::Calls, None));
    assert_eq!(drain(&mut sub), ["call:ended@-"]);
    assert!(bus.has_subscribers(Channel::Calls));
    assert!(!bus.has_subscribers(Channel::Errors));
    drop(sub);
    assert!(
        !bus.has_subscribers(Channel::Calls),
        "a dropped subscriber stops counting"
    );
    let _closed = bus
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("room");
    bus.close();
    assert!(
        Channel::ALL.iter().all(|c| !bus.has_subscribers(*c)),
        "closing empties the counts"
    );
}

#[test]
fn message_text_reaches_operators_only() {
    let bus = EventBus::new();
    let mut ops = bus
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("room");
    let mut acme = bus
        .subscribe(Audience::tenant("acme"), ChannelSet::all())
        .expect("room");
    let long = "x".repeat(2_000);
    let data = EventData::Message(MessageEvent::new("u1", Some("Ann"), Some(&long), 12.5));
    bus.publish(MonitorEvent::new(
        "message:new",
        Channel::Messages,
        Some("acme"),
        SystemTime::now(),
        data,
    ));

    let op: serde_json::Value =
        serde_json::from_str(ops.try_recv().expect("sent").json()).expect("json");
    assert_eq!(op["type"], "message:new");
    assert_eq!(op["client_id"], "acme");
    assert_eq!(
        op["data"]["text"].as_str().map(str::len),
        Some(500),
        "cut to 500 chars"
    );
    assert_eq!(op["data"]["user_name"], "Ann");
    let ten: serde_json::Value =
        serde_json::from_str(acme.try_recv().expect("sent").json()).expect("json");
    assert!(
        ten["data"]["text"].is_null(),
        "tenant view has no text: {ten}"
    );
    assert_eq!(ten["data"]["user_id"], "u1");
    assert!(ten["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
}

#[test]
fn each_event_is_serialized_once_however_many_subscribers() {
    let bus = EventBus::new();
    let mut subs: Vec<_> = (0..200)
        .map(|_| {
            bus.subscribe(Audience::Operators, ChannelSet::all())
                .expect("room")
        })
        .collect();
    for i in 0..50 {
        bus.publish(event(
            "error:logged",
            Channel::Errors,
            Some(if i % 2 == 0 { "a" } else { "b" }),
        ));
    }
    for sub in &mut subs {
        assert_eq!(drain(sub).len(), 50);
    }
    let stats = bus.stats();
    assert_eq!(stats.published, 50);
    assert_eq!(stats.queued, 50 * 200);
    assert_eq!(
        stats.serialized, 50,
        "one serialization per event: {stats:?}"
    );

    // Nobody listening: nothing serialized at all.
    drop(subs);
    bus.publish(event("error:logged", Channel::Errors, None));
    let after = bus.stats();
    assert_eq!(
        (after.serialized, after.unheard, after.subscribers),
        (50, 1, 0)
    );
}

#[test]
fn a_full_queue_drops_for_that_subscriber_only_and_counts() {
    let bus = EventBus::with_limits(8, 10);
    let stalled = bus
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("room");
    let mut live = bus
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("room");
    let mut received = 0;
    for _ in 0..10_000 {
        bus.publish(event("error:logged", Channel::Errors, None));
        received += drain(&mut live).len();
    }
    assert_eq!(received, 10_000, "the live subscriber lost nothing");
    assert_eq!(stalled.queued(), 8);
    assert_eq!(stalled.take_dropped(), 10_000 - 8);
    assert_eq!(stalled.take_dropped(), 0, "taken once");
    assert_eq!(stalled.dropped_total(), 10_000 - 8);
    assert_eq!(bus.stats().dropped, 10_000 - 8);
}

#[test]
fn coalescing_events_keep_the_latest_only() {
    let bus = EventBus::with_limits(4, 10);
    let mut sub = bus
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("room");
    for i in 0..100 {
        let data = EventData::Json(serde_json::json!({"i": i}));
        bus.publish(MonitorEvent::new(
            "metrics:update",
            Channel::Metrics,
            None,
            SystemTime::now(),
            data,
        ));
    }
    bus.publish(event("error:logged", Channel::Errors, None));
    let got: Vec<_> = std::iter::from_fn(|| sub.try_recv()).collect();
    assert_eq!(got.len(), 2, "one error and the latest metrics");
    assert_eq!(got[0].event().event_type, "error:logged");
    assert!(got[1].json().contains(r#""i":99"#), "{}", got[1].json());
    assert_eq!(sub.take_dropped(), 0, "coalescing is not dropping");
}

#[test]
fn subscribers_are_capped_and_unsubscribe_on_drop() {
    let bus = EventBus::with_limits(4, 2);
    let a = bus
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("room");
    let _b = bus
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("room");
    assert!(
        bus.subscribe(Audience::Operators, ChannelSet::all())
            .is_err()
    );
    assert_eq!(bus.stats().refused_subscribers, 1);
    drop(a);
    assert!(
        bus.subscribe(Audience::Operators, ChannelSet::all())
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishers_never_wait_for_a_stalled_subscriber() {
    let bus = EventBus::with_limits(64, 100);
    let stalled = bus
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("room");
    let mut live = bus
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("room");
    let reader = tokio::spawn(async move {
        let mut n = 0u64;
        while live.recv().await.is_some() {
            n += 1;
        }
        (n, live.dropped_total())
    });
    let publisher = bus.clone();
    let published = std::thread::spawn(move || {
        for _ in 0..20_000 {
            publisher.publish(event("call:started", Channel::Calls, None));
        }
    });
    published
        .join()
        .expect("the publisher finished while a subscriber stalls");
    bus.close();
    let (n, dropped) = tokio::time::timeout(Duration::from_secs(20), reader)
        .await
        .expect("reader done")
        .expect("no panic");
    // The live reader may fall behind a publisher that never waits; what
    // it missed is counted, never silently lost.
    assert_eq!(n + dropped, 20_000);
    assert_eq!(stalled.dropped_total(), 20_000 - 64);
}

#[tokio::test]
async fn recv_ends_when_the_bus_closes() {
    let bus = EventBus::new();
    let mut sub = bus
        .subscribe(Audience::Operators, ChannelSet::all())
        .expect("room");
    bus.publish(event("alert:sent", Channel::Alerts, None));
    bus.close();
    assert!(sub.recv().await.is_some(), "pending event still delivered");
    assert!(sub.recv().await.is_none());
}
