//! `webhook_body`: the demo bot's webhook bodies.
//!
//! The input is a request body, read as the body of each of the three
//! webhooks (`/webhook/message`, `/webhook/call`, `/webhook/error`) by
//! [`check_body`], the checks each handler runs before recording anything.
//! Checked:
//!
//! - nothing panics;
//! - a refusal is a 400 `invalid_parameter` whose message starts with
//!   the name of a field that webhook reads (or `body`) and a colon, and
//!   stays short (client input is echoed, but bounded);
//! - a body that is accepted is a JSON object;
//! - a body over the router's size limit is not looked at (the router
//!   answers 413 first).

use monitor_examples::webhooks::{MAX_BODY_BYTES, Webhook, check_body};
use serde_json::Value;

/// Longest refusal message, in bytes: the longest echo of client input
/// is a 128-byte id or a 64-character value, quoted and escaped.
pub const MAX_MESSAGE_BYTES: usize = 2048;

/// Runs one input (see the module docs).
pub fn run(data: &[u8]) {
    if data.len() > MAX_BODY_BYTES {
        return;
    }
    for hook in Webhook::ALL {
        let Err(e) = check_body(hook, data) else {
            let body: Value = serde_json::from_slice(data).expect("an accepted body is JSON");
            assert!(body.is_object(), "{hook:?} accepted a non-object");
            continue;
        };
        assert_eq!(e.status().as_u16(), 400, "{hook:?}: {e:?}");
        assert_eq!(e.code(), "invalid_parameter", "{hook:?}: {e:?}");
        let message = e.message();
        let field = message.split(':').next().unwrap_or_default();
        assert!(
            field == "body" || hook.fields().contains(&field),
            "{hook:?} refused naming {field:?}: {message}"
        );
        assert!(
            message.len() > field.len() + 2,
            "{hook:?}: no reason given: {message}"
        );
        assert!(
            message.len() <= MAX_MESSAGE_BYTES,
            "{hook:?}: {}-byte message",
            message.len()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_of_every_kind() {
        for body in [
            r#"{"client_id":"acme","user_id":"u1","user_name":"Ann","text":"hi?"}"#,
            r#"{"event":"call_started","call_id":"c1","client_id":"acme","phone":"+15551234567","direction":"inbound"}"#,
            r#"{"event":"call_ended","call_id":"c1","client_id":"acme","duration_ms":-1}"#,
            r#"{"service":"db","operation":"q","error_type":"Timeout","message":"m","client_id":"acme","severity":"loud"}"#,
            "[1,2]",
            "{",
            "",
        ] {
            run(body.as_bytes());
        }
    }
}
