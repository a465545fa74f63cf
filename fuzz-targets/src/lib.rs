//! The bodies of the fuzz targets in `fuzz/` (cargo-fuzz, libFuzzer), one
//! module per target, each with a `run(data: &[u8])` that panics when an
//! invariant breaks.
//!
//! They live in an ordinary workspace crate so the same code runs on
//! stable: `tests/replay.rs` feeds every committed seed
//! (`fuzz/seeds/<target>/`) and every input that once crashed
//! (`fuzz/regressions/<target>/`) through `run`. The libFuzzer side is one
//! line per target; see `docs/fuzzing.md` for the commands.
//!
//! ```
//! // Any bytes at all: a target only panics on a broken invariant.
//! fuzz_targets::ws_frame::run(br#"{"type":"subscribe","channels":["errors"]}"#);
//! fuzz_targets::error_query::run(b"severity=critical&limit=0");
//! ```

pub mod error_query;
pub mod ring_ops;
pub mod snapshot;
pub mod webhook_body;
pub mod ws_frame;

/// A target's body: panics when an invariant breaks.
pub type Run = fn(&[u8]);

/// Every target, by the name of its directory under `fuzz/seeds/` and
/// `fuzz/regressions/`, with its `run`.
pub const TARGETS: [(&str, Run); 5] = [
    ("ws_frame", ws_frame::run),
    ("error_query", error_query::run),
    ("webhook_body", webhook_body::run),
    ("snapshot", snapshot::run),
    ("ring_ops", ring_ops::run),
];

/// `data` as text: as is when it is UTF-8, else with invalid sequences
/// replaced (the transports in front of the parsers deliver only UTF-8).
fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}
