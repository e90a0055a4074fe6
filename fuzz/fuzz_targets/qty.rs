//! libFuzzer entry of the `qty` target (see `logibridge_fuzz::qty`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| logibridge_fuzz::qty::run(data));
