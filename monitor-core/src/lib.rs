//! The core of an embeddable monitor for bots and services: a recording hot
//! path of tens of nanoseconds, lock-free buffers, sketches and stats.
//!
//! No HTTP and no sockets live here; `monitor-axum` and `monitor-ws` adapt
//! this crate to the web.
//!
//! ```
//! use monitor_core::{CollectorConfig, MetricsCollector};
//! use std::time::Duration;
//!
//! let collector = MetricsCollector::new(CollectorConfig::default());
//! collector.record_message("user-42", Duration::from_millis(245));
//!
//! let stats = collector.current_stats();
//! assert_eq!(stats.messages.total, 1);
//! assert_eq!(stats.users.total, 1);
//! let last_24h = collector.hourly(24);
//! assert_eq!(last_24h.len(), 24);
//! assert_eq!(last_24h[23].count, 1);
//! ```

pub mod actions;
pub mod activity;
pub mod alerts;
pub mod analytics;
pub mod audit;
pub mod auth;
pub mod bus;
pub mod clock;
pub mod collector;
pub mod counters;
pub mod errors;
pub mod health;
#[cfg(feature = "http")]
mod http_client;
mod monitor;
mod period;
pub mod persist;
pub mod queue;
pub mod requests;
pub mod ring;
pub mod sketch;
pub mod summary;
pub mod system;
mod text;
pub mod trend;

pub use auth::{MonitorAuth, Role};
pub use clock::{Clock, ManualClock};
pub use collector::{
    CollectorConfig, CurrentStats, DailyBucket, HourlyBucket, MetricsCollector, SeriesBucket,
};
pub use monitor::{
    DEFAULT_METRICS_INTERVAL, DEFAULT_QUEUE_STATS_INTERVAL, DEFAULT_SNAPSHOT_INTERVAL,
    MAX_ACTIVITY_KINDS, MAX_QUEUES, Monitor, MonitorBuilder, OTHER_QUEUE, PersistStatus,
    RestoreOutcome, RestoreSummary,
};
pub use ring::RingBuffer;
pub use sketch::ResponseTimes;
