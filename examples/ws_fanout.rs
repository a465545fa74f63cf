//! WebSocket fan-out load: many subscribers, a steady event rate, and the
//! publish-to-receive latency every subscriber sees, with and without
//! stalled clients mixed in.
//!
//! ```text
//! cargo run --release --example ws_fanout -- --clients 1000 --rate 100 --seconds 20 --stalled 0,10
//! ```
//!
//! Each round starts a fresh server in a child process (this program with
//! `WS_FANOUT_SERVER` set), so its CPU time and memory are measured apart
//! from the clients': the monitor with its router (`--entry axum`, the
//! `/monitor/ws` route; or `--entry standalone`, `WsBroadcaster::bind`),
//! publishing `--rate` events per second, each stamped with the wall-clock
//! time just before `publish`. The clients (admin tokens, so each receives
//! every event) run here, on loopback; each takes the stamp out of every
//! event it receives. Stalled clients subscribe and then never read.
//!
//! `--entry broadcast` runs, for comparison, the design a user would
//! write first: a `tokio::sync::broadcast` channel of pre-serialized
//! events and one task per connection sending each to its socket (no
//! auth, rooms, coalescing or lag handling).
//!
//! Printed per round: events delivered, latency p50/p99/max, the server's
//! CPU (percent of one core, from /proc), its resident memory per
//! connection (RSS after connecting minus before, divided by the
//! connections), and how the stalled clients ended.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use monitor_axum::{MonitorAuth, RouterConfig};
use monitor_core::Monitor;
use monitor_core::bus::{Channel, EventData, MonitorEvent};
use monitor_examples::load::{WsClient as Client, connect_ws, stalled_end};
use monitor_examples::procfs::{self, CLK_TCK};
use monitor_ws::WsBroadcaster;
use parking_lot::Mutex;
use serde_json::json;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

const TOKEN: &str = "fanout-admin";
const SERVER_ENV: &str = "WS_FANOUT_SERVER";

/// The measuring window, as the clients see it.
const BEFORE: u8 = 0;
const DURING: u8 = 1;
const AFTER: u8 = 2;

#[derive(Clone, Debug)]
struct Args {
    clients: usize,
    rate: u64,
    seconds: u64,
    stalled: Vec<usize>,
    entry: String,
}

fn main() -> ExitCode {
    if let Ok(spec) = std::env::var(SERVER_ENV) {
        return serve(&spec);
    }
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("ws_fanout: {e}");
            eprintln!(
                "usage: ws_fanout [--clients N] [--rate EVENTS_PER_S] [--seconds S] [--stalled A,B] [--entry axum|standalone|broadcast]"
            );
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ws_fanout: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "ws_fanout: {} /ws, {} clients, {} events/s for {} s per round (server in its own process)",
        args.entry, args.clients, args.rate, args.seconds
    );
    println!(
        "{:>7} {:>10} {:>8} {:>8} {:>8} {:>11} {:>11} {:>13}  stalled clients",
        "stalled",
        "delivered",
        "p50 ms",
        "p99 ms",
        "max ms",
        "server CPU",
        "client CPU",
        "KiB/conn"
    );
    for &stalled in &args.stalled {
        match runtime.block_on(round(&args, stalled)) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("ws_fanout: round with {stalled} stalled: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        clients: 1000,
        rate: 100,
        seconds: 20,
        stalled: vec![0, 10],
        entry: "axum".to_owned(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| v.parse::<u64>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--clients" => args.clients = number(&value)? as usize,
            "--rate" => args.rate = number(&value)?.max(1),
            "--seconds" => args.seconds = number(&value)?.max(1),
            "--stalled" => {
                args.stalled = value
                    .split(',')
                    .map(|v| number(v).map(|n| n as usize))
                    .collect::<Result<_, _>>()?;
            }
            "--entry" if ["axum", "standalone", "broadcast"].contains(&value.as_str()) => {
                args.entry = value;
            }
            _ => return Err(format!("unknown argument {flag} {value}")),
        }
    }
    Ok(args)
}

/// One round: a fresh server, every client connected, then the timed
/// window.
async fn round(args: &Args, stalled: usize) -> Result<String, Box<dyn std::error::Error>> {
    let server = Server::start(args)?;
    let url = server.url.clone();
    let rss_before = server.rss_kib()?;

    // Clients read from the moment they connect (no backlog when the
    // window opens) and record latencies only inside it.
    let samples = Arc::new(Mutex::new(Vec::<u32>::new()));
    let window = Arc::new(AtomicU8::new(BEFORE));
    let mut tasks = Vec::with_capacity(args.clients);
    for _ in 0..args.clients {
        let ws = connect(&url).await?;
        tasks.push(tokio::spawn(receive(
            ws,
            Arc::clone(&samples),
            Arc::clone(&window),
        )));
    }
    let mut stalls = Vec::with_capacity(stalled);
    for _ in 0..stalled {
        stalls.push(connect(&url).await?);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_after = server.rss_kib()?;
    let connections = (args.clients + stalled).max(1) as f64;
    let per_conn = (rss_after.saturating_sub(rss_before)) as f64 / connections;

    window.store(DURING, Ordering::Relaxed);
    let cpu_start = (
        server.cpu_ticks()?,
        procfs::cpu_ticks("self")?,
        Instant::now(),
    );
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    window.store(AFTER, Ordering::Relaxed);
    let elapsed = cpu_start.2.elapsed().as_secs_f64();
    let server_cpu = (server.cpu_ticks()? - cpu_start.0) as f64 / CLK_TCK / elapsed * 100.0;
    let client_cpu = (procfs::cpu_ticks("self")? - cpu_start.1) as f64 / CLK_TCK / elapsed * 100.0;
    // Each task hands in its samples at its next event.
    for task in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
    }

    // The stalled clients read what is waiting for them, to see how the
    // server ended them.
    let mut ends = std::collections::BTreeMap::<String, usize>::new();
    for ws in stalls {
        *ends.entry(stalled_end(ws).await).or_default() += 1;
    }
    server.stop();

    let mut samples = std::mem::take(&mut *samples.lock());
    samples.sort_unstable();
    let pct = |p: f64| -> f64 {
        if samples.is_empty() {
            return f64::NAN;
        }
        let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
        f64::from(samples[i]) / 1000.0
    };
    let ends: Vec<String> = ends.iter().map(|(k, n)| format!("{n}× {k}")).collect();
    Ok(format!(
        "{stalled:>7} {:>10} {:>8.2} {:>8.2} {:>8.2} {:>10.0}% {:>10.0}% {:>13.1}  {}",
        samples.len(),
        pct(0.50),
        pct(0.99),
        pct(1.0),
        server_cpu,
        client_cpu,
        per_conn,
        if ends.is_empty() {
            "-".to_owned()
        } else {
            ends.join(", ")
        }
    ))
}

/// A client, authenticated and subscribed to the errors channel.
async fn connect(url: &str) -> Result<Client, Box<dyn std::error::Error>> {
    Ok(connect_ws(url, &["errors"])
        .await
        .map_err(|e| e.to_string())?)
}

/// Reads every event; records the latency of those received while the
/// window is open, and hands them in when it closes.
async fn receive(mut ws: Client, samples: Arc<Mutex<Vec<u32>>>, window: Arc<AtomicU8>) {
    let mut mine = Vec::with_capacity(4096);
    while let Some(Ok(message)) = ws.next().await {
        match window.load(Ordering::Relaxed) {
            BEFORE => continue,
            DURING => {}
            _ => break,
        }
        if let Message::Text(text) = message
            && let Some(sent) = stamp(&text)
        {
            let latency_us = now_ns().saturating_sub(sent) / 1_000;
            mine.push(u32::try_from(latency_us).unwrap_or(u32::MAX));
        }
    }
    samples.lock().append(&mut mine);
}

/// The `sent_ns` stamp of an event, without a full JSON parse.
fn stamp(text: &str) -> Option<u64> {
    let at = text.find(r#""sent_ns":"#)? + r#""sent_ns":"#.len();
    let digits: &str = &text[at..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// The server child process.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    url: String,
}

impl Server {
    fn start(args: &Args) -> Result<Self, Box<dyn std::error::Error>> {
        let mut child = Command::new(std::env::current_exe()?)
            .env(SERVER_ENV, format!("{}:{}", args.entry, args.rate))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut first = String::new();
        BufReader::new(stdout).read_line(&mut first)?;
        let url = first
            .strip_prefix("url ")
            .map(|u| u.trim().to_owned())
            .ok_or_else(|| format!("server said {first:?}"))?;
        let stdin = child.stdin.take();
        Ok(Server { child, stdin, url })
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    fn rss_kib(&self) -> std::io::Result<u64> {
        procfs::rss_kib(&self.pid())
    }

    fn cpu_ticks(&self) -> std::io::Result<u64> {
        procfs::cpu_ticks(&self.pid())
    }

    fn stop(mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// The child: the monitor and its WebSocket, publishing at the rate until
/// its stdin closes.
fn serve(spec: &str) -> ExitCode {
    let (entry, rate) = spec.split_once(':').unwrap_or(("axum", "100"));
    let rate: u64 = rate.parse().unwrap_or(100).max(1);
    let Ok(runtime) = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    else {
        return ExitCode::FAILURE;
    };
    let entry = entry.to_owned();
    let result = runtime.block_on(async move {
        let monitor = Monitor::builder().start()?;
        let auth = MonitorAuth::new().admin(TOKEN).rate_limit(0);
        let url = if entry == "broadcast" {
            baseline::start(monitor.clone()).await?
        } else if entry == "standalone" {
            let server = WsBroadcaster::new(monitor.clone(), auth)
                .bind("127.0.0.1:0")
                .await?;
            let url = format!("ws://{}/?token={TOKEN}", server.local_addr());
            std::mem::forget(server);
            url
        } else {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let app = axum::Router::new().nest(
                "/monitor",
                RouterConfig::new().router(monitor.clone(), auth),
            );
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            tokio::spawn(async move { axum::serve(listener, app).await });
            format!("ws://{addr}/monitor/ws?token={TOKEN}")
        };
        println!("url {url}");
        std::io::stdout().flush()?;
        tokio::spawn(publish(monitor, rate));
        // Until the parent closes our stdin.
        tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            let _ = std::io::stdin().read_line(&mut sink);
        })
        .await?;
        Ok::<(), Box<dyn std::error::Error>>(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ws_fanout server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `rate` events per second, shaped like an `error:logged` of the demo.
async fn publish(monitor: Monitor, rate: u64) {
    let mut ticks = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rate));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let tenants = ["acme", "globex", "initech"];
    for n in 0u64.. {
        ticks.tick().await;
        let tenant = tenants[(n % 3) as usize];
        let data = json!({
            "sent_ns": now_ns(),
            "id": n,
            "service": "payments",
            "operation": "charge",
            "error_type": "Timeout",
            "severity": "high",
            "message": "upstream did not answer within 30 s; the charge was retried",
            "fingerprint": "47e695efb27423d1",
            "resolved": false,
            "acknowledged": false,
        });
        let event = MonitorEvent::new(
            "error:logged",
            Channel::Errors,
            Some(tenant),
            SystemTime::now(),
            EventData::Json(data),
        );
        monitor.bus().publish(event);
    }
}

/// The obvious alternative, measured in the same run: the bus's events
/// forwarded into a `tokio::sync::broadcast` channel (serialized once),
/// one task per connection awaiting the channel and sending each event.
mod baseline {
    use std::sync::Arc;

    use futures_util::{SinkExt, StreamExt};
    use monitor_core::Monitor;
    use monitor_core::bus::{Audience, ChannelSet};
    use tokio::net::TcpListener;
    use tokio::sync::broadcast;
    use tokio_tungstenite::tungstenite::Message;

    pub(super) async fn start(monitor: Monitor) -> Result<String, Box<dyn std::error::Error>> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, _) = broadcast::channel::<Arc<str>>(1024);
        let mut feed = monitor
            .bus()
            .subscribe(Audience::Operators, ChannelSet::all())?;
        let forward = tx.clone();
        tokio::spawn(async move {
            while let Some(event) = feed.recv().await {
                let _ = forward.send(Arc::from(event.json()));
            }
        });
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let _ = tcp.set_nodelay(true);
                let mut rx = tx.subscribe();
                tokio::spawn(async move {
                    let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                        return;
                    };
                    // The welcome frames the clients wait for.
                    for hello in ["{}", "{}"] {
                        if ws.send(Message::text(hello)).await.is_err() {
                            return;
                        }
                    }
                    loop {
                        tokio::select! {
                            event = rx.recv() => match event {
                                Ok(json) => {
                                    if ws.send(Message::text(&*json)).await.is_err() {
                                        return;
                                    }
                                }
                                Err(broadcast::error::RecvError::Lagged(_)) => {}
                                Err(broadcast::error::RecvError::Closed) => return,
                            },
                            frame = ws.next() => if frame.is_none() { return },
                        }
                    }
                });
            }
        });
        Ok(format!("ws://{addr}/"))
    }
}
