//! One parser per kind of value the demo's environment carries. Each
//! takes the raw text and answers what is wrong with it without quoting
//! secrets back.

use std::net::SocketAddr;
use std::time::Duration;

use super::Secret;

/// Longest client id accepted in `MONITOR_CLIENT_TOKENS`, in bytes (the
/// monitor keeps client ids up to this length).
pub const MAX_CLIENT_ID_BYTES: usize = 128;
/// Longest token accepted, in bytes.
pub const MAX_TOKEN_BYTES: usize = 512;

/// An address to listen on, `IP:PORT` (`127.0.0.1:8080`, `0.0.0.0:8080`,
/// `[::1]:8080`).
pub fn parse_addr(raw: &str) -> Result<SocketAddr, String> {
    raw.trim().parse().map_err(|_| {
        format!(
            "{:?} is not an IP:PORT address (e.g. 127.0.0.1:8080, or 0.0.0.0:8080 for every interface)",
            raw.trim()
        )
    })
}

/// One token: printable ASCII without spaces (what an `Authorization`
/// header carries), at most [`MAX_TOKEN_BYTES`]. The error never quotes
/// the token.
pub fn parse_token(raw: &str) -> Result<Secret, String> {
    let token = raw.trim();
    if token.is_empty() {
        return Err("a token must not be empty".to_owned());
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(format!("a token must be at most {MAX_TOKEN_BYTES} bytes"));
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(
            "a token must be printable ASCII without spaces (it travels in an Authorization header)"
                .to_owned(),
        );
    }
    Ok(Secret::new(token))
}

/// A comma-separated token list (`tokA,tokB`); empty entries (a trailing
/// comma) are skipped.
pub fn parse_token_list(raw: &str) -> Result<Vec<Secret>, String> {
    raw.split(',')
        .enumerate()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(i, t)| parse_token(t).map_err(|e| format!("entry {}: {e}", i + 1)))
        .collect()
}

/// `client:token` pairs separated by commas (`acme:tokA,globex:tokB`); the
/// client id ends at the first `:`. Empty entries are skipped.
pub fn parse_client_tokens(raw: &str) -> Result<Vec<(String, Secret)>, String> {
    let mut pairs = Vec::new();
    for (i, entry) in raw.split(',').enumerate() {
        if entry.trim().is_empty() {
            continue;
        }
        let n = i + 1;
        let Some((client, token)) = entry.split_once(':') else {
            return Err(format!(
                "entry {n} has no ':' (expected client:token, e.g. acme:tokA,globex:tokB)"
            ));
        };
        let client = client.trim();
        if client.is_empty() {
            return Err(format!("entry {n} has an empty client id before ':'"));
        }
        if client.len() > MAX_CLIENT_ID_BYTES {
            return Err(format!(
                "entry {n}: a client id must be at most {MAX_CLIENT_ID_BYTES} bytes"
            ));
        }
        if client.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(format!(
                "entry {n}: client id {client:?} must not contain spaces or control characters"
            ));
        }
        let token = parse_token(token).map_err(|e| format!("entry {n} (client {client}): {e}"))?;
        pairs.push((client.to_owned(), token));
    }
    Ok(pairs)
}

/// Requests per second per token, a whole number; `0` turns the limit off.
pub fn parse_rate_limit(raw: &str) -> Result<u32, String> {
    raw.trim().parse().map_err(|_| {
        format!(
            "{:?} is not a whole number of requests per second per token (0 turns the limit off)",
            raw.trim()
        )
    })
}

/// A duration as a whole number and a unit: `500ms`, `1s`, `2m`, `1h`.
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let text = raw.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let bad = || {
        format!(
            "{text:?} is not a duration: expected a whole number and a unit (ms, s, m or h), e.g. 1s or 500ms"
        )
    };
    let n: u64 = number.parse().map_err(|_| bad())?;
    let millis_per = match unit.trim() {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(bad()),
    };
    n.checked_mul(millis_per)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("{text:?} is too long a duration"))
}

/// An on/off switch: `1`, `true`, `on`, `yes` or `0`, `false`, `off`,
/// `no` (any case).
pub fn parse_switch(raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => Ok(true),
        "0" | "false" | "off" | "no" => Ok(false),
        other => Err(format!("{other:?} is not a switch: use 1 (on) or 0 (off)")),
    }
}

/// An `http://` or `https://` URL with a host. The error never quotes the
/// URL (a Slack webhook URL is a secret).
pub fn parse_url(raw: &str) -> Result<String, String> {
    let url = raw.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| "must be an http:// or https:// URL".to_owned())?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err("the URL has no host".to_owned());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the URL must not contain spaces or control characters".to_owned());
    }
    Ok(url.to_owned())
}
