//! The committed `include/logibridge.h` must be exactly what the pinned cbindgen makes of
//! `ffi-c/src` today. `LB_BLESS=1` rewrites it instead of failing.

use std::path::{Path, PathBuf};

fn generate() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml"))
        .expect("ffi-c/cbindgen.toml must parse");
    // Generated from lib.rs, whose `pub mod` lines cbindgen follows; no `cargo metadata`,
    // no network, no dependency parsing.
    let builder = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"));
    let mut out = Vec::new();
    builder
        .generate()
        .expect("cbindgen must generate the header")
        .write(&mut out);
    String::from_utf8(out).expect("the header is UTF-8")
}

fn header_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../include/logibridge.h")
}

#[test]
fn committed_header_is_fresh() {
    let fresh = generate();
    let path = header_path();
    if std::env::var_os("LB_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write include/logibridge.h");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let first = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(fresh.lines().count()));
        panic!(
            "include/logibridge.h differs from a fresh cbindgen generation (first difference at line {}).\n\
             Regenerate it with: LB_BLESS=1 cargo test -p logibridge-ffi --test header  (or `make header`)",
            first + 1
        );
    }
}

#[test]
fn header_declares_the_whole_api() {
    let h = generate();
    for name in [
        "lb_client_new",
        "lb_carreta_new",
        "lb_service_register",
        "lb_endpoints",
        "lb_call",
        "lb_call_async",
        "lb_call_cancel",
        "lb_client_free",
        "lb_string_free",
        "lb_error_free",
        "LB_CANCELLED = 10",
    ] {
        assert!(h.contains(name), "{name} missing from the header");
    }
}
