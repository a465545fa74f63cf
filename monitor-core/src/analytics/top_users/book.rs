//! [`Book`]: everything a [`TopUsers`](super::TopUsers) keeps behind its
//! lock: everyone's summaries, each tenant's, and the labels.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use rapidhash::RapidHashMap;

use super::labels::{Labels, MAX_CLIENT_ID_BYTES, MAX_USER_ID_BYTES, MAX_USER_NAME_BYTES};
use super::report::{DaysTopUsers, TopUser, TopUsersReport, TopUsersStats, Window};
use super::windows::{HOURS_KEPT, Merged, WEEK_DAYS, Windows};
use super::{DAY_HOURS, HOUR_MS, TopUsersConfig};
use crate::clock::from_unix_ms;

/// The summaries and labels of one feed.
pub(super) struct Book {
    pub(super) config: TopUsersConfig,
    pub(super) all: Windows,
    pub(super) tenants: RapidHashMap<Arc<str>, Windows>,
    pub(super) labels: Labels,
    pub(super) tenants_overflowed: u64,
    pub(super) late: u64,
    /// The hour of the last full expiry.
    pub(super) expired_at: u64,
}

/// The key of a user: its tenant and id, hashed (rapidhash v3). Two users
/// sharing a key (odds about n² / 2⁶⁵) would share a counter.
pub(crate) fn key_of(client_id: Option<&str>, user_id: &str) -> u64 {
    let user = rapidhash::v3::rapidhash_v3(user_id.as_bytes());
    match client_id {
        None => user,
        Some(c) => {
            let tenant = rapidhash::v3::rapidhash_v3(c.as_bytes());
            user ^ tenant.rotate_left(23).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        }
    }
}

/// `text` as kept: control characters stripped, cut to `max` bytes.
/// Borrowed when it is already clean (the usual case).
pub(crate) fn cleaned(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max && text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Cow::Borrowed(text)
    } else {
        let mut owned = text.to_owned();
        crate::text::clean(&mut owned, max, false);
        Cow::Owned(owned)
    }
}

impl Book {
    pub(super) fn new(config: TopUsersConfig) -> Self {
        Book {
            config,
            all: Windows::new(config.get_capacity()),
            tenants: RapidHashMap::default(),
            labels: Labels::new(),
            tenants_overflowed: 0,
            late: 0,
            expired_at: 0,
        }
    }

    pub(super) fn config(&self) -> TopUsersConfig {
        self.config
    }

    /// Counts `n` messages at `at_ms` (not after `now_ms`).
    pub(super) fn record(
        &mut self,
        (client_id, user_id, user_name): (Option<&str>, &str, Option<&str>),
        n: u64,
        at_ms: u64,
        now_ms: u64,
    ) {
        let (hour, now_hour) = (at_ms / HOUR_MS, now_ms / HOUR_MS);
        if now_hour != self.expired_at {
            self.expire(now_hour);
        }
        let client = client_id.map(|c| cleaned(c, MAX_CLIENT_ID_BYTES));
        let user = cleaned(user_id, MAX_USER_ID_BYTES);
        let key = key_of(client.as_deref(), &user);
        if !self.all.offer(key, hour, now_hour, n) {
            self.late += n;
            return;
        }
        let tenant = match client.as_deref() {
            None => None,
            Some(c) => self.tenant(c, key, (hour, now_hour), n),
        };
        let name = user_name
            .filter(|n| !n.trim().is_empty())
            .map(|n| cleaned(n, MAX_USER_NAME_BYTES));
        let tenant = tenant.or_else(|| client.as_deref().map(Arc::from));
        self.labels
            .note(key, tenant.as_ref(), &user, name.as_deref());
        if self.labels.wants_sweep() {
            self.sweep();
        }
    }

    /// Counts `key` in tenant `c`'s summaries; the tenant's shared id, or
    /// `None` when the tenant is past the cap (counted).
    fn tenant(
        &mut self,
        c: &str,
        key: u64,
        (hour, now_hour): (u64, u64),
        n: u64,
    ) -> Option<Arc<str>> {
        if let Some(w) = self.tenants.get_mut(c) {
            w.offer(key, hour, now_hour, n);
        }
        if let Some((id, _)) = self.tenants.get_key_value(c) {
            return Some(Arc::clone(id));
        }
        if self.tenants.len() >= self.config.get_max_tenants() {
            self.tenants_overflowed += 1;
            return None;
        }
        let id: Arc<str> = Arc::from(c);
        let mut w = Windows::new(self.config.get_tenant_capacity());
        w.offer(key, hour, now_hour, n);
        self.tenants.insert(Arc::clone(&id), w);
        Some(id)
    }

    /// Drops summaries out of every window, tenants left with none, and
    /// labels of users no summary counts.
    pub(super) fn expire(&mut self, now_hour: u64) {
        self.expired_at = now_hour;
        self.all.expire(now_hour);
        self.tenants.retain(|_, w| {
            w.expire(now_hour);
            !w.is_empty()
        });
        self.sweep();
    }

    fn sweep(&mut self) {
        let live: HashSet<u64> = self
            .all
            .keys()
            .chain(self.tenants.values().flat_map(Windows::keys))
            .collect();
        self.labels.sweep(&live);
    }

    pub(super) fn top(
        &self,
        window: Window,
        client_id: Option<&str>,
        limit: usize,
        now_ms: u64,
    ) -> TopUsersReport {
        let now_hour = now_ms / HOUR_MS;
        let client = client_id.map(|c| cleaned(c, MAX_CLIENT_ID_BYTES));
        let (windows, capacity) = match client.as_deref() {
            None => (Some(&self.all), self.config.get_capacity()),
            Some(c) => (self.tenants.get(c), self.config.get_tenant_capacity()),
        };
        let read = windows
            .map(|w| w.read(window, now_hour))
            .unwrap_or_default();
        let first_hour = match window {
            Window::Day => (now_hour + 1).saturating_sub(HOURS_KEPT),
            Window::Week => ((now_hour / DAY_HOURS + 1).saturating_sub(WEEK_DAYS)) * DAY_HOURS,
        };
        let users = self.users(&read.candidates, limit);
        TopUsersReport {
            window,
            client_id: client.map(Cow::into_owned),
            from: from_unix_ms(first_hour * HOUR_MS),
            to: from_unix_ms(now_ms),
            total_messages: read.total,
            capacity,
            tracked: read.candidates.len(),
            max_overcount_bound: read.overcount_bound,
            users,
        }
    }

    /// The heaviest users of the UTC days `first..first + days`.
    pub(super) fn top_days(
        &self,
        first: u64,
        days: u64,
        client_id: Option<&str>,
        limit: usize,
        now_ms: u64,
    ) -> DaysTopUsers {
        let client = client_id.map(|c| cleaned(c, MAX_CLIENT_ID_BYTES));
        let windows = match client.as_deref() {
            None => Some(&self.all),
            Some(c) => self.tenants.get(c),
        };
        let last = first.saturating_add(days.max(1) - 1);
        let (read, kept) = windows
            .map(|w| w.read_days(first, last, now_ms / HOUR_MS))
            .unwrap_or_default();
        DaysTopUsers {
            client_id: client.map(Cow::into_owned),
            from: from_unix_ms(first * DAY_HOURS * HOUR_MS),
            to: from_unix_ms((last + 1) * DAY_HOURS * HOUR_MS),
            days_counted: kept,
            total_messages: read.total,
            max_overcount_bound: read.overcount_bound,
            users: self.users(&read.candidates, limit),
        }
    }

    /// The first `limit` of `candidates` with their labels.
    fn users(&self, candidates: &[Merged], limit: usize) -> Vec<TopUser> {
        candidates
            .iter()
            .take(limit)
            .map(|m| {
                let label = self.labels.get(m.key);
                TopUser {
                    user_id: label
                        .map_or_else(|| format!("#{:016x}", m.key), |l| l.user_id.to_string()),
                    user_name: label.and_then(|l| l.user_name.as_deref().map(str::to_owned)),
                    client_id: label.and_then(|l| l.client_id.as_deref().map(str::to_owned)),
                    count: m.count,
                    max_overcount: m.max_overcount,
                }
            })
            .collect()
    }

    pub(super) fn stats(&self) -> TopUsersStats {
        TopUsersStats {
            tenants: self.tenants.len(),
            tenants_overflowed: self.tenants_overflowed,
            late: self.late,
            labels: self.labels.len(),
        }
    }
}
