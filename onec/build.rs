//! Link flags of the component.
//!
//! `-z nodelete`: the library starts background threads (the shared tokio runtime of the
//! core) that live for the rest of the process. If the host unloaded the library with
//! `dlclose` while they run, their code would be unmapped under them. Marking the shared
//! object NODELETE makes `dlclose` keep it mapped, which is what every host expects from a
//! component with worker threads.
//!
//! `LB_ONEC_BUILD`: the optimisation level and whether debug assertions are on, exported by
//! the library as `LogiBridgeBuild()` so that the package check and the host harness can
//! refuse a debug build (issue 10, item 30: the shipped library is the release profile).
fn main() {
    let opt = std::env::var("OPT_LEVEL").unwrap_or_else(|_| "?".into());
    let assertions = if std::env::var_os("CARGO_CFG_DEBUG_ASSERTIONS").is_some() {
        "on"
    } else {
        "off"
    };
    println!("cargo:rustc-env=LB_ONEC_BUILD=opt-level={opt};debug-assertions={assertions}");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
