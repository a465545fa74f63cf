//! `queue:stats` goes out at most once per queue per interval, with the
//! latest figures, only for queues that changed; `queue:message:*` events
//! carry the message's tenant, so a tenant hears only its own.

use std::time::Duration;

use monitor_core::Monitor;
use monitor_core::bus::{Audience, Channel, ChannelSet, Delivery, EventData};
use monitor_core::queue::Enqueue;
use serde_json::Value;

use super::{clock, monitor};

fn queue_only() -> ChannelSet {
    ChannelSet::empty().with(Channel::Queue)
}

fn drain(sub: &mut monitor_core::bus::Subscription) -> Vec<Delivery> {
    std::iter::from_fn(|| sub.try_recv()).collect()
}

fn json(d: &Delivery) -> Value {
    serde_json::from_str(d.json()).expect("the envelope is JSON")
}

#[tokio::test]
async fn many_changes_make_one_queue_stats_per_queue_with_the_latest_figures() {
    let clock = clock();
    let m = monitor(&clock);
    let mut ops = m
        .bus()
        .subscribe(Audience::Operators, queue_only())
        .expect("room");
    let (a, b) = (m.queue("whatsapp"), m.queue("sms"));
    m.queue("idle");
    assert_eq!(m.publish_queue_stats(), 3, "first publication: every queue");
    drain(&mut ops);

    for i in 0..400 {
        a.enqueue(&format!("a{i}"), Enqueue::new());
        b.enqueue(&format!("b{i}"), Enqueue::new());
        b.processing(&format!("b{i}"));
        b.sent(&format!("b{i}"));
    }
    let per_message = drain(&mut ops);
    assert_eq!(per_message.len(), 800, "processing + sent for each b");
    // Three rounds before the subscriber reads: it holds one per queue.
    for round in 0..3 {
        a.enqueue(&format!("late{round}"), Enqueue::new());
        assert_eq!(m.publish_queue_stats(), 1 + usize::from(round == 0));
    }
    let got: Vec<Value> = drain(&mut ops).iter().map(json).collect();
    let names: Vec<&str> = got
        .iter()
        .map(|e| e["data"]["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        names,
        ["sms", "whatsapp"],
        "one each, by name; the idle queue not at all"
    );
    assert!(
        got.iter()
            .all(|e| e["type"] == "queue:stats" && e["client_id"].is_null())
    );
    assert_eq!(got[1]["data"]["depth"], 403, "the latest figures");
    assert_eq!(got[1]["data"]["totals"]["enqueued"], 403);
    assert_eq!(got[0]["data"]["totals"]["sent"], 400);
    assert_eq!(got[0]["data"]["depth"], 0);

    assert_eq!(m.publish_queue_stats(), 0, "nothing changed since");
    clock.advance(Duration::from_secs(5));
    assert_eq!(m.publish_queue_stats(), 1, "whatsapp's oldest message aged");
    assert_eq!(ops.take_dropped(), 0, "coalescing is not dropping");
}

#[tokio::test(start_paused = true)]
async fn the_periodic_task_sends_at_most_one_per_queue_per_interval() {
    let clock = clock();
    let m = Monitor::builder()
        .clock(clock.clone())
        .queue_stats_interval(Duration::from_secs(2))
        .start()
        .expect("inside a runtime");
    let mut ops = m
        .bus()
        .subscribe(
            Audience::Operators,
            ChannelSet::empty().with(Channel::Queue),
        )
        .expect("room");
    let q = m.queue("whatsapp");
    let mut at = Vec::new();
    for burst in 0..3u64 {
        for i in 0..500 {
            q.enqueue(&format!("m{burst}-{i}"), Enqueue::new());
        }
        let got = ops.recv().await.expect("a queue:stats");
        at.push(tokio::time::Instant::now());
        let EventData::QueueStats(stats) = &got.event().data else {
            panic!("not queue:stats: {}", got.json());
        };
        assert_eq!(stats.totals.enqueued, 500 * (burst + 1), "latest figures");
        assert!(ops.try_recv().is_none(), "one event for the whole burst");
    }
    for pair in at.windows(2) {
        assert!(pair[1] - pair[0] >= Duration::from_secs(2), "{at:?}");
    }
    // Nothing changes (the manual clock stands still): nothing more is sent.
    let quiet = tokio::time::timeout(Duration::from_secs(10), ops.recv()).await;
    assert!(quiet.is_err(), "sent without a change: {quiet:?}");
}

#[tokio::test]
async fn message_events_reach_operators_and_their_own_tenant_only() {
    let m = monitor(&clock());
    let q = m.queue("whatsapp");
    q.enqueue("quiet", Enqueue::new());
    q.processing("quiet");
    q.sent("quiet");
    assert_eq!(
        m.bus().stats().published,
        0,
        "no one listened: nothing built"
    );

    let mut ops = m
        .bus()
        .subscribe(Audience::Operators, queue_only())
        .expect("room");
    let mut acme = m
        .bus()
        .subscribe(Audience::tenant("acme"), queue_only())
        .expect("room");
    let mut globex = m
        .bus()
        .subscribe(Audience::tenant("globex"), queue_only())
        .expect("room");
    q.enqueue("a1", Enqueue::new().client("acme"));
    q.enqueue("g1", Enqueue::new().client("globex"));
    q.enqueue("n1", Enqueue::new());
    for id in ["a1", "g1", "n1"] {
        q.processing(id);
    }
    q.retry("a1", Duration::from_secs(30), "429 Too Many Requests");
    q.sent("g1");
    q.dead_letter("n1", "no route");
    q.processing("a1");
    q.failed("a1", "blocked");
    m.publish_queue_stats();

    let types = |sub: &mut monitor_core::bus::Subscription| -> Vec<(String, String)> {
        drain(sub)
            .iter()
            .map(json)
            .map(|e| {
                let id = e["data"]["message_id"].as_str().unwrap_or("-").to_owned();
                (e["type"].as_str().unwrap_or("").to_owned(), id)
            })
            .collect()
    };
    let pair = |t: &str, id: &str| (format!("queue:message:{t}"), id.to_owned());
    assert_eq!(
        types(&mut acme),
        [
            pair("processing", "a1"),
            pair("retry", "a1"),
            pair("processing", "a1"),
            pair("failed", "a1")
        ],
        "acme: its own message, no stats"
    );
    assert_eq!(
        types(&mut globex),
        [pair("processing", "g1"), pair("sent", "g1")]
    );
    let all = types(&mut ops);
    assert_eq!(all.len(), 9, "{all:?}");
    assert_eq!(all[8], ("queue:stats".to_owned(), "-".to_owned()));

    q.enqueue("a2", Enqueue::new().client("acme"));
    q.processing("a2");
    let e = json(&acme.try_recv().expect("acme's event"));
    assert_eq!(e["client_id"], "acme");
    assert_eq!(e["data"]["queue"], "whatsapp");
    assert_eq!(e["data"]["attempt"], 1);
    assert_eq!(e["data"]["waited_ms"], 0);
}

#[test]
fn a_subscriber_holds_one_stats_event_per_queue_up_to_a_cap() {
    use monitor_core::bus::{EventBus, MonitorEvent};
    use monitor_core::queue::QueueHandle;

    let bus = EventBus::with_limits(8, 10);
    let mut sub = bus
        .subscribe(Audience::Operators, queue_only())
        .expect("room");
    let stats: Vec<_> = (0..100)
        .map(|i| QueueHandle::builder(&format!("q{i:03}")).build().stats())
        .collect();
    for round in 0..3 {
        for s in &stats {
            let data = EventData::QueueStats(Box::new(s.clone()));
            let event = MonitorEvent::new("queue:stats", Channel::Queue, None, s.timestamp, data);
            assert!(event.coalesces());
            let queued = bus.publish(event);
            assert!(round > 0 || queued == 1 || s.name.as_str() >= "q072");
        }
    }
    let got: Vec<Value> = drain(&mut sub).iter().map(json).collect();
    // 64 queues keep their latest in a keyed slot; the other 36 queue like
    // any event (8 places) and the rest is dropped and counted.
    assert_eq!(got.len(), 64 + 8, "{}", got.len());
    assert_eq!(sub.take_dropped(), 36 * 3 - 8);
    let mut names: Vec<&str> = got
        .iter()
        .filter_map(|e| e["data"]["name"].as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 64 + 8, "no queue twice among the keyed ones");
}
