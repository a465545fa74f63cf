//! libFuzzer entry for `error_query`; the body and what it checks are in
//! `fuzz_targets::error_query` (fuzz-targets/src/error_query.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_targets::error_query::run(data));
