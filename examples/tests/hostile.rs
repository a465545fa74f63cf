//! Hostile input against the demo bot's webhooks (issue 8, point 4), on a
//! real socket with requests written byte for byte (an HTTP client would
//! refuse or repair most of them): 20 MiB bodies with and without a
//! Content-Length, bytes that are not UTF-8, NUL, lone surrogates, deep
//! JSON, thousands of keys, numbers out of range.
//!
//! Every refusal is a 4xx `{"error":{"code","message"}}` whose message
//! names the field (`body` for the body as a whole), never a 5xx; the bot
//! answers the next request; the monitor holds exactly what the accepted
//! requests recorded. The bot's connections count the bytes they read, so
//! the body tests show a 20 MiB body is refused after at most a small part
//! of it was read (process RSS would be a noisier measure: the tests of
//! this binary share one process and run in parallel).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use monitor_axum::{MonitorAuth, router};
use monitor_core::Monitor;
use monitor_core::errors::ErrorQuery;
use monitor_examples::webhooks::{MAX_BODY_BYTES, webhooks};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const DEADLINE: Duration = Duration::from_secs(10);
const HUGE: usize = 20 * 1024 * 1024;
/// Most the bot may read of a refused 20 MiB body.
const READ_BOUND: u64 = 512 * 1024;
const ROUTES: [&str; 3] = ["/webhook/message", "/webhook/call", "/webhook/error"];

/// The bot's app (monitor nested, webhooks merged) on 127.0.0.1, through
/// a listener whose connections count what they read.
struct Bot {
    addr: SocketAddr,
    monitor: Monitor,
    read: Arc<AtomicU64>,
}

impl Bot {
    async fn start() -> Bot {
        let monitor = Monitor::builder().start().expect("runtime");
        let app: Router = Router::new()
            .nest(
                "/monitor",
                router(monitor.clone(), MonitorAuth::new().admin("admin")),
            )
            .merge(webhooks(monitor.clone()));
        let inner = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = inner.local_addr().expect("addr");
        let read = Arc::new(AtomicU64::new(0));
        let listener = Counting {
            inner,
            read: read.clone(),
        };
        tokio::spawn(async move { axum::serve(listener, app).await });
        Bot {
            addr,
            monitor,
            read,
        }
    }

    /// `POST path` with a JSON content type and `body` as is.
    async fn post(&self, path: &str, body: &[u8]) -> Answer {
        let mut req = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(body);
        let mut stream = TcpStream::connect(self.addr).await.expect("connect");
        let _ = timeout(DEADLINE, stream.write_all(&req)).await;
        read_answer(&mut stream).await
    }

    /// Head of a 20 MiB POST, then the body in 64 KiB pieces while the
    /// answer is read; the answer and the bytes the bot read meanwhile.
    async fn post_huge(&self, path: &str, chunked: bool) -> (Answer, u64) {
        let before = self.read.load(Ordering::Relaxed);
        let framing = if chunked {
            "Transfer-Encoding: chunked".to_owned()
        } else {
            format!("Content-Length: {HUGE}")
        };
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
             Content-Type: application/json\r\n{framing}\r\n\r\n"
        );
        let stream = TcpStream::connect(self.addr).await.expect("connect");
        let (mut reader, mut writer) = stream.into_split();
        let sending = tokio::spawn(async move {
            writer.write_all(head.as_bytes()).await?;
            let piece = vec![b' '; 64 * 1024];
            for _ in 0..HUGE / piece.len() {
                if chunked {
                    writer.write_all(b"10000\r\n").await?;
                    writer.write_all(&piece).await?;
                    writer.write_all(b"\r\n").await?;
                } else {
                    writer.write_all(&piece).await?;
                }
            }
            io::Result::Ok(())
        });
        let answer = read_answer(&mut reader).await;
        sending.abort();
        tokio::time::sleep(Duration::from_millis(50)).await;
        (answer, self.read.load(Ordering::Relaxed) - before)
    }

    /// Still answering, and holding `messages` messages and `errors`
    /// logged errors.
    async fn holds(&self, messages: u64, errors: usize) {
        let ok = self
            .post(
                "/webhook/call",
                br#"{"event":"call_analyzed","call_id":"nope","client_id":"acme"}"#,
            )
            .await;
        ok.refused("after hostile input", 404, "not_found", "");
        let stats = self.monitor.collector().current_stats();
        assert_eq!(stats.messages.total, messages, "messages recorded");
        let logged = self.monitor.errors().query(&ErrorQuery::default()).total;
        assert_eq!(logged, errors, "errors logged");
    }
}

struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body: String = String::from_utf8_lossy(&self.body)
            .chars()
            .take(300)
            .collect();
        write!(f, "{} {body:?}", self.head.trim_end())
    }
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("expected a JSON body ({e}): {self:?}"))
    }

    /// `status`, the ApiError shape with `code`, a message starting with
    /// `field`.
    fn refused(&self, what: &str, status: u16, code: &str, field: &str) {
        assert_eq!(self.status, status, "{what}: {self:?}");
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            !message.is_empty() && message.starts_with(field),
            "{what}: the message should name {field:?}: {body}"
        );
    }
}

async fn read_answer(stream: &mut (impl AsyncRead + Unpin)) -> Answer {
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
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP head in {:?}", String::from_utf8_lossy(&bytes)));
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    // The webhooks' answers are JSON with a Content-Length, not chunked.
    Answer {
        status,
        head,
        body: bytes[split + 4..].to_vec(),
    }
}

/// Valid bodies with `hole` in place of one string value (raw bytes, so
/// anything may go there), one per route.
fn with_hole(path: &str, hole: &[u8]) -> Vec<u8> {
    let template: &[u8] = match path {
        "/webhook/message" => br#"{"client_id":"acme","user_id":"u1","user_name":"Ada","text":"HOLE"}"#,
        "/webhook/call" => br#"{"event":"call_started","call_id":"HOLE","client_id":"acme"}"#,
        _ => br#"{"service":"crm","operation":"sync","error_type":"Timeout","message":"HOLE","client_id":"acme"}"#,
    };
    let at = template
        .windows(4)
        .position(|w| w == b"HOLE")
        .expect("a hole");
    [&template[..at], hole, &template[at + 4..]].concat()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_mib_bodies_are_413_without_being_read() {
    let bot = Bot::start().await;
    for path in ROUTES {
        for chunked in [false, true] {
            let what = format!("{path}, 20 MiB, chunked: {chunked}");
            let (answer, read) = bot.post_huge(path, chunked).await;
            answer.refused(&what, 413, "too_large", "the body");
            let message = answer.json()["error"]["message"].to_string();
            assert!(message.contains(&MAX_BODY_BYTES.to_string()), "{what}");
            assert!(read < READ_BOUND, "{what}: the bot read {read} bytes");
        }
    }
    bot.holds(0, 0).await;
}

#[tokio::test]
async fn text_that_is_not_utf8_or_holds_nul_or_surrogates_is_400() {
    let bot = Bot::start().await;
    for path in ROUTES {
        for hole in [
            &b"\xff\xfe"[..],
            b"\xc3\x28",            // a lead byte without its continuation
            b"\xc0\xaf",            // overlong `/`
            b"\xe0\x80\xae",        // overlong `.`
            b"\xed\xa0\x80",        // a surrogate half, UTF-8 encoded
            b"\xf4\x90\x80\x80",    // past U+10FFFF
            b"a\0b",                // a raw NUL inside a string
            b"line\nbreak",         // a raw control character
            br"\ud800",             // a lone leading surrogate escape
            br"\udc00",             // a lone trailing surrogate escape
            br"\ud800\u0041",       // a leading surrogate, then not a trail
            br"\ud83d\ude00\ud800", // a valid pair, then a lone one
            br"\x41",               // not a JSON escape
            br"\u00",               // a short escape
        ] {
            let what = format!("{path} {:?}", String::from_utf8_lossy(hole));
            let answer = bot.post(path, &with_hole(path, hole)).await;
            answer.refused(&what, 400, "invalid_parameter", "body: not valid JSON");
        }
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(&with_hole(path, b"x"));
        let answer = bot.post(path, &bom).await;
        answer.refused("a byte-order mark", 400, "invalid_parameter", "body");
    }
    bot.holds(0, 0).await;
}

#[tokio::test]
async fn escaped_nul_is_refused_in_ids_and_kept_out_of_the_error_log() {
    let bot = Bot::start().await;
    for (path, body, field) in [
        (
            "/webhook/message",
            json!({"client_id": "ac\u{0}me", "user_id": "u1", "user_name": "Ada", "text": "hi"}),
            "client_id",
        ),
        (
            "/webhook/message",
            json!({"client_id": "acme", "user_id": "\u{0}", "user_name": "Ada", "text": "hi"}),
            "user_id",
        ),
        (
            "/webhook/call",
            json!({"event": "call_started", "call_id": "c\u{0}1", "client_id": "acme"}),
            "call_id",
        ),
        (
            "/webhook/call",
            json!({"event": "call_started\u{0}", "call_id": "c1", "client_id": "acme"}),
            "event",
        ),
        (
            "/webhook/error",
            json!({"service": "crm\u{0}", "operation": "sync", "error_type": "Timeout",
                   "message": "m", "client_id": "acme"}),
            "service",
        ),
    ] {
        let answer = bot.post(path, body.to_string().as_bytes()).await;
        answer.refused(&body.to_string(), 400, "invalid_parameter", field);
    }
    // In free text NUL is legal JSON: accepted, and the error log keeps
    // no control character.
    let body = json!({"service": "crm", "operation": "sync", "error_type": "Timeout",
                      "message": "bad\u{0}byte\u{7}", "client_id": "acme"});
    let answer = bot
        .post("/webhook/error", body.to_string().as_bytes())
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let page = bot.monitor.errors().query(&ErrorQuery::default());
    let logged = &page.errors[0].message;
    assert!(!logged.chars().any(char::is_control), "{logged:?}");
    bot.holds(0, 1).await;
}

#[tokio::test]
async fn deep_json_is_400_and_the_bot_stays() {
    let bot = Bot::start().await;
    let deep = |open: &str, close: &str, depth: usize| {
        format!("{}{}", open.repeat(depth), close.repeat(depth))
    };
    for path in ROUTES {
        // In place of a string: 20 000 arrays, 5 000 objects.
        let objects = format!("{}1{}", "{\"a\":".repeat(5_000), "}".repeat(5_000));
        for hole in [deep("[", "]", 20_000), objects] {
            let body = String::from_utf8(with_hole(path, b"HOLE"))
                .expect("utf-8")
                .replace("\"HOLE\"", &hole);
            assert!(body.len() < MAX_BODY_BYTES);
            let answer = bot.post(path, body.as_bytes()).await;
            answer.refused(path, 400, "invalid_parameter", "body: not valid JSON");
        }
        // Deep inside a field nobody reads: the body is still refused
        // whole (the parser's depth limit), not half-read.
        let mut valid: Value = serde_json::from_slice(&with_hole(path, b"x")).expect("json");
        valid["extra"] = json!("PLACEHOLDER");
        let body = valid
            .to_string()
            .replace("\"PLACEHOLDER\"", &deep("[", "]", 20_000));
        assert!(body.len() < MAX_BODY_BYTES);
        let answer = bot.post(path, body.as_bytes()).await;
        answer.refused(path, 400, "invalid_parameter", "body: not valid JSON");
        let message = answer.json()["error"]["message"].to_string();
        assert!(message.contains("recursion limit"), "{message}");
        // Unclosed, 60 000 deep.
        let answer = bot.post(path, "[".repeat(60_000).as_bytes()).await;
        answer.refused(path, 400, "invalid_parameter", "body: not valid JSON");
    }
    bot.holds(0, 0).await;
}

#[tokio::test]
async fn thousands_of_keys_and_numbers_out_of_range() {
    let bot = Bot::start().await;
    // 4 000 unknown keys beside the fields: legal, under the body limit,
    // read and ignored.
    let mut body: Value =
        serde_json::from_slice(&with_hole("/webhook/message", b"hi")).expect("json");
    for i in 0..4_000 {
        body[format!("k{i}")] = json!(i);
    }
    let body = body.to_string();
    assert!(body.len() < MAX_BODY_BYTES);
    let answer = bot.post("/webhook/message", body.as_bytes()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    // A repeated key: the last one counts (serde_json's rule), nothing
    // is recorded twice.
    let answer = bot
        .post(
            "/webhook/message",
            br#"{"client_id":"acme","user_id":"u1","user_id":"u2","user_name":"A","text":"t"}"#,
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    for duration in ["-1", "1e30", "18446744073709551616", "1.5", "\"abc\"", "[]"] {
        let body = format!(
            r#"{{"event":"call_ended","call_id":"c1","client_id":"acme","duration_ms":{duration}}}"#
        );
        let answer = bot.post("/webhook/call", body.as_bytes()).await;
        answer.refused(&body, 400, "invalid_parameter", "duration_ms");
    }
    for text in ["1e30", "-1", "null", "{}"] {
        let body =
            format!(r#"{{"client_id":"acme","user_id":"u1","user_name":"A","text":{text}}}"#);
        let answer = bot.post("/webhook/message", body.as_bytes()).await;
        answer.refused(&body, 400, "invalid_parameter", "text");
    }
    bot.holds(2, 0).await;
}

/// A TCP listener whose connections count the bytes the bot reads.
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

struct CountingIo {
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
