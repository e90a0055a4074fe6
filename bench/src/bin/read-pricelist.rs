//! `read-pricelist FILE [iter|reuse|jsonl|csv] [background]`: reads a price list with the Rust reader and
//! prints one JSON line: rows, bad rows, bytes, seconds.
//!
//! * `iter` (default): the `Iterator`, one owned `Row` per row (what a caller collecting rows does);
//! * `reuse`: `Reader::read_into` into one reused `Row`;
//! * `jsonl` / `csv`: one-pass conversion to `/dev/null`.

use std::time::Instant;

use logibridge::pricelist::{self, OnError, Options, Row};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: read-pricelist FILE [iter|reuse|jsonl|csv]");
        std::process::exit(2);
    };
    let mode = args.get(2).map(String::as_str).unwrap_or("iter");
    // A third argument `background` parses on a background thread (Options::background).
    let background = args.get(3).map(String::as_str) == Some("background");
    let started = Instant::now();
    let mut reader = pricelist::open_with(path, Options::new().on_error(OnError::Collect).background(background)).expect("cannot open");
    let mut checksum = rust_decimal::Decimal::ZERO;
    let mut rows = 0u64;
    match mode {
        "iter" => {
            for row in reader.by_ref() {
                let row = row.expect("read error");
                checksum += row.price;
                rows += 1;
            }
        }
        "reuse" => {
            let mut row = Row::default();
            while reader.read_into(&mut row).expect("read error") {
                checksum += row.price;
                rows += 1;
            }
        }
        "jsonl" => {
            rows = pricelist::write_jsonl(&mut reader, std::io::sink()).expect("convert").rows_ok;
        }
        "csv" => {
            rows = pricelist::write_csv_utf8(&mut reader, std::io::sink()).expect("convert").rows_ok;
        }
        other => {
            eprintln!("unknown mode {other}");
            std::process::exit(2);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let s = reader.summary();
    println!(
        "{{\"reader\":\"rust-{mode}{}\",\"rows\":{rows},\"rows_bad\":{},\"bytes\":{},\"seconds\":{seconds:.4},\"checksum\":\"{checksum}\"}}",
        if background { "-background" } else { "" },
        s.rows_bad,
        s.bytes
    );
}
