//! Soak: the demo bot for minutes under sustained load, watching its
//! memory, latencies, dropped frames and errors.
//!
//! ```text
//! cargo build --release --example bot --example soak
//! ./target/release/examples/soak --seconds 600
//! ```
//!
//! It starts the release bot (`target/release/examples/bot`, beside this
//! program; `--bot PATH` for another) on a free loopback port with its
//! simulated traffic on and the API rate limit off, then:
//! - connects `--clients` WebSocket clients (admin token; the `messages`,
//!   `errors` and `metrics` channels), `--stalled` of which never read;
//! - reads the API every second (`/monitor/api/metrics`,
//!   `/monitor/api/errors`, `/monitor/health`, `/monitor/metrics`);
//! - finds the message-webhook rate the machine sustains with all of that
//!   running: closed-loop senders, 4 to 128 requests in flight, 3 s each;
//!   the level with the most requests per second is kept;
//! - sends at that level for `--seconds`, printing every 10 s the bot's
//!   RSS, the webhook rate and p99, the API p99, frames received, frames
//!   the server dropped for slow readers, and 5xx answers so far.
//!
//! At the end: RSS after warm-up (the first fifth of the run), at the
//! middle and at the end; p50/p99/max per kind of request; frames received
//! and `lagged` drops reported to readers; how the stalled clients ended;
//! 5xx and failed requests. It exits with 1 when any answer was a 5xx or
//! the RSS grew by more than 10 % + 8 MiB from warm-up to end.

use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use hdrhistogram::Histogram;
use monitor_examples::load::{WsClient, connect_ws, stalled_end};
use monitor_examples::procfs;
use parking_lot::Mutex;
use tokio_tungstenite::tungstenite::Message;

const TOKEN: &str = "soak-admin";
/// Requests in flight tried when looking for the sustainable rate.
const LEVELS: [usize; 6] = [4, 8, 16, 32, 64, 128];
const LEVEL_SECONDS: u64 = 3;
const REPORT_EVERY: Duration = Duration::from_secs(10);

type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Clone, Debug)]
struct Args {
    seconds: u64,
    clients: usize,
    stalled: usize,
    bot: std::path::PathBuf,
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("soak: {e}");
            eprintln!("usage: soak [--seconds S] [--clients N] [--stalled N] [--bot PATH]");
            return ExitCode::from(2);
        }
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("soak: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(soak(&args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("soak: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Args, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut args = Args {
        seconds: 600,
        clients: 200,
        stalled: 10,
        bot: exe.with_file_name("bot"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| v.parse::<u64>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--seconds" => args.seconds = number(&value)?.max(10),
            "--clients" => args.clients = number(&value)? as usize,
            "--stalled" => args.stalled = number(&value)? as usize,
            "--bot" => args.bot = value.into(),
            _ => return Err(format!("unknown argument {flag} {value}")),
        }
    }
    if args.stalled > args.clients {
        return Err("--stalled cannot exceed --clients".into());
    }
    if !args.bot.exists() {
        return Err(format!(
            "no bot at {} (cargo build --release --example bot first)",
            args.bot.display()
        ));
    }
    Ok(args)
}

/// Counts and latencies of one kind of request.
struct Tally {
    latency_us: Histogram<u64>,
    server_errors: u64,
    other_refusals: u64,
    failed: u64,
}

impl Tally {
    fn new() -> Self {
        Tally {
            latency_us: Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds"),
            server_errors: 0,
            other_refusals: 0,
            failed: 0,
        }
    }

    fn record(&mut self, took: Duration, status: Result<u16, ()>) {
        let _ = self
            .latency_us
            .record(u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1));
        match status {
            Ok(s) if s >= 500 => self.server_errors += 1,
            Ok(s) if s >= 400 => self.other_refusals += 1,
            Ok(_) => {}
            Err(()) => self.failed += 1,
        }
    }

    fn ms(&self, q: f64) -> f64 {
        self.latency_us.value_at_quantile(q) as f64 / 1000.0
    }

    fn summary(&self) -> String {
        format!(
            "{:>9} requests  p50 {:>7.2} ms  p99 {:>8.2} ms  max {:>8.2} ms  5xx {}  other 4xx {}  failed {}",
            self.latency_us.len(),
            self.ms(0.5),
            self.ms(0.99),
            self.latency_us.max() as f64 / 1000.0,
            self.server_errors,
            self.other_refusals,
            self.failed
        )
    }
}

/// What every task shares.
struct Shared {
    base: String,
    http: reqwest::Client,
    stop: AtomicBool,
    webhook: Mutex<Tally>,
    /// The webhook tally of the current report interval.
    webhook_interval: Mutex<Tally>,
    api: Mutex<Tally>,
    frames: AtomicU64,
    lagged_dropped: AtomicU64,
    ws_ended: AtomicU64,
}

async fn soak(args: &Args) -> Result<bool, Error> {
    let bot = Bot::start(&args.bot).await?;
    let shared = Arc::new(Shared {
        base: bot.base.clone(),
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()?,
        stop: AtomicBool::new(false),
        webhook: Mutex::new(Tally::new()),
        webhook_interval: Mutex::new(Tally::new()),
        api: Mutex::new(Tally::new()),
        frames: AtomicU64::new(0),
        lagged_dropped: AtomicU64::new(0),
        ws_ended: AtomicU64::new(0),
    });
    println!(
        "soak: bot pid {} at {}, RSS {} KiB before load",
        bot.pid(),
        bot.base,
        bot.rss_kib()?
    );

    let url = format!(
        "{}/monitor/ws?token={TOKEN}",
        bot.base.replacen("http", "ws", 1)
    );
    let channels = ["messages", "errors", "metrics"];
    let mut readers = Vec::new();
    for _ in 0..args.clients - args.stalled {
        let ws = connect_ws(&url, &channels).await?;
        readers.push(tokio::spawn(read_all(ws, Arc::clone(&shared))));
    }
    let mut stalled = Vec::new();
    for _ in 0..args.stalled {
        stalled.push(connect_ws(&url, &channels).await?);
    }
    let api = tokio::spawn(read_api(Arc::clone(&shared)));
    println!(
        "soak: {} WebSocket clients ({} stalled), API reads every second",
        args.clients, args.stalled
    );

    let in_flight = find_rate(&shared).await;
    *shared.webhook.lock() = Tally::new();
    *shared.webhook_interval.lock() = Tally::new();
    println!(
        "soak: {in_flight} requests in flight for {} s",
        args.seconds
    );
    let senders: Vec<_> = (0..in_flight)
        .map(|i| tokio::spawn(send_messages(Arc::clone(&shared), i)))
        .collect();

    let started = Instant::now();
    let warm_up = Duration::from_secs(args.seconds / 5);
    let mut rss = Vec::new();
    let mut last_frames = shared.frames.load(Relaxed);
    while started.elapsed() < Duration::from_secs(args.seconds) {
        tokio::time::sleep(REPORT_EVERY).await;
        let at = started.elapsed();
        let kib = bot.rss_kib()?;
        rss.push((at, kib));
        let interval = std::mem::replace(&mut *shared.webhook_interval.lock(), Tally::new());
        let frames = shared.frames.load(Relaxed);
        // One lock at a time: parking_lot's mutexes are not reentrant.
        let api_p99 = shared.api.lock().ms(0.99);
        let server_errors = shared.webhook.lock().server_errors + shared.api.lock().server_errors;
        println!(
            "[{:>4}s] RSS {:>7} KiB  webhook {:>6.0}/s p99 {:>7.2} ms  API p99 {:>7.2} ms  frames {:>7}/s  lagged-dropped {:>8}  5xx {}",
            at.as_secs(),
            kib,
            interval.latency_us.len() as f64 / REPORT_EVERY.as_secs_f64(),
            interval.ms(0.99),
            api_p99,
            (frames - last_frames) / REPORT_EVERY.as_secs(),
            shared.lagged_dropped.load(Relaxed),
            server_errors,
        );
        last_frames = frames;
    }
    shared.stop.store(true, Relaxed);
    for task in senders {
        let _ = task.await;
    }
    let _ = api.await;
    let server_counters = scrape(&shared).await.unwrap_or_default();

    let mut ends = std::collections::BTreeMap::<String, usize>::new();
    for ws in stalled {
        *ends.entry(stalled_end(ws).await).or_default() += 1;
    }
    for task in readers {
        task.abort();
    }
    let peak = bot.peak_rss_kib()?;
    drop(bot);

    let webhook = shared.webhook.lock();
    let api = shared.api.lock();
    let seconds = started.elapsed().as_secs_f64();
    println!("\nsoak: {seconds:.0} s at {in_flight} webhook requests in flight");
    println!(
        "webhook  {}  ({:.0}/s)",
        webhook.summary(),
        webhook.latency_us.len() as f64 / seconds
    );
    println!("API      {}", api.summary());
    println!(
        "WebSocket: {} frames received by {} readers ({} ended early), {} dropped for them as `lagged`; server: {}",
        shared.frames.load(Relaxed),
        args.clients - args.stalled,
        shared.ws_ended.load(Relaxed),
        shared.lagged_dropped.load(Relaxed),
        server_counters
    );
    let ends: Vec<String> = ends.iter().map(|(k, n)| format!("{n}× {k}")).collect();
    println!("stalled clients: {}", ends.join(", "));

    let after_warm_up = rss
        .iter()
        .find(|(at, _)| *at >= warm_up)
        .or(rss.first())
        .map_or(0, |r| r.1);
    let middle = rss.get(rss.len() / 2).map_or(0, |r| r.1);
    let end = rss.last().map_or(0, |r| r.1);
    let allowed = after_warm_up + after_warm_up / 10 + 8 * 1024;
    println!(
        "RSS: {after_warm_up} KiB after warm-up ({} s), {middle} KiB at the middle, {end} KiB at the end (peak {peak} KiB); allowed at the end: {allowed} KiB",
        warm_up.as_secs()
    );
    let server_errors = webhook.server_errors + api.server_errors;
    let flat = end <= allowed;
    println!(
        "verdict: {} 5xx, RSS {}",
        server_errors,
        if flat { "flat" } else { "GREW" }
    );
    Ok(server_errors == 0 && flat)
}

/// Tries each level of requests in flight for a few seconds; returns the
/// one with the most requests per second.
async fn find_rate(shared: &Arc<Shared>) -> usize {
    let mut best = (LEVELS[0], 0.0);
    for level in LEVELS {
        let before = shared.webhook.lock().latency_us.len();
        let stop = Arc::new(AtomicBool::new(false));
        let tasks: Vec<_> = (0..level)
            .map(|i| {
                let (shared, stop) = (Arc::clone(shared), Arc::clone(&stop));
                tokio::spawn(async move {
                    while !stop.load(Relaxed) {
                        send_one(&shared, i).await;
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_secs(LEVEL_SECONDS)).await;
        stop.store(true, Relaxed);
        for task in tasks {
            let _ = task.await;
        }
        let rate = (shared.webhook.lock().latency_us.len() - before) as f64 / LEVEL_SECONDS as f64;
        println!("soak: {level:>3} in flight: {rate:>7.0} messages/s");
        if rate > best.1 {
            best = (level, rate);
        }
    }
    best.0
}

async fn send_messages(shared: Arc<Shared>, sender: usize) {
    while !shared.stop.load(Relaxed) {
        send_one(&shared, sender).await;
    }
}

/// One chat message through the bot's webhook, timed.
async fn send_one(shared: &Shared, sender: usize) {
    let n = shared.webhook.lock().latency_us.len();
    let tenant = ["acme", "globex", "initech"][sender % 3];
    let body = format!(
        r#"{{"client_id":"{tenant}","user_id":"soak-{}","user_name":"Soak {sender}","text":"message {n}"}}"#,
        n % 10_000
    );
    let began = Instant::now();
    let status = shared
        .http
        .post(format!("{}/webhook/message", shared.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|_| ());
    let took = began.elapsed();
    shared.webhook.lock().record(took, status);
    shared.webhook_interval.lock().record(took, status);
}

/// Every second, each of the API routes an operator's page reads.
async fn read_api(shared: Arc<Shared>) {
    let routes = [
        "/monitor/api/metrics",
        "/monitor/api/errors?limit=50",
        "/monitor/health",
        "/monitor/metrics",
    ];
    while !shared.stop.load(Relaxed) {
        for route in routes {
            let began = Instant::now();
            let status = shared
                .http
                .get(format!("{}{route}", shared.base))
                .bearer_auth(TOKEN)
                .send()
                .await;
            let status = match status {
                Ok(r) => {
                    let code = r.status().as_u16();
                    r.bytes().await.map(|_| code).map_err(|_| ())
                }
                Err(_) => Err(()),
            };
            shared.api.lock().record(began.elapsed(), status);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// A reader: counts frames and the drops `lagged` notices report.
async fn read_all(mut ws: WsClient, shared: Arc<Shared>) {
    while let Some(Ok(message)) = ws.next().await {
        shared.frames.fetch_add(1, Relaxed);
        if let Message::Text(text) = message
            && text.contains(r#""type":"lagged""#)
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
        {
            let dropped = v["data"]["dropped"].as_u64().unwrap_or(0);
            shared.lagged_dropped.fetch_add(dropped, Relaxed);
        }
    }
    shared.ws_ended.fetch_add(1, Relaxed);
}

/// The server's own WebSocket counters from `/metrics`.
async fn scrape(shared: &Shared) -> Result<String, Error> {
    let text = shared
        .http
        .get(format!("{}/monitor/metrics", shared.base))
        .bearer_auth(TOKEN)
        .send()
        .await?
        .text()
        .await?;
    let wanted = [
        "monitor_ws_dropped_total",
        "monitor_ws_lagged_total",
        "monitor_ws_closed_total",
    ];
    Ok(text
        .lines()
        .filter(|l| wanted.iter().any(|w| l.starts_with(w)))
        .collect::<Vec<_>>()
        .join(", "))
}

/// The bot in a child process, killed when dropped.
struct Bot {
    child: Child,
    base: String,
}

impl Bot {
    async fn start(path: &std::path::Path) -> Result<Self, Error> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new(path)
            .env("MONITOR_ADDR", format!("127.0.0.1:{port}"))
            .env("MONITOR_ADMIN_TOKEN", TOKEN)
            .env("MONITOR_RATE_LIMIT", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?;
        let bot = Bot {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let health = format!("{}/monitor/health", bot.base);
        for _ in 0..100 {
            if reqwest::get(&health).await.is_ok() {
                return Ok(bot);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("the bot did not answer /monitor/health within 10 s".into())
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    fn rss_kib(&self) -> std::io::Result<u64> {
        procfs::rss_kib(&self.pid())
    }

    fn peak_rss_kib(&self) -> std::io::Result<u64> {
        procfs::peak_rss_kib(&self.pid())
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
