//! `carreta-search CALLS [QUERY]`: the Rust client alone — CALLS sequential Carreta
//! `search` calls (blocking API, one keep-alive client) against the service at
//! `CARRETA_BASE_URL` with `CARRETA_API_KEY` (the sandbox `bench/run.py` starts). Prints one
//! JSON line: calls, offers in the last answer, seconds. `bench/faces.py search` makes the
//! same calls through the Python face, so the two differ only by the face.

use std::time::Instant;

use logibridge::blocking::Carreta;
use logibridge::carreta::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let calls: u64 = args.get(1).map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let query = args.get(2).map(String::as_str).unwrap_or("oc47");
    let url = std::env::var("CARRETA_BASE_URL")?;
    let key = std::env::var("CARRETA_API_KEY")?;
    let shop = Carreta::new(Client::builder(key).base_url(url).build()?);
    // One call first, so the connection and the runtime are up before the clock starts.
    let mut offers = shop.search(query)?.len();
    let started = Instant::now();
    for _ in 0..calls {
        offers = shop.search(query)?.len();
    }
    let seconds = started.elapsed().as_secs_f64();
    println!("{{\"calls\":{calls},\"offers\":{offers},\"seconds\":{seconds:.6}}}");
    Ok(())
}
