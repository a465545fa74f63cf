//! 20 MiB bodies, with a Content-Length and chunked without one: a JSON
//! 413 on every route, the server having read only a small part (its
//! connections count the bytes they read), and still serving.

use std::time::Duration;

use monitor_axum::DEFAULT_BODY_LIMIT;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::{Answer, Served, read_answer};
use crate::common::ADMIN;

const HUGE: usize = 20 * 1024 * 1024;

/// Most the server may read of a refused 20 MiB body: the limit plus its
/// read buffers, far below the body itself.
const READ_BOUND: u64 = 512 * 1024;

/// Every route, with a method it takes.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/monitor"),
    ("GET", "/monitor/assets/app.js"),
    ("GET", "/monitor/health"),
    ("GET", "/monitor/metrics"),
    ("GET", "/monitor/api/me"),
    ("GET", "/monitor/api/metrics"),
    ("GET", "/monitor/api/metrics/current"),
    ("GET", "/monitor/api/metrics/hourly"),
    ("GET", "/monitor/api/metrics/daily"),
    ("GET", "/monitor/api/metrics/sessions"),
    ("GET", "/monitor/api/events"),
    ("GET", "/monitor/api/events/buttons"),
    ("GET", "/monitor/api/errors"),
    ("GET", "/monitor/api/errors/stats"),
    ("GET", "/monitor/api/errors/unresolved"),
    ("POST", "/monitor/api/errors/1/resolve"),
    ("POST", "/monitor/api/errors/1/acknowledge"),
    ("GET", "/monitor/api/activities/call/active"),
    ("GET", "/monitor/api/activities/call/recent"),
    ("GET", "/monitor/api/activities/call/tree"),
    ("GET", "/monitor/api/stream"),
    ("GET", "/monitor/api/export"),
    ("GET", "/monitor/api/actions"),
    ("POST", "/monitor/api/actions/anything/run"),
    ("GET", "/monitor/api/audit"),
    ("GET", "/monitor/api/alerts/silences"),
    ("POST", "/monitor/api/alerts/silences"),
    ("DELETE", "/monitor/api/alerts/silences/1"),
    // `POST /api/snapshot` takes up to 64 MiB (its own limit, tested in
    // `snapshot.rs`); its GET has the API's.
    ("GET", "/monitor/api/snapshot"),
    ("GET", "/monitor/ws"),
    ("PUT", "/monitor/api/metrics"),
    ("POST", "/monitor/no/such/route"),
];

/// Sends the head of `method path` and then up to 20 MiB of body (framed
/// as chunks when `chunked`), reading the answer meanwhile. Returns the
/// answer and how many bytes the server read in the exchange.
async fn stream_huge(served: &Served, method: &str, path: &str, chunked: bool) -> (Answer, u64) {
    let before = served.bytes_read();
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {HUGE}")
    };
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Authorization: Bearer {ADMIN}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"
    );
    let stream = TcpStream::connect(served.addr).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let sending = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let piece = vec![b'x'; 64 * 1024];
        for _ in 0..HUGE / piece.len() {
            if chunked {
                writer
                    .write_all(format!("{:x}\r\n", piece.len()).as_bytes())
                    .await?;
                writer.write_all(&piece).await?;
                writer.write_all(b"\r\n").await?;
            } else {
                writer.write_all(&piece).await?;
            }
        }
        if chunked {
            writer.write_all(b"0\r\n\r\n").await?;
        }
        std::io::Result::Ok(())
    });
    let answer = read_answer(&mut reader).await;
    sending.abort();
    // Let the server's connection task see the end before counting.
    tokio::time::sleep(Duration::from_millis(50)).await;
    (answer, served.bytes_read() - before)
}

#[tokio::test]
async fn a_declared_20_mib_body_is_refused_on_every_route_before_it_is_read() {
    let served = Served::start().await;
    for (method, path) in ROUTES {
        let what = format!("{method} {path} with Content-Length: {HUGE}");
        // The head alone: the answer must come without a byte of body.
        let header = format!("Content-Length: {HUGE}\r\n");
        let answer = served
            .request(
                method.as_bytes(),
                path.as_bytes(),
                Some(ADMIN),
                header.as_bytes(),
                b"",
            )
            .await;
        answer.refused(&what, 413, "too_large", &DEFAULT_BODY_LIMIT.to_string());
    }
    // And with the body on its way: read only in small part.
    let (answer, read) = stream_huge(&served, "POST", "/monitor/api/errors/1/resolve", false).await;
    answer.refused("20 MiB sent", 413, "too_large", "65536");
    assert!(read < READ_BOUND, "the server read {read} bytes of it");
    served.still_serves().await;
}

#[tokio::test]
async fn a_chunked_20_mib_body_is_refused_after_the_limit() {
    let served = Served::start().await;
    for (method, path) in [
        ("POST", "/monitor/api/errors/1/resolve"),
        ("POST", "/monitor/api/actions/anything/run"),
        ("POST", "/monitor/api/alerts/silences"),
        ("GET", "/monitor/api/metrics"),
        ("GET", "/monitor/health"),
        ("GET", "/monitor/assets/app.js"),
    ] {
        let (answer, read) = stream_huge(&served, method, path, true).await;
        let what = format!("{method} {path}, 20 MiB chunked");
        answer.refused(&what, 413, "too_large", "65536");
        assert!(read < READ_BOUND, "{what}: the server read {read} bytes");
    }
    served.still_serves().await;
}

#[tokio::test]
async fn a_chunked_body_under_the_limit_is_read_and_ignored() {
    let served = Served::start().await;
    let body = vec![b'y'; DEFAULT_BODY_LIMIT - 1];
    let mut chunked = format!("{:x}\r\n", body.len()).into_bytes();
    chunked.extend_from_slice(&body);
    chunked.extend_from_slice(b"\r\n0\r\n\r\n");
    let answer = served
        .request(
            b"GET",
            b"/monitor/api/me",
            Some(ADMIN),
            b"Transfer-Encoding: chunked\r\n",
            &chunked,
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let answer = served
        .request(
            b"POST",
            b"/monitor/api/errors/1/resolve",
            Some(ADMIN),
            b"Transfer-Encoding: chunked\r\n",
            &chunked,
        )
        .await;
    answer.refused("resolve, body under the limit", 404, "not_found", "1");
    served.still_serves().await;
}

/// Framing hyper refuses before the router sees the request: a 400 of
/// hyper's own (no JSON body can come from the router), never a 5xx.
#[tokio::test]
async fn malformed_framing_is_a_4xx_and_the_server_stays() {
    let served = Served::start().await;
    for header in [
        &b"Content-Length: -1\r\n"[..],
        b"Content-Length: 1e30\r\n",
        b"Content-Length: 99999999999999999999999\r\n",
        b"Content-Length: 5\r\nContent-Length: 6\r\n",
        b"Transfer-Encoding: gzip\r\n",
        b"Transfer-Encoding: chunked\r\n",
    ] {
        let what = String::from_utf8_lossy(header).trim().to_owned();
        // A chunked body that is not: its size line is not hex.
        let answer = served
            .request(
                b"POST",
                b"/monitor/api/errors/1/resolve",
                Some(ADMIN),
                header,
                b"zz\r\nhello\r\n0\r\n\r\n",
            )
            .await;
        answer.not_5xx(&what);
        assert!(answer.status >= 400, "{what}: {answer:?}");
    }
    served.still_serves().await;
}
