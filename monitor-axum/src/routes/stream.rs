//! `GET /api/stream?channels=a,b`: the event bus as Server-Sent Events.
//!
//! Each SSE `data:` line is one bus envelope
//! (`{"type","data","timestamp","client_id"}`), serialized once by the bus
//! for all subscribers of the same audience; no SSE `event:` name is set,
//! so a browser's `EventSource.onmessage` sees every type. A tenant token
//! subscribes as that tenant (its own events plus tenant-free
//! `health:changed`), whatever channels it asks for. A subscriber that
//! falls behind loses events (never the publisher's time) and is told
//! `{"type":"lagged","data":{"dropped":N}}` before the next event. Comment
//! keep-alives go out every `sse_keep_alive` (15 s by default) so proxies
//! keep the connection open; the stream ends when the monitor shuts down.

use std::convert::Infallible;

use axum::extract::{RawQuery, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use futures_util::stream;
use monitor_core::bus::{Audience, ChannelSet, Subscription};

use super::params::Params;
use crate::gate::Caller;
use crate::{ApiError, AppState};

pub(crate) async fn stream(
    State(app): State<AppState>,
    Caller(role): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let params = Params::parse(raw.as_deref(), &["channels"])?;
    let channels = match params.get("channels") {
        None => ChannelSet::all(),
        Some(list) => ChannelSet::parse_list(list).map_err(|e| ApiError::invalid("channels", e))?,
    };
    if channels.is_empty() {
        return Err(ApiError::invalid("channels", "name at least one channel"));
    }
    let audience = match role.tenant() {
        Some(tenant) => Audience::tenant(tenant),
        None => Audience::Operators,
    };
    let subscription = app
        .monitor
        .bus()
        .subscribe(audience, channels)
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    let events = stream::unfold(subscription, next_event);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(app.sse_keep_alive)))
}

/// The next SSE event: a `lagged` notice if events were dropped since the
/// last one, else the next bus event; `None` once the bus is closed.
async fn next_event(
    mut subscription: Subscription,
) -> Option<(Result<Event, Infallible>, Subscription)> {
    let dropped = subscription.take_dropped();
    let data = if dropped > 0 {
        format!(r#"{{"type":"lagged","data":{{"dropped":{dropped}}},"client_id":null}}"#)
    } else {
        subscription.recv().await?.json().to_owned()
    };
    Some((Ok(Event::default().data(data)), subscription))
}
