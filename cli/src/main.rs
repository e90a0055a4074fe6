//! `logibridge`: the three services from a shell.
//!
//! Every call goes through the core's generic entry ([`logibridge::Client::call_endpoint`]):
//! `logibridge call <id>` reaches every row of the endpoint table, and the everyday commands
//! (`carreta search`, `ireca orders get`, …) only choose a row and its parameters. Exit
//! codes: 0 done, 1 a local failure (a file, an internal error), 2 usage (the command line,
//! the config file), 3 validation (a parameter or a documented rule; nothing was sent),
//! 4 the service answered with an error, 5 transport (connect, timeout), 6 outcome
//! unknown (a create may have been applied: look it up before sending it again).

mod args;
mod call;
mod config;
mod demo;
mod fail;
mod output;
mod pricelist;
mod sandbox;
mod shortcuts;
mod webhook;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use fail::Failure;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let usage = e.use_stderr();
            let _ = e.print();
            if usage && fail::russian() {
                eprintln!("(ошибка в командной строке; справка: logibridge --help)");
            }
            return ExitCode::from(if usage { fail::Exit::Usage as u8 } else { 0 });
        }
    };
    let json_errors = cli.global.output.is_machine();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            failure.print(json_errors);
            ExitCode::from(failure.exit as u8)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    if cli.global.verbose {
        // Records of the core (requests, retries, sign-ins) on stderr; the core redacts
        // every URL and never logs a credential, so -v shows no secret either.
        let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "logibridge=debug".into());
        let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).with_env_filter(filter).try_init();
    }
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
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "logibridge", &mut std::io::stdout());
            Ok(())
        }
    }
}
