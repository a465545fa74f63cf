//! What the WebSocket tests share: both entry points served on
//! 127.0.0.1, a tokio-tungstenite client that reads with a deadline, and
//! events to publish.
//!
//! Deadlines only keep a broken test from hanging; no test asserts how
//! fast anything happens.

use std::collections::{BTreeSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, SystemTime};

use axum::Router;
use futures_util::{SinkExt, StreamExt};
use monitor_axum::RouterConfig;
use monitor_axum::monitor_ws::{WsBroadcaster, WsConfig, WsServer, WsStats};
use monitor_core::Monitor;
use monitor_core::bus::{Channel, EventData, MonitorEvent};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, timeout};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::common::auth;

/// Longest wait for anything the test expects; far above what any step
/// needs, so only a hang trips it.
pub const DEADLINE: Duration = Duration::from_secs(5);

/// Longest a loop of reads may take in all (a stream of frames that never
/// brings the awaited one must fail, not spin).
pub const OVERALL: Duration = Duration::from_secs(15);

/// Every channel, as a `?channels=` value.
pub const ALL_CHANNELS: &str = "metrics,messages,errors,calls,health,queue,alerts";

/// The two ways the protocol is served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// `WsBroadcaster::bind`: `ws://{addr}/`.
    Standalone,
    /// monitor-axum's `/ws`, nested at `/monitor`: `ws://{addr}/monitor/ws`.
    Axum,
}

impl Entry {
    pub const ALL: [Entry; 2] = [Entry::Standalone, Entry::Axum];
}

/// A monitor whose periodic `metrics:update` stays out of the way (tests
/// publish their own).
pub fn monitor() -> Monitor {
    monitor_with_queue(monitor_core::bus::DEFAULT_QUEUE)
}

/// Same, with `queue` places per connection on the bus.
pub fn monitor_with_queue(queue: usize) -> Monitor {
    Monitor::builder()
        .metrics_interval(Duration::from_secs(3600))
        .bus_limits(queue, 1_000)
        .start()
        .expect("inside a tokio runtime")
}

/// One entry point serving `monitor` on 127.0.0.1.
pub struct Server {
    pub entry: Entry,
    addr: SocketAddr,
    standalone: Option<WsServer>,
}

impl Server {
    pub async fn start(entry: Entry, monitor: &Monitor, config: WsConfig) -> Server {
        match entry {
            Entry::Standalone => {
                let server = WsBroadcaster::with_config(monitor.clone(), auth(), config)
                    .bind("127.0.0.1:0")
                    .await
                    .expect("binds 127.0.0.1:0");
                Server {
                    entry,
                    addr: server.local_addr(),
                    standalone: Some(server),
                }
            }
            Entry::Axum => {
                let routes = RouterConfig::new()
                    .websocket(config)
                    .router(monitor.clone(), auth());
                let app: Router = Router::new().nest("/monitor", routes);
                let listener = TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("binds 127.0.0.1:0");
                let addr = listener.local_addr().expect("local address");
                tokio::spawn(async move { axum::serve(listener, app).await });
                Server {
                    entry,
                    addr,
                    standalone: None,
                }
            }
        }
    }

    /// monitor-axum's router with `auth` (not the shared four tokens)
    /// serving `monitor` on 127.0.0.1, WebSocket at `/monitor/ws`.
    pub async fn axum_with(monitor: &Monitor, auth: monitor_axum::MonitorAuth) -> Server {
        let routes = RouterConfig::new().router(monitor.clone(), auth);
        let app: Router = Router::new().nest("/monitor", routes);
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Server {
            entry: Entry::Axum,
            addr,
            standalone: None,
        }
    }

    /// The WebSocket URL with `query` (may be empty).
    pub fn url(&self, query: &str) -> String {
        let base = match self.entry {
            Entry::Standalone => format!("ws://{}/", self.addr),
            Entry::Axum => format!("ws://{}/monitor/ws", self.addr),
        };
        if query.is_empty() {
            base
        } else {
            format!("{base}?{query}")
        }
    }

    /// The router's HTTP base URL (axum entry only).
    pub fn http_base(&self) -> String {
        assert_eq!(self.entry, Entry::Axum, "only the axum entry serves HTTP");
        format!("http://{}/monitor", self.addr)
    }

    /// The standalone broadcaster's figures (`None` for axum, whose
    /// figures are on `/metrics`).
    pub fn stats(&self) -> Option<WsStats> {
        self.standalone.as_ref().map(|s| s.broadcaster().stats())
    }

    /// A connection with `query`, upgraded, nothing read yet.
    pub async fn connect(&self, query: &str) -> Client {
        let request = self
            .url(query)
            .into_client_request()
            .expect("a valid ws:// URL");
        self.connect_request(request).await
    }

    /// A connection made with `request` (extra headers and all).
    pub async fn connect_request(&self, request: Request) -> Client {
        let (ws, response) = timeout(DEADLINE, connect_async(request))
            .await
            .expect("the upgrade is answered within the deadline")
            .unwrap_or_else(|e| panic!("{:?}: upgrade refused: {e}", self.entry));
        assert_eq!(response.status(), 101);
        Client {
            ws,
            backlog: VecDeque::new(),
            pings: 0,
        }
    }

    /// A connection authenticated with `?token=` and starting on
    /// `channels` (comma-separated, may be empty), past its
    /// `authenticated` frame.
    pub async fn open(&self, token: &str, channels: &str) -> Client {
        let query = if channels.is_empty() {
            format!("token={token}")
        } else {
            format!("token={token}&channels={channels}")
        };
        let mut client = self.connect(&query).await;
        let hello = client.reply().await;
        assert_eq!(hello["type"], "authenticated", "{:?}: {hello}", self.entry);
        client
    }

    /// The HTTP answer to an upgrade that must be refused: status and
    /// JSON body (`Null` when there is none).
    pub async fn refused(&self, query: &str) -> (u16, Value) {
        let attempt = timeout(DEADLINE, connect_async(self.url(query)))
            .await
            .expect("the upgrade is answered within the deadline");
        match attempt {
            Err(WsError::Http(response)) => {
                let body = response
                    .body()
                    .as_deref()
                    .and_then(|b| serde_json::from_slice(b).ok())
                    .unwrap_or(Value::Null);
                (response.status().as_u16(), body)
            }
            Err(other) => panic!(
                "{:?} {query}: expected an HTTP refusal, got {other}",
                self.entry
            ),
            Ok(_) => panic!("{:?} {query}: the upgrade was accepted", self.entry),
        }
    }
}

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A client connection and what it read ahead.
pub struct Client {
    ws: Socket,
    /// Bus events read while looking for a protocol reply.
    backlog: VecDeque<Value>,
    /// Server pings seen (tokio-tungstenite answers them while reading).
    pub pings: usize,
}

/// How a connection ended, as the client saw it.
#[derive(Debug)]
pub struct Ended {
    /// The close frame's code, if the server sent one.
    pub code: Option<u16>,
    /// JSON frames read before the end (backlog included).
    pub frames: Vec<Value>,
}

impl Client {
    /// The socket itself, for tests that must not poll it for a while.
    pub fn socket(&mut self) -> &mut Socket {
        &mut self.ws
    }

    pub async fn send(&mut self, frame: Value) {
        self.send_message(Message::text(frame.to_string())).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.send_message(Message::text(text)).await;
    }

    pub async fn send_message(&mut self, message: Message) {
        timeout(DEADLINE, self.ws.send(message))
            .await
            .expect("sent within the deadline")
            .expect("the connection is open");
    }

    /// The next message off the socket; `None` when the stream ended.
    async fn raw(&mut self) -> Option<Result<Message, WsError>> {
        timeout(DEADLINE, self.ws.next())
            .await
            .expect("a frame (or the end) within the deadline")
    }

    /// The next JSON text frame off the socket, counting pings.
    async fn read_json(&mut self) -> Value {
        loop {
            match self.raw().await {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(&text).expect("text frames are JSON");
                }
                Some(Ok(Message::Ping(_))) => self.pings += 1,
                Some(Ok(Message::Pong(_) | Message::Frame(_))) => {}
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// The next JSON frame, read-ahead events first.
    pub async fn frame(&mut self) -> Value {
        match self.backlog.pop_front() {
            Some(v) => v,
            None => self.read_json().await,
        }
    }

    /// The next protocol reply (`authenticated`, `subscribed`, `pong`,
    /// `error`, `lagged`); bus events read on the way are kept for
    /// [`event`](Self::event).
    pub async fn reply(&mut self) -> Value {
        let end = Instant::now() + OVERALL;
        loop {
            assert!(Instant::now() < end, "no reply, only events");
            let v = self.read_json().await;
            if is_event(&v) {
                self.backlog.push_back(v);
            } else {
                return v;
            }
        }
    }

    /// The next bus event; any protocol frame instead fails the test.
    pub async fn event(&mut self) -> Value {
        let v = self.frame().await;
        assert!(is_event(&v), "expected a bus event, got {v}");
        v
    }

    /// Bus events up to and including the first one `last` accepts.
    pub async fn events_until(&mut self, last: impl Fn(&Value) -> bool) -> Vec<Value> {
        let (mut events, end) = (Vec::new(), Instant::now() + OVERALL);
        loop {
            assert!(
                Instant::now() < end,
                "not the awaited event after {} others",
                events.len()
            );
            let v = self.event().await;
            let done = last(&v);
            events.push(v);
            if done {
                return events;
            }
        }
    }

    /// Sends `{"type":"ping"}` and waits for the `pong`.
    pub async fn ping(&mut self) {
        self.send(json!({"type": "ping"})).await;
        let pong = self.reply().await;
        assert_eq!(pong["type"], "pong", "{pong}");
    }

    /// Waits for an `error` frame and checks its code and message.
    pub async fn expect_error(&mut self, code: &str) -> Value {
        let e = self.reply().await;
        assert_eq!(e["type"], "error", "{e}");
        assert_eq!(e["data"]["code"], code, "{e}");
        assert!(
            e["data"]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{e}"
        );
        e
    }

    /// Reads until the connection ends: by a close frame (its code) or by
    /// the socket ending without one.
    pub async fn ended(&mut self) -> Ended {
        let mut frames: Vec<Value> = self.backlog.drain(..).collect();
        let end = Instant::now() + OVERALL;
        loop {
            assert!(Instant::now() < end, "the connection did not end");
            match self.raw().await {
                Some(Ok(Message::Close(frame))) => {
                    return Ended {
                        code: frame.map(|f| u16::from(f.code)),
                        frames,
                    };
                }
                Some(Ok(Message::Text(text))) => {
                    frames.push(serde_json::from_str(&text).expect("text frames are JSON"));
                }
                Some(Ok(Message::Ping(_))) => self.pings += 1,
                Some(Ok(_)) => {}
                None | Some(Err(_)) => return Ended { code: None, frames },
            }
        }
    }

    /// Reads until a close frame and returns its code; the connection
    /// ending without one fails the test.
    pub async fn close_code(&mut self) -> (u16, Vec<Value>) {
        let ended = self.ended().await;
        let code = ended
            .code
            .unwrap_or_else(|| panic!("ended without a close code; read {:?}", ended.frames));
        (code, ended.frames)
    }

    /// Closes from the client side and reads to the end.
    pub async fn close(mut self) {
        let _ = timeout(DEADLINE, self.ws.close(None)).await;
        let _ = self.ended().await;
    }
}

/// Whether `frame` is a bus event (`kind:action`) rather than a protocol
/// reply.
pub fn is_event(frame: &Value) -> bool {
    frame["type"].as_str().is_some_and(|t| t.contains(':'))
}

/// The test's own tag on an event, when it has one.
pub fn tag(frame: &Value) -> Option<&str> {
    frame["data"]["tag"].as_str()
}

/// An event whose data is `data`.
pub fn event(
    kind: &'static str,
    channel: Channel,
    client: Option<&str>,
    data: Value,
) -> MonitorEvent {
    MonitorEvent::new(
        kind,
        channel,
        client,
        SystemTime::now(),
        EventData::Json(data),
    )
}

/// Publishes an event tagged `tag` on the monitor's bus.
pub fn publish(
    monitor: &Monitor,
    kind: &'static str,
    channel: Channel,
    client: Option<&str>,
    tag: &str,
) {
    monitor
        .bus()
        .publish(event(kind, channel, client, json!({ "tag": tag })));
}

/// The channel names of a `subscribed` or `authenticated` frame.
pub fn channels(frame: &Value) -> BTreeSet<String> {
    frame["data"]["channels"]
        .as_array()
        .unwrap_or_else(|| panic!("no channel list in {frame}"))
        .iter()
        .map(|c| c.as_str().expect("channel names are strings").to_owned())
        .collect()
}

/// A set of channel names.
pub fn set<const N: usize>(names: [&str; N]) -> BTreeSet<String> {
    names.into_iter().map(str::to_owned).collect()
}

/// Polls `check` until it holds or the deadline passes.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !check() {
        assert!(Instant::now() < deadline, "not within the deadline: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Reads `client` until every event published before this call that is
/// going to reach it has: returns those events, its own markers left out.
///
/// Publishes a marker (`alert:sent` for `tenant`; the client must be on
/// `alerts` and admitted to `tenant`), reads up to it, then publishes a
/// second and reads up to that. An event published before the first
/// marker was queued before it; if it was in a latest-wins slot, the
/// writer took it in the same batch as the first marker (queued events
/// first, then the slots), so it is written before the second marker can
/// be.
pub async fn drain(client: &mut Client, monitor: &Monitor, tenant: &str) -> Vec<Value> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut events = Vec::new();
    for _ in 0..2 {
        let marker = format!("sync:{}", NEXT.fetch_add(1, Relaxed));
        publish(
            monitor,
            "alert:sent",
            Channel::Alerts,
            Some(tenant),
            &marker,
        );
        events.extend(client.events_until(|v| tag(v) == Some(&marker)).await);
    }
    events.retain(|v| !tag(v).is_some_and(|t| t.starts_with("sync:")));
    events
}

/// The tags of `events` (untagged ones left out).
pub fn tags(events: &[Value]) -> BTreeSet<String> {
    events.iter().filter_map(tag).map(str::to_owned).collect()
}
