//! `gen-pricelist ROWS OUT [SEED]`: writes the deterministic CP1251 benchmark price list.

use std::io::BufWriter;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: gen-pricelist ROWS OUT [SEED]");
        std::process::exit(2);
    }
    let rows: u64 = args[1].parse().expect("ROWS must be a number");
    let seed: u64 = args.get(3).map(|s| s.parse().expect("SEED must be a number")).unwrap_or(1);
    let started = Instant::now();
    let file = std::fs::File::create(&args[2]).expect("cannot create the output file");
    logibridge_sandbox::pricelist::write_pricelist(BufWriter::with_capacity(1 << 20, file), rows, seed).expect("cannot write");
    let size = std::fs::metadata(&args[2]).map(|m| m.len()).unwrap_or(0);
    eprintln!("{rows} rows, {size} bytes in {:.2?}", started.elapsed());
}
