//! What a connection asks for in its URL: `?token=T&channels=a,b`.

use monitor_core::bus::{ChannelSet, UnknownChannel};
use tokio_tungstenite::tungstenite::http::{HeaderMap, header};

/// Longest query string accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 4 * 1024;

/// The upgrade request's query: an optional token and the channels to
/// start with (none unless `channels=` is given).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ConnectRequest {
    pub(crate) token: Option<String>,
    pub(crate) channels: ChannelSet,
}

/// A query the protocol does not accept; the upgrade is refused with 400.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Not `application/x-www-form-urlencoded`, or too long.
    #[error("the query string is not valid: {0}")]
    Malformed(String),
    /// A parameter other than `token` and `channels`.
    #[error("unknown query parameter `{0}` (known: token, channels)")]
    Unknown(String),
    /// `token` or `channels` given twice.
    #[error("query parameter `{0}` is given more than once")]
    Repeated(&'static str),
    /// `channels` names an unknown channel.
    #[error("query parameter `channels`: {0}")]
    Channel(#[from] UnknownChannel),
}

impl QueryError {
    /// The parameter at fault, if one is.
    pub fn field(&self) -> &str {
        match self {
            QueryError::Malformed(_) => "query",
            QueryError::Unknown(name) => name,
            QueryError::Repeated(name) => name,
            QueryError::Channel(_) => "channels",
        }
    }
}

impl ConnectRequest {
    /// Parses the query of an upgrade request (`None` or empty: no token,
    /// no channels).
    ///
    /// ```
    /// use monitor_ws::ConnectRequest;
    ///
    /// let ok = ConnectRequest::from_query(Some("token=abc&channels=errors,calls"));
    /// assert!(ok.is_ok());
    /// let err = ConnectRequest::from_query(Some("token=abc&room=globex")).unwrap_err();
    /// assert_eq!(err.field(), "room");
    /// ```
    pub fn from_query(query: Option<&str>) -> Result<Self, QueryError> {
        let query = query.unwrap_or("");
        if query.len() > MAX_QUERY_BYTES {
            return Err(QueryError::Malformed(format!(
                "{} bytes, at most {MAX_QUERY_BYTES}",
                query.len()
            )));
        }
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query).map_err(|e| QueryError::Malformed(e.to_string()))?;
        let mut request = ConnectRequest::default();
        let mut seen_channels = false;
        for (name, value) in pairs {
            match name.as_str() {
                "token" if request.token.is_some() => return Err(QueryError::Repeated("token")),
                "token" => request.token = Some(value).filter(|t| !t.is_empty()),
                "channels" if seen_channels => return Err(QueryError::Repeated("channels")),
                "channels" => {
                    seen_channels = true;
                    request.channels = ChannelSet::parse_list(&value)?;
                }
                _ => return Err(QueryError::Unknown(name.chars().take(64).collect())),
            }
        }
        Ok(request)
    }

    /// Parses an upgrade request's query and headers: the token is the
    /// query's `token`, else an `Authorization: Bearer` header's.
    pub fn from_request(query: Option<&str>, headers: &HeaderMap) -> Result<Self, QueryError> {
        let request = Self::from_query(query)?;
        Ok(match (request.has_token(), bearer(headers)) {
            (false, Some(token)) => request.with_token(token),
            _ => request,
        })
    }

    /// A request with this token (for hosts that take it from elsewhere).
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into()).filter(|t| !t.is_empty());
        self
    }

    /// Whether a token came with the request.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// The token that came with the request, if any (for a host that
    /// charges it against a rate limit before upgrading). Never log it.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The channels the connection starts with.
    pub fn channels(&self) -> ChannelSet {
        self.channels
    }
}

/// The token of an `Authorization: Bearer` header, if there is a
/// non-empty one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    monitor_core::auth::bearer_token(value)
}

impl std::fmt::Debug for ConnectRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectRequest")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("channels", &self.channels)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use monitor_core::bus::Channel;

    #[test]
    fn queries_parse_and_name_the_bad_parameter() {
        let r = ConnectRequest::from_query(Some("token=a%20b&channels=errors")).expect("valid");
        assert_eq!(r.token.as_deref(), Some("a b"));
        assert_eq!(r.channels, ChannelSet::empty().with(Channel::Errors));
        assert_eq!(
            ConnectRequest::from_query(None),
            Ok(ConnectRequest::default())
        );
        assert!(
            !ConnectRequest::from_query(Some("token="))
                .expect("empty")
                .has_token()
        );
        let field = |q: &str| {
            ConnectRequest::from_query(Some(q))
                .expect_err(q)
                .field()
                .to_owned()
        };
        assert_eq!(field("token=a&token=b"), "token");
        assert_eq!(field("channels=errors,bogus"), "channels");
        assert_eq!(field("client_id=globex"), "client_id");
        assert_eq!(field(&"x".repeat(MAX_QUERY_BYTES + 1)), "query");
    }

    #[test]
    fn the_query_token_wins_over_the_header() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            "Bearer from-header".parse().expect("value"),
        );
        let r = ConnectRequest::from_request(None, &headers).expect("valid");
        assert_eq!(r.token.as_deref(), Some("from-header"));
        let r = ConnectRequest::from_request(Some("token=from-query"), &headers).expect("valid");
        assert_eq!(r.token.as_deref(), Some("from-query"));
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().expect("value"));
        assert!(
            !ConnectRequest::from_request(None, &headers)
                .expect("valid")
                .has_token()
        );
    }

    #[test]
    fn debug_never_shows_the_token() {
        let r = ConnectRequest::default().with_token("s3cret");
        assert!(!format!("{r:?}").contains("s3cret"));
    }
}
