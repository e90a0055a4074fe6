//! The reader's fast paths (prices and periods read from the raw bytes, CP1251 decoded
//! eight bytes at a time, fresh rows sized exactly) give the same rows and the same
//! reports as the general paths they stand in for.

use logibridge::pricelist::{parse_period, parse_price, Encoding, OnError, Options, Reader, Row};

fn cp1251(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!bad, "{text:?} is not CP1251");
    bytes.into_owned()
}

/// Reads `cells` as the price (or period) column of a CP1251 list, one row each, with
/// both the iterator and `read_into`; returns per cell the row or the bad row's reason.
fn read_column(header: &str, cells: &[&str]) -> Vec<Result<Row, String>> {
    let mut text = format!("Артикул;Наименование;{header};Цена\r\n");
    for (k, c) in cells.iter().enumerate() {
        if header == "Цена2" {
            text.push_str(&format!("A{k};Фильтр масляный {k};1;{c}\r\n"));
        } else {
            text.push_str(&format!("A{k};Фильтр масляный {k};{c};1\r\n"));
        }
    }
    let bytes = cp1251(&text);
    let collect = |bytes: &[u8]| {
        let mut reader = Reader::from_reader(bytes, Options::new().on_error(OnError::Collect)).unwrap();
        let rows: Vec<Row> = reader.by_ref().map(Result::unwrap).collect();
        (rows, reader.bad_rows().to_vec())
    };
    let (rows, bad) = collect(&bytes);
    // read_into gives the same rows.
    let mut reader = Reader::from_reader(&bytes[..], Options::new().on_error(OnError::Collect)).unwrap();
    let mut row = Row::default();
    let mut again = Vec::new();
    while reader.read_into(&mut row).unwrap() {
        again.push(row.clone());
    }
    assert_eq!(rows, again);
    assert_eq!(bad, reader.bad_rows());
    let mut out = Vec::new();
    let (mut rows, mut bad) = (rows.into_iter().peekable(), bad.into_iter().peekable());
    for line in 2..2 + cells.len() as u64 {
        if rows.peek().is_some_and(|r| r.line == line) {
            out.push(Ok(rows.next().unwrap()));
        } else {
            let b = bad.next().expect("a row or a report per line");
            assert_eq!(b.line, line);
            out.push(Err(b.reason));
        }
    }
    out
}

#[test]
fn prices_read_from_bytes_match_parse_price() {
    let cells = [
        "152,02", "152.02", "1 234,56", "1\u{A0}234,56", "\u{A0}1\u{A0}234\u{A0}567,5\u{A0}", " 500 ", "0,10", "007", "1234,00", "123 456",
        "0", "", " ", "abc", "1,2,3", "1.234,56", "12 34", "1234 567", "1 234 56", ",5", "5,", "1 234,5 6", "-5", "152 руб", "1e5",
        "99999999999999999999999999999", "9999999999999999999999999999", "1234567890123456789", "12345678901234567890,5",
        "0,0000000000000000000000000001", "0,00000000000000000000000000001", "000000000000000000000000000000001", "1\t234", "\t7\t",
        "1\u{A0}\u{A0}234", "№5", "5 €",
    ];
    let got = read_column("Цена2", &cells);
    for (cell, got) in cells.iter().zip(got) {
        match (parse_price(cell), got) {
            (Ok(p), Ok(row)) => {
                assert_eq!(row.price, p, "{cell:?}");
                assert_eq!(row.price.scale(), p.scale(), "{cell:?}");
            }
            (Err(e), Err(reason)) => assert_eq!(reason, e, "{cell:?}"),
            (want, got) => panic!("{cell:?}: parse_price gives {want:?}, the reader {got:?}"),
        }
    }
}

#[test]
fn periods_match_parse_period() {
    let cells = ["7-9", "7 - 9", "7\u{A0}-\u{A0}9", "7–9", "7—9", "9-7", "7-", "-7", "7-8-9", "7–8-9", "", "5", " 12 ", "до 5", "1-99999999999"];
    let got = read_column("Срок поставки", &cells);
    for (cell, got) in cells.iter().zip(got) {
        match (parse_period(cell), got) {
            (Ok(p), Ok(row)) => assert_eq!((row.period_min, row.period_max), p, "{cell:?}"),
            (Err(e), Err(reason)) => assert_eq!(reason, e, "{cell:?}"),
            (want, got) => panic!("{cell:?}: parse_period gives {want:?}, the reader {got:?}"),
        }
    }
}

#[test]
fn cp1251_text_of_every_length_and_mix() {
    // Names of 0 to 40 characters mixing ASCII, Cyrillic and three-byte characters, so
    // that every position inside and across the eight-byte steps is covered.
    let alphabet: Vec<char> = "aБ1 яЁ№€Zъ-".chars().collect();
    let mut names = Vec::new();
    for len in 0..40 {
        for shift in 0..3 {
            names.push((0..len).map(|k| alphabet[(k * (shift + 1) + shift) % alphabet.len()]).collect::<String>());
        }
        names.push("x".repeat(len));
        names.push("Ж".repeat(len));
    }
    let mut text = String::from("Артикул;Наименование;Цена;Склад\r\n");
    for (k, n) in names.iter().enumerate() {
        text.push_str(&format!("{n}K{k};{n};1;{n}\r\n"));
    }
    let bytes = cp1251(&text);
    let rows: Vec<Row> = Reader::from_reader(&bytes[..], Options::new()).unwrap().map(Result::unwrap).collect();
    assert_eq!(rows.len(), names.len());
    for (row, n) in rows.iter().zip(&names) {
        let trimmed = n.trim();
        assert_eq!(row.name, trimmed);
        assert_eq!(row.code, format!("{n}K{}", row.line - 2).trim_start());
        assert_eq!(row.extra.get("Склад"), Some(n.as_str()));
    }
}

#[test]
fn an_undefined_byte_is_reported_whatever_its_position() {
    // windows-1253 leaves 0xAA undefined.
    let greek = encoding_rs::WINDOWS_1253;
    let enc = |t: &str| greek.encode(t).0.into_owned();
    let mut bytes = enc("code;name;price\r\n");
    for pos in 0..20 {
        let mut name = enc("Φίλτρο λαδιού 12345");
        name.insert(pos, 0xAA);
        bytes.extend_from_slice(format!("A{pos};").as_bytes());
        bytes.extend_from_slice(&name);
        bytes.extend_from_slice(b";1\r\n");
    }
    bytes.extend_from_slice(&enc("OK;Φίλτρο;2\r\n"));
    let options = Options::new().on_error(OnError::Collect).encoding(Encoding::Other(greek));
    let mut reader = Reader::from_reader(&bytes[..], options).unwrap();
    let rows: Vec<Row> = reader.by_ref().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name, "Φίλτρο");
    assert_eq!(reader.bad_rows().len(), 20);
    for b in reader.bad_rows() {
        assert_eq!(b.reason, "byte 0xAA is not defined in windows-1253");
        assert_eq!(b.column.as_deref(), Some("name"));
    }
}
