//! Advisory whole-file locks (`flock`) that two runs of the command take to keep out of
//! each other's way: two `carreta order create --comment C` at once, two `cargorun bids
//! sync` on one store. The lock goes with the open file, so a run that dies releases it.
//!
//! Lock files are kept (but the one of a sync store its refused run made): removing one
//! while another run waits on it would let a third run lock a new file of the same name
//! next to the second.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Opens (creating, 600) `path` and locks it exclusively, waiting for the holder.
pub fn exclusive(path: &Path) -> io::Result<File> {
    let file = open(path)?;
    flock(&file, false)?;
    Ok(file)
}

/// Opens (creating, 600) `path` and locks it exclusively if nobody holds it: `None` when
/// another process does.
pub fn try_exclusive(path: &Path) -> io::Result<Option<File>> {
    let file = open(path)?;
    match flock(&file, true) {
        Ok(()) => Ok(Some(file)),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
        Err(e) => Err(e),
    }
}

/// This user's directory for lock files: `$XDG_RUNTIME_DIR/logibridge` (the user's own,
/// cleared at logout), else `logibridge-<uid>` in the temp directory, made 700. A temp
/// directory of that name that is not this user's own is refused: another user could
/// hold the locks.
pub fn runtime_dir() -> io::Result<PathBuf> {
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d).join("logibridge"),
        None => std::env::temp_dir().join(format!("logibridge-{}", uid())),
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::symlink_metadata(&dir)?;
        if !meta.is_dir() || meta.uid() != uid() || meta.mode() & 0o022 != 0 {
            return Err(io::Error::new(io::ErrorKind::PermissionDenied, format!("{} is not a directory of this user's only", dir.display())));
        }
    }
    Ok(dir)
}

#[cfg(unix)]
fn uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

#[cfg(not(unix))]
fn uid() -> u32 {
    0
}

fn open(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(unix)]
fn flock(file: &File, nonblocking: bool) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    let op = if nonblocking { libc::LOCK_EX | libc::LOCK_NB } else { libc::LOCK_EX };
    loop {
        // SAFETY: the descriptor is the open file's own for the duration of the call.
        if unsafe { libc::flock(file.as_raw_fd(), op) } == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// Not yet on Windows (issue 15's builds): runs there are not kept apart.
#[cfg(not(unix))]
fn flock(_file: &File, _nonblocking: bool) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_refused_to_a_second_opener_and_freed_by_closing() {
        let path = std::env::temp_dir().join(format!("logibridge-lock-test-{}", std::process::id()));
        let first = exclusive(&path).unwrap();
        assert!(try_exclusive(&path).unwrap().is_none());
        drop(first);
        assert!(try_exclusive(&path).unwrap().is_some());
        let _ = std::fs::remove_file(&path);
    }
}
