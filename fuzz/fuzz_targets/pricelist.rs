//! libFuzzer entry of the `pricelist` target (see `logibridge_fuzz::pricelist`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| logibridge_fuzz::pricelist::run(data));
