//! [`Sampler`]: takes [`SystemStats`] samples and keeps the latest.

use std::path::{Path, PathBuf};
use std::time::Instant;

use parking_lot::{Mutex, RwLock};
use sysinfo::{Pid, ProcessRefreshKind, ProcessesToUpdate, System};
use tokio::runtime::Handle;

use super::{DiskSpace, RuntimeFigures, SystemStats};
use crate::clock::Clock;

/// Samples this process; shared by the monitor and its periodic task.
pub(crate) struct Sampler {
    /// sysinfo's state and the previous CPU reading; one sample at a time.
    probe: Mutex<Probe>,
    pid: Option<Pid>,
    /// The snapshot file's directory, when persistence is on.
    dir: Option<PathBuf>,
    runtime: Handle,
    clock: Clock,
    latest: RwLock<SystemStats>,
}

impl Sampler {
    pub(crate) fn new(snapshot_file: Option<&Path>, runtime: Handle, clock: Clock) -> Self {
        let dir = snapshot_file.map(|file| match file.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        });
        Sampler {
            probe: Mutex::new(Probe {
                system: System::new(),
                last_cpu: None,
            }),
            pid: sysinfo::get_current_pid().ok(),
            dir,
            runtime,
            clock,
            latest: RwLock::new(SystemStats::default()),
        }
    }

    /// The latest sample.
    pub(crate) fn latest(&self) -> SystemStats {
        self.latest.read().clone()
    }

    /// Takes a sample now (blocking reads of `/proc` and `statvfs`) and
    /// keeps it as the latest.
    pub(crate) fn sample(&self) -> SystemStats {
        let mut stats = SystemStats {
            sampled_at: Some(self.clock.now()),
            disk: self.dir.as_deref().and_then(disk_space),
            runtime: Some(runtime_figures(&self.runtime)),
            ..SystemStats::default()
        };
        if let Some(pid) = self.pid {
            let mut probe = self.probe.lock();
            let Probe { system, last_cpu } = &mut *probe;
            system.refresh_processes_specifics(
                ProcessesToUpdate::Some(&[pid]),
                false,
                ProcessRefreshKind::nothing().with_cpu().with_memory(),
            );
            if let Some(p) = system.process(pid) {
                let now = Instant::now();
                let cpu_ms = p.accumulated_cpu_time();
                // CPU time over wall time since the previous sample (not
                // sysinfo's own figure, which reads 0 when the first
                // sample came before the process used a clock tick).
                stats.cpu_percent = last_cpu.and_then(|(then, before)| {
                    let wall_ms = now.duration_since(then).as_secs_f64() * 1000.0;
                    (wall_ms > 0.0).then(|| cpu_ms.saturating_sub(before) as f64 / wall_ms * 100.0)
                });
                *last_cpu = Some((now, cpu_ms));
                stats.cpu_seconds_total = Some(cpu_ms as f64 / 1000.0);
                stats.rss_bytes = Some(p.memory()).filter(|&b| b > 0);
                stats.open_fds = p.open_files().map(|n| n as u64);
            }
        }
        *self.latest.write() = stats.clone();
        stats
    }
}

/// sysinfo's state and the previous CPU time reading.
struct Probe {
    system: System,
    last_cpu: Option<(Instant, u64)>,
}

fn disk_space(dir: &Path) -> Option<DiskSpace> {
    let stats = fs4::statvfs(dir).ok()?;
    Some(DiskSpace {
        path: dir.display().to_string(),
        available_bytes: stats.available_space(),
        free_bytes: stats.free_space(),
        total_bytes: stats.total_space(),
    })
}

fn runtime_figures(runtime: &Handle) -> RuntimeFigures {
    let m = runtime.metrics();
    RuntimeFigures {
        workers: m.num_workers(),
        alive_tasks: m.num_alive_tasks(),
        global_queue_depth: m.global_queue_depth(),
    }
}
