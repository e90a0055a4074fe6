//! libFuzzer entry of the `describe` target (see `logibridge_fuzz::describe`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| logibridge_fuzz::describe::run(data));
