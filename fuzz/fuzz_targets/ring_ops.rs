//! libFuzzer entry for `ring_ops`; the body and what it checks are in
//! `fuzz_targets::ring_ops` (fuzz-targets/src/ring_ops.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::ring_ops::run(data));
