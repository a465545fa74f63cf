use std::collections::HashMap;
use std::time::Duration;

use monitor_axum::Role;

use super::*;

fn config(pairs: &[(&str, &str)]) -> Result<DemoConfig, ConfigError> {
    let env: HashMap<&str, &str> = pairs.iter().copied().collect();
    DemoConfig::from_lookup(|name| env.get(name).map(|v| (*v).to_owned()))
}

fn error_of(pairs: &[(&str, &str)]) -> ConfigError {
    match config(pairs) {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(e) => e,
    }
}

#[test]
fn nothing_set_gives_the_defaults_and_a_random_admin_token() {
    let a = config(&[]).expect("defaults");
    assert_eq!(a.addr, DEFAULT_ADDR);
    assert_eq!(a.addr.to_string(), "127.0.0.1:8080");
    assert_eq!(a.rate_limit, 50);
    assert!(a.simulate);
    assert!(!a.spike);
    assert!(a.snapshot.is_none());
    assert_eq!(a.alerts, AlertSettings::default());
    assert!(a.client_tokens.is_empty() && a.monitor_tokens.is_empty());
    assert!(a.admin_token_generated);
    assert_eq!(a.admin_token.expose().len(), GENERATED_TOKEN_CHARS);
    assert!(
        a.admin_token
            .expose()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric())
    );
    let b = config(&[]).expect("defaults");
    assert_ne!(a.admin_token, b.admin_token, "each start draws a new token");
}

#[test]
fn blank_values_count_as_unset() {
    let c = config(&[(ADDR, ""), (RATE_LIMIT, "  "), (ADMIN_TOKEN, "")]).expect("blank");
    assert_eq!(c.addr, DEFAULT_ADDR);
    assert_eq!(c.rate_limit, DEFAULT_RATE_LIMIT);
    assert!(c.admin_token_generated);
}

#[test]
fn every_variable_is_read() {
    let c = config(&[
        (ADDR, "0.0.0.0:9000"),
        (ADMIN_TOKEN, "adm-1"),
        (CLIENT_TOKENS, "acme:tokA, globex:tokB,"),
        (MONITOR_TOKENS, "mon-1,mon-2"),
        (RATE_LIMIT, "0"),
        (SNAPSHOT, "/tmp/bot.snap"),
        (SLACK_WEBHOOK, "https://hooks.slack.com/services/T/B/x"),
        (ALERTMANAGER_URL, "http://127.0.0.1:9093"),
        (ALERT_GROUP_WAIT, "500ms"),
        (SIM, "0"),
        (SIM_SPIKE, "1"),
    ])
    .expect("valid");
    assert_eq!(c.addr.to_string(), "0.0.0.0:9000");
    assert_eq!(c.admin_token.expose(), "adm-1");
    assert!(!c.admin_token_generated);
    let clients: Vec<(&str, &str)> = c
        .client_tokens
        .iter()
        .map(|(c, t)| (c.as_str(), t.expose()))
        .collect();
    assert_eq!(clients, [("acme", "tokA"), ("globex", "tokB")]);
    assert_eq!(c.monitor_tokens.len(), 2);
    assert_eq!(c.rate_limit, 0);
    assert_eq!(
        c.snapshot.as_deref(),
        Some(std::path::Path::new("/tmp/bot.snap"))
    );
    assert!(c.alerts.slack_webhook.is_some());
    assert_eq!(
        c.alerts.alertmanager_url.as_deref(),
        Some("http://127.0.0.1:9093")
    );
    assert_eq!(c.alerts.group_wait, Some(Duration::from_millis(500)));
    assert!(!c.simulate);
    assert!(c.spike);
    assert_eq!(
        c.dashboard_link(),
        "http://127.0.0.1:9000/monitor/#token=adm-1"
    );

    let auth = c.auth();
    assert_eq!(auth.authenticate("adm-1"), Some(Role::Admin));
    assert_eq!(auth.authenticate("mon-2"), Some(Role::Monitor));
    assert_eq!(
        auth.authenticate("tokB"),
        Some(Role::Client("globex".into()))
    );
    assert_eq!(auth.authenticate("tokC"), None);
}

#[test]
fn secrets_never_show() {
    let c = config(&[
        (ADMIN_TOKEN, "adm-secret"),
        (CLIENT_TOKENS, "acme:acme-secret"),
        (MONITOR_TOKENS, "mon-secret"),
        (SLACK_WEBHOOK, "https://hooks.slack.com/services/secret"),
    ])
    .expect("valid");
    let shown = format!("{c:?} {}", c.roles_summary());
    assert!(!shown.contains("secret"), "{shown}");
    assert_eq!(
        c.roles_summary(),
        "admin (from MONITOR_ADMIN_TOKEN), 1 monitor token, client tokens for acme"
    );

    let e = error_of(&[(CLIENT_TOKENS, "acme:has space-secret")]);
    assert_eq!(e.var, CLIENT_TOKENS);
    assert!(!e.to_string().contains("secret"), "{e}");
    let e = error_of(&[(SLACK_WEBHOOK, "hooks.slack.com/secret")]);
    assert!(!e.to_string().contains("secret"), "{e}");
}

#[test]
fn client_tokens_errors_say_which_entry() {
    let e = error_of(&[(CLIENT_TOKENS, "acme:tokA,globex")]);
    assert_eq!(e.var, CLIENT_TOKENS);
    assert!(e.message.contains("entry 2 has no ':'"), "{e}");
    let e = error_of(&[(CLIENT_TOKENS, ":tokA")]);
    assert!(e.message.contains("empty client id"), "{e}");
    let e = error_of(&[(CLIENT_TOKENS, "acme:")]);
    assert!(e.message.contains("must not be empty"), "{e}");
    let e = error_of(&[(CLIENT_TOKENS, "ac me:tok")]);
    assert!(e.message.contains("spaces"), "{e}");
    // A token may itself contain ':'; the client id ends at the first one.
    let c = config(&[(CLIENT_TOKENS, "acme:a:b")]).expect("valid");
    assert_eq!(c.client_tokens[0].1.expose(), "a:b");
}

#[test]
fn one_token_for_two_roles_is_refused() {
    let e = error_of(&[(ADMIN_TOKEN, "same"), (CLIENT_TOKENS, "acme:same")]);
    assert_eq!(e.var, CLIENT_TOKENS);
    assert!(e.message.contains("client acme"), "{e}");
    let e = error_of(&[(MONITOR_TOKENS, "m,m")]);
    assert_eq!(e.var, MONITOR_TOKENS);
    assert!(e.message.contains("entry 2"), "{e}");
}

#[test]
fn bad_values_name_their_variable() {
    for (var, value, says) in [
        (ADDR, "localhost", "IP:PORT"),
        (ADDR, "127.0.0.1", "IP:PORT"),
        (RATE_LIMIT, "-1", "whole number"),
        (RATE_LIMIT, "fast", "whole number"),
        (ALERT_GROUP_WAIT, "1", "unit"),
        (ALERT_GROUP_WAIT, "soon", "unit"),
        (ALERT_GROUP_WAIT, "1.5s", "unit"),
        (SIM, "maybe", "switch"),
        (SIM_SPIKE, "often", "switch"),
        (ALERTMANAGER_URL, "ftp://x", "http"),
        (ALERTMANAGER_URL, "http://", "no host"),
        (ADMIN_TOKEN, "two words", "printable ASCII"),
    ] {
        let e = error_of(&[(var, value)]);
        assert_eq!(e.var, var, "{e}");
        assert!(e.message.contains(says), "{var}={value}: {e}");
        assert!(e.to_string().starts_with(var), "{e}");
    }
}

#[test]
fn durations_take_ms_s_m_h() {
    assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(parse_duration("1s"), Ok(Duration::from_secs(1)));
    assert_eq!(parse_duration(" 2m "), Ok(Duration::from_secs(120)));
    assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3_600)));
    assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
    assert!(parse_duration("ms").is_err());
    assert!(parse_duration("1d").is_err());
    assert!(parse_duration("99999999999999999999h").is_err());
    assert!(
        parse_duration("18446744073709551615h")
            .expect_err("overflow")
            .contains("too long")
    );
}

#[test]
fn switches_and_addresses() {
    for on in ["1", "true", "ON", "yes"] {
        assert_eq!(parse_switch(on), Ok(true), "{on}");
    }
    for off in ["0", "false", "Off", "no"] {
        assert_eq!(parse_switch(off), Ok(false), "{off}");
    }
    assert_eq!(
        parse_addr("[::1]:8080").map(|a| a.to_string()),
        Ok("[::1]:8080".to_owned())
    );
    assert_eq!(
        display_addr(parse_addr("[::]:80").expect("v6")).to_string(),
        "[::1]:80"
    );
}
