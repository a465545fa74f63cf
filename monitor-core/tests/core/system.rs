//! The process's resources as the monitor samples them: plausible
//! figures, open files and tasks that show, the snapshot directory's disk,
//! the periodic task, and the Prometheus gauges.
//!
//! The tests of this binary run in parallel in one process, so figures
//! that others move too (open files) are compared with a wide margin.

use crate::support::value_of;

use std::time::{Duration, Instant};

use metrics_exporter_prometheus::PrometheusBuilder;
use monitor_core::Monitor;

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn figures_are_plausible_and_the_runtime_is_the_monitors() {
    let monitor = Monitor::builder().start().expect("runtime");
    let first = monitor.system();
    assert!(first.sampled_at.is_some(), "sampled at start: {first:?}");
    assert_eq!(first.cpu_percent, None, "CPU % needs two samples");
    let rss = first.rss_bytes.expect("resident memory");
    assert!(rss > 1024 * 1024, "{rss} bytes");
    assert!(first.memory_mb().is_some_and(|mb| mb > 1.0));
    assert!(first.open_fds.is_some_and(|n| n >= 3), "{first:?}");
    assert_eq!(first.runtime.map(|r| r.workers), Some(3));
    assert_eq!(first.disk, None, "no snapshot file, no disk figure");

    // Burn CPU on this thread, then sample again.
    let started = Instant::now();
    let mut x = 0u64;
    while started.elapsed() < Duration::from_millis(300) {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
    let second = tokio::task::spawn_blocking({
        let monitor = monitor.clone();
        move || monitor.sample_system()
    })
    .await
    .expect("sampled");
    let cpu = second.cpu_percent.expect("two samples now");
    // The machine is shared (other tests, other processes): the spinning
    // thread gets some of a core, not all of it.
    assert!(cpu > 5.0, "300 ms of spinning shows: {cpu} %");
    assert!(
        second.cpu_seconds_total.expect("cpu time")
            >= first.cpu_seconds_total.expect("cpu time") + 0.02,
        "{first:?} -> {second:?}"
    );
    assert_eq!(monitor.system(), second, "the latest sample is kept");
}

#[tokio::test]
async fn open_files_and_alive_tasks_show_in_the_next_sample() {
    let monitor = Monitor::builder().start().expect("runtime");
    let before = monitor.sample_system();
    let dir = tempfile::tempdir().expect("temp dir");
    let files: Vec<std::fs::File> = (0..200)
        .map(|i| std::fs::File::create(dir.path().join(format!("f{i}"))).expect("create"))
        .collect();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let mut stopped = stopped.clone();
            tokio::spawn(async move { stopped.changed().await.ok() })
        })
        .collect();
    let started = Instant::now();
    let during = monitor.sample_system();
    eprintln!("one system sample took {:?}", started.elapsed());
    let fds = |s: &monitor_core::system::SystemStats| s.open_fds.expect("open fds");
    assert!(
        fds(&during) >= fds(&before) + 150,
        "200 more files: {} -> {}",
        fds(&before),
        fds(&during)
    );
    let alive = |s: &monitor_core::system::SystemStats| s.runtime.expect("runtime").alive_tasks;
    assert!(
        alive(&during) >= alive(&before) + 100,
        "{before:?} -> {during:?}"
    );
    drop(files);
    stop.send(true).expect("tasks listen");
    for t in tasks {
        t.await.expect("ended");
    }
    let after = monitor.sample_system();
    assert!(
        fds(&after) + 150 <= fds(&during),
        "{} -> {}",
        fds(&during),
        fds(&after)
    );
    assert!(alive(&after) + 100 <= alive(&during));
}

#[tokio::test]
async fn the_snapshot_directorys_disk_is_measured() {
    let dir = tempfile::tempdir().expect("temp dir");
    let monitor = Monitor::builder()
        .snapshot_file(dir.path().join("monitor.snap"))
        .start()
        .expect("runtime");
    let disk = monitor.system().disk.expect("persistence is on");
    assert_eq!(disk.path, dir.path().display().to_string());
    assert!(disk.total_bytes > 0, "{disk:?}");
    assert!(disk.available_bytes <= disk.free_bytes && disk.free_bytes <= disk.total_bytes);
}

#[tokio::test]
async fn the_periodic_task_samples_on_its_own() {
    let monitor = Monitor::builder()
        .system_interval(Duration::from_millis(20))
        .start()
        .expect("runtime");
    let first = monitor.system().sampled_at.expect("at start");
    let deadline = Instant::now() + Duration::from_secs(10);
    while monitor.system().cpu_percent.is_none() {
        assert!(Instant::now() < deadline, "no second sample within 10 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(monitor.system().sampled_at.expect("sampled") > first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gauges_carry_the_latest_sample() {
    let dir = tempfile::tempdir().expect("temp dir");
    let monitor = Monitor::builder()
        .snapshot_file(dir.path().join("monitor.snap"))
        .start()
        .expect("runtime");
    let s = tokio::task::spawn_blocking({
        let monitor = monitor.clone();
        move || monitor.sample_system()
    })
    .await
    .expect("sampled");
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || monitor.publish_metrics());
    let text = handle.render();
    let rss = s.rss_bytes.expect("rss") as f64;
    assert_eq!(
        value_of(&text, "process_resident_memory_bytes"),
        Some(rss),
        "{text}"
    );
    let fds = s.open_fds.expect("fds") as f64;
    assert_eq!(value_of(&text, "process_open_fds"), Some(fds));
    assert_eq!(value_of(&text, "monitor_tokio_workers"), Some(2.0));
    assert!(value_of(&text, "monitor_tokio_alive_tasks").is_some_and(|n| n >= 1.0));
    assert!(value_of(&text, "monitor_tokio_global_queue_depth").is_some());
    let disk = s.disk.expect("disk");
    assert_eq!(
        value_of(&text, "monitor_snapshot_disk_free_bytes"),
        Some(disk.available_bytes as f64)
    );
    assert_eq!(
        value_of(&text, "monitor_snapshot_disk_total_bytes"),
        Some(disk.total_bytes as f64)
    );
    assert_eq!(
        value_of(&text, "monitor_process_cpu_percent"),
        s.cpu_percent
    );
    assert!(
        text.contains("# TYPE process_resident_memory_bytes gauge"),
        "{text}"
    );
}
