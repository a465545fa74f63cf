//! Error counts by minute, hour, severity and service: the numerators of
//! error rates and the figures of `/api/errors/stats`.

use rapidhash::RapidHashMap;

use super::Severity;
use crate::period::KeyedRing;

/// Services counted by name; the rest are counted together.
pub(crate) const MAX_SERVICES: usize = 256;
/// Name the services beyond [`MAX_SERVICES`] are counted under.
pub(crate) const OTHER: &str = "__other__";
const MINUTE_MS: u64 = 60_000;
/// Hours of per-severity counts kept: 8 days, so the summary of a week
/// written on the Monday after still has all of it.
const HOURS: usize = 192;

pub(crate) struct ErrorCounts {
    minutes: KeyedRing<[u64; 4]>,
    hours: KeyedRing<[u64; 4]>,
    total: [u64; 4],
    /// Per service, errors per severity.
    services: RapidHashMap<String, [u64; 4]>,
}

impl ErrorCounts {
    pub(crate) fn new() -> Self {
        ErrorCounts {
            minutes: KeyedRing::new(64),
            hours: KeyedRing::new(HOURS),
            total: [0; 4],
            services: RapidHashMap::default(),
        }
    }

    pub(crate) fn add(&mut self, now_ms: u64, severity: Severity, service: &str) {
        self.add_at(now_ms, now_ms, severity, service, 1);
    }

    /// Counts `n` errors that happened at `at_ms` (at most `now_ms`): in
    /// its minute and hour while the rings still hold them, and always in
    /// the totals and the service's counts.
    pub(crate) fn add_at(
        &mut self,
        at_ms: u64,
        now_ms: u64,
        severity: Severity,
        service: &str,
        n: u64,
    ) {
        let (minute, now_minute) = (at_ms.min(now_ms) / MINUTE_MS, now_ms / MINUTE_MS);
        let i = severity.index();
        self.total[i] = self.total[i].saturating_add(n);
        if let Some(m) = self.minutes.entry(minute, now_minute) {
            m[i] = m[i].saturating_add(n);
        }
        if let Some(h) = self.hours.entry(minute / 60, now_minute / 60) {
            h[i] = h[i].saturating_add(n);
        }
        let known = self.services.contains_key(service);
        let key = if known || self.services.len() < MAX_SERVICES {
            service
        } else {
            OTHER
        };
        match self.services.get_mut(key) {
            Some(c) => c[i] = c[i].saturating_add(n),
            None => {
                let mut c = [0; 4];
                c[i] = n;
                self.services.insert(key.to_owned(), c);
            }
        }
    }

    /// Errors per severity since the start.
    pub(crate) fn total(&self) -> [u64; 4] {
        self.total
    }

    /// Errors in minutes `from..=to`.
    pub(crate) fn in_minutes(&self, from: u64, to: u64) -> u64 {
        self.minutes
            .iter()
            .filter(|(k, _)| (from..=to).contains(k))
            .map(|(_, c)| c.iter().sum::<u64>())
            .sum()
    }

    /// Errors per severity in `hour`.
    pub(crate) fn hour(&self, hour: u64) -> [u64; 4] {
        self.hours.get(hour).copied().unwrap_or_default()
    }

    /// Hours the hourly counts keep.
    pub(crate) fn hours_kept(&self) -> u64 {
        HOURS as u64
    }

    /// The counts' durable state.
    pub(crate) fn to_state(&self, now_ms: u64) -> CountsState {
        let mut services: Vec<(String, [u64; 4])> =
            self.services.iter().map(|(s, n)| (s.clone(), *n)).collect();
        services.sort();
        let minute = now_ms / MINUTE_MS;
        CountsState {
            minutes: self
                .minutes
                .iter_within(minute)
                .map(|(k, v)| (k, *v))
                .collect(),
            hours: self
                .hours
                .iter_within(minute / 60)
                .map(|(k, v)| (k, *v))
                .collect(),
            total: self.total,
            services,
        }
    }

    /// Counts from a snapshot, at `now_ms`: periods out of the window are
    /// skipped, services past the cap go to the overflow name.
    pub(crate) fn from_state(s: &CountsState, now_ms: u64) -> Self {
        let mut counts = ErrorCounts::new();
        let minute = now_ms / MINUTE_MS;
        for &(k, v) in s.minutes.iter().filter(|(k, _)| *k <= minute) {
            if let Some(m) = counts.minutes.entry(k, minute) {
                *m = v;
            }
        }
        for &(k, v) in s.hours.iter().filter(|(k, _)| *k <= minute / 60) {
            if let Some(h) = counts.hours.entry(k, minute / 60) {
                *h = v;
            }
        }
        counts.total = s.total;
        for (name, n) in &s.services {
            let known = counts.services.len() < MAX_SERVICES;
            let key = if known { name.as_str() } else { OTHER };
            let entry = counts.services.entry(key.to_owned()).or_default();
            for (a, b) in entry.iter_mut().zip(n) {
                *a = a.saturating_add(*b);
            }
        }
        counts
    }

    /// Errors per service and severity (`[critical, error, warning, info]`).
    pub(crate) fn by_service_severity(&self) -> impl Iterator<Item = (&str, &[u64; 4])> {
        self.services.iter().map(|(s, n)| (s.as_str(), n))
    }

    /// Errors per service, most first.
    pub(crate) fn by_service(&self) -> Vec<(String, u64)> {
        let mut v: Vec<_> = self
            .services
            .iter()
            .map(|(s, n)| (s.clone(), n.iter().sum::<u64>()))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }
}

/// Error counts as saved: per-severity counts by minute and hour, totals
/// and per-service counts.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CountsState {
    /// `(minute since the epoch, [critical, error, warning, info])`.
    pub minutes: Vec<(u64, [u64; 4])>,
    /// `(hour since the epoch, [critical, error, warning, info])`.
    pub hours: Vec<(u64, [u64; 4])>,
    /// All-time counts per severity.
    pub total: [u64; 4],
    /// `(service, count)`.
    /// `(service, [critical, error, warning, info])`.
    pub services: Vec<(String, [u64; 4])>,
}
