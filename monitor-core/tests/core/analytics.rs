//! Analytics through the public API: top-users accuracy against an exact
//! count on Zipf traffic, the heatmap on a hand-moved clock (weekdays,
//! hours, the four-week roll-off past the collector's 7 days), and both
//! through a snapshot.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use monitor_core::analytics::{TopUsers, TopUsersConfig, Window};
use monitor_core::bus::MessageEvent;
use monitor_core::persist::Snapshot;
use monitor_core::{ManualClock, Monitor};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Monday 2023-11-20, 00:00 UTC.
fn monday() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_438_400)
}

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

/// `n` draws of user ranks 0..users with P(rank r) ∝ (r + 1)^-s.
fn zipf(n: usize, users: usize, s: f64, seed: u64) -> Vec<usize> {
    let mut cdf = Vec::with_capacity(users);
    let mut sum = 0.0;
    for r in 0..users {
        sum += ((r + 1) as f64).powf(-s);
        cdf.push(sum);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let x = rng.random::<f64>() * sum;
            cdf.partition_point(|&c| c < x).min(users - 1)
        })
        .collect()
}

#[test]
fn zipf_top_10_all_reported_within_the_bound() {
    const N: usize = 1_000_000;
    let clock = ManualClock::new(monday());
    let top = TopUsers::new(TopUsersConfig::default(), clock.clone().into());
    let mut exact: HashMap<usize, u64> = HashMap::new();
    // Spread over 20 hours, so the 24 h read merges 20 summaries.
    for (i, rank) in zipf(N, 100_000, 1.1, 7).into_iter().enumerate() {
        if i > 0 && i % 50_000 == 0 {
            clock.advance(HOUR);
        }
        // Ranks are shuffled into ids, so the heaviest is not "u0".
        top.record(
            None,
            &format!("u{}", rank.wrapping_mul(7919) % 100_003),
            None,
        );
        *exact.entry(rank).or_default() += 1;
    }
    let mut truth: Vec<(String, u64)> = exact
        .iter()
        .map(|(&r, &c)| (format!("u{}", r.wrapping_mul(7919) % 100_003), c))
        .collect();
    truth.sort_by_key(|t| std::cmp::Reverse(t.1));
    let truth: HashMap<String, u64> = truth.into_iter().take(10).collect();

    for window in [Window::Day, Window::Week] {
        let report = top.top(window, None, 10);
        assert_eq!(report.total_messages, N as u64);
        // The documented bound: N / capacity per summary, summed.
        assert!(report.max_overcount_bound <= (N / 512 + 20) as u64);
        let listed: HashMap<&str, (u64, u64)> = report
            .users
            .iter()
            .map(|u| (u.user_id.as_str(), (u.count, u.max_overcount)))
            .collect();
        for (id, &true_count) in &truth {
            let &(count, over) = listed
                .get(id.as_str())
                .unwrap_or_else(|| panic!("{window}: {id} ({true_count}) not in the top 10"));
            assert!(
                count >= true_count && count - over <= true_count,
                "{window}: {id} counted {count} ± {over}, truly {true_count}"
            );
            assert!(over <= report.max_overcount_bound);
        }
    }
}

async fn manual_monitor(clock: &ManualClock) -> Monitor {
    Monitor::builder()
        .clock(clock.clone())
        .start()
        .expect("runtime")
}

#[tokio::test]
async fn heatmap_places_messages_and_keeps_four_weeks() {
    let clock = ManualClock::new(monday() + 9 * HOUR + Duration::from_secs(60));
    let monitor = manual_monitor(&clock).await;
    for _ in 0..3 {
        monitor.record_message("u1", Duration::from_millis(20)); // Mon 09:01
    }
    clock.set(monday() + 2 * DAY + 14 * HOUR); // Wed 14:00
    monitor.record_message("u2", Duration::from_millis(20));
    monitor.record_message("u2", Duration::from_millis(20));

    let heat = monitor.heatmap(1);
    assert_eq!((heat.weeks, heat.timezone.as_str()), (1, "UTC"));
    assert_eq!(heat.days[0], "Mon");
    assert_eq!((heat.counts[0][9], heat.counts[2][14]), (3, 2));
    assert_eq!((heat.total, heat.max), (5, 3));

    // Day by day for three weeks: each read syncs the collector's hours,
    // as the monitor's periodic task does. The collector forgets Monday
    // after 7 days; the heatmap keeps it for 4 weeks.
    for _ in 0..21 {
        clock.advance(DAY);
        monitor.heatmap(1);
    }
    assert!(monitor.collector().hourly(168).iter().all(|b| b.count == 0));
    let four = monitor.heatmap(4);
    assert_eq!(
        (four.counts[0][9], four.counts[2][14], four.total),
        (3, 2, 5)
    );
    assert_eq!(
        monitor.heatmap(3).total,
        0,
        "both were more than 3 weeks ago"
    );

    clock.set(monday() + 28 * DAY + 9 * HOUR + 30 * Duration::from_secs(60)); // 4 weeks later, Mon 09:30
    let rolled = monitor.heatmap(4);
    assert_eq!(
        (rolled.counts[0][9], rolled.counts[2][14]),
        (0, 2),
        "Monday 09:00 rolled off"
    );
    clock.set(monday() + 30 * DAY + 15 * HOUR);
    assert_eq!(monitor.heatmap(4).total, 0);
}

#[tokio::test]
async fn analytics_survive_a_snapshot_and_a_bad_one_changes_nothing() {
    let clock = ManualClock::new(monday() + 10 * HOUR);
    let monitor = manual_monitor(&clock).await;
    for (tenant, user, name, n) in [("acme", "a1", "Ada", 4), ("globex", "g1", "Grace", 2)] {
        for _ in 0..n {
            monitor.record_message(user, Duration::from_millis(30));
            monitor.publish_message(
                Some(tenant),
                MessageEvent::new(user, Some(name), None, 30.0),
            );
        }
    }
    let bytes = monitor.snapshot().encode().expect("encodes");
    let read = Snapshot::decode(&bytes).expect("decodes");

    let restored = manual_monitor(&clock).await;
    restored.restore_snapshot(&read).expect("restores");
    for (w, c) in [(Window::Week, None), (Window::Day, Some("acme"))] {
        assert_eq!(
            restored.top_users().top(w, c, 5),
            monitor.top_users().top(w, c, 5)
        );
    }
    assert_eq!(restored.heatmap(4), monitor.heatmap(4));
    assert_eq!(restored.heatmap(4).counts[0][10], 6);

    let mut bad = read.clone();
    bad.analytics.top_users.all.hours[0].total += 1;
    let fresh = manual_monitor(&clock).await;
    assert!(fresh.replace_state(&bad).is_err());
    assert!(fresh.restore_snapshot(&bad).is_err());
    assert!(
        fresh
            .top_users()
            .top(Window::Week, None, 5)
            .users
            .is_empty()
    );
    assert_eq!(fresh.collector().current_stats().messages.total, 0);
}
