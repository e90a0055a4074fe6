//! `logibridge-sandbox`: runs the offline service emulator until interrupted.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};

use clap::Parser;
use logibridge_sandbox::{Sandbox, SandboxConfig, DEFAULT_CARRETA_API_KEY};

/// Offline emulator of the Carreta API (iRECA and CARGO.RUN to come).
#[derive(Parser, Debug)]
#[command(name = "logibridge-sandbox", version)]
struct Args {
    /// Port to listen on; 0 picks a free one (printed on stdout).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// api_key the Carreta emulator accepts.
    #[arg(long, default_value = DEFAULT_CARRETA_API_KEY)]
    carreta_api_key: String,
    /// Seed of the generated catalogue and of the offer signatures.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let config = SandboxConfig {
        carreta_api_key: args.carreta_api_key,
        seed: args.seed,
    };
    let sandbox = Sandbox::start_on(SocketAddr::new(args.host, args.port), config)?;
    {
        // Scripts read these lines to learn the port, so flush before anything else.
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "carreta {} api_key={}",
            sandbox.carreta_url(),
            sandbox.carreta_api_key()
        )?;
        writeln!(out, "control {}_control/", sandbox.base_url())?;
        out.flush()?;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
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
