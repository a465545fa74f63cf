//! The schedule: once per check, for each kind switched on, the last
//! closed period is written to the directory and/or sent to the sink
//! unless that was done already. Failures are logged, counted and tried
//! again on the next check; nothing here panics.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use parking_lot::Mutex;
use serde::Serialize;

use super::config::SummaryConfig;
use super::period::{PeriodKind, SummaryPeriod};
use super::report::Summary;
use super::writer;
use crate::Monitor;
use crate::alerts::{Alert, AlertSink, AlertStatus};
use crate::errors::Severity;

/// Longest wait for the sink to take one summary.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// What the schedule did since the start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SummaryStats {
    /// Summaries written (each a JSON and a CSV file).
    pub written: u64,
    /// Periods found already written (by an earlier run) and skipped.
    pub skipped_existing: u64,
    /// Failed attempts to write (retried on the next check).
    pub write_errors: u64,
    /// Summaries the sink took.
    pub sent: u64,
    /// Failed sends (retried on the next check).
    pub send_errors: u64,
    /// Old files deleted by retention.
    pub deleted: u64,
}

/// The schedule's settings, memory and counts.
pub(crate) struct Schedule {
    config: SummaryConfig,
    /// Per kind (daily, weekly): the last period written, the last sent.
    done: Mutex<[(Option<SummaryPeriod>, Option<SummaryPeriod>); 2]>,
    written: AtomicU64,
    skipped_existing: AtomicU64,
    write_errors: AtomicU64,
    sent: AtomicU64,
    send_errors: AtomicU64,
    deleted: AtomicU64,
}

fn slot(kind: PeriodKind) -> usize {
    match kind {
        PeriodKind::Daily => 0,
        PeriodKind::Weekly => 1,
    }
}

impl Schedule {
    /// A schedule started at `now`. Without a directory there is no
    /// record of what an earlier run sent, so periods closed before the
    /// start count as sent (a restart never sends twice).
    pub(crate) fn new(config: SummaryConfig, now: std::time::SystemTime) -> Self {
        let mut done = [(None, None), (None, None)];
        if config.directory.is_none() {
            for kind in [PeriodKind::Daily, PeriodKind::Weekly] {
                done[slot(kind)].1 = Some(SummaryPeriod::last_closed(kind, now));
            }
        }
        Schedule {
            config,
            done: Mutex::new(done),
            written: AtomicU64::new(0),
            skipped_existing: AtomicU64::new(0),
            write_errors: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            send_errors: AtomicU64::new(0),
            deleted: AtomicU64::new(0),
        }
    }

    pub(crate) fn config(&self) -> &SummaryConfig {
        &self.config
    }

    pub(crate) fn stats(&self) -> SummaryStats {
        SummaryStats {
            written: self.written.load(Relaxed),
            skipped_existing: self.skipped_existing.load(Relaxed),
            write_errors: self.write_errors.load(Relaxed),
            sent: self.sent.load(Relaxed),
            send_errors: self.sent_errors(),
            deleted: self.deleted.load(Relaxed),
        }
    }

    fn sent_errors(&self) -> u64 {
        self.send_errors.load(Relaxed)
    }

    /// One check: the last closed period of each kind switched on.
    pub(crate) async fn tick(self: &Arc<Self>, monitor: &Monitor) {
        let kinds = [
            (PeriodKind::Daily, self.config.daily),
            (PeriodKind::Weekly, self.config.weekly),
        ];
        for (kind, on) in kinds {
            if on {
                self.check(monitor, kind).await;
            }
        }
    }

    async fn check(self: &Arc<Self>, monitor: &Monitor, kind: PeriodKind) {
        let period = SummaryPeriod::last_closed(kind, monitor.clock().now());
        let (files_done, sink_done) = {
            let done = self.done.lock()[slot(kind)];
            let write = self.config.directory.is_some() && done.0 != Some(period);
            let send = self.config.sink.is_some() && done.1 != Some(period);
            (!write, !send)
        };
        if files_done && sink_done {
            return;
        }
        let Ok(summary) = monitor.summary(period, self.config.top) else {
            return; // a closed period the collector keeps cannot fail
        };
        let summary = Arc::new(summary);
        if !files_done {
            let me = Arc::clone(self);
            let s = Arc::clone(&summary);
            let files = tokio::task::spawn_blocking(move || me.files(period, &s)).await;
            match files {
                Ok(Files::Written) => self.mark(kind, period, true, false),
                // Written by an earlier run, which also sent it.
                Ok(Files::Existed) => self.mark(kind, period, true, true),
                Ok(Files::Failed) | Err(_) => {}
            }
        }
        let sink_done = self.done.lock()[slot(kind)].1 == Some(period);
        if let (false, Some(sink)) = (sink_done, &self.config.sink) {
            if self.send(sink.as_ref(), &summary).await {
                self.mark(kind, period, false, true);
            }
        }
    }

    fn mark(&self, kind: PeriodKind, period: SummaryPeriod, files: bool, sink: bool) {
        let mut done = self.done.lock();
        let d = &mut done[slot(kind)];
        if files {
            d.0 = Some(period);
        }
        if sink {
            d.1 = Some(period);
        }
    }

    /// Blocking: writes `period`'s files unless they exist, then prunes.
    fn files(&self, period: SummaryPeriod, summary: &Summary) -> Files {
        let Some(dir) = self.config.directory.as_deref() else {
            return Files::Failed;
        };
        if writer::exists(dir, &period) {
            self.skipped_existing.fetch_add(1, Relaxed);
            return Files::Existed;
        }
        if let Err(e) = writer::write(dir, &period, summary) {
            self.write_errors.fetch_add(1, Relaxed);
            tracing::warn!(target: "monitor_core::summary", error = %e, "writing the {} summary {} failed; retrying on the next check", period.kind(), period.name());
            return Files::Failed;
        }
        self.written.fetch_add(1, Relaxed);
        let keep = match period.kind() {
            PeriodKind::Daily => self.config.keep_daily,
            PeriodKind::Weekly => self.config.keep_weekly,
        };
        match writer::prune(dir, period.kind(), keep) {
            Ok(n) => {
                self.deleted.fetch_add(n, Relaxed);
            }
            Err(e) => {
                self.write_errors.fetch_add(1, Relaxed);
                tracing::warn!(target: "monitor_core::summary", error = %e, "deleting old summaries failed");
            }
        }
        Files::Written
    }

    async fn send(&self, sink: &dyn AlertSink, summary: &Summary) -> bool {
        let alert = alert_of(summary);
        let result = tokio::time::timeout(SEND_TIMEOUT, sink.send(&alert)).await;
        match result {
            Ok(Ok(())) => {
                self.sent.fetch_add(1, Relaxed);
                true
            }
            Ok(Err(e)) => {
                self.send_errors.fetch_add(1, Relaxed);
                tracing::warn!(target: "monitor_core::summary", sink = sink.name(), error = %e, "sending the {} summary {} failed; retrying on the next check", summary.period, summary.name);
                false
            }
            Err(_) => {
                self.send_errors.fetch_add(1, Relaxed);
                tracing::warn!(target: "monitor_core::summary", sink = sink.name(), "the sink took no summary within {SEND_TIMEOUT:?}; retrying on the next check");
                false
            }
        }
    }

    /// Sets the counts on the installed `metrics` recorder.
    pub(crate) fn publish_metrics(&self) {
        let s = self.stats();
        for (outcome, n) in [
            ("written", s.written),
            ("skipped_existing", s.skipped_existing),
            ("write_error", s.write_errors),
            ("sent", s.sent),
            ("send_error", s.send_errors),
            ("deleted", s.deleted),
        ] {
            metrics::counter!("monitor_summaries_total", "outcome" => outcome).absolute(n);
        }
    }
}

/// What the directory step did.
enum Files {
    Written,
    Existed,
    Failed,
}

/// The informational alert a sink receives for `summary`.
pub(crate) fn alert_of(summary: &Summary) -> Alert {
    Alert {
        status: AlertStatus::Firing,
        route: "summaries".to_owned(),
        fingerprint: format!("summary:{}:{}", summary.period, summary.name),
        client_id: None,
        service: "analytics".to_owned(),
        operation: "summary".to_owned(),
        error_type: "Summary".to_owned(),
        severity: Severity::Info,
        summary: summary.text(),
        count: 1,
        new_since_last: 1,
        starts_at: summary.from,
        last_seen: summary.generated_at,
        ends_at: None,
    }
}
