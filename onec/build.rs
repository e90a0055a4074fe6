//! Link flags of the component.
//!
//! `-z nodelete`: the library starts background threads (the shared tokio runtime of the
//! core) that live for the rest of the process. If the host unloaded the library with
//! `dlclose` while they run, their code would be unmapped under them. Marking the shared
//! object NODELETE makes `dlclose` keep it mapped, which is what every host expects from a
//! component with worker threads.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,nodelete");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
