//! The borrowed-row reader (`Reader::next_ref`, `Reader::for_each_ref`) and the parallel
//! one (`par_for_each`) give the same rows, lines and bad rows as the iterator.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use logibridge::pricelist::{par_for_each, BadRow, Encoding, OnError, Options, Reader, Row};
use logibridge_sandbox::pricelist::write_pricelist;

fn cp1251(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!bad, "{text:?} is not CP1251");
    bytes.into_owned()
}

/// The generator's body (rows only, the header line dropped).
fn body(rows: u64, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    write_pricelist(&mut out, rows, seed).unwrap();
    let header_end = out.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
    out.split_off(header_end)
}

/// A generated list of a few MiB (several parallel blocks) with bad rows of every kind
/// between the generator's chunks; `tail` is appended at the end.
fn list_with_bad_rows(tail: &str) -> Vec<u8> {
    let mut out = Vec::new();
    write_pricelist(&mut out, 0, 1).unwrap(); // the header
    let bad = [
        "MANN;;Фильтр без артикула;100;1;1;1;Москва\r\n",
        "MANN;W 1;Фильтр;сто рублей;1;1;1;Москва\r\n",
        "MANN;W 2;Фильтр;100;1\r\n",
        "MANN;W 3;\"Фильтр\r\nс переносом\";100;1;ноль;1;Москва\r\n",
        "MANN;W 4;Фильтр;100;1;1;7-х;Москва\r\n",
    ];
    for (k, seed) in (1..=6u64).enumerate() {
        out.extend_from_slice(&body(9_000 + 1_000 * seed, seed));
        out.extend_from_slice(&cp1251(bad[k % bad.len()]));
        out.extend_from_slice(&cp1251("\r\n")); // a blank line
    }
    out.extend_from_slice(&cp1251(tail));
    out
}

fn iterate(bytes: &[u8], options: Options) -> (Vec<Row>, Vec<BadRow>) {
    let mut reader = Reader::from_reader(bytes, options).unwrap();
    let rows: Vec<Row> = reader.by_ref().map(Result::unwrap).collect();
    (rows, reader.bad_rows().to_vec())
}

fn parallel(bytes: &[u8], options: Options, threads: usize) -> (Vec<Row>, Vec<BadRow>, u64) {
    let rows = Mutex::new(Vec::new());
    let outcome = par_for_each(bytes, options, threads, |row| {
        rows.lock().unwrap().push(row.to_row());
        Ok(())
    })
    .unwrap();
    let mut rows = rows.into_inner().unwrap();
    rows.sort_by_key(|r| r.line);
    assert_eq!(outcome.summary.rows_ok, rows.len() as u64);
    assert_eq!(outcome.summary.bytes, bytes.len() as u64);
    (rows, outcome.bad_rows, outcome.summary.rows_bad)
}

fn collect() -> Options {
    Options::new().on_error(OnError::Collect)
}

#[test]
fn the_generated_list_has_quoted_line_breaks_and_several_blocks() {
    let bytes = list_with_bad_rows("");
    assert!(bytes.len() > 4 << 20, "{} bytes", bytes.len());
    let (rows, bad) = iterate(&bytes, collect());
    assert!(rows.iter().any(|r| r.name.contains('\n')), "no name with a line break");
    // Line numbers run past the record count: line breaks inside quotes count.
    assert!(rows.last().unwrap().line > rows.len() as u64 + bad.len() as u64 + 1);
    assert_eq!(bad.len(), 6);
}

#[test]
fn borrowed_rows_are_the_iterators() {
    let bytes = list_with_bad_rows("");
    let (rows, bad) = iterate(&bytes, collect());

    let mut reader = Reader::from_reader(&bytes[..], collect()).unwrap();
    let mut got = Vec::new();
    reader.for_each_ref(|r| {
        got.push(r.to_row());
        Ok(())
    })
    .unwrap();
    assert_eq!(got, rows);
    assert_eq!(reader.bad_rows(), bad);
    assert_eq!(reader.summary().rows_ok, rows.len() as u64);
    assert_eq!(reader.summary().rows_bad, bad.len() as u64);

    // The lending form, with the parsing on a background thread.
    let mut reader = Reader::from_reader(std::io::Cursor::new(bytes.clone()), collect()).unwrap().in_background();
    let mut got = Vec::new();
    while let Some(r) = reader.next_ref() {
        let r = r.unwrap();
        assert_eq!(r.qty().raw(), r.qty_raw());
        got.push(r.to_row());
    }
    assert_eq!(got, rows);
    assert_eq!(reader.bad_rows(), bad);
}

#[test]
fn borrowed_rows_stop_at_the_first_bad_row() {
    let bytes = list_with_bad_rows("");
    let mut reader = Reader::from_reader(&bytes[..], Options::new()).unwrap();
    let expected = reader.by_ref().find_map(Result::err).unwrap().to_string();
    let mut reader = Reader::from_reader(&bytes[..], Options::new()).unwrap();
    let mut n = 0u64;
    let err = reader.for_each_ref(|_| {
        n += 1;
        Ok(())
    });
    assert_eq!(err.unwrap_err().to_string(), expected);
    assert_eq!(n, 10_000);
    assert!(reader.next_ref().is_none());
}

#[test]
fn parallel_rows_and_bad_rows_are_the_iterators() {
    let bytes = list_with_bad_rows("");
    let (rows, bad) = iterate(&bytes, collect());
    for threads in [1, 2, 3, 0] {
        let (got, got_bad, rows_bad) = parallel(&bytes, collect(), threads);
        assert_eq!(got.len(), rows.len(), "{threads} threads");
        assert!(got == rows, "{threads} threads: rows differ");
        assert_eq!(got_bad, bad, "{threads} threads");
        assert_eq!(rows_bad, bad.len() as u64);
    }
}

#[test]
fn parallel_with_an_unclosed_quote_at_the_end_finishes_like_the_iterator() {
    // The quote opened on the last record is never closed: the iterator reports it and
    // reads on from the next line, here the rest of the list on the calling thread.
    let tail = "MANN;W 9;\"открытая кавычка;100;1;1;1;Москва\r\nMANN;W 10;Фильтр;200;1;1;1;Москва\r\nMANN;;x;1;1;1;1;y\r\n";
    let bytes = list_with_bad_rows(tail);
    let (rows, bad) = iterate(&bytes, collect());
    assert!(bad.iter().any(|b| b.reason.contains("not closed")));
    assert_eq!(rows.last().unwrap().code, "W 10");
    let (got, got_bad, _) = parallel(&bytes, collect(), 2);
    assert!(got == rows);
    assert_eq!(got_bad, bad);
}

#[test]
fn parallel_stop_returns_the_first_bad_row_of_the_file() {
    let bytes = list_with_bad_rows("");
    let mut reader = Reader::from_reader(&bytes[..], Options::new()).unwrap();
    let expected = reader.by_ref().find_map(Result::err).unwrap().to_string();
    for threads in [1, 2, 4] {
        let err = par_for_each(&bytes[..], Options::new(), threads, |_| Ok(())).unwrap_err();
        assert_eq!(err.to_string(), expected);
    }
}

#[test]
fn parallel_kept_reports_are_the_first_ones() {
    let bytes = list_with_bad_rows("");
    let (_, bad) = iterate(&bytes, collect().max_errors_kept(2));
    let outcome = par_for_each(&bytes[..], collect().max_errors_kept(2), 2, |_| Ok(())).unwrap();
    assert_eq!(outcome.bad_rows, bad);
    assert_eq!(outcome.summary.rows_bad, 6);
}

#[test]
fn parallel_stops_at_the_visitors_error() {
    let bytes = list_with_bad_rows("");
    let seen = AtomicU64::new(0);
    let err = par_for_each(&bytes[..], collect(), 2, |row| {
        seen.fetch_add(1, Ordering::Relaxed);
        if row.line() > 20_000 {
            return Err(logibridge::Error::invalid_argument(format!("stop at {}", row.line()), format!("остановка на строке {}", row.line())));
        }
        Ok(())
    })
    .unwrap_err();
    assert!(err.to_string().contains("stop at"), "{err}");
    assert!(seen.into_inner() < 70_000);
}

#[test]
fn parallel_decides_the_encoding_where_the_iterator_does() {
    // An ASCII header, then ~3 MiB of ASCII rows before the first Cyrillic one: the
    // encoding is decided in the middle of the list (Encoding::Auto).
    for utf8 in [false, true] {
        let mut text = String::from("code;price;name;qty\r\n");
        for k in 0..60_000 {
            text.push_str(&format!("A{k};{k},50;\"Oil filter\nno {k}\";>{k}\r\n"));
        }
        for k in 0..20_000 {
            text.push_str(&format!("Б{k};{k};Фильтр масляный {k};Есть\r\n"));
        }
        let bytes = if utf8 { text.clone().into_bytes() } else { cp1251(&text) };
        let (rows, bad) = iterate(&bytes, collect());
        assert_eq!(rows.len(), 80_000);
        assert_eq!(rows[79_999].name, "Фильтр масляный 19999");
        let (got, got_bad, _) = parallel(&bytes, collect(), 2);
        assert!(got == rows);
        assert_eq!(got_bad, bad);
        // And with the encoding named.
        let enc = if utf8 { Encoding::Utf8 } else { Encoding::Cp1251 };
        let (rows, _) = iterate(&bytes, collect().encoding(enc));
        let (got, _, _) = parallel(&bytes, collect().encoding(enc), 2);
        assert!(got == rows);
    }
}

#[test]
fn a_bad_row_before_the_first_good_non_ascii_row_is_quoted_in_the_lists_encoding() {
    // Found by the pricelist fuzz target (fuzz/regressions/pricelist/excerpt-before-decision):
    // the iterator decided the encoding only for rows of the right width, so the excerpt of
    // an earlier bad Cyrillic row was read as UTF-8 while par_for_each read it as CP1251.
    let bytes = cp1251("Code;Price;Name\nНаименование\nA1;1;x\n;3;1;Щё\nA2;2;ёлка\n");
    let (rows, bad) = iterate(&bytes, collect());
    assert_eq!(rows[1].name, "ёлка");
    let raws: Vec<&str> = bad.iter().map(|b| b.raw.as_str()).collect();
    assert_eq!(raws, ["Наименование", ";3;1;Щё"]);
    let (got, got_bad, _) = parallel(&bytes, collect(), 2);
    assert!(got == rows);
    assert_eq!(got_bad, bad);
}

#[test]
fn parallel_reads_a_record_longer_than_a_block() {
    let mut text = String::from("Артикул;Цена;Наименование\n");
    for k in 0..30_000 {
        text.push_str(&format!("A{k};{k};имя {k}\n"));
    }
    let long = "длинное \"\"описание\"\"; ".repeat(80_000); // ~2 MiB of CP1251
    text.push_str(&format!("LONG;1;\"{long}\"\n"));
    for k in 0..30_000 {
        text.push_str(&format!("B{k};{k};имя {k}\r\n"));
    }
    let bytes = cp1251(&text);
    let options = || collect().max_record_bytes(8 << 20);
    let (rows, bad) = iterate(&bytes, options());
    assert!(bad.is_empty());
    let (got, got_bad, _) = parallel(&bytes, options(), 2);
    assert!(got == rows);
    assert_eq!(got_bad, bad);
}

#[test]
fn parallel_leaves_records_near_the_length_limit_to_the_reader() {
    // Records close to `max_record_bytes` are read on the calling thread from there on.
    let mut text = String::from("Артикул;Цена;Наименование\n");
    for k in 0..20_000 {
        text.push_str(&format!("A{k};{k};имя {k}\n"));
    }
    text.push_str(&format!("LONG;1;\"{}\"\n", "x\n".repeat(1_500)));
    for k in 0..20_000 {
        text.push_str(&format!("B{k};{k};имя {k}\r\n"));
        if k % 5_000 == 0 {
            text.push_str("C;нет;имя\n");
        }
    }
    let bytes = cp1251(&text);
    let options = || collect().max_record_bytes(1_000);
    let (rows, bad) = iterate(&bytes, options());
    assert_eq!(bad.len(), 4);
    let (got, got_bad, _) = parallel(&bytes, options(), 2);
    assert!(got == rows);
    assert_eq!(got_bad, bad);
}

#[test]
fn parallel_reads_a_transcoded_utf16_list() {
    let mut text = String::from("\u{FEFF}Артикул;Цена;Наименование\r\n");
    for k in 0..40_000 {
        text.push_str(&format!("A{k};{k},5;\"Фильтр\n№ {k}\"\r\n"));
    }
    text.push_str(";1;без артикула\r\n");
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let (rows, bad) = iterate(&bytes, collect());
    assert_eq!((rows.len(), bad.len()), (40_000, 1));
    let (got, got_bad, _) = parallel(&bytes, collect(), 2);
    assert!(got == rows);
    assert_eq!(got_bad, bad);
}

#[test]
fn parallel_matches_the_iterator_on_malformed_quoting() {
    // Good rows with stray quotes, separators and line breaks thrown in: quotes in the
    // middle of fields, after closing quotes, lone CRs, blank lines, quoted line breaks.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut bytes = b"code;price;name\r\n".to_vec();
    let mut k = 0u64;
    while bytes.len() < 3 << 20 {
        k += 1;
        let mut line = format!("A{k};{};name {k}\r\n", k % 1000).into_bytes();
        if next(10) == 0 {
            let junk: &[u8] = [&b"\""[..], b"\"\"", b";", b"\r", b"\n", b"\r\n", b"\"x\ny\""][next(7) as usize];
            let at = next(line.len() as u64) as usize;
            line.splice(at..at, junk.iter().copied());
        }
        bytes.extend_from_slice(&line);
    }
    let (rows, bad) = iterate(&bytes, collect().max_errors_kept(usize::MAX));
    assert!(bad.len() > 1000, "{} bad rows", bad.len());
    let (got, got_bad, _) = parallel(&bytes, collect().max_errors_kept(usize::MAX), 2);
    assert_eq!(got.len(), rows.len());
    assert!(got == rows);
    assert_eq!(got_bad, bad);
    // Blocks went to the workers, not all to the calling thread.
    let caller = std::thread::current().id();
    let on_workers = AtomicU64::new(0);
    par_for_each(&bytes[..], collect(), 2, |_| {
        if std::thread::current().id() != caller {
            on_workers.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    })
    .unwrap();
    assert!(on_workers.into_inner() > rows.len() as u64 / 2);
}
