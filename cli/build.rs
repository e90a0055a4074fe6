//! The git revision for `logibridge --version`: LOGIBRIDGE_GIT_REV when set (a source
//! tarball, a packager), else `git rev-parse` of the checkout, else `unknown`. One `git`
//! process per build of this crate; rerun when HEAD or the branch it names moves.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-env-changed=LOGIBRIDGE_GIT_REV");
    let rev = std::env::var("LOGIBRIDGE_GIT_REV").ok().filter(|r| !r.is_empty()).or_else(|| {
        for path in ["HEAD", "packed-refs"] {
            if let Some(p) = git(&["rev-parse", "--git-path", path]) {
                watch(&p);
            }
        }
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            if let Some(p) = git(&["rev-parse", "--git-path", &branch]) {
                watch(&p);
            }
        }
        git(&["rev-parse", "--short=12", "HEAD"])
    });
    println!("cargo:rustc-env=LOGIBRIDGE_GIT_REV={}", rev.unwrap_or_else(|| "unknown".into()));
}

/// `git rev-parse --git-path` answers relative to the directory it ran in. A file that does
/// not exist (no packed-refs yet) is not watched: cargo would rerun the script every build.
fn watch(p: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(p);
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
