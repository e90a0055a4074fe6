//! libFuzzer entry of the `decode` target (see `logibridge_fuzz::decode`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| logibridge_fuzz::decode::run(data));
