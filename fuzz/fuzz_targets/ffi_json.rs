//! libFuzzer entry of the `ffi_json` target (see `logibridge_fuzz::ffi_json`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| logibridge_fuzz::ffi_json::run(data));
