//! libFuzzer entry for `webhook_body`; the body and what it checks are in
//! `fuzz_targets::webhook_body` (fuzz-targets/src/webhook_body.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::webhook_body::run(data));
