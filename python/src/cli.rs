//! `_native.cli_main`: the `logibridge` command line (crate `logibridge-cli`) in this
//! process, for the wheel's console script and `python -m logibridge`
//! (`python/logibridge/__main__.py`). The same code as the `logibridge` binary, so the same
//! commands, output and exit codes.

use std::ffi::OsString;
use std::io::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::prelude::*;

/// The exit code of a Rust program that panicked; the panic hook has printed the message.
const PANICKED: u8 = 101;

/// Runs the command line `argv` (program name first, as `sys.argv` with `logibridge` in
/// front) and returns its exit code: 0 done, 1 local, 2 usage or config, 3 validation,
/// 4 the service's error, 5 transport, 6 outcome unknown, 101 an internal error (a panic,
/// kept from crossing into Python so that the script exits as the binary does).
///
/// Holds the thread until the command ends (a sandbox or a webhook receiver: until
/// Ctrl-C), with the GIL released: the package's logging thread and any other Python
/// thread go on meanwhile. Writes to file descriptors 1 and 2 directly, not through
/// `sys.stdout`; what it buffered is flushed before it returns, because the interpreter
/// exits without Rust's own exit-time flush. The arguments are taken as the OS gives them
/// (`os.fsencode`), so a file name that is not UTF-8 still reaches the command.
#[pyfunction]
pub fn cli_main(py: Python<'_>, argv: Vec<OsString>) -> u8 {
    py.detach(move || {
        let code = catch_unwind(AssertUnwindSafe(|| logibridge_cli::main_with_args(argv))).unwrap_or(PANICKED);
        let _ = std::io::stdout().flush();
        code
    })
}
