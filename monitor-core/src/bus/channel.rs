//! Channels group event types, so subscribers ask for "errors" rather
//! than list every error event.

use std::fmt;
use std::str::FromStr;

/// A group of event types a subscriber can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// `metrics:update`.
    Metrics,
    /// `message:new`.
    Messages,
    /// `error:logged`, `error:critical`, `error:acknowledged`, `error:resolved`.
    Errors,
    /// Activities: `call:*`, `session:*`, `agent:*` and any other kind.
    Calls,
    /// `health:changed`.
    Health,
    /// `queue:stats`, `queue:message:*`.
    Queue,
    /// `alert:sent`.
    Alerts,
}

impl Channel {
    /// Every channel, in wire-name order of the spec.
    pub const ALL: [Channel; 7] = [
        Channel::Metrics,
        Channel::Messages,
        Channel::Errors,
        Channel::Calls,
        Channel::Health,
        Channel::Queue,
        Channel::Alerts,
    ];

    /// The wire name (`"errors"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Metrics => "metrics",
            Channel::Messages => "messages",
            Channel::Errors => "errors",
            Channel::Calls => "calls",
            Channel::Health => "health",
            Channel::Queue => "queue",
            Channel::Alerts => "alerts",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A channel name that is not one of [`Channel::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown channel {0:?} (known: metrics, messages, errors, calls, health, queue, alerts)")]
pub struct UnknownChannel(pub String);

impl FromStr for Channel {
    type Err = UnknownChannel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownChannel(s.chars().take(64).collect()))
    }
}

/// A set of channels, as one byte: cheap to copy and to test.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ChannelSet(u8);

impl ChannelSet {
    /// No channel.
    pub const fn empty() -> Self {
        ChannelSet(0)
    }

    /// Every channel.
    pub fn all() -> Self {
        Channel::ALL.into_iter().collect()
    }

    /// This set plus `channel`.
    #[must_use]
    pub fn with(self, channel: Channel) -> Self {
        ChannelSet(self.0 | channel.bit())
    }

    /// This set without `channel`.
    #[must_use]
    pub fn without(self, channel: Channel) -> Self {
        ChannelSet(self.0 & !channel.bit())
    }

    /// Whether `channel` is in the set.
    pub fn contains(self, channel: Channel) -> bool {
        self.0 & channel.bit() != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The channels in the set.
    pub fn iter(self) -> impl Iterator<Item = Channel> {
        Channel::ALL.into_iter().filter(move |c| self.contains(*c))
    }

    /// Parses a comma-separated list (`"errors,calls"`); blanks are
    /// skipped, an unknown name is an error naming it.
    pub fn parse_list(list: &str) -> Result<Self, UnknownChannel> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Channel::from_str)
            .collect()
    }

    pub(crate) fn bits(self) -> u8 {
        self.0
    }

    pub(crate) fn from_bits(bits: u8) -> Self {
        ChannelSet(bits & ChannelSet::all().0)
    }
}

impl FromIterator<Channel> for ChannelSet {
    fn from_iter<I: IntoIterator<Item = Channel>>(iter: I) -> Self {
        iter.into_iter().fold(ChannelSet::empty(), ChannelSet::with)
    }
}

impl fmt::Debug for ChannelSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_and_name_the_bad_channel() {
        let set = ChannelSet::parse_list("errors, calls,,").expect("valid");
        assert!(set.contains(Channel::Errors) && set.contains(Channel::Calls));
        assert!(!set.contains(Channel::Metrics));
        assert_eq!(set.iter().count(), 2);
        let err = ChannelSet::parse_list("errors,bogus").expect_err("bogus");
        assert_eq!(err.0, "bogus");
        assert_eq!(ChannelSet::all().iter().count(), 7);
        assert!(
            ChannelSet::all()
                .without(Channel::Queue)
                .iter()
                .all(|c| c != Channel::Queue)
        );
    }
}
