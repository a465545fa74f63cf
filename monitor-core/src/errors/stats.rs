//! `/api/errors/stats`: counts by severity and service, group states, and
//! error rates against the collector's message counts.

use std::time::SystemTime;

use serde::Serialize;

use super::{ErrorLog, GroupStatus, Severity};
use crate::clock::{from_unix_ms, rfc3339, unix_ms};
use crate::collector::MetricsCollector;

/// Counts per severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    /// Critical errors.
    pub critical: u64,
    /// Errors.
    pub error: u64,
    /// Warnings.
    pub warning: u64,
    /// Informational.
    pub info: u64,
}

impl SeverityCounts {
    fn from_array(a: [u64; 4]) -> Self {
        SeverityCounts {
            critical: a[Severity::Critical.index()],
            error: a[Severity::Error.index()],
            warning: a[Severity::Warning.index()],
            info: a[Severity::Info.index()],
        }
    }

    /// All severities together.
    pub fn total(&self) -> u64 {
        self.critical + self.error + self.warning + self.info
    }
}

/// Errors of one service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceCount {
    /// The service (`__other__` for those past the 256th).
    pub service: String,
    /// Its errors.
    pub count: u64,
}

/// How many groups stand where.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GroupCounts {
    /// Never resolved.
    pub open: u64,
    /// Resolved and quiet.
    pub resolved: u64,
    /// Resolved, then fired again.
    pub regressed: u64,
}

/// One hour of the error-rate series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorRatePoint {
    /// Start of the hour.
    #[serde(with = "rfc3339")]
    pub start: SystemTime,
    /// Errors in the hour.
    pub errors: u64,
    /// Messages in the hour (from the collector).
    pub messages: u64,
    /// `errors / messages`, `null` when there were no messages.
    pub rate: Option<f64>,
}

/// Everything `/api/errors/stats` shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorStats {
    /// Errors per severity.
    pub by_severity: SeverityCounts,
    /// Errors per service, most first.
    pub by_service: Vec<ServiceCount>,
    /// Groups by state.
    pub groups: GroupCounts,
    /// Errors in the last 60 minutes.
    pub last_hour: u64,
    /// `last_hour / messages in the last 60 minutes`; `null` without
    /// messages (and for a single tenant, whose messages are not counted
    /// apart).
    pub error_rate_last_hour: Option<f64>,
    /// The last 24 clock hours, oldest first.
    pub hourly: Vec<ErrorRatePoint>,
}

const HOUR_MS: u64 = 3_600_000;

fn rate(errors: u64, messages: u64) -> Option<f64> {
    (messages > 0).then(|| errors as f64 / messages as f64)
}

impl ErrorLog {
    /// Sets `monitor_errors_total{severity,service}` and the log's cut
    /// counters (`monitor_error_log_cuts_total{kind}`) on the installed
    /// `metrics` recorder. Bounded: services are capped at 256, the rest
    /// count as `__other__`.
    pub fn publish_metrics(&self) {
        metrics::describe_counter!(
            "monitor_errors_total",
            "Errors logged, by severity and service."
        );
        metrics::describe_counter!(
            "monitor_error_log_cuts_total",
            "What the error log's bounds cut: evicted errors, cleaned fields, groups past the cap."
        );
        self.with_counts(|c| {
            for (service, by_severity) in c.by_service_severity() {
                for (severity, n) in Severity::ALL.iter().zip(by_severity) {
                    metrics::counter!(
                        "monitor_errors_total",
                        "severity" => severity.as_str(),
                        "service" => service.to_owned()
                    )
                    .absolute(*n);
                }
            }
        });
        let k = self.counters();
        for (kind, n) in [
            ("evicted", k.evicted),
            ("cleaned_fields", k.cleaned_fields),
            ("overflowed_groups", k.overflowed_groups),
        ] {
            metrics::counter!("monitor_error_log_cuts_total", "kind" => kind).absolute(n);
        }
    }

    /// Errors logged in the last 60 minutes (minute resolution): the
    /// numerator of the error rate, without the rest of [`stats`](Self::stats).
    pub fn errors_last_hour(&self) -> u64 {
        let minute = self.inner.clock.now_ms() / 60_000;
        self.with_counts(|c| c.in_minutes(minute.saturating_sub(59), minute))
    }

    /// Errors in the last 60 minutes per message handled in them
    /// (`messages_last_hour`, from the collector); `None` without messages.
    /// The figure of [`ErrorStats::error_rate_last_hour`], for callers that
    /// already hold the message count and need nothing else of the stats.
    pub fn error_rate_last_hour(&self, messages_last_hour: u64) -> Option<f64> {
        rate(self.errors_last_hour(), messages_last_hour)
    }

    /// Errors logged in each of the `n` clock hours from `first_hour`
    /// (hours since the epoch), every tenant's; `None` for an hour the
    /// counts no longer keep (older than 192 hours). Hours not begun yet
    /// have none.
    pub fn errors_per_hour(&self, first_hour: u64, n: usize) -> Vec<Option<u64>> {
        let now_hour = self.inner.clock.now_ms() / HOUR_MS;
        self.with_counts(|c| {
            (first_hour..first_hour.saturating_add(n as u64))
                .map(|h| {
                    let kept = h + c.hours_kept() > now_hour;
                    kept.then(|| c.hour(h).iter().sum())
                })
                .collect()
        })
    }

    /// Errors per severity over the `n` clock hours from `first_hour`
    /// (hours since the epoch), every tenant's; `None` when the counts no
    /// longer keep all of them (older than 192 hours).
    pub fn severities_in_hours(&self, first_hour: u64, n: usize) -> Option<SeverityCounts> {
        let now_hour = self.inner.clock.now_ms() / HOUR_MS;
        self.with_counts(|c| {
            if first_hour + c.hours_kept() <= now_hour {
                return None;
            }
            let mut sum = [0u64; 4];
            for h in first_hour..first_hour.saturating_add(n as u64) {
                for (a, b) in sum.iter_mut().zip(c.hour(h)) {
                    *a += b;
                }
            }
            Some(SeverityCounts::from_array(sum))
        })
    }

    /// Stats over every error since the start, with rates against
    /// `messages`' counts.
    pub fn stats(&self, messages: &MetricsCollector) -> ErrorStats {
        let now = self.inner.clock.now_ms();
        let (minute, hour) = (now / 60_000, now / HOUR_MS);
        let hours = messages.hourly(24);
        let messages_last_hour = messages.messages_last_hour();
        let (by_severity, by_service, last_hour, hourly) = self.with_counts(|c| {
            let hourly: Vec<ErrorRatePoint> = (hour.saturating_sub(23)..=hour)
                .zip(&hours)
                .map(|(h, m)| {
                    let errors = c.hour(h).iter().sum();
                    ErrorRatePoint {
                        start: from_unix_ms(h * HOUR_MS),
                        errors,
                        messages: m.count,
                        rate: rate(errors, m.count),
                    }
                })
                .collect();
            let services = c
                .by_service()
                .into_iter()
                .map(|(service, count)| ServiceCount { service, count })
                .collect();
            (
                c.total(),
                services,
                c.in_minutes(minute.saturating_sub(59), minute),
                hourly,
            )
        });
        ErrorStats {
            by_severity: SeverityCounts::from_array(by_severity),
            by_service,
            groups: self.group_counts(None),
            last_hour,
            error_rate_last_hour: rate(last_hour, messages_last_hour),
            hourly,
        }
    }

    /// The same for one tenant, computed from its errors still in the log
    /// (its message volume is not known, so rates are `null`).
    pub fn stats_for_client(&self, client_id: &str) -> ErrorStats {
        let now = self.inner.clock.now_ms();
        let hour = now / HOUR_MS;
        let mut mine: Vec<(u64, Severity, String)> = Vec::new();
        self.visit(|r| {
            if r.client_id.as_deref() == Some(client_id) {
                mine.push((unix_ms(r.timestamp), r.severity, r.service.clone()));
            }
        });
        let mut by_severity = [0; 4];
        let mut services: Vec<ServiceCount> = Vec::new();
        let mut hourly: Vec<ErrorRatePoint> = (hour.saturating_sub(23)..=hour)
            .map(|h| ErrorRatePoint {
                start: from_unix_ms(h * HOUR_MS),
                errors: 0,
                messages: 0,
                rate: None,
            })
            .collect();
        let first_hour = hour.saturating_sub(23);
        for (at, severity, service) in &mine {
            by_severity[severity.index()] += 1;
            match services.iter_mut().find(|s| s.service == *service) {
                Some(s) => s.count += 1,
                None => services.push(ServiceCount {
                    service: service.clone(),
                    count: 1,
                }),
            }
            let h = at / HOUR_MS;
            if h >= first_hour
                && let Some(point) = hourly.get_mut((h - first_hour) as usize)
            {
                point.errors += 1;
            }
        }
        services.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.service.cmp(&b.service))
        });
        ErrorStats {
            by_severity: SeverityCounts::from_array(by_severity),
            by_service: services,
            groups: self.group_counts(Some(client_id)),
            last_hour: mine.iter().filter(|(at, ..)| at + HOUR_MS > now).count() as u64,
            error_rate_last_hour: None,
            hourly,
        }
    }

    fn group_counts(&self, client_id: Option<&str>) -> GroupCounts {
        let mut counts = GroupCounts::default();
        self.for_each_group(|g| {
            if client_id.is_none_or(|c| g.key.client_id.as_deref() == Some(c)) {
                match g.status() {
                    GroupStatus::Open => counts.open += 1,
                    GroupStatus::Resolved => counts.resolved += 1,
                    GroupStatus::Regressed => counts.regressed += 1,
                }
            }
        });
        counts
    }
}
