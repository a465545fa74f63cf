//! Hostile input against every route, over a real socket on 127.0.0.1
//! (issue 8, point 4): oversized and chunked bodies, bytes that are not
//! UTF-8, NUL and lone surrogates, deep JSON, huge and malformed query
//! strings, traversal against the dashboard's files, and WebSocket frames
//! built to exhaust memory.
//!
//! Requests are written byte for byte (`raw`), not through an HTTP
//! client: reqwest and tungstenite refuse or normalise most of these
//! inputs before they leave the test. Every case checks that the answer is
//! a 4xx `{"error":{"code","message"}}` naming the problem (or a 2xx where
//! the input is legal), never a 5xx, and that the server answers the next
//! request.
//!
//! The server counts the bytes it reads off each connection
//! ([`Served::bytes_read`]), which is how the body tests show a 20 MiB body
//! was refused without being read. (Measuring VmRSS/VmHWM would be noisier
//! here: the tests of this binary run in parallel in one process.)

mod assets;
mod bodies;
mod json_bodies;
mod json_depth;
mod queries;
mod text;
mod ws;

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use monitor_axum::router;
use monitor_core::Monitor;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

use crate::common::{ADMIN, auth};

/// Longest any exchange may take; only a hang trips it.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// The router nested at `/monitor`, served on 127.0.0.1 through a
/// listener that counts what it reads.
pub struct Served {
    pub addr: SocketAddr,
    pub monitor: Monitor,
    read: Arc<AtomicU64>,
}

impl Served {
    pub async fn start() -> Served {
        Served::with(Monitor::builder().start().expect("runtime")).await
    }

    /// [`start`](Self::start) for a monitor of the test's own.
    pub async fn with(monitor: Monitor) -> Served {
        let app: Router = Router::new().nest("/monitor", router(monitor.clone(), auth()));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let read = Arc::new(AtomicU64::new(0));
        let counting = Counting {
            inner: listener,
            read: read.clone(),
        };
        tokio::spawn(async move { axum::serve(counting, app).await });
        Served {
            addr,
            monitor,
            read,
        }
    }

    /// Bytes the server has read off all its connections so far.
    pub fn bytes_read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    /// `GET target` (raw bytes: anything may be in it) with an optional
    /// bearer token.
    pub async fn get(&self, target: &[u8], token: Option<&str>) -> Answer {
        self.request(b"GET", target, token, &[], b"").await
    }

    /// A request of `method` on `target` with extra header lines (each
    /// ending in CRLF) and `body` (sent as is; give a Content-Length in
    /// `headers` when it has one).
    pub async fn request(
        &self,
        method: &[u8],
        target: &[u8],
        token: Option<&str>,
        headers: &[u8],
        body: &[u8],
    ) -> Answer {
        let mut req = Vec::with_capacity(256 + target.len() + body.len());
        req.extend_from_slice(method);
        req.push(b' ');
        req.extend_from_slice(target);
        req.extend_from_slice(b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        if let Some(t) = token {
            req.extend_from_slice(format!("Authorization: Bearer {t}\r\n").as_bytes());
        }
        req.extend_from_slice(headers);
        req.extend_from_slice(b"\r\n");
        req.extend_from_slice(body);
        exchange(self.addr, &req).await
    }

    /// The server still answers an ordinary request, and nothing was
    /// recorded by the hostile ones.
    pub async fn still_serves(&self) {
        let me = self.get(b"/monitor/api/me", Some(ADMIN)).await;
        assert_eq!(me.status, 200, "after hostile input: {me:?}");
        assert_eq!(me.json()["role"], "admin");
        let errors = self.get(b"/monitor/api/errors", Some(ADMIN)).await;
        assert_eq!(errors.json()["total"], 0, "nothing was logged as an error");
        let stats = self.monitor.collector().current_stats();
        assert_eq!(stats.messages.total, 0, "no message was recorded");
    }
}

/// An HTTP answer as read off the wire.
pub struct Answer {
    pub status: u16,
    /// The status line and header lines.
    pub head: String,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body = String::from_utf8_lossy(&self.body);
        let body: String = body.chars().take(300).collect();
        write!(f, "{} {body:?}", self.head.trim_end())
    }
}

impl Answer {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The body as JSON; anything else fails the test.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("expected a JSON body ({e}): {self:?}"))
    }

    /// Never a 5xx.
    pub fn not_5xx(&self, what: &str) {
        assert!(
            (100..500).contains(&self.status),
            "{what}: a server error: {self:?}"
        );
    }

    /// A refusal with `status` and the ApiError shape: `code`, and a
    /// message containing `mentions`.
    pub fn refused(&self, what: &str, status: u16, code: &str, mentions: &str) {
        assert_eq!(self.status, status, "{what}: {self:?}");
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{what}: {self:?}"
        );
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(mentions),
            "{what}: the message should mention {mentions:?}: {body}"
        );
    }
}

/// Writes `request` on a new connection and reads the answer to the end
/// (every request says `Connection: close`).
pub async fn exchange(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    // The server may answer and close before it read everything (that is
    // what a refusal should do): a failed write is not the test's verdict,
    // the answer is.
    let _ = timeout(DEADLINE, stream.write_all(request)).await;
    read_answer(&mut stream).await
}

/// Reads one answer until the server closes the connection.
pub async fn read_answer(stream: &mut (impl AsyncRead + Unpin)) -> Answer {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match timeout(DEADLINE, stream.read(&mut buf))
            .await
            .expect("the answer within the deadline")
        {
            Ok(0) | Err(_) => break,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
        }
    }
    parse(&bytes)
}

fn parse(bytes: &[u8]) -> Answer {
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP head in {:?}", String::from_utf8_lossy(bytes)));
    let head = String::from_utf8_lossy(&bytes[..split + 2]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    let mut answer = Answer {
        status,
        head,
        body: bytes[split + 4..].to_vec(),
    };
    if answer
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        answer.body = dechunk(&answer.body);
    }
    answer
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&rest[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next()?.trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        let end = (start + size).min(rest.len());
        out.extend_from_slice(&rest[start..end]);
        rest = rest.get(end + 2..).unwrap_or_default();
    }
    out
}

/// A TCP listener whose connections count the bytes the server reads.
struct Counting {
    inner: TcpListener,
    read: Arc<AtomicU64>,
}

impl axum::serve::Listener for Counting {
    type Io = CountingIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (CountingIo, SocketAddr) {
        loop {
            if let Ok((inner, addr)) = self.inner.accept().await {
                let read = self.read.clone();
                return (CountingIo { inner, read }, addr);
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// A server-side connection that counts what is read off it.
pub struct CountingIo {
    inner: TcpStream,
    read: Arc<AtomicU64>,
}

impl AsyncRead for CountingIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let got = buf.filled().len() - before;
        self.read.fetch_add(got as u64, Ordering::Relaxed);
        polled
    }
}

impl AsyncWrite for CountingIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
