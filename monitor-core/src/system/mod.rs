//! System resources of the host process: CPU, resident memory, open file
//! descriptors, disk space where the snapshot file lives, and the tokio
//! runtime's workers and tasks.
//!
//! Sampled by the monitor's own periodic task (every
//! [`DEFAULT_SYSTEM_INTERVAL`], on a blocking thread: `/proc` reads and
//! `statvfs`), never on the recording path or a request: readers get the
//! latest sample ([`Monitor::system`](crate::Monitor::system)). CPU % needs
//! two samples, so it is `None` until the second one.
//!
//! Process figures come from [`sysinfo`] (only its `system` part): it is
//! well kept, reads the same figures on Linux, macOS, Windows and FreeBSD,
//! and counts open files on each (`procfs` would tie the monitor to
//! Linux). Disk space is one `statvfs` (or `GetDiskFreeSpaceEx`) call on the
//! snapshot's own directory through [`fs4`]: sysinfo's disk list leaves out
//! tmpfs and network mounts, where a snapshot directory may well live, and
//! matching a directory to its mount point by prefix is guesswork.

mod prometheus;
mod sampler;

pub(crate) use sampler::Sampler;

use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::clock::rfc3339;

/// How often the process is sampled by default.
pub const DEFAULT_SYSTEM_INTERVAL: Duration = Duration::from_secs(5);

/// One sample of the process's resources; `None` where the platform or a
/// failed read gave nothing.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SystemStats {
    /// When it was taken (`None`: never).
    #[serde(with = "rfc3339::option")]
    pub sampled_at: Option<SystemTime>,
    /// CPU used since the previous sample, in percent of one core (as
    /// `top` shows it: up to 100 × cores).
    pub cpu_percent: Option<f64>,
    /// CPU time used since the process started, in seconds.
    pub cpu_seconds_total: Option<f64>,
    /// Resident memory, in bytes.
    pub rss_bytes: Option<u64>,
    /// Open file descriptors (handles on Windows).
    pub open_fds: Option<u64>,
    /// Space on the snapshot file's file system (persistence on only).
    pub disk: Option<DiskSpace>,
    /// The tokio runtime the monitor runs on.
    pub runtime: Option<RuntimeFigures>,
}

/// Space on one file system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiskSpace {
    /// The directory asked about.
    pub path: String,
    /// Bytes free for an unprivileged writer.
    pub available_bytes: u64,
    /// Bytes free in all (some may be reserved for root).
    pub free_bytes: u64,
    /// Size of the file system.
    pub total_bytes: u64,
}

/// The tokio runtime's stable metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RuntimeFigures {
    /// Worker threads (1 on a current-thread runtime).
    pub workers: usize,
    /// Tasks spawned and not yet finished.
    pub alive_tasks: usize,
    /// Tasks waiting in the global (injection) queue.
    pub global_queue_depth: usize,
}

impl SystemStats {
    /// Resident memory in MiB, as `/api/metrics` shows it.
    pub fn memory_mb(&self) -> Option<f64> {
        self.rss_bytes.map(|b| b as f64 / (1024.0 * 1024.0))
    }
}
