//! The replay smoke run: every committed input of a target, then deterministic mutations
//! of them, without libFuzzer (any toolchain, the workspace's dev profile).
//!
//! An input that makes the target panic is written to `target/fuzz-smoke-failures/` and
//! named in the panic message; copy it to `fuzz/regressions/<target>/` once fixed.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Tokens the mutator inserts: the structure characters and words of price lists, JSON
/// and `qty` texts, and edge numbers.
const TOKENS: &[&[u8]] = &[
    b"\"", b";", b",", b"\n", b"\r\n", b"\t", b"{", b"}", b"[", b"]", b":", b"null", b"true", b"-", b".", b"e", b"<", b">",
    b"0", b"1", b"9", b"10", b"18446744073709551616", b"9223372036854775808", b"1e400", b"-0", b"0.1", "Есть".as_bytes(),
    "Щё".as_bytes(), b"\xD9\xB8", b"\xEF\xBB\xBF", b"\xFF", b"\\u0000", b"\\ud800", b"$K", b"\"\"", b"\"id\":", b"\"price\":",
    "Артикул;Цена".as_bytes(), b"Code;Price", "Количество".as_bytes(), b"%2B", b"\x00",
];

/// The committed inputs of `target`: `fuzz/corpus/<target>/*` and
/// `fuzz/regressions/<target>/*`, sorted by path.
pub fn committed_inputs(fuzz_dir: &Path, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut inputs = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_dir.join(dir).join(target)) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() && path.file_name().is_some_and(|n| n != "README.md" && n != ".gitkeep") {
                let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                inputs.push((path, bytes));
            }
        }
    }
    inputs.sort();
    inputs
}

/// `input` changed by one to four random edits: flip a byte, set an edge byte, insert a
/// token, delete or duplicate a stretch, or splice in a stretch of `other`.
pub fn mutate(rng: &mut StdRng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let at = if out.is_empty() { 0 } else { rng.random_range(0..=out.len()) };
        match rng.random_range(0..7) {
            0 if at < out.len() => out[at] ^= 1 << rng.random_range(0..8),
            1 if at < out.len() => out[at] = [0x00, 0x7F, 0x80, 0xFF, b'0', b'9'][rng.random_range(0..6)],
            2 | 3 => {
                let token = TOKENS[rng.random_range(0..TOKENS.len())];
                out.splice(at..at, token.iter().copied());
            }
            4 if at < out.len() => {
                let end = (at + rng.random_range(1..=16)).min(out.len());
                out.drain(at..end);
            }
            5 if at < out.len() => {
                let end = (at + rng.random_range(1..=64)).min(out.len());
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
            _ if !other.is_empty() => {
                let from = rng.random_range(0..other.len());
                let end = (from + rng.random_range(1..=64)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            _ => {}
        }
    }
    out
}

/// Runs `target` on every committed input and on `mutations` mutated ones (seeded, so a
/// run is the same every time); returns how many inputs ran. Panics naming the first
/// input that fails, after saving it under `failures`.
pub fn replay(name: &str, target: fn(&[u8]), fuzz_dir: &Path, failures: &Path, mutations: usize, seed: u64) -> usize {
    let inputs = committed_inputs(fuzz_dir, name);
    assert!(!inputs.is_empty(), "no committed inputs for {name} under {}", fuzz_dir.display());
    let run_one = |what: &str, data: &[u8]| {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| target(data))) {
            std::fs::create_dir_all(failures).ok();
            let file = failures.join(format!("{name}-{:016x}", fnv1a(data)));
            std::fs::write(&file, data).ok();
            let message = panic.downcast_ref::<String>().map(String::as_str).or_else(|| panic.downcast_ref::<&str>().copied()).unwrap_or("?");
            panic!("fuzz target {name} failed on {what} (saved as {}): {message}", file.display());
        }
    };
    for (path, data) in &inputs {
        run_one(&path.display().to_string(), data);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut costly = 0;
    for i in 0..mutations {
        let base = &inputs[rng.random_range(0..inputs.len())].1;
        let other = &inputs[rng.random_range(0..inputs.len())].1;
        let mut data = mutate(&mut rng, base, other);
        if name == "pricelist" && crate::pricelist::amplifies(&data) {
            // A 600 KiB list takes about a second three times over in the dev profile.
            costly += 1;
            if costly > COSTLY_MUTATIONS {
                data[0] &= !crate::pricelist::AMPLIFY;
            }
        }
        run_one(&format!("mutation {i}"), &data);
    }
    inputs.len() + mutations
}

/// How many mutated inputs per run may be amplified price lists (see
/// [`crate::pricelist::AMPLIFY`]); the others are read as they are.
const COSTLY_MUTATIONS: usize = 8;

/// A stable name for an input (FNV-1a, 64 bits).
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325, |h, &b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}
