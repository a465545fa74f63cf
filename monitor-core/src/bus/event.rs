//! What travels on the bus: typed events, and their JSON envelope
//! `{"type", "data", "timestamp", "client_id"}`.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::SystemTime;

use serde::{Serialize, Serializer};

use super::Channel;
use crate::activity::ActivityView;
use crate::alerts::Alert;
use crate::clock::rfc3339;
use crate::collector::CurrentStats;
use crate::errors::{ErrorView, GroupView};
use crate::health::HealthChange;
use crate::queue::{QueueNotice, QueueStats};

/// How an event replaces an older one in a subscriber's queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coalesce<'a> {
    /// One latest instance of the type (`metrics:update`, `health:changed`).
    Slot(usize),
    /// One latest instance per key of the type (`queue:stats` per queue).
    Keyed(&'a str),
}

/// Longest message text carried by `message:new`, in characters.
pub const MAX_MESSAGE_TEXT_CHARS: usize = 500;

/// One event: its type (`"error:logged"`), channel, tenant, time and data.
#[derive(Clone, Debug, PartialEq)]
pub struct MonitorEvent {
    /// Wire type, e.g. `"call:started"`.
    pub event_type: Cow<'static, str>,
    /// The channel subscribers ask for to receive it.
    pub channel: Channel,
    /// The tenant it belongs to; `None` for tenant-free events.
    pub client_id: Option<Arc<str>>,
    /// When it happened.
    pub timestamp: SystemTime,
    /// The payload.
    pub data: EventData,
}

/// The payload of an event. Serialized as the variant's own JSON (no tag):
/// the envelope's `type` says what it is.
#[derive(Clone, Debug, PartialEq)]
pub enum EventData {
    /// `metrics:update`: the collector's current stats.
    Metrics(Box<CurrentStats>),
    /// `message:new`.
    Message(MessageEvent),
    /// `error:logged`, `error:critical`.
    Error(Box<ErrorView>),
    /// `error:resolved`, `error:acknowledged`: the group's new state.
    Group(Box<GroupView>),
    /// `{kind}:started|progress|ended`: the activity after the change.
    Activity(Box<ActivityView>),
    /// `health:changed`.
    Health(Box<HealthChange>),
    /// `alert:sent`: a notification a sink accepted.
    Alert(Box<AlertSent>),
    /// `queue:stats`: one queue's figures.
    QueueStats(Box<QueueStats>),
    /// `queue:message:*`: one message's step.
    QueueMessage(Box<QueueNotice>),
    /// Anything else, already in JSON form (host-defined events).
    Json(serde_json::Value),
}

impl Serialize for EventData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            EventData::Metrics(m) => m.serialize(s),
            EventData::Message(m) => m.serialize(s),
            EventData::Error(e) => e.serialize(s),
            EventData::Group(g) => g.serialize(s),
            EventData::Activity(a) => a.serialize(s),
            EventData::Health(h) => h.serialize(s),
            EventData::Alert(a) => a.serialize(s),
            EventData::QueueStats(q) => q.serialize(s),
            EventData::QueueMessage(m) => m.serialize(s),
            EventData::Json(v) => v.serialize(s),
        }
    }
}

/// The data of `alert:sent`: the alert as the sink received it, and the
/// sink's name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertSent {
    /// The sink that accepted it.
    pub sink: String,
    /// The notification.
    #[serde(flatten)]
    pub alert: Alert,
}

/// The data of `message:new`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MessageEvent {
    /// Who sent it.
    pub user_id: String,
    /// Their display name, when the host knows it.
    pub user_name: Option<String>,
    /// The text, at most [`MAX_MESSAGE_TEXT_CHARS`]; only admin and
    /// monitor audiences receive it (tenants get `null`).
    pub text: Option<String>,
    /// How long handling took.
    pub response_time_ms: f64,
}

impl MessageEvent {
    /// A message event; `text` is cut to [`MAX_MESSAGE_TEXT_CHARS`].
    pub fn new(user_id: &str, user_name: Option<&str>, text: Option<&str>, rt_ms: f64) -> Self {
        MessageEvent {
            user_id: user_id.to_owned(),
            user_name: user_name.map(str::to_owned),
            text: text.map(|t| t.chars().take(MAX_MESSAGE_TEXT_CHARS).collect()),
            response_time_ms: rt_ms,
        }
    }
}

impl MonitorEvent {
    /// An event of `event_type` on `channel`.
    pub fn new(
        event_type: impl Into<Cow<'static, str>>,
        channel: Channel,
        client_id: Option<&str>,
        timestamp: SystemTime,
        data: EventData,
    ) -> Self {
        MonitorEvent {
            event_type: event_type.into(),
            channel,
            client_id: client_id.map(Arc::from),
            timestamp,
            data,
        }
    }

    /// Whether a newer event of the same kind replaces this one in a
    /// subscriber's queue (latest wins): `metrics:update`,
    /// `health:changed`, and `queue:stats` per queue.
    pub fn coalesces(&self) -> bool {
        self.coalesce().is_some()
    }

    pub(crate) fn coalesce(&self) -> Option<Coalesce<'_>> {
        match (&*self.event_type, &self.data) {
            ("metrics:update", _) => Some(Coalesce::Slot(0)),
            ("health:changed", _) => Some(Coalesce::Slot(1)),
            ("queue:stats", EventData::QueueStats(q)) => Some(Coalesce::Keyed(&q.name)),
            _ => None,
        }
    }

    /// What a tenant audience receives instead, when that differs (the
    /// text of `message:new` is for operators only).
    pub(crate) fn tenant_view(&self) -> Option<MonitorEvent> {
        match &self.data {
            EventData::Message(m) if m.text.is_some() => {
                let mut e = self.clone();
                if let EventData::Message(m) = &mut e.data {
                    m.text = None;
                }
                Some(e)
            }
            _ => None,
        }
    }

    /// The JSON envelope.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Envelope<'a> {
            #[serde(rename = "type")]
            event_type: &'a str,
            data: &'a EventData,
            #[serde(with = "rfc3339")]
            timestamp: SystemTime,
            client_id: Option<&'a str>,
        }
        let envelope = Envelope {
            event_type: &self.event_type,
            data: &self.data,
            timestamp: self.timestamp,
            client_id: self.client_id.as_deref(),
        };
        // Serializing these types cannot fail: string keys, finite floats
        // become numbers and non-finite ones `null`.
        serde_json::to_string(&envelope).unwrap_or_else(|e| {
            let message = format!("unserializable {} event: {e}", self.event_type);
            serde_json::json!({"type": "error", "data": {"message": message}}).to_string()
        })
    }
}
