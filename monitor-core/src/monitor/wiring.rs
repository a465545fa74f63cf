//! How the parts tell the bus (and the alert router) what happened: the
//! listeners the builder installs.

use std::borrow::Cow;

use crate::activity::{ActivityNotice, Phase};
use crate::alerts::{Alert, AlertHandle, AlertInput};
use crate::bus::{AlertSent, Channel, EventBus, EventData, MonitorEvent};
use crate::clock::Clock;
use crate::collector::MetricsCollector;
use crate::errors::ErrorLog;
use crate::errors::{GroupKey, LogNotice, Severity};
use crate::health::{HealthChange, HealthReport, HealthStatus, LiveMetrics};

/// Error log notices as `error:*` events. Nothing is built when no one
/// listens on the errors channel.
pub(super) fn errors_to_bus(
    bus: &EventBus,
    clock: &Clock,
) -> impl Fn(&LogNotice<'_>) + Send + Sync + 'static {
    let (bus, clock) = (bus.clone(), clock.clone());
    move |notice| {
        if !bus.has_subscribers(Channel::Errors) {
            return;
        }
        let event = |kind: &'static str, client: Option<&str>, at, data| {
            MonitorEvent::new(Cow::Borrowed(kind), Channel::Errors, client, at, data)
        };
        match notice {
            LogNotice::Logged { record, .. } => {
                let view = Box::new(record.view());
                let client = record.client_id.as_deref();
                if record.severity == Severity::Critical {
                    let data = EventData::Error(view.clone());
                    bus.publish(event("error:critical", client, record.timestamp, data));
                }
                bus.publish(event(
                    "error:logged",
                    client,
                    record.timestamp,
                    EventData::Error(view),
                ));
            }
            LogNotice::Resolved(group) | LogNotice::Acknowledged(group) => {
                let kind = match notice {
                    LogNotice::Resolved(_) => "error:resolved",
                    _ => "error:acknowledged",
                };
                let now = clock.now();
                let client = group.client_id.clone();
                let data = EventData::Group(Box::new(group.clone()));
                bus.publish(event(kind, client.as_deref(), now, data));
            }
        }
    }
}

/// Accepted notifications as `alert:sent` events.
pub(super) fn alerts_to_bus(
    bus: &EventBus,
    clock: &Clock,
) -> impl Fn(&Alert, &str) + Send + Sync + 'static {
    let (bus, clock) = (bus.clone(), clock.clone());
    move |alert, sink| {
        if !bus.has_subscribers(Channel::Alerts) {
            return;
        }
        let data = EventData::Alert(Box::new(AlertSent {
            sink: sink.to_owned(),
            alert: alert.clone(),
        }));
        let client = alert.client_id.as_deref();
        bus.publish(MonitorEvent::new(
            "alert:sent",
            Channel::Alerts,
            client,
            clock.now(),
            data,
        ));
    }
}

/// Activity notices as `{kind}:started|progress|ended` events on `calls`.
pub(super) fn activities_to_bus(
    bus: &EventBus,
    clock: &Clock,
) -> impl Fn(&ActivityNotice<'_>) + Send + Sync + 'static {
    let (bus, clock) = (bus.clone(), clock.clone());
    move |notice| {
        if !bus.has_subscribers(Channel::Calls) {
            return;
        }
        let a = notice.activity;
        let at = match notice.phase {
            Phase::Started => a.started_at,
            Phase::Progress => clock.now(),
            Phase::Ended => a.ended_at.unwrap_or_else(|| clock.now()),
        };
        let data = EventData::Activity(Box::new(a.clone()));
        let client = a.client_id.as_deref();
        bus.publish(MonitorEvent::new(
            notice.event_type(),
            Channel::Calls,
            client,
            at,
            data,
        ));
    }
}

/// Health changes as `health:changed` events (tenant-free), and, when an
/// alert router runs, as alerts: a component turning degraded or critical
/// fires `health:<component>`, turning healthy resolves it.
pub(super) fn health_to_bus(
    bus: &EventBus,
    alerts: Option<AlertHandle>,
) -> impl Fn(&HealthChange) + Send + Sync + 'static {
    let bus = bus.clone();
    move |change| {
        let at = change.report.checked_at;
        let data = EventData::Health(Box::new(change.clone()));
        bus.publish(MonitorEvent::new(
            "health:changed",
            Channel::Health,
            None,
            at,
            data,
        ));
        if let Some(alerts) = &alerts {
            for component in &change.changed {
                health_alert(alerts, component, &change.report);
            }
        }
    }
}

fn health_alert(alerts: &AlertHandle, component: &str, report: &HealthReport) {
    let (contribution, detail, kind) = match component.split_once(':') {
        Some(("check", name)) => match report.checks.get(name) {
            Some(c) => (
                c.status.contribution(c.required),
                c.detail.clone(),
                "HealthCheckFailed",
            ),
            None => return,
        },
        Some(("heartbeat", name)) => match report.heartbeats.get(name) {
            Some(h) => (
                h.status.contribution(h.required),
                format!("no heartbeat within {} ms", h.interval_ms),
                "HeartbeatMissed",
            ),
            None => return,
        },
        _ if component == "thresholds" => (
            report.thresholds.status,
            report.thresholds.reason.clone().unwrap_or_default(),
            "ThresholdBreached",
        ),
        _ => return,
    };
    let fingerprint = format!("health:{component}");
    let severity = match contribution {
        HealthStatus::Healthy => {
            alerts.resolve(GroupKey {
                fingerprint: fingerprint.as_str().into(),
                client_id: None,
            });
            return;
        }
        HealthStatus::Degraded => Severity::Warning,
        HealthStatus::Critical => Severity::Critical,
    };
    let summary = format!("{component} is {}: {detail}", contribution.as_str());
    alerts.notify(AlertInput::new(
        &fingerprint,
        None,
        "health",
        component,
        kind,
        severity,
        &summary,
    ));
}

/// The thresholds' view of the last hour: errors / messages and p95.
pub(super) fn live_metrics(
    collector: &MetricsCollector,
    errors: &ErrorLog,
) -> impl Fn() -> LiveMetrics + Send + Sync + 'static {
    let (collector, errors) = (collector.clone(), errors.clone());
    move || {
        let stats = collector.current_stats();
        let messages = stats.messages.last_hour;
        LiveMetrics {
            error_rate: errors.error_rate_last_hour(messages),
            p95_ms: stats.messages.p95_ms,
            messages_last_hour: messages,
        }
    }
}
