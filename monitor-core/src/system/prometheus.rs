//! The latest [`SystemStats`] as Prometheus gauges: `process_*` as client
//! libraries name them, the rest under `monitor_`.

use metrics::{Unit, describe_gauge, gauge};

use super::{Sampler, SystemStats};

impl Sampler {
    /// Sets the latest sample's gauges on the installed `metrics`
    /// recorder; figures the platform did not give are left out.
    pub(crate) fn publish_metrics(&self) {
        publish(&self.latest());
    }
}

fn publish(s: &SystemStats) {
    let set = |name: &'static str, unit: Unit, help: &'static str, value: Option<f64>| {
        if let Some(v) = value {
            describe_gauge!(name, unit, help);
            gauge!(name).set(v);
        }
    };
    set(
        "process_resident_memory_bytes",
        Unit::Bytes,
        "Resident memory of the process.",
        s.rss_bytes.map(|b| b as f64),
    );
    set(
        "process_open_fds",
        Unit::Count,
        "Open file descriptors of the process.",
        s.open_fds.map(|n| n as f64),
    );
    set(
        "monitor_process_cpu_percent",
        Unit::Percent,
        "CPU used by the process between the last two samples, percent of one core.",
        s.cpu_percent,
    );
    let disk = s.disk.as_ref();
    set(
        "monitor_snapshot_disk_free_bytes",
        Unit::Bytes,
        "Bytes free to the process on the snapshot file's file system.",
        disk.map(|d| d.available_bytes as f64),
    );
    set(
        "monitor_snapshot_disk_total_bytes",
        Unit::Bytes,
        "Size of the snapshot file's file system.",
        disk.map(|d| d.total_bytes as f64),
    );
    let rt = s.runtime.as_ref();
    set(
        "monitor_tokio_workers",
        Unit::Count,
        "Worker threads of the tokio runtime the monitor runs on.",
        rt.map(|r| r.workers as f64),
    );
    set(
        "monitor_tokio_alive_tasks",
        Unit::Count,
        "Tasks alive on that runtime.",
        rt.map(|r| r.alive_tasks as f64),
    );
    set(
        "monitor_tokio_global_queue_depth",
        Unit::Count,
        "Tasks waiting in that runtime's global queue.",
        rt.map(|r| r.global_queue_depth as f64),
    );
}
