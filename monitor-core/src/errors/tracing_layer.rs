//! Error tracking with no new calls: a `tracing` layer that logs every
//! `error!` and `warn!` event as an [`ErrorEvent`].

use std::collections::BTreeMap;
use std::fmt::Debug;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

use super::{ErrorEvent, ErrorLog, Severity};

/// Logs `tracing` events at `ERROR` and `WARN` into an [`ErrorLog`].
///
/// Fields `service`, `operation`, `error_type`, `client_id`, `severity`
/// and `fingerprint` are picked up when present; the formatted message is
/// the message; other fields become context. Defaults: the event's target
/// is the service, its module the operation, and its level (`error` or
/// `warn`) the error type. `warn!` events are [`Severity::Warning`] unless
/// they carry a `severity` field; `error!` events go through the
/// classifier. Events from this crate itself are skipped, so alert
/// delivery problems never feed back into alerts.
///
/// ```
/// use monitor_core::errors::{ErrorCaptureLayer, ErrorLog, ErrorQuery};
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let log = ErrorLog::builder().build();
/// let subscriber = tracing_subscriber::registry().with(ErrorCaptureLayer::new(log.clone()));
/// tracing::subscriber::with_default(subscriber, || {
///     tracing::error!(service = "db", error_type = "Timeout", "query took {} s", 31);
/// });
/// let page = log.query(&ErrorQuery::default());
/// assert_eq!(page.errors[0].service, "db");
/// assert_eq!(page.errors[0].message, "query took 31 s");
/// ```
#[derive(Clone, Debug)]
pub struct ErrorCaptureLayer {
    log: ErrorLog,
    warnings: bool,
}

impl ErrorCaptureLayer {
    /// Captures `error!` and `warn!` events into `log`.
    pub fn new(log: ErrorLog) -> Self {
        ErrorCaptureLayer {
            log,
            warnings: true,
        }
    }

    /// Captures `error!` events only.
    pub fn errors_only(mut self) -> Self {
        self.warnings = false;
        self
    }
}

impl<S: Subscriber> Layer<S> for ErrorCaptureLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let level = *meta.level();
        let wanted = level == Level::ERROR || (self.warnings && level == Level::WARN);
        if !wanted || meta.target().starts_with(env!("CARGO_CRATE_NAME")) {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let severity = fields
            .severity
            .as_deref()
            .and_then(|s| s.parse().ok())
            .or((level == Level::WARN).then_some(Severity::Warning));
        let e = ErrorEvent {
            service: fields.service.unwrap_or_else(|| meta.target().to_owned()),
            operation: fields
                .operation
                .unwrap_or_else(|| meta.module_path().unwrap_or("unknown").to_owned()),
            error_type: fields.error_type.unwrap_or_else(|| {
                if level == Level::WARN {
                    "warn"
                } else {
                    "error"
                }
                .to_owned()
            }),
            message: fields.message.unwrap_or_default(),
            client_id: fields.client_id,
            context: fields.context,
            severity,
            fingerprint: fields.fingerprint,
        };
        self.log.log(e);
    }
}

/// Most context fields read from one event (the log bounds them again).
const MAX_FIELDS: usize = 32;

#[derive(Default)]
struct Fields {
    message: Option<String>,
    service: Option<String>,
    operation: Option<String>,
    error_type: Option<String>,
    client_id: Option<String>,
    severity: Option<String>,
    fingerprint: Option<String>,
    context: BTreeMap<String, String>,
}

impl Fields {
    fn put(&mut self, field: &Field, value: String) {
        let slot = match field.name() {
            "message" => &mut self.message,
            "service" => &mut self.service,
            "operation" => &mut self.operation,
            "error_type" => &mut self.error_type,
            "client_id" => &mut self.client_id,
            "severity" => &mut self.severity,
            "fingerprint" => &mut self.fingerprint,
            name => {
                if self.context.len() < MAX_FIELDS {
                    self.context.insert(name.to_owned(), value);
                }
                return;
            }
        };
        *slot = Some(value);
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.to_owned());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.put(field, format!("{value:?}"));
    }
}
