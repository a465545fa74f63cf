//! The email sink against a local SMTP stand-in on 127.0.0.1: a small
//! tokio server speaking enough SMTP (EHLO, MAIL, RCPT, DATA, QUIT) that
//! records envelopes and messages and answers DATA as told. What arrives
//! (firing and resolved, several recipients), 4xx retried, 5xx not, a
//! relay that is down or never answers.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use monitor_core::alerts::sinks::{EmailConfigError, EmailSink, SmtpTls};
use monitor_core::alerts::{AlertHandle, AlertRouter, RetryPolicy, Route};
use monitor_core::errors::{ErrorEvent, ErrorLog, Severity};

use crate::support::until;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One message as the relay got it.
#[derive(Clone, Debug, Default)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: String,
}

/// How the stand-in answers.
#[derive(Clone, Copy, Debug)]
enum Relay {
    /// DATA answered with these codes in turn (then 250).
    Answers(&'static [u16]),
    /// Accepts connections and never says a word.
    Silent,
}

struct StandIn {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl StandIn {
    async fn start(relay: Relay) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
        let (shared, attempts) = (Arc::clone(&mails), Arc::new(Mutex::new(0usize)));
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (mails, attempts) = (Arc::clone(&shared), Arc::clone(&attempts));
                tokio::spawn(async move {
                    match relay {
                        Relay::Silent => {
                            let _hold = stream;
                            std::future::pending::<()>().await;
                        }
                        Relay::Answers(codes) => {
                            let _ = session(stream, codes, &mails, &attempts).await;
                        }
                    }
                });
            }
        });
        StandIn { port, mails }
    }

    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().expect("not poisoned").clone()
    }
}

/// One SMTP conversation; every DATA is recorded, then answered with the
/// next code of `codes`.
async fn session(
    stream: TcpStream,
    codes: &[u16],
    mails: &Mutex<Vec<Mail>>,
    attempts: &Mutex<usize>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 stand-in ESMTP\r\n").await?;
    let mut mail = Mail::default();
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            "250-stand-in\r\n250 8BITMIME\r\n".into()
        } else if let Some(rest) = upper.strip_prefix("MAIL FROM:") {
            mail = Mail {
                from: addr(&line[line.len() - rest.len()..]),
                ..Mail::default()
            };
            "250 OK\r\n".into()
        } else if let Some(rest) = upper.strip_prefix("RCPT TO:") {
            mail.to.push(addr(&line[line.len() - rest.len()..]));
            "250 OK\r\n".into()
        } else if upper == "DATA" {
            write.write_all(b"354 end with .\r\n").await?;
            let mut data = String::new();
            while let Some(l) = lines.next_line().await? {
                if l == "." {
                    break;
                }
                data.push_str(&l);
                data.push('\n');
            }
            mail.data = data;
            mails.lock().expect("not poisoned").push(mail.clone());
            let n = {
                let mut a = attempts.lock().expect("not poisoned");
                *a += 1;
                *a - 1
            };
            match codes.get(n).copied().unwrap_or(250) {
                250 => "250 queued\r\n".into(),
                code => format!("{code} not now\r\n"),
            }
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            "250 OK\r\n".into()
        } else {
            "502 unknown\r\n".into()
        };
        write.write_all(reply.as_bytes()).await?;
    }
    Ok(())
}

/// The address inside `<...>` (and nothing after it).
fn addr(text: &str) -> String {
    text.trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn sink(port: u16, timeout: Duration) -> EmailSink {
    EmailSink::builder("127.0.0.1")
        .tls(SmtpTls::None)
        .port(port)
        .timeout(timeout)
        .from("Monitor <monitor@example.com>")
        .to("oncall@example.com")
        .to("Team <team@example.com>")
        .build()
        .expect("valid settings")
}

fn router(sink: EmailSink, attempts: u32, timeout: Duration) -> AlertHandle {
    AlertRouter::new()
        .retry(RetryPolicy {
            attempts,
            timeout,
            base: Duration::from_millis(20),
            max_backoff: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(1),
        })
        .route(
            Route::new("email")
                .group_wait(Duration::ZERO)
                .group_interval(Duration::from_millis(50))
                .sink(sink),
        )
        .spawn()
        .expect("runtime")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firing_and_resolved_reach_every_recipient() {
    let relay = StandIn::start(Relay::Answers(&[])).await;
    let alerts = router(
        sink(relay.port, Duration::from_secs(5)),
        2,
        Duration::from_secs(5),
    );
    let log = ErrorLog::builder().listener(alerts.listener()).build();
    let id = log
        .log(
            ErrorEvent::new(
                "db",
                "query",
                "Timeout",
                "took 31 s\r\nBcc: evil@example.com",
            )
            .client("acme")
            .severity(Severity::Critical),
        )
        .id;
    until(|| relay.mails().len() == 1).await;
    let mail = &relay.mails()[0];
    assert_eq!(mail.from, "monitor@example.com");
    assert_eq!(mail.to, ["oncall@example.com", "team@example.com"]);
    // Headers as read, long ones unfolded (lettre folds at 78 columns).
    let data = &mail.data.replace("\n ", " ");
    assert!(
        data.contains(
            "Subject: [monitor] [CRITICAL] db: Timeout in query: took 31 s Bcc: evil@example.com\n"
        ),
        "{data}"
    );
    assert!(
        !data.lines().any(|l| l.starts_with("Bcc:")),
        "caller text never becomes a header: {data}"
    );
    for field in [
        "Alert firing: db / query / Timeout",
        "Severity:    critical",
        "Client:      acme",
        "Occurrences: 1",
        "Route:       email",
    ] {
        assert!(data.contains(field), "{field} in {data}");
    }

    log.resolve(id).expect("in the log");
    until(|| relay.mails().len() == 2).await;
    let resolved = &relay.mails()[1].data.replace("\n ", " ");
    assert!(
        resolved.contains("Subject: [monitor] [RESOLVED] db: Timeout"),
        "{resolved}"
    );
    assert!(resolved.contains("Resolved:    "), "{resolved}");
    until(|| alerts.stats().sinks[0].sent == 2).await;
    assert_eq!(alerts.stats().sinks[0].name, "email");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_4xx_is_retried_and_a_5xx_is_not() {
    let busy = StandIn::start(Relay::Answers(&[451])).await;
    let alerts = router(
        sink(busy.port, Duration::from_secs(5)),
        3,
        Duration::from_secs(5),
    );
    let log = ErrorLog::builder().listener(alerts.listener()).build();
    log.log(ErrorEvent::new("db", "query", "Down", "refused"));
    until(|| alerts.stats().sinks[0].sent == 1).await;
    let s = &alerts.stats().sinks[0];
    assert_eq!((s.sent, s.retried, s.failed), (1, 1, 0), "{s:?}");
    assert_eq!(busy.mails().len(), 2, "the same message twice");

    let refusing = StandIn::start(Relay::Answers(&[550, 550, 550])).await;
    let alerts = router(
        sink(refusing.port, Duration::from_secs(5)),
        3,
        Duration::from_secs(5),
    );
    let log = ErrorLog::builder().listener(alerts.listener()).build();
    log.log(ErrorEvent::new("db", "query", "Down", "refused"));
    until(|| alerts.stats().sinks[0].failed == 1).await;
    let s = &alerts.stats().sinks[0];
    assert_eq!((s.sent, s.retried), (0, 0), "{s:?}");
    assert!(
        s.last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("rejected: SMTP") && e.contains("550")),
        "{s:?}"
    );
    assert_eq!(refusing.mails().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_that_is_down_or_silent_fails_within_the_timeout() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    }; // closed again: nothing listens there now
    let alerts = router(
        sink(port, Duration::from_secs(5)),
        2,
        Duration::from_secs(5),
    );
    let log = ErrorLog::builder().listener(alerts.listener()).build();
    log.log(ErrorEvent::new("db", "query", "Down", "x"));
    until(|| alerts.stats().sinks[0].failed == 1).await;
    let s = &alerts.stats().sinks[0];
    assert_eq!((s.sent, s.retried), (0, 1), "{s:?}");
    assert!(
        s.last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("transport")),
        "{s:?}"
    );

    let silent = StandIn::start(Relay::Silent).await;
    let alerts = router(
        sink(silent.port, Duration::from_millis(300)),
        2,
        Duration::from_secs(5),
    );
    let log = ErrorLog::builder().listener(alerts.listener()).build();
    let started = Instant::now();
    log.log(ErrorEvent::new("db", "query", "Down", "x"));
    until(|| alerts.stats().sinks[0].failed == 1).await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "two 300 ms timeouts took {took:?}"
    );
    let s = &alerts.stats().sinks[0];
    assert_eq!((s.sent, s.retried), (0, 1), "{s:?}");
    assert!(
        s.last_error
            .as_deref()
            .is_some_and(|e| e.contains("no answer")),
        "{s:?}"
    );
}

#[test]
fn bad_settings_are_errors_at_build_time() {
    let base = || EmailSink::builder("127.0.0.1").tls(SmtpTls::None);
    let err = |b: monitor_core::alerts::sinks::EmailSinkBuilder| b.build().err();
    assert_eq!(
        err(base().to("a@example.com")),
        Some(EmailConfigError::NoSender)
    );
    assert_eq!(
        err(base().from("a@example.com")),
        Some(EmailConfigError::NoRecipients)
    );
    assert!(matches!(
        err(base().from("not an address").to("a@example.com")),
        Some(EmailConfigError::BadAddress { field: "from", .. })
    ));
    assert!(matches!(
        err(base()
            .from("a@example.com")
            .to("b@example.com")
            .to("b@@example")),
        Some(EmailConfigError::BadAddress { field: "to", .. })
    ));
    assert_eq!(
        err(EmailSink::builder("  ")
            .from("a@example.com")
            .to("b@example.com")),
        Some(EmailConfigError::NoHost)
    );
    let secret = EmailSink::builder("smtp.example.com").credentials("user", "hunter2");
    assert!(!format!("{secret:?}").contains("hunter2"));
    assert_eq!(SmtpTls::Implicit.default_port(), 465);
    // TLS is set up without a connection: it works, or (on a machine
    // without CA certificates) is a clear error, never a panic.
    let tls = EmailSink::builder("smtp.example.com")
        .tls(SmtpTls::Implicit)
        .from("a@example.com")
        .to("b@example.com")
        .build();
    assert!(
        matches!(tls, Ok(_) | Err(EmailConfigError::Tls { .. })),
        "{:?}",
        tls.err()
    );
}
