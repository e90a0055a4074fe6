//! `read-pricelist FILE [iter|reuse|ref|par|jsonl|csv] [background|THREADS]`: reads a price list with the
//! Rust reader and prints one JSON line: rows, bad rows, bytes, seconds.
//!
//! * `iter` (default): the `Iterator`, one owned `Row` per row (what a caller collecting rows does);
//! * `reuse`: `Reader::read_into` into one reused `Row`;
//! * `ref`: `Reader::for_each_ref`, a borrowed `RowRef` per row (no allocation per row);
//! * `par`: `pricelist::par_for_each` with THREADS worker threads (default: one per core), borrowed
//!   rows handed to the visitor on every worker in no particular order; the checksum is summed per
//!   thread-local accumulator and added up at the end;
//! * `arrow`: `pricelist::arrow::Batches` with THREADS workers, Arrow record batches in file order;
//!   the checksum sums the `price` column's Decimal128 values;
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
    if mode == "par" {
        let threads = args.get(3).and_then(|t| t.parse().ok()).unwrap_or(0);
        par(path, threads, started);
        return;
    }
    if mode == "arrow" {
        let threads = args.get(3).and_then(|t| t.parse().ok()).unwrap_or(0);
        arrow(path, threads, started);
        return;
    }
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
        "ref" => {
            reader
                .for_each_ref(|row| {
                    checksum += row.price();
                    std::hint::black_box((row.code(), row.maker(), row.name(), row.qty_raw(), row.extra_value(0)));
                    rows += 1;
                    Ok(())
                })
                .expect("read error");
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

/// Sums of the `par` mode's threads, added in when each thread ends.
static TOTAL: std::sync::Mutex<rust_decimal::Decimal> = std::sync::Mutex::new(rust_decimal::Decimal::ZERO);

/// A thread's own price sum (no sharing per row), added to [`TOTAL`] when the thread ends.
struct Local(rust_decimal::Decimal);

impl Drop for Local {
    fn drop(&mut self) {
        *TOTAL.lock().unwrap() += self.0;
    }
}

thread_local! {
    static LOCAL: std::cell::RefCell<Local> = const { std::cell::RefCell::new(Local(rust_decimal::Decimal::ZERO)) };
}

/// `par`: every worker adds its rows' prices to its own thread-local sum; the sums are
/// added up as the workers end (`par_for_each` joins them before returning).
fn par(path: &str, threads: usize, started: Instant) {
    let file = std::fs::File::open(path).expect("cannot open");
    let outcome = pricelist::par_for_each(file, Options::new().on_error(OnError::Collect), threads, |row| {
        std::hint::black_box((row.code(), row.maker(), row.name(), row.qty_raw(), row.extra_value(0)));
        LOCAL.with_borrow_mut(|l| l.0 += row.price());
        Ok(())
    })
    .expect("read error");
    // The calling thread's share (rows it parsed itself, if any).
    let own = LOCAL.with_borrow_mut(|l| std::mem::take(&mut l.0));
    let checksum = *TOTAL.lock().unwrap() + own;
    let seconds = started.elapsed().as_secs_f64();
    let s = outcome.summary;
    println!(
        "{{\"reader\":\"rust-par\",\"rows\":{},\"rows_bad\":{},\"bytes\":{},\"seconds\":{seconds:.4},\"checksum\":\"{checksum}\"}}",
        s.rows_ok, s.rows_bad, s.bytes
    );
}

/// `arrow`: the list into Arrow record batches (file order, 64k rows at most each); the
/// checksum adds up the price column's Decimal128 values.
fn arrow(path: &str, threads: usize, started: Instant) {
    use arrow_array::{cast::AsArray, types::Decimal128Type};
    use pricelist::arrow::{ArrowOptions, Batches};
    let file = std::fs::File::open(path).expect("cannot open");
    let mut batches = Batches::new(file, Options::new().on_error(OnError::Collect), ArrowOptions::new().threads(threads)).expect("cannot open");
    let (mut sum, mut scale) = (0i128, 0);
    for batch in batches.by_ref() {
        let price = batch.expect("read error").column_by_name("price").expect("price column").as_primitive::<Decimal128Type>().clone();
        scale = price.scale() as u32;
        sum += price.values().iter().sum::<i128>();
    }
    let checksum = rust_decimal::Decimal::from_i128_with_scale(sum, scale);
    let seconds = started.elapsed().as_secs_f64();
    let s = batches.outcome().expect("the end").summary;
    println!(
        "{{\"reader\":\"rust-arrow\",\"rows\":{},\"rows_bad\":{},\"bytes\":{},\"seconds\":{seconds:.4},\"checksum\":\"{checksum}\"}}",
        s.rows_ok, s.rows_bad, s.bytes
    );
}
