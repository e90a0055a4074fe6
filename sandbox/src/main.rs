//! `logibridge-sandbox`: runs the offline service emulator until interrupted.

use std::io::Write;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::process::ExitCode;

use clap::Parser;
use logibridge_sandbox::{
    Sandbox, SandboxConfig, DEFAULT_CARGORUN_PASSWORD, DEFAULT_CARGORUN_USERNAME,
    DEFAULT_CARRETA_API_KEY, DEFAULT_IRECA_TOKEN,
};

/// Offline emulator of the Carreta, iRECA Courier and CARGO.RUN Logistics 2.0 APIs.
///
/// Prints the service URLs on stdout once it listens, then serves until Ctrl-C or SIGTERM.
/// The control API (faults, request log, order statuses) lives under /_control/.
#[derive(Parser, Debug)]
#[command(name = "logibridge-sandbox", version)]
struct Args {
    /// Port to listen on; 0 picks a free one (the URLs printed on stdout show it).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address or host name to listen on: 127.0.0.1, ::1, 0.0.0.0, localhost, ...
    #[arg(long, default_value = "127.0.0.1", value_parser = parse_host)]
    host: Host,
    /// The api_key the Carreta emulator accepts (not empty).
    #[arg(long, value_name = "KEY", default_value = DEFAULT_CARRETA_API_KEY, value_parser = parse_api_key)]
    carreta_api_key: String,
    /// The Bearer token the iRECA emulator accepts (not empty).
    #[arg(long, value_name = "TOKEN", default_value = DEFAULT_IRECA_TOKEN, value_parser = parse_api_key)]
    ireca_token: String,
    /// The user name the CARGO.RUN emulator accepts (not empty).
    #[arg(long, value_name = "USER", default_value = DEFAULT_CARGORUN_USERNAME, value_parser = parse_api_key)]
    cargorun_username: String,
    /// The password the CARGO.RUN emulator accepts (not empty).
    #[arg(long, value_name = "PASSWORD", default_value = DEFAULT_CARGORUN_PASSWORD, value_parser = parse_api_key)]
    cargorun_password: String,
    /// Seed of the generated catalogue and of the offer signatures.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Threads serving requests: 1 = one thread; N = a pool of N workers (for benchmarks
    /// that drive many connections); 0 = one worker per core. At most 256.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(0..=256))]
    threads: u16,
}

/// `--host` as given, with the addresses it names (in the resolver's order of preference).
#[derive(Debug, Clone)]
struct Host {
    addrs: Vec<IpAddr>,
}

/// An IP address (`::1` or `[::1]` for IPv6) or a name the system resolves (`localhost`).
fn parse_host(text: &str) -> Result<Host, String> {
    let bare = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(Host { addrs: vec![ip] });
    }
    if bare.trim().is_empty() {
        return Err("the host must not be empty".into());
    }
    let resolved = (bare, 0)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve host name \"{bare}\": {e}"))?;
    let mut addrs: Vec<IpAddr> = Vec::new();
    for a in resolved {
        if !addrs.contains(&a.ip()) {
            addrs.push(a.ip());
        }
    }
    if addrs.is_empty() {
        return Err(format!("host name \"{bare}\" resolves to no address"));
    }
    Ok(Host { addrs })
}

/// Refuses an empty or blank key or token: the emulator would then accept requests without
/// one.
fn parse_api_key(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("the key must not be empty or blank".into());
    }
    Ok(text.to_string())
}

/// What an address failure means to the person who typed the command.
fn listen_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::AddrInUse => "address already in use".into(),
        ErrorKind::AddrNotAvailable => "no such address on this machine".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Serves until a signal; errors come back as one line for the user.
fn run(args: Args) -> Result<(), String> {
    let config = SandboxConfig {
        carreta_api_key: args.carreta_api_key,
        seed: args.seed,
        ireca_token: args.ireca_token,
        cargorun_username: args.cargorun_username,
        cargorun_password: args.cargorun_password,
        threads: args.threads.into(),
    };
    // A name may resolve to several addresses (localhost: ::1 and 127.0.0.1): take the
    // first that can be bound, and report the first failure if none can.
    let mut first_error = None;
    let mut started = None;
    for ip in &args.host.addrs {
        let addr = SocketAddr::new(*ip, args.port);
        match Sandbox::start_on(addr, config.clone()) {
            Ok(sandbox) => {
                started = Some(sandbox);
                break;
            }
            Err(e) => {
                first_error.get_or_insert_with(|| {
                    format!("cannot listen on {addr}: {}", listen_reason(&e))
                });
            }
        }
    }
    let sandbox = match started {
        Some(s) => s,
        None => return Err(first_error.unwrap_or_else(|| "no address to listen on".into())),
    };
    // Scripts read these lines to learn the port (the carreta line first, as it always
    // was), so flush before anything else. One write for all: a script that reads the
    // first line and closes the pipe must not make the others fail.
    let urls = sandbox.banner();
    let mut out = std::io::stdout().lock();
    out.write_all(urls.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| format!("cannot write the URLs to stdout: {e}"))?;
    drop(out);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the signal handler: {e}"))?;
    rt.block_on(wait_for_signal());
    sandbox.stop();
    Ok(())
}

/// Ctrl-C, or SIGTERM on Unix (what process managers and test harnesses send).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_by_address_and_by_name() {
        assert_eq!(
            parse_host("::1").unwrap().addrs,
            ["::1".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(
            parse_host("[::1]").unwrap().addrs,
            ["::1".parse::<IpAddr>().unwrap()]
        );
        let local = parse_host("localhost").unwrap().addrs;
        assert!(
            !local.is_empty() && local.iter().all(IpAddr::is_loopback),
            "{local:?}"
        );
        assert!(parse_host("").is_err());
        assert!(parse_host("no-such-host.invalid").is_err());
    }

    #[test]
    fn blank_keys_are_refused() {
        assert!(parse_api_key("").is_err());
        assert!(parse_api_key(" \t").is_err());
        assert_eq!(parse_api_key("k").unwrap(), "k");
    }
}
