//! The `logibridge` binary: the command line of [`logibridge_cli`] (its crate docs list the
//! commands and exit codes).

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(logibridge_cli::main_with_args(std::env::args_os()))
}
