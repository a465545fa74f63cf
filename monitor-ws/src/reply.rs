//! An authenticated connection's answer to one client data frame, as a
//! pure step: frame and current channels in, new channels and the frame
//! to send back out. The connection driver runs exactly this (the reader
//! builds the [`Action`], the writer applies it), so it can be tested and
//! fuzzed without a socket.

use monitor_core::bus::ChannelSet;

use crate::protocol::{self, ClientFrame, FrameError};

/// What one client data frame asks an authenticated connection to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Add these channels, answer `subscribed`.
    Subscribe(ChannelSet),
    /// Drop these channels, answer `subscribed`.
    Unsubscribe(ChannelSet),
    /// Answer `pong`.
    Pong,
    /// Answer `error`; the connection stays open.
    Error(FrameError),
}

/// The outcome of an [`Action`]: the connection's channels when they were
/// set, and the text frame to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The channels to subscribe the connection to; `None` leaves them.
    pub channels: Option<ChannelSet>,
    /// The server frame answering the client.
    pub frame: String,
}

impl Action {
    /// The action a data frame asks for on an authenticated connection:
    /// `Some(text)` for a text frame, `None` for a binary one.
    ///
    /// ```
    /// use monitor_ws::reply::Action;
    ///
    /// assert_eq!(Action::from_frame(Some(r#"{"type":"ping"}"#)), Action::Pong);
    /// assert!(matches!(Action::from_frame(None), Action::Error(_)));
    /// ```
    pub fn from_frame(text: Option<&str>) -> Action {
        let Some(text) = text else {
            return Action::Error(FrameError::binary());
        };
        match protocol::parse_client_frame(text) {
            Ok(ClientFrame::Subscribe(set)) => Action::Subscribe(set),
            Ok(ClientFrame::Unsubscribe(set)) => Action::Unsubscribe(set),
            Ok(ClientFrame::Ping) => Action::Pong,
            Ok(ClientFrame::Auth { .. }) => Action::Error(FrameError::new(
                FrameError::ALREADY_AUTHENTICATED,
                "this connection is already authenticated; its role cannot change",
            )),
            Err(e) => Action::Error(e),
        }
    }

    /// Applies the action to a connection subscribed to `channels`.
    pub fn apply(&self, channels: ChannelSet) -> Reply {
        match self {
            Action::Subscribe(set) => {
                let next = set.iter().fold(channels, ChannelSet::with);
                Reply {
                    channels: Some(next),
                    frame: protocol::subscribed_frame(next),
                }
            }
            Action::Unsubscribe(set) => {
                let next = set.iter().fold(channels, ChannelSet::without);
                Reply {
                    channels: Some(next),
                    frame: protocol::subscribed_frame(next),
                }
            }
            Action::Pong => Reply {
                channels: None,
                frame: protocol::pong_frame(),
            },
            Action::Error(e) => Reply {
                channels: None,
                frame: protocol::error_frame(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use monitor_core::bus::Channel;

    use super::*;

    #[test]
    fn subscribe_adds_and_unsubscribe_drops() {
        let errors = ChannelSet::empty().with(Channel::Errors);
        let calls = ChannelSet::empty().with(Channel::Calls);
        let sub = Action::from_frame(Some(r#"{"type":"subscribe","channels":["calls"]}"#));
        assert_eq!(sub, Action::Subscribe(calls));
        let both = sub.apply(errors);
        assert_eq!(both.channels, Some(errors.with(Channel::Calls)));
        assert!(both.frame.contains(r#""channels":["errors","calls"]"#));
        let unsub = Action::from_frame(Some(r#"{"type":"unsubscribe","channels":["errors"]}"#));
        assert_eq!(unsub.apply(errors).channels, Some(ChannelSet::empty()));
    }

    #[test]
    fn a_second_auth_and_binary_frames_are_errors() {
        for action in [
            Action::from_frame(Some(r#"{"type":"auth","token":"t"}"#)),
            Action::from_frame(None),
        ] {
            let Action::Error(e) = &action else {
                panic!("{action:?} is not an error");
            };
            let reply = action.apply(ChannelSet::all());
            assert_eq!(reply.channels, None);
            assert!(reply.frame.contains(e.code), "{}", reply.frame);
        }
    }
}
