//! The monitor's side of snapshots: what goes in, restoring at start,
//! and the status operators see.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::SystemTime;

use metrics::{Unit, counter, describe_counter, describe_gauge, gauge};
use parking_lot::Mutex;
use serde::Serialize;

use super::Monitor;
use crate::clock::{rfc3339, unix_ms};
use crate::persist::{Loaded, Snapshot, SnapshotError, SnapshotFile};
use crate::queue::{QueueHandle, QueueState};

/// What happened to the snapshot at start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RestoreOutcome {
    /// No snapshot file configured.
    Disabled,
    /// No file yet: started fresh.
    Fresh,
    /// Restored the snapshot taken at `taken_at`.
    Restored {
        /// When the snapshot was taken.
        #[serde(with = "rfc3339")]
        taken_at: SystemTime,
    },
    /// The file could not be used; it was moved to `moved_to` and the
    /// monitor started fresh.
    SetAside {
        /// Why.
        error: String,
        /// Where the file is now.
        moved_to: String,
    },
    /// The file could not be read or moved: the monitor started fresh and
    /// does not write snapshots (so the file is never overwritten).
    Failed {
        /// Why.
        error: String,
    },
}

/// Snapshot status, for operators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PersistStatus {
    /// The file, if persistence is on.
    pub path: Option<String>,
    /// What happened at start.
    pub restore: RestoreOutcome,
    /// Snapshots written.
    pub writes: u64,
    /// Snapshot writes that failed.
    pub failures: u64,
    /// Size of the last snapshot written.
    pub last_bytes: u64,
    /// The last failure, if the latest write failed.
    pub last_error: Option<String>,
}

pub(super) struct Persistence {
    pub(super) file: Option<SnapshotFile>,
    writable: AtomicBool,
    writes: AtomicU64,
    failures: AtomicU64,
    last_bytes: AtomicU64,
    restore: Mutex<RestoreOutcome>,
    last_error: Mutex<Option<String>>,
    /// One writer at a time (the periodic task and shutdown may meet).
    writing: Mutex<()>,
}

impl Persistence {
    pub(super) fn new(file: Option<SnapshotFile>) -> Self {
        Persistence {
            writable: AtomicBool::new(file.is_some()),
            restore: Mutex::new(if file.is_some() {
                RestoreOutcome::Fresh
            } else {
                RestoreOutcome::Disabled
            }),
            file,
            writes: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            last_bytes: AtomicU64::new(0),
            last_error: Mutex::new(None),
            writing: Mutex::new(()),
        }
    }

    /// Loads the file into a freshly built monitor.
    pub(super) fn restore(&self, monitor: &Monitor) {
        let Some(file) = &self.file else { return };
        let path = file.path().display().to_string();
        let outcome = match file.load_or_set_aside() {
            Loaded::Missing => RestoreOutcome::Fresh,
            Loaded::Snapshot(snapshot) => match monitor.restore_snapshot(&snapshot) {
                Ok(()) => {
                    monitor.audit().restore(snapshot.audit.clone());
                    tracing::info!(path, "monitor state restored from snapshot");
                    RestoreOutcome::Restored {
                        taken_at: crate::clock::from_unix_ms(snapshot.taken_at_ms),
                    }
                }
                Err(error) => match file.set_aside() {
                    Ok(moved_to) => set_aside(&path, &error, moved_to),
                    Err(_) => self.failed(&path, &error),
                },
            },
            Loaded::SetAside { error, moved_to } => set_aside(&path, &error, moved_to),
            Loaded::Unreadable(error) => self.failed(&path, &error),
        };
        *self.restore.lock() = outcome;
    }

    fn failed(&self, path: &str, error: &SnapshotError) -> RestoreOutcome {
        self.writable.store(false, Relaxed);
        tracing::error!(path, %error, "snapshot unreadable; starting fresh and not writing snapshots");
        RestoreOutcome::Failed {
            error: error.to_string(),
        }
    }

    /// Takes and writes a snapshot (blocking I/O).
    pub(super) fn save(&self, monitor: &Monitor) -> Result<u64, SnapshotError> {
        let Some(file) = &self.file else { return Ok(0) };
        if !self.writable.load(Relaxed) {
            return Ok(0);
        }
        let _one_writer = self.writing.lock();
        let result = file.save(&monitor.snapshot());
        match &result {
            Ok(bytes) => {
                self.writes.fetch_add(1, Relaxed);
                self.last_bytes.store(*bytes, Relaxed);
                *self.last_error.lock() = None;
            }
            Err(error) => {
                self.failures.fetch_add(1, Relaxed);
                tracing::warn!(path = %file.path().display(), %error, "snapshot write failed");
                *self.last_error.lock() = Some(error.to_string());
            }
        }
        result
    }

    /// Sets the snapshot counts on the installed `metrics` recorder
    /// (nothing when persistence is off).
    pub(super) fn publish_metrics(&self) {
        if self.file.is_none() {
            return;
        }
        describe_counter!(
            "monitor_snapshot_writes_total",
            Unit::Count,
            "Snapshots written."
        );
        describe_counter!(
            "monitor_snapshot_failures_total",
            Unit::Count,
            "Snapshot writes that failed (disk full, directory not writable)."
        );
        describe_gauge!(
            "monitor_snapshot_bytes",
            Unit::Bytes,
            "Size of the last snapshot written."
        );
        counter!("monitor_snapshot_writes_total").absolute(self.writes.load(Relaxed));
        counter!("monitor_snapshot_failures_total").absolute(self.failures.load(Relaxed));
        gauge!("monitor_snapshot_bytes").set(self.last_bytes.load(Relaxed) as f64);
    }

    pub(super) fn status(&self) -> PersistStatus {
        PersistStatus {
            path: self.file.as_ref().map(|f| f.path().display().to_string()),
            restore: self.restore.lock().clone(),
            writes: self.writes.load(Relaxed),
            failures: self.failures.load(Relaxed),
            last_bytes: self.last_bytes.load(Relaxed),
            last_error: self.last_error.lock().clone(),
        }
    }
}

fn set_aside(path: &str, error: &SnapshotError, moved_to: std::path::PathBuf) -> RestoreOutcome {
    let moved = moved_to.display().to_string();
    tracing::error!(path, moved_to = moved, %error, "snapshot unusable; moved aside, starting fresh");
    RestoreOutcome::SetAside {
        error: error.to_string(),
        moved_to: moved,
    }
}

impl Monitor {
    /// The monitor's durable state now.
    pub fn snapshot(&self) -> Snapshot {
        let i = &*self.inner;
        i.analytics.heatmap.sync_from(&i.collector);
        Snapshot {
            taken_at_ms: unix_ms(i.clock.now()),
            collector: i.collector.export(),
            errors: i.errors.export(),
            counters: i.counters.export(),
            activities: i.activities.all().iter().map(|t| t.export()).collect(),
            health: i.health.export(),
            queues: i.queues.all().iter().map(QueueHandle::export).collect(),
            audit: i.audit.export(),
            analytics: i.analytics.export(),
        }
    }

    /// Restores `snapshot` into this monitor, which should be fresh (the
    /// error log must be empty). Every part is checked first: an invalid
    /// snapshot changes nothing.
    ///
    /// The audit log is left alone: restoring state must never rewrite the
    /// record of who changed it. At start, the monitor reloads the file's
    /// audit entries separately ([`AuditLog::restore`](crate::audit::AuditLog::restore),
    /// which only adds older entries and never replaces any).
    pub fn restore_snapshot(&self, snapshot: &Snapshot) -> Result<(), SnapshotError> {
        let i = &*self.inner;
        let invalid = |e: &dyn std::fmt::Display| SnapshotError::Invalid(e.to_string());
        snapshot.collector.validate().map_err(|e| invalid(&e))?;
        snapshot.errors.validate().map_err(|e| invalid(&e))?;
        validate_queues(&snapshot.queues)?;
        i.analytics
            .check(&snapshot.analytics)
            .map_err(|e| invalid(&e))?;
        i.errors
            .restore(&snapshot.errors)
            .map_err(|e| invalid(&e))?;
        i.collector
            .restore(&snapshot.collector)
            .map_err(|e| invalid(&e))?;
        i.counters.restore(&snapshot.counters);
        for state in &snapshot.activities {
            self.activities(&state.kind).restore(state.clone());
        }
        i.health.restore(snapshot.health.clone());
        // Checked above: cannot fail.
        let _ = i.analytics.replace(&snapshot.analytics);
        for state in &snapshot.queues {
            // Validated above: cannot fail.
            let _ = self.queue(&state.name).restore(state);
        }
        Ok(())
    }

    /// Writes a snapshot now (blocking file I/O: from async code, call it
    /// through `spawn_blocking`). `Ok(0)` when persistence is off.
    pub fn save_snapshot(&self) -> Result<u64, SnapshotError> {
        self.inner.persistence.save(self)
    }

    /// Snapshot status: restore outcome, writes, failures.
    pub fn persist_status(&self) -> PersistStatus {
        self.inner.persistence.status()
    }
}

/// Checks a snapshot's queue states: no more than a monitor keeps, each
/// one a queue could have written.
pub(super) fn validate_queues(queues: &[QueueState]) -> Result<(), SnapshotError> {
    let most = super::MAX_QUEUES + 1; // and `__other__`
    if queues.len() > most {
        let n = queues.len();
        return Err(SnapshotError::Invalid(format!(
            "{n} queues, more than the {most} a monitor keeps"
        )));
    }
    for state in queues {
        state
            .validate()
            .map_err(|e| SnapshotError::Invalid(e.to_string()))?;
    }
    Ok(())
}
