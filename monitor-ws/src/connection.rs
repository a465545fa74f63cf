//! One connection, from the first frame to the close: the single driver
//! both entry points (the standalone server and an HTTP host's upgrade)
//! run over whatever stream they have.
//!
//! After authentication the socket is split in two halves polled by one
//! task:
//! - the **reader** parses client frames and turns each into a
//!   [`Control`] for the writer (or drops a silent peer);
//! - the **writer** owns the bus subscription and is the only thing that
//!   writes: events, answers, pings, `lagged` notices and the close.
//!
//! The bus never waits on a connection (its queue drops and counts), and
//! the writer watches its own loss while a write is stuck, so a stalled
//! peer is closed with 1013 instead of pinning anything.

use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use monitor_core::auth::Role;
use monitor_core::bus::{Audience, ChannelSet, Delivery, Subscription};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep, timeout};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError, ProtocolError};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use crate::protocol::{self, ClientFrame, FrameError};
use crate::reply::Action;
use crate::stats::CloseReason;
use crate::{ConnectRequest, Shared};

/// Most events written in one batch before a flush.
const BATCH: usize = 64;
/// How often a stuck write checks the connection's loss.
const LAG_CHECK: Duration = Duration::from_millis(100);
/// Answers the reader may have waiting for the writer.
const CONTROL_QUEUE: usize = 16;

/// What the reader asks the writer to do.
enum Control {
    /// Answer a client frame (and maybe change the channels).
    Answer(Action),
    Close(CloseCode, &'static str, CloseReason),
}

/// Runs one connection to its end and counts how it ended.
pub(crate) async fn drive<S>(shared: Arc<Shared>, mut ws: WebSocketStream<S>, start: ConnectRequest)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    // From the first byte: a `close_all` while this connection is still
    // authenticating closes it as soon as it is authenticated.
    let closing = shared.closing.subscribe();
    let reason = match authenticate(&shared, &mut ws, start.token).await {
        Err(reason) => reason,
        Ok(role) => run(&shared, ws, role, start.channels, closing).await,
    };
    shared.counters.closed(reason);
}

/// The connection's role: from the URL's token, else from an `auth` first
/// frame within the deadline; otherwise the socket is closed with 1008.
async fn authenticate<S>(
    shared: &Shared,
    ws: &mut WebSocketStream<S>,
    token: Option<String>,
) -> Result<Role, CloseReason>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let found = match token {
        Some(token) => Ok(Some(token)),
        None => match timeout(shared.config.auth_timeout, first_frame_token(ws)).await {
            Err(_elapsed) => Ok(None),
            Ok(got) => got,
        },
    }
    .map(|token| token.and_then(|t| shared.auth.authenticate(&t)));
    match found {
        Ok(Some(role)) => Ok(role),
        Ok(None) => {
            let why = "authentication failed: send a valid token as ?token= or an auth frame";
            close(shared, ws, CloseCode::Policy, why).await;
            Err(CloseReason::Auth)
        }
        Err(CloseReason::TooLarge) => {
            close(shared, ws, CloseCode::Size, "frame too large").await;
            Err(CloseReason::TooLarge)
        }
        Err(reason) => Err(reason),
    }
}

/// The token of the first data frame, if it is an `auth` frame; `Ok(None)`
/// for any other first frame.
async fn first_frame_token<S>(ws: &mut WebSocketStream<S>) -> Result<Option<String>, CloseReason>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        match ws.next().await {
            None => return Err(CloseReason::Peer),
            Some(Err(e)) => return Err(read_error(&e)),
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
            Some(Ok(Message::Close(_))) => return Err(CloseReason::Peer),
            Some(Ok(Message::Binary(_))) => return Ok(None),
            Some(Ok(Message::Text(text))) => {
                return Ok(match protocol::parse_client_frame(&text) {
                    Ok(ClientFrame::Auth { token }) => Some(token),
                    _ => None,
                });
            }
        }
    }
}

fn read_error(e: &WsError) -> CloseReason {
    match e {
        WsError::Capacity(CapacityError::MessageTooLong { .. }) => CloseReason::TooLarge,
        // A peer that drops its socket without the closing handshake (a
        // killed tab, a lost network) went away: not a protocol error.
        WsError::ConnectionClosed
        | WsError::AlreadyClosed
        | WsError::Io(_)
        | WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => CloseReason::Peer,
        _ => CloseReason::Error,
    }
}

/// Sends a close frame, giving the peer `close_grace` to take it.
async fn close<Si>(shared: &Shared, sink: &mut Si, code: CloseCode, why: &'static str)
where
    Si: Sink<Message, Error = WsError> + Unpin,
{
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from_static(why),
    };
    let _ = timeout(
        shared.config.close_grace,
        sink.send(Message::Close(Some(frame))),
    )
    .await;
}

/// The authenticated part: subscribe as the role's audience, then read and
/// write until one side ends.
async fn run<S>(
    shared: &Shared,
    mut ws: WebSocketStream<S>,
    role: Role,
    channels: ChannelSet,
    closing: watch::Receiver<u64>,
) -> CloseReason
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let audience = match role.tenant() {
        Some(tenant) => Audience::tenant(tenant),
        None => Audience::Operators,
    };
    let Ok(subscription) = shared.monitor.bus().subscribe(audience, channels) else {
        close(shared, &mut ws, CloseCode::Again, "too many subscribers").await;
        return CloseReason::Full;
    };
    let hello = protocol::authenticated_frame(&role.to_string(), channels);
    if ws.send(Message::text(hello)).await.is_err() {
        return CloseReason::Peer;
    }
    shared.counters.sent(1);

    let (sink, stream) = ws.split();
    let (tx, rx) = mpsc::channel(CONTROL_QUEUE);
    let mut reader = pin!(read_loop(shared, stream, tx));
    let writer = Writer {
        shared,
        sink,
        subscription,
        caught_up_at: 0,
    };
    let mut writer = pin!(writer.run(rx, closing));
    tokio::select! {
        end = &mut reader => match end {
            Some(reason) => reason,
            // The reader asked the writer to close: let it finish.
            None => writer.await,
        },
        end = &mut writer => end,
    }
}

/// Reads client frames until the peer goes, turning each into a
/// [`Control`]. Returns `None` when it asked the writer to close.
async fn read_loop<St>(
    shared: &Shared,
    mut stream: St,
    tx: mpsc::Sender<Control>,
) -> Option<CloseReason>
where
    St: Stream<Item = Result<Message, WsError>> + Unpin,
{
    let limiter = std::num::NonZeroU32::new(shared.config.frame_rate)
        .map(|rate| RateLimiter::direct(Quota::per_second(rate)));
    let mut told_limited = false;
    loop {
        let next = match timeout(shared.config.idle_timeout, stream.next()).await {
            Err(_silent) => return Some(CloseReason::Idle),
            Ok(None) => return Some(CloseReason::Peer),
            Ok(Some(next)) => next,
        };
        let control = match next {
            Err(e) => match read_error(&e) {
                CloseReason::TooLarge => {
                    let close =
                        Control::Close(CloseCode::Size, "frame too large", CloseReason::TooLarge);
                    let _ = tx.send(close).await;
                    return None;
                }
                other => return Some(other),
            },
            // Control frames are answered by tungstenite itself; after the
            // peer's close, read on until the stream ends.
            Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_) | Message::Close(_)) => {
                continue;
            }
            Ok(data) => {
                if !admitted(limiter.as_ref()) {
                    if std::mem::replace(&mut told_limited, true) {
                        continue;
                    }
                    let e = FrameError::new(
                        FrameError::RATE_LIMITED,
                        format!(
                            "more than {} frames per second; frames are ignored until the rate drops",
                            shared.config.frame_rate
                        ),
                    );
                    Control::Answer(Action::Error(e))
                } else {
                    told_limited = false;
                    let text = match &data {
                        Message::Text(text) => Some(text.as_str()),
                        _ => None,
                    };
                    Control::Answer(Action::from_frame(text))
                }
            }
        };
        if tx.send(control).await.is_err() {
            return Some(CloseReason::Peer);
        }
    }
}

fn admitted(limiter: Option<&DefaultDirectRateLimiter>) -> bool {
    limiter.is_none_or(|l| l.check().is_ok())
}

/// The writing half and the subscription it drains.
struct Writer<'a, Si> {
    shared: &'a Shared,
    sink: Si,
    subscription: Subscription,
    /// The subscription's loss when its queue was last empty.
    caught_up_at: u64,
}

/// Why a write stopped short.
enum Stop {
    /// The socket failed.
    Gone,
    /// The connection lost more than `max_lag` events while the write was
    /// stuck.
    Lagging,
}

impl<Si> Writer<'_, Si>
where
    Si: Sink<Message, Error = WsError> + Unpin,
{
    async fn run(
        mut self,
        mut controls: mpsc::Receiver<Control>,
        mut closing: watch::Receiver<u64>,
    ) -> CloseReason {
        let every = self.shared.config.ping_interval;
        let mut ping = interval_at(Instant::now() + every, every);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            let frames = tokio::select! {
                biased;
                _ = closing.changed() => {
                    return self.close(CloseCode::Away, "server shutting down", CloseReason::Shutdown).await;
                }
                control = controls.recv() => match control {
                    None => return CloseReason::Peer,
                    Some(Control::Close(code, why, reason)) => return self.close(code, why, reason).await,
                    Some(Control::Answer(action)) => vec![Message::text(self.answer(&action))],
                },
                event = self.subscription.recv() => match event {
                    None => {
                        return self.close(CloseCode::Away, "monitor shutting down", CloseReason::Shutdown).await;
                    }
                    Some(first) => {
                        if self.lag() > self.shared.config.max_lag {
                            return self.close_lagging().await;
                        }
                        self.batch(first)
                    }
                },
                _ = ping.tick() => vec![Message::Ping(Default::default())],
            };
            match self.write(frames).await {
                Ok(()) => {}
                Err(Stop::Gone) => return CloseReason::Peer,
                Err(Stop::Lagging) => return self.close_lagging().await,
            }
        }
    }

    /// Applies a client's frame and returns the answer to send.
    fn answer(&mut self, action: &Action) -> String {
        if let Action::Error(e) = action {
            self.shared.counters.client_error(e.code);
        }
        let reply = action.apply(self.subscription.channels());
        if let Some(next) = reply.channels {
            self.subscription.set_channels(next);
        }
        reply.frame
    }

    /// `first` and whatever else is already queued (up to [`BATCH`]), each
    /// event preceded by a `lagged` notice when events were lost before it.
    fn batch(&mut self, first: Delivery) -> Vec<Message> {
        let mut frames = Vec::with_capacity(4);
        let mut next = Some(first);
        while let Some(delivery) = next.take() {
            let dropped = self.subscription.take_dropped();
            if dropped > 0 {
                self.shared.counters.dropped(dropped);
                frames.push(Message::text(protocol::lagged_frame(dropped)));
            }
            frames.push(Message::Text(Utf8Bytes::from(delivery.json())));
            if frames.len() < BATCH {
                next = self.subscription.try_recv();
            }
        }
        frames
    }

    /// Events lost since the queue was last empty.
    fn lag(&self) -> u64 {
        self.subscription
            .dropped_total()
            .saturating_sub(self.caught_up_at)
    }

    /// Writes `frames` and flushes; gives up when the socket fails or when
    /// the connection loses more than `max_lag` events while stuck.
    async fn write(&mut self, frames: Vec<Message>) -> Result<(), Stop> {
        let count = frames.len() as u64;
        let max_lag = self.shared.config.max_lag;
        let subscription = &self.subscription;
        let caught_up_at = self.caught_up_at;
        let sink = &mut self.sink;
        let send = async move {
            for frame in frames {
                sink.feed(frame).await?;
            }
            sink.flush().await
        };
        let watch = async {
            loop {
                sleep(LAG_CHECK).await;
                if subscription.dropped_total().saturating_sub(caught_up_at) > max_lag {
                    return;
                }
            }
        };
        tokio::select! {
            biased;
            sent = send => sent.map_err(|_| Stop::Gone)?,
            () = watch => return Err(Stop::Lagging),
        }
        self.shared.counters.sent(count);
        if self.subscription.queued() == 0 {
            self.caught_up_at = self.subscription.dropped_total();
        }
        Ok(())
    }

    /// Tells the peer how much it lost and closes with 1013, within one
    /// `close_grace` for both frames.
    async fn close_lagging(mut self) -> CloseReason {
        let dropped = self.subscription.take_dropped();
        self.shared.counters.dropped(dropped);
        let notice = Message::text(protocol::lagged_frame(dropped));
        let close = Message::Close(Some(CloseFrame {
            code: CloseCode::Again,
            reason: Utf8Bytes::from_static("too far behind; reconnect"),
        }));
        let sink = &mut self.sink;
        let _ = timeout(self.shared.config.close_grace, async {
            sink.feed(notice).await?;
            sink.send(close).await
        })
        .await;
        CloseReason::Lagged
    }

    async fn close(
        mut self,
        code: CloseCode,
        why: &'static str,
        reason: CloseReason,
    ) -> CloseReason {
        close(self.shared, &mut self.sink, code, why).await;
        reason
    }
}
