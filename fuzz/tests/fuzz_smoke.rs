//! The fuzz smoke run of `make test`: each target on its committed corpus, every
//! regression input, and a few thousand seeded mutations of them, in the dev profile
//! without libFuzzer. `LB_FUZZ_MUTATIONS=<n>` changes the number of mutations per target.
//! The real, coverage-guided runs are `make fuzz` (see fuzz/README.md).

use std::path::{Path, PathBuf};

fn fuzz_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn failures_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| fuzz_dir().join("../target"));
    target.join("fuzz-smoke-failures")
}

fn smoke(name: &str, default_mutations: usize) {
    let target = logibridge_fuzz::TARGETS.iter().find(|(n, _)| *n == name).expect("a known target").1;
    let mutations = std::env::var("LB_FUZZ_MUTATIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(default_mutations);
    let started = std::time::Instant::now();
    let ran = logibridge_fuzz::replay::replay(name, target, fuzz_dir(), &failures_dir(), mutations, 0x1b_f022);
    println!("fuzz smoke {name}: {ran} inputs in {:.1} s", started.elapsed().as_secs_f64());
}

#[test]
fn smoke_qty() {
    smoke("qty", 20_000);
}

#[test]
fn smoke_pricelist() {
    smoke("pricelist", 3_000);
}

#[test]
fn smoke_decode() {
    smoke("decode", 5_000);
}

#[test]
fn smoke_ffi_json() {
    smoke("ffi_json", 5_000);
}

#[test]
fn smoke_describe() {
    smoke("describe", 3_000);
}

/// The corpus and regression directories hold only targets that exist (a renamed target
/// would silently stop replaying its inputs).
#[test]
fn every_input_directory_belongs_to_a_target() {
    for dir in ["corpus", "regressions"] {
        for entry in std::fs::read_dir(fuzz_dir().join(dir)).unwrap().flatten() {
            if entry.path().is_dir() {
                let name = entry.file_name().into_string().unwrap();
                assert!(logibridge_fuzz::TARGETS.iter().any(|(n, _)| *n == name), "{dir}/{name} is no fuzz target");
            }
        }
    }
}
