//! `pricelist`: the price-list reader on arbitrary bytes, in auto-encoding mode.
//!
//! Input: one option byte (delimiter; [`AMPLIFY`]: repeat the rows past 600 KiB), then
//! the file's bytes. The same bytes are read
//! three ways: the iterator of owned rows, the borrowed rows of `next_ref`, and
//! `par_for_each` on two threads. Invariants:
//! - all three agree: the same header, the same good rows (the parallel ones sorted by
//!   line), the same bad rows (line, column, reason, excerpt) and the same counts;
//!   a list one of them refuses (no code or price column, undecodable header) the others
//!   refuse with the same kind of error;
//! - the iterator's lines increase, every row line is past the header, every excerpt is
//!   at most 200 characters (plus the ellipsis), the summary counts what was handed out.

use std::sync::Mutex;

use logibridge::pricelist::{par_for_each, BadRow, Encoding, OnError, Options, Reader, Row, Summary};
use logibridge::{Error, ErrorKind};

use crate::input::Input;

/// Option bits asking for the rows to be repeated past one parallel block.
pub const AMPLIFY: u8 = 0x3C;

/// Whether an input asks for [`AMPLIFY`].
pub fn amplifies(data: &[u8]) -> bool {
    data.first().is_some_and(|&option| option & AMPLIFY == AMPLIFY)
}

/// The header line, then the rest repeated until the list is longer than one block of
/// `par_for_each` (512 KiB), so the cutting of blocks at record ends is exercised too.
fn amplified(bytes: &[u8]) -> Vec<u8> {
    let Some(end) = bytes.iter().position(|&b| b == b'\n') else { return bytes.to_vec() };
    let (header, rows) = bytes.split_at(end + 1);
    if rows.is_empty() {
        return bytes.to_vec();
    }
    let mut out = header.to_vec();
    while out.len() < 600 * 1024 {
        out.extend_from_slice(rows);
    }
    out
}

/// What one way of reading saw.
#[derive(Debug, PartialEq)]
struct Seen {
    headers: Vec<String>,
    rows: Vec<Row>,
    bad: Vec<BadRow>,
    rows_ok: u64,
    rows_bad: u64,
}

/// The fuzz target.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let option = input.byte();
    let delimiter = [b';', b',', b'\t', b'|'][(option & 3) as usize];
    let bytes = if amplifies(data) { amplified(input.rest()) } else { input.rest().to_vec() };
    let bytes = &bytes[..];
    let options = || Options::new().delimiter(delimiter).encoding(Encoding::Auto).on_error(OnError::Collect);

    let owned = by_iterator(bytes, options());
    let borrowed = by_next_ref(bytes, options());
    let parallel = by_par(bytes, options());
    match (owned, borrowed, parallel) {
        (Ok(owned), Ok(borrowed), Ok(parallel)) => {
            check_alone(&owned);
            assert_eq!(owned, borrowed, "the iterator and next_ref disagree");
            assert_eq!(owned, parallel, "the iterator and par_for_each disagree");
        }
        (Err(a), Err(b), Err(c)) => {
            assert_eq!((a.kind(), b.kind()), (c.kind(), c.kind()), "{a} / {b} / {c}");
            assert_ne!(a.kind(), ErrorKind::Internal, "{a}");
        }
        (a, b, c) => panic!("the readers disagree on whether the list can be read:\niterator {a:?}\nnext_ref {b:?}\npar {c:?}"),
    }
}

fn by_iterator(bytes: &[u8], options: Options) -> Result<Seen, Error> {
    let mut reader = Reader::from_reader(bytes, options)?;
    let mut rows = Vec::new();
    for row in reader.by_ref() {
        rows.push(row?);
    }
    Ok(seen(&reader, rows))
}

fn by_next_ref(bytes: &[u8], options: Options) -> Result<Seen, Error> {
    let mut reader = Reader::from_reader(bytes, options)?;
    let mut rows = Vec::new();
    while let Some(row) = reader.next_ref() {
        rows.push(row?.to_row());
    }
    Ok(seen(&reader, rows))
}

fn seen<R: std::io::Read>(reader: &Reader<R>, rows: Vec<Row>) -> Seen {
    let Summary { rows_ok, rows_bad, .. } = reader.summary();
    Seen { headers: reader.headers().to_vec(), rows, bad: reader.bad_rows().to_vec(), rows_ok, rows_bad }
}

fn by_par(bytes: &[u8], options: Options) -> Result<Seen, Error> {
    let rows = Mutex::new(Vec::new());
    let outcome = par_for_each(bytes, options, 2, |row| {
        rows.lock().unwrap().push(row.to_row());
        Ok(())
    })?;
    let mut rows = rows.into_inner().unwrap();
    rows.sort_by_key(|r| r.line);
    Ok(Seen { headers: outcome.headers, rows, bad: outcome.bad_rows, rows_ok: outcome.summary.rows_ok, rows_bad: outcome.summary.rows_bad })
}

/// What holds for one reading on its own.
fn check_alone(seen: &Seen) {
    assert_eq!(seen.rows_ok, seen.rows.len() as u64, "rows_ok counts the rows handed out");
    assert!(seen.rows_bad >= seen.bad.len() as u64);
    let mut last = 1;
    for row in &seen.rows {
        assert!(row.line > last, "row lines increase past the header: {} after {last}", row.line);
        last = row.line;
    }
    for bad in &seen.bad {
        assert!(bad.line >= 2, "a bad row is past the header: {bad:?}");
        assert!(!bad.reason.is_empty());
        assert!(bad.raw.chars().count() <= 201, "excerpt of {} characters", bad.raw.chars().count());
    }
}
