//! The fuzz targets of logibridge, as plain functions.
//!
//! Each target takes arbitrary bytes, drives one public entry point with them and panics
//! when an invariant breaks (a panic of the library itself counts too). The same function
//! runs under libFuzzer (`fuzz_targets/*.rs`, `make fuzz`) and in the replay smoke test
//! (`tests/fuzz_smoke.rs`, part of `make test`), which feeds it the committed corpus, every
//! file in `regressions/` and a few thousand deterministic mutations of them.
//!
//! | target      | entry point                                                         |
//! |-------------|---------------------------------------------------------------------|
//! | `qty`       | `carreta::Qty::parse` and `carreta::check_order_qty`                |
//! | `pricelist` | `pricelist::Reader` (iterator and `next_ref`) and `par_for_each`   |
//! | `decode`    | `Client::decode_body_of`: the client's decoder and its scrubber     |
//! | `ffi_json`  | the C face's functions that take JSON or text (`lb_call`, ...)      |
//! | `describe`  | `endpoints::register` and `describe_service`                        |

#![deny(missing_docs)]

pub mod decode;
pub mod describe;
pub mod ffi_json;
pub mod input;
pub mod pricelist;
pub mod qty;
pub mod replay;

/// A fuzz target: takes any bytes, panics when an invariant breaks.
pub type Target = fn(&[u8]);

/// Every target by name, as `cargo fuzz` and the directories under `corpus/` and
/// `regressions/` call it.
pub const TARGETS: &[(&str, Target)] = &[
    ("qty", qty::run),
    ("pricelist", pricelist::run),
    ("decode", decode::run),
    ("ffi_json", ffi_json::run),
    ("describe", describe::run),
];
