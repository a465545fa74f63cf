//! libFuzzer entry for `snapshot`; the body and what it checks are in
//! `fuzz_targets::snapshot` (fuzz-targets/src/snapshot.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::snapshot::run(data));
