//! Traversal against `/assets/{name}`: encoded dots and slashes, double
//! encoding, backslashes, absolute paths, NUL, overlong UTF-8, very long
//! names. The files are a table looked up by exact name, so every one of
//! these is a JSON 404 (or a JSON 400 when the name is not UTF-8 text),
//! never a file's bytes, never a 5xx.

use super::Served;

/// Names that must not reach anything, as raw request targets.
const TRAVERSALS: &[&str] = &[
    "/monitor/assets/..%2f..%2fCargo.toml",
    "/monitor/assets/..%2F..%2F..%2Fetc%2Fpasswd",
    "/monitor/assets/%2e%2e%2fCargo.toml",
    "/monitor/assets/%2e%2e/%2e%2e/Cargo.toml",
    "/monitor/assets/%252e%252e%252fCargo.toml",
    "/monitor/assets/..%252f..%252fCargo.toml",
    "/monitor/assets/..%5c..%5cCargo.toml",
    "/monitor/assets/%5cetc%5cpasswd",
    "/monitor/assets/%2fetc%2fpasswd",
    "/monitor/assets//etc/passwd",
    "/monitor/assets/C:%5cWindows%5cwin.ini",
    "/monitor/assets/app.js%00",
    "/monitor/assets/app.js%00.png",
    "/monitor/assets/%00",
    "/monitor/assets/app.js%20",
    "/monitor/assets/.%2fapp.js",
    "/monitor/assets/app.js;x",
    "/monitor/assets/app.js/",
    "/monitor/assets/%2e",
    "/monitor/assets/%2e%2e",
    "/monitor/assets/...",
    "/monitor/assets/app%2ejs%2f..%2f..%2f..%2fCargo.toml",
];

#[tokio::test]
async fn traversal_names_are_json_404s() {
    let served = Served::start().await;
    for target in TRAVERSALS {
        let answer = served.get(target.as_bytes(), None).await;
        answer.refused(target, 404, "not_found", "");
        let body = String::from_utf8_lossy(&answer.body);
        assert!(
            !body.contains("[package]") && !body.contains("root:"),
            "{target}: {body}"
        );
    }
    served.still_serves().await;
}

#[tokio::test]
async fn names_that_are_not_utf8_are_json_400s() {
    let served = Served::start().await;
    for target in [
        "/monitor/assets/%ff",
        "/monitor/assets/app%80.js",
        // Overlong encodings of `.` and `/`: `../` to a lax decoder.
        "/monitor/assets/%c0%ae%c0%ae%c0%afCargo.toml",
        "/monitor/assets/%e0%80%ae%e0%80%ae%e0%80%afCargo.toml",
        // A lone surrogate, UTF-8 encoded (CESU-8).
        "/monitor/assets/%ed%a0%80",
    ] {
        let answer = served.get(target.as_bytes(), None).await;
        answer.refused(target, 400, "invalid_parameter", "UTF-8");
    }
    served.still_serves().await;
}

#[tokio::test]
async fn a_very_long_name_is_a_short_json_404() {
    let served = Served::start().await;
    let long = format!("/monitor/assets/{}", "a".repeat(60_000));
    let answer = served.get(long.as_bytes(), None).await;
    answer.refused("a 60 000-byte name", 404, "not_found", "");
    assert!(answer.body.len() < 1024, "the name is not echoed back");
    let traversal = format!("/monitor/assets/{}Cargo.toml", "..%2f".repeat(10_000));
    let answer = served.get(traversal.as_bytes(), None).await;
    answer.refused("10 000 ..%2f", 404, "not_found", "");
    served.still_serves().await;
}

/// What the HTTP layer itself refuses (bytes a URI may not hold): a 400
/// from hyper before the router runs, so no JSON; never a 5xx, and the
/// server goes on.
#[tokio::test]
async fn raw_bytes_a_uri_cannot_hold_are_4xx() {
    let served = Served::start().await;
    for target in [
        &b"/monitor/assets/..\\..\\Cargo.toml"[..],
        b"/monitor/assets/app.js\0",
        b"/monitor/assets/\xff\xfe",
        b"/monitor/assets/a b",
        b"../../Cargo.toml",
        b"C:\\Windows\\win.ini",
    ] {
        let what = String::from_utf8_lossy(target).into_owned();
        let answer = served.get(target, None).await;
        answer.not_5xx(&what);
        assert!(answer.status >= 400, "{what}: {answer:?}");
        assert!(
            !String::from_utf8_lossy(&answer.body).contains("[package]"),
            "{what}"
        );
    }
    served.still_serves().await;
}
