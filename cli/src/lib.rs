//! `logibridge`: the three services from a shell.
//!
//! Every call goes through the core's generic entry ([`logibridge::Client::call_endpoint`]):
//! `logibridge call <id>` reaches every row of the endpoint table, and the everyday commands
//! (`carreta search`, `ireca orders get`, …) only choose a row and its parameters. Exit
//! codes: 0 done, 1 a local failure (a file, an internal error), 2 usage (the command line,
//! the config file), 3 validation (a parameter or a documented rule; nothing was sent),
//! 4 the service answered with an error, 5 transport (connect, timeout), 6 outcome
//! unknown (a create may have been applied: look it up before sending it again).
//!
//! The crate is a library with one entry, [`main_with_args`], so that the `logibridge`
//! binary and the Python wheel's console script (`logibridge._native.cli_main`) run the
//! same code with the same exit codes; its modules are private.

#![deny(missing_docs)]

/// `eprintln!` that never panics: a note or an error on stderr is written if it can be, and
/// a stderr that cannot take it (`2>/dev/full`) must not cost the command its exit code
/// (a panic is 101; a lost order answer is 6).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod call;
mod config;
mod demo;
mod fail;
mod lock;
mod output;
mod pricelist;
mod sandbox;
mod shortcuts;
mod webhook;

use std::ffi::OsString;

use clap::Parser;

use args::{Cli, Command};
use fail::Failure;

/// Runs one `logibridge` command line and returns its exit code (the table in the crate
/// docs: 0 done, 1 local, 2 usage or config, 3 validation, 4 API, 5 transport, 6 outcome
/// unknown).
///
/// `args` is the whole command line, program name first, as `std::env::args_os()` gives it;
/// clap names the program in usage and help after that first item's file name. Output goes
/// straight to the process's stdout and stderr (file descriptors 1 and 2), errors in the
/// user's language (`LANG=ru_*` → Russian). A long command (`sandbox`, `webhook serve`)
/// returns when it is interrupted (Ctrl-C).
pub fn main_with_args<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let usage = e.use_stderr();
            // Help and version go to stdout, and clap does not flush it: a failed write
            // (`--help > /dev/full`) must not pass for success.
            let printed = e.print().and_then(|_| std::io::Write::flush(&mut std::io::stdout()));
            if let (false, Err(io)) = (usage, printed) {
                if io.kind() != std::io::ErrorKind::BrokenPipe {
                    Failure::local(format!("cannot write to stdout: {io}"), format!("не удалось вывести справку: {io}")).print(false);
                    return fail::Exit::Local as u8;
                }
            }
            if usage && fail::russian() {
                say!("(ошибка в командной строке; справка: logibridge --help)");
            }
            return if usage { fail::Exit::Usage as u8 } else { 0 };
        }
    };
    let json_errors = cli.global.output.is_machine();
    match run(cli) {
        Ok(()) => 0,
        Err(failure) => {
            failure.print(json_errors);
            failure.exit as u8
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    // Records of the core (requests, retries, sign-ins) on stderr; the core redacts every
    // URL and never logs a credential, so -v shows no secret either.
    let _stderr_log = if cli.global.verbose { verbose_log() } else { None };
    let g = &cli.global;
    match cli.command {
        Command::Endpoints(a) => call::endpoints(g, a),
        Command::Call(a) => call::call(g, a),
        Command::CallPath(a) => call::call_path(g, a),
        Command::Sandbox(a) => sandbox::run(a),
        Command::Demo => demo::run(),
        Command::Pricelist(args::PricelistCommand::Convert(a)) => pricelist::convert(a),
        Command::Carreta(c) => shortcuts::carreta(g, c),
        Command::Ireca(c) => shortcuts::ireca(g, c),
        Command::Cargorun(c) => shortcuts::cargorun(g, c),
        Command::Webhook(c) => webhook::run(g, c),
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics when its writer fails (`> /dev/full`).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "logibridge", &mut script);
            output::write_stdout(&script)
        }
    }
}

/// `-v`'s subscriber, process-wide when it can be. A host that already has one (the Python
/// package sends the core's events to `logging`, and its console script runs this crate)
/// keeps it, and this thread gets the stderr one for the command's lifetime (the returned
/// guard): the commands drive the core with `block_on` on this thread, so their requests'
/// records are seen.
fn verbose_log() -> Option<tracing::dispatcher::DefaultGuard> {
    use tracing_subscriber::util::SubscriberInitExt;
    let stderr_log = || {
        let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "logibridge=debug".into());
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
        tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(ansi).with_env_filter(filter).finish()
    };
    match stderr_log().try_init() {
        Ok(()) => None,
        Err(_) => Some(stderr_log().set_default()),
    }
}
