//! libFuzzer entry for `ws_frame`; the body and what it checks are in
//! `fuzz_targets::ws_frame` (fuzz-targets/src/ws_frame.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::ws_frame::run(data));
