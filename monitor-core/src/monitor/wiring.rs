//! How the parts tell the bus (and the alert router) what happened: the
//! listeners the builder installs.

use std::borrow::Cow;

use crate::alerts::Alert;
use crate::bus::{AlertSent, Channel, EventBus, EventData, MonitorEvent};
use crate::clock::Clock;
use crate::errors::{LogNotice, Severity};

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
