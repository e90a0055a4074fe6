//! Price-list reader: every format rule of the issue, bad-row reports, writers, download,
//! and a generated million-row list compared row by row with an independent reading.

use std::io::{Read, Write};
use std::str::FromStr;

use logibridge::carreta::QtyKind;
use logibridge::pricelist::{self, BadRow, Encoding, Field, OnError, Options, Reader, Row};
use logibridge::{Error, ErrorKind};
use rust_decimal::Decimal;

fn cp1251(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!unmappable, "test text must be CP1251-encodable");
    bytes.into_owned()
}

fn read_all(bytes: &[u8], options: Options) -> (Vec<Row>, Vec<BadRow>, pricelist::Summary) {
    let mut reader = Reader::from_reader(bytes, options).expect("header");
    let rows: Vec<Row> = reader.by_ref().collect::<Result<_, _>>().expect("rows");
    (rows, reader.bad_rows().to_vec(), reader.summary())
}

fn collect() -> Options {
    Options::new().on_error(OnError::Collect)
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

const SAMPLE: &str = "Бренд;Артикул;Наименование;Цена;Количество;Кратность;Срок поставки;Склад\r\n\
MANN-FILTER;W 712/75;Фильтр масляный;152,02;10;1;7-9;Москва\r\n\
BOSCH;0 986 452 041;\"Колодки; передние\";1 234,56;<10;;3;Казань\r\n";

// ---------------------------------------------------------------- decoding

#[test]
fn cp1251_is_the_default_and_detected() {
    let (rows, bad, summary) = read_all(&cp1251(SAMPLE), Options::new());
    assert!(bad.is_empty());
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].name, "Фильтр масляный");
    assert_eq!(rows[1].name, "Колодки; передние");
    assert_eq!(summary, pricelist::Summary { rows_ok: 2, rows_bad: 0, bytes: cp1251(SAMPLE).len() as u64 });
    let bytes = cp1251(SAMPLE);
    let reader = Reader::from_reader(&bytes[..], Options::new()).unwrap();
    assert_eq!(reader.encoding(), Some(encoding_rs::WINDOWS_1251));
}

#[test]
fn utf8_without_and_with_bom() {
    let (rows, _, _) = read_all(SAMPLE.as_bytes(), Options::new());
    assert_eq!(rows[0].name, "Фильтр масляный");
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(SAMPLE.as_bytes());
    let reader = Reader::from_reader(&with_bom[..], Options::new()).unwrap();
    assert_eq!(reader.headers()[0], "Бренд", "the BOM is not part of the first header");
    assert_eq!(reader.encoding(), Some(encoding_rs::UTF_8));
    let (rows_bom, _, _) = read_all(&with_bom, Options::new());
    assert_eq!(rows, rows_bom);
    // Explicit UTF-8 also skips the BOM.
    let (rows_explicit, _, _) = read_all(&with_bom, Options::new().encoding(Encoding::Utf8));
    assert_eq!(rows, rows_explicit);
}

#[test]
fn explicit_encodings() {
    let (a, _, _) = read_all(&cp1251(SAMPLE), Options::new().encoding(Encoding::Cp1251));
    let (b, _, _) = read_all(SAMPLE.as_bytes(), Options::new());
    assert_eq!(a, b);
    let (koi, _, _) = encoding_rs::KOI8_R.encode(SAMPLE);
    let (c, _, _) = read_all(&koi, Options::new().encoding(Encoding::from_label("koi8-r").unwrap()));
    assert_eq!(a, c);
    // UTF-16 is transcoded before splitting; its BOM is detected by Auto.
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in SAMPLE.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let (d, _, summary) = read_all(&utf16, Options::new());
    assert_eq!(a, d);
    assert_eq!(summary.bytes, utf16.len() as u64);
    let (e, _, _) = read_all(&utf16[2..], Options::new().encoding(Encoding::Other(encoding_rs::UTF_16LE)));
    assert_eq!(a, e);
}

#[test]
fn auto_decides_at_the_first_non_ascii_text() {
    let ascii_header = "code;price;name\nA1;1;plain\nA2;2;Фильтр\n";
    let (rows, _, _) = read_all(ascii_header.as_bytes(), Options::new());
    assert_eq!(rows[1].name, "Фильтр");
    let (rows, _, _) = read_all(&cp1251(ascii_header), Options::new());
    assert_eq!(rows[1].name, "Фильтр");
}

#[test]
fn invalid_bytes_in_utf8_are_a_bad_row() {
    let mut bytes = "Артикул;Цена;Наименование\nA1;1;ок\nA2;2;".as_bytes().to_vec();
    bytes.extend_from_slice(b"\xFF\xFE\n");
    let (rows, bad, _) = read_all(&bytes, collect().encoding(Encoding::Utf8));
    assert_eq!(rows.len(), 1);
    assert_eq!(bad[0].line, 3);
    assert_eq!(bad[0].column.as_deref(), Some("Наименование"));
    assert!(bad[0].reason.contains("UTF-8"), "{}", bad[0].reason);
    // Detected, a list that is not valid UTF-8 throughout its first 64 KiB is CP1251
    // (issue 10, item 20): its UTF-8 header then names no known column.
    let err = Reader::from_reader(&bytes[..], collect()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
}

// ---------------------------------------------------------------- CSV syntax

#[test]
fn quoted_separators_doubled_quotes_and_line_breaks() {
    let text = "Артикул;Наименование;Цена\r\n\
        \"A;1\";\"Масло \"\"Лукойл Люкс\"\" 5W-40\";10\r\n\
        A2;\"Ремень ГРМ\r\nкомплект\";20\r\n\
        A3;\"две\nстроки\nтри\";30\r\n\
        A4;\"\";40\r\n\
        A5;\"x\"y;50\r\n";
    let (rows, bad, _) = read_all(&cp1251(text), Options::new());
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(rows[0].code, "A;1");
    assert_eq!(rows[0].name, "Масло \"Лукойл Люкс\" 5W-40");
    assert_eq!(rows[1].name, "Ремень ГРМ\r\nкомплект");
    assert_eq!(rows[2].name, "две\nстроки\nтри");
    assert_eq!(rows[3].name, "");
    assert_eq!(rows[4].name, "xy", "text after a closing quote is kept");
    // Line numbers count the line breaks inside quotes.
    assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3, 5, 8, 9]);
}

#[test]
fn crlf_lf_cr_and_no_final_newline() {
    let lf = "Артикул;Цена\nA1;1\nA2;2";
    let crlf = "Артикул;Цена\r\nA1;1\r\nA2;2\r\n";
    let cr = "Артикул;Цена\rA1;1\rA2;2\r";
    let mixed = "Артикул;Цена\r\nA1;1\nA2;2\r\n";
    let expected: Vec<(u64, String)> = vec![(2, "A1".into()), (3, "A2".into())];
    for text in [lf, crlf, cr, mixed] {
        let (rows, bad, _) = read_all(text.as_bytes(), Options::new());
        assert!(bad.is_empty());
        assert_eq!(rows.iter().map(|r| (r.line, r.code.clone())).collect::<Vec<_>>(), expected, "{text:?}");
        assert_eq!(rows[1].price, dec("2"));
    }
}

#[test]
fn blank_lines_are_skipped_but_counted() {
    let text = "\r\nАртикул;Цена\r\n\r\nA1;1\r\n;\r\n\r\nA2;2\r\n\r\n";
    let (rows, bad, summary) = read_all(text.as_bytes(), Options::new());
    assert!(bad.is_empty());
    assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [4, 7]);
    assert_eq!(summary.rows_ok, 2);
}

#[test]
fn other_delimiters() {
    let (rows, _, _) = read_all(b"code,price,name\nA1,\"1,5\",\"a, b\"\n", Options::new().delimiter(b','));
    assert_eq!(rows[0].price, dec("1.5"));
    assert_eq!(rows[0].name, "a, b");
    let (rows, _, _) = read_all(b"code\tprice\nA1\t2\n", Options::new().delimiter(b'\t'));
    assert_eq!(rows[0].price, dec("2"));
    assert!(matches!(Reader::from_reader(&b""[..], Options::new().delimiter(b'"')), Err(Error::InvalidArgument { .. })));
}

/// A source that hands out at most `n` bytes per read, to cross every buffer boundary.
struct Trickle<'a> {
    data: &'a [u8],
    n: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let k = self.n.min(out.len()).min(self.data.len());
        out[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}

#[test]
fn reading_in_tiny_pieces_gives_the_same_rows() {
    let mut bytes = Vec::new();
    logibridge_sandbox::pricelist::write_pricelist(&mut bytes, 3000, 5).unwrap();
    let (whole, _, _) = read_all(&bytes, Options::new());
    assert_eq!(whole.len(), 3000);
    for n in [1, 2, 3, 7, 4096] {
        let reader = Reader::from_reader(Trickle { data: &bytes, n }, Options::new()).unwrap();
        let pieces: Vec<Row> = reader.collect::<Result<_, _>>().unwrap();
        assert_eq!(pieces, whole, "pieces of {n} bytes");
    }
}

// ---------------------------------------------------------------- columns

#[test]
fn header_synonyms_ignore_case_and_spacing() {
    let text = "  ПРОИЗВОДИТЕЛЬ ;код;ОПИСАНИЕ;цена;остаток;Мин.  партия;срок;Склад\nFEBI;123;Опора;5;Есть;2;1-2;Центр\n";
    let reader = Reader::from_reader(text.as_bytes(), Options::new()).unwrap();
    assert_eq!(reader.column(Field::Maker), Some("ПРОИЗВОДИТЕЛЬ"));
    assert_eq!(reader.column(Field::MinQty), Some("Мин.  партия"));
    let (rows, _, _) = read_all(text.as_bytes(), Options::new());
    let r = &rows[0];
    assert_eq!((r.maker.as_str(), r.code.as_str(), r.name.as_str()), ("FEBI", "123", "Опора"));
    assert_eq!(r.qty.kind(), QtyKind::InStock);
    assert_eq!(r.min_qty, 2);
    assert_eq!((r.period_min, r.period_max), (Some(1), Some(2)));

    for header in ["Наличие", "Количество", "qty", "QTY"] {
        let text = format!("Номер;Цена;{header}\nX;1;>50\n");
        let (rows, _, _) = read_all(text.as_bytes(), Options::new());
        assert_eq!(rows[0].qty.kind(), QtyKind::MoreThan(50), "{header}");
    }
    let english = "maker;code;name;price;qty;min_qty;period\nNGK;BKR6E;Plug;3.5;4;2;7\n";
    let (rows, _, _) = read_all(english.as_bytes(), Options::new());
    assert_eq!(rows[0].maker, "NGK");
    assert_eq!(rows[0].min_qty, 2);
    assert_eq!(rows[0].period_max, Some(7));
}

#[test]
fn column_overrides_and_unknown_columns() {
    let text = "Артикул;Цена;Стоимость;Склад;Примечание\nA1;1;2 500,00;Москва;\"с НДС; опт\"\n";
    let options = Options::new().column(Field::Price, "стоимость");
    let mut reader = Reader::from_reader(text.as_bytes(), options).unwrap();
    assert_eq!(reader.extra_columns(), ["Цена", "Склад", "Примечание"]);
    let row = reader.next().unwrap().unwrap();
    assert_eq!(row.price, dec("2500.00"));
    assert_eq!(row.extra.iter().collect::<Vec<_>>(), [("Цена", "1"), ("Склад", "Москва"), ("Примечание", "с НДС; опт")]);
    assert_eq!(row.extra.get("Склад"), Some("Москва"));
    // Overrides by position of choice: the first override that matches wins.
    let options = Options::new().column(Field::Code, "нет такого").column(Field::Code, "Склад");
    let (rows, _, _) = read_all(text.as_bytes(), options);
    assert_eq!(rows[0].code, "Москва");
}

#[test]
fn missing_required_columns_fail_at_the_header() {
    let err = Reader::from_reader("Наименование;Цена\nx;1\n".as_bytes(), Options::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("no code column"), "{err}");
    let err = Reader::from_reader(&b""[..], Options::new()).unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
    // Optional columns may be absent.
    let (rows, _, _) = read_all("Артикул;Цена\nA1;1\n".as_bytes(), Options::new());
    assert_eq!((rows[0].maker.as_str(), rows[0].name.as_str(), rows[0].qty.raw()), ("", "", ""));
    assert_eq!(rows[0].min_qty, 1);
    assert_eq!((rows[0].period_min, rows[0].period_max), (None, None));
}

// ---------------------------------------------------------------- values

#[test]
fn price_forms_are_exact() {
    let cases = [
        ("152,02", "152.02"),
        ("152.02", "152.02"),
        ("1 234,56", "1234.56"),
        ("1\u{A0}234,56", "1234.56"),
        ("12 345 678,90", "12345678.90"),
        ("500", "500"),
        ("0,10", "0.10"),
        (" 7,5 ", "7.5"),
    ];
    let mut text = String::from("Артикул;Цена\n");
    for (i, (price, _)) in cases.iter().enumerate() {
        text.push_str(&format!("A{i};{price}\n"));
    }
    // CP1251 carries the no-break space as byte 0xA0; UTF-8 as C2 A0.
    for bytes in [cp1251(&text), text.clone().into_bytes()] {
        let (rows, bad, _) = read_all(&bytes, Options::new());
        assert!(bad.is_empty(), "{bad:?}");
        for (row, (raw, want)) in rows.iter().zip(cases) {
            assert_eq!(row.price.to_string(), want, "{raw:?}");
        }
    }
    assert!(cp1251("\u{A0}").as_slice() == [0xA0]);
}

#[test]
fn qty_forms_go_through_the_order_qty_type() {
    let text = "Артикул;Цена;Количество;Кратность\nA;1;10;\nB;1;<10;\nC;1;>50;5\nD;1;Есть;2\nE;1;под заказ;\nF;1; 500 ;\n";
    let (rows, bad, _) = read_all(&cp1251(text), Options::new());
    assert!(bad.is_empty());
    let kinds: Vec<QtyKind> = rows.iter().map(|r| r.qty.kind()).collect();
    assert_eq!(kinds, [QtyKind::Exactly(10), QtyKind::LessThan(10), QtyKind::MoreThan(50), QtyKind::InStock, QtyKind::Unknown, QtyKind::Exactly(500)]);
    assert_eq!(rows[5].qty.raw(), " 500 ", "the raw text is kept as written");
    assert_eq!(rows[4].qty.to_string(), "под заказ");
    // check_order_qty applies directly.
    assert!(logibridge::carreta::check_order_qty(&rows[1].qty, rows[1].min_qty as i64, 9).is_ok());
    assert!(rows[1].check_order(10).is_err());
    assert!(rows[2].check_order(10).is_ok());
    assert!(rows[2].check_order(7).is_err());
    assert!(rows[3].check_order(4).is_ok());
    assert!(rows[4].check_order(1).is_err());
}

#[test]
fn min_qty_and_period() {
    let text = "Артикул;Цена;Кратность;Срок\nA;1;;7-9\nB;1;4;7\nC;1; 10 ;\nD;1;1;10 - 14\n";
    let (rows, _, _) = read_all(text.as_bytes(), Options::new());
    let got: Vec<(u32, Option<u32>, Option<u32>)> = rows.iter().map(|r| (r.min_qty, r.period_min, r.period_max)).collect();
    assert_eq!(got, [(1, Some(7), Some(9)), (4, Some(7), Some(7)), (10, None, None), (1, Some(10), Some(14))]);
}

#[test]
fn code_maker_name_are_trimmed_extra_is_not() {
    let text = "Артикул;Бренд;Наименование;Цена;Склад\n  A1 ;\u{A0}BOSCH\u{A0}; Фильтр ;1; Москва \n";
    let (rows, _, _) = read_all(&cp1251(text), Options::new());
    assert_eq!((rows[0].code.as_str(), rows[0].maker.as_str(), rows[0].name.as_str()), ("A1", "BOSCH", "Фильтр"));
    assert_eq!(rows[0].extra.get("Склад"), Some(" Москва "));
}

// ---------------------------------------------------------------- bad rows

const WITH_BAD_ROWS: &str = "Артикул;Цена;Количество;Кратность;Срок\r\n\
A1;1,5;10;1;7-9\r\n\
;2;10;1;1\r\n\
A3;дорого;10;1;1\r\n\
A4;4;10;два;1\r\n\
A5;5;10;1;до 5\r\n\
A6;6;10;1\r\n\
A7;7;10;1;1\r\n";

#[test]
fn collect_reports_every_bad_row_with_line_column_and_reason() {
    let (rows, bad, summary) = read_all(&cp1251(WITH_BAD_ROWS), collect());
    assert_eq!(rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["A1", "A7"]);
    assert_eq!(rows[1].line, 8);
    let got: Vec<(u64, Option<&str>)> = bad.iter().map(|b| (b.line, b.column.as_deref())).collect();
    assert_eq!(got, [(3, Some("Артикул")), (4, Some("Цена")), (5, Some("Кратность")), (6, Some("Срок")), (7, None)]);
    assert!(bad[0].reason.contains("code is empty"));
    assert!(bad[1].reason.contains("not a number"), "{}", bad[1].reason);
    assert!(bad[4].reason.contains("4 fields where the header has 5"), "{}", bad[4].reason);
    assert_eq!(bad[1].raw, "A3;дорого;10;1;1");
    assert_eq!(bad[1].to_string(), format!("line 4, column Цена: {}", bad[1].reason));
    assert_eq!(summary.rows_ok, 2);
    assert_eq!(summary.rows_bad, 5);
}

#[test]
fn stop_yields_one_decode_error_naming_the_line_and_column() {
    let bytes = cp1251(WITH_BAD_ROWS);
    let mut reader = Reader::from_reader(&bytes[..], Options::new()).unwrap();
    assert_eq!(reader.next().unwrap().unwrap().code, "A1");
    let err = reader.next().unwrap().unwrap_err();
    match &err {
        Error::Decode { endpoint, path, message, excerpt, .. } => {
            assert_eq!(endpoint, "carreta.pricelist.parse");
            assert_eq!(path, "line 3, column Артикул");
            assert!(message.contains("code is empty"));
            assert_eq!(excerpt, ";2;10;1;1");
        }
        other => panic!("{other:?}"),
    }
    assert!(reader.next().is_none(), "the iterator ends after the error");
    assert_eq!(reader.summary().rows_ok, 1);
    assert_eq!(reader.summary().rows_bad, 1);
    assert_eq!(reader.bad_rows().len(), 1);
}

#[test]
fn reports_kept_are_bounded_but_counted() {
    let mut text = String::from("Артикул;Цена\n");
    for i in 0..50 {
        text.push_str(&format!("A{i};x\n"));
    }
    let mut reader = Reader::from_reader(text.as_bytes(), collect().max_errors_kept(10)).unwrap();
    assert_eq!(reader.by_ref().count(), 0);
    assert_eq!(reader.bad_rows().len(), 10);
    assert_eq!(reader.summary().rows_bad, 50);
    assert_eq!(reader.take_bad_rows().len(), 10);
    assert!(reader.bad_rows().is_empty());
}

#[test]
fn an_unclosed_quote_costs_one_line() {
    let text = "Артикул;Наименование;Цена\nA1;ok;1\nA2;\"open;2\nA3;ok;3\n";
    let (rows, bad, _) = read_all(text.as_bytes(), collect());
    assert_eq!(rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["A1", "A3"]);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].line, 3);
    assert!(bad[0].reason.contains("not closed"), "{}", bad[0].reason);
    assert_eq!(rows[1].line, 4);
}

#[test]
fn an_overlong_record_is_reported_and_skipped() {
    let mut text = String::from("Артикул;Наименование;Цена\nA1;ok;1\nA2;\"");
    text.push_str(&"x".repeat(20_000));
    text.push_str("\nA3;ok;3\n");
    for _ in 0..10 {
        text.push_str("A4;ok;4\n");
    }
    let (rows, bad, _) = read_all(text.as_bytes(), collect().max_record_bytes(8192));
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].line, 3);
    assert!(bad[0].reason.contains("longer than 8192"), "{}", bad[0].reason);
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[1].line, 4);
}

// ---------------------------------------------------------------- writers

#[test]
fn jsonl_and_csv_writers_convert_in_one_pass() {
    let bytes = cp1251(SAMPLE);
    let mut reader = Reader::from_reader(&bytes[..], Options::new()).unwrap();
    let mut out = Vec::new();
    let summary = pricelist::write_jsonl(&mut reader, &mut out).unwrap();
    assert_eq!(summary.rows_ok, 2);
    let lines: Vec<serde_json::Value> = String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        lines[1],
        serde_json::json!({"line":3,"code":"0 986 452 041","maker":"BOSCH","name":"Колодки; передние","price":"1234.56","qty":"<10","min_qty":1,"period_min":3,"period_max":3,"extra":{"Склад":"Казань"}})
    );

    let mut reader = Reader::from_reader(&bytes[..], Options::new()).unwrap();
    let mut out = Vec::new();
    pricelist::write_csv_utf8(&mut reader, &mut out).unwrap();
    let mut csv = csv::Reader::from_reader(&out[..]);
    assert_eq!(
        csv.headers().unwrap().iter().collect::<Vec<_>>(),
        ["line", "code", "maker", "name", "price", "qty", "min_qty", "period_min", "period_max", "Склад"]
    );
    let records: Vec<csv::StringRecord> = csv.records().collect::<Result<_, _>>().unwrap();
    assert_eq!(records[1].iter().collect::<Vec<_>>(), ["3", "0 986 452 041", "BOSCH", "Колодки; передние", "1234.56", "<10", "1", "3", "3", "Казань"]);
}

// ---------------------------------------------------------------- download

/// Serves `body` once per connection on 127.0.0.1, in small pieces, with the given status
/// and (optionally) a Content-Length that may lie.
fn serve(status: &'static str, body: Vec<u8>, content_length: Option<usize>, connections: usize) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for _ in 0..connections {
            let Ok((mut stream, _)) = listener.accept() else { return };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let mut head = format!("HTTP/1.1 {status}\r\nContent-Type: text/csv; charset=windows-1251\r\nConnection: close\r\n");
            if let Some(n) = content_length {
                head.push_str(&format!("Content-Length: {n}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            for piece in body.chunks(7919) {
                if stream.write_all(piece).is_err() {
                    break;
                }
            }
        }
    });
    format!("http://{addr}/price.csv?api_key=SECRET")
}

#[test]
fn download_streams_with_progress() {
    let mut body = Vec::new();
    logibridge_sandbox::pricelist::write_pricelist(&mut body, 20_000, 3).unwrap();
    let url = serve("200 OK", body.clone(), Some(body.len()), 1);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let reader = pricelist::download(&url, Options::new(), move |done, total| sink.lock().unwrap().push((done, total))).unwrap();
    let rows: Vec<Row> = reader.collect::<Result<_, _>>().unwrap();
    let (local, _, _) = read_all(&body, Options::new());
    assert_eq!(rows, local);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.first(), Some(&(0, Some(body.len() as u64))));
    assert_eq!(seen.last(), Some(&(body.len() as u64, Some(body.len() as u64))));
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
    assert!(seen.len() > 2, "progress is reported while the body arrives");
}

#[test]
fn download_errors() {
    let url = serve("404 Not Found", b"no such list".to_vec(), Some(12), 1);
    let err = pricelist::download(&url, Options::new(), |_, _| {}).unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert!(!format!("{err:?}").contains("SECRET"));

    // The server promises more than it sends: the reader reports a transport error.
    let body = cp1251(SAMPLE);
    let url = serve("200 OK", body.clone(), Some(body.len() + 1000), 1);
    let reader = pricelist::download(&url, Options::new(), |_, _| {}).unwrap();
    let results: Vec<Result<Row, Error>> = reader.collect();
    let err = results.into_iter().find_map(Result::err).expect("a truncated body is an error");
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(!format!("{err:?}").contains("SECRET"));

    let err = pricelist::download("ftp://x/y", Options::new(), |_, _| {}).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    // Nobody listens here.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let err = pricelist::download(&format!("http://127.0.0.1:{port}/p.csv"), Options::new(), |_, _| {}).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
}

// ---------------------------------------------------------------- a million generated rows

/// An independent reading of a CP1251 `;` CSV: decode the whole text with encoding_rs, then
/// a character state machine. Returns (line, fields) per non-blank record.
fn naive_records(bytes: &[u8]) -> Vec<(u64, Vec<String>)> {
    let (text, _, _) = encoding_rs::WINDOWS_1251.decode(bytes);
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut line = 1u64;
    let mut start_line = 1u64;
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                in_quotes = true;
                at_field_start = false;
            }
            ';' => {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                fields.push(std::mem::take(&mut field));
                out.push((start_line, std::mem::take(&mut fields)));
                line += 1;
                start_line = line;
                at_field_start = true;
            }
            c => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        out.push((start_line, fields));
    }
    out
}

fn naive_price(s: &str) -> Decimal {
    let cleaned: String = s.chars().filter(|c| !matches!(c, ' ' | '\u{A0}')).map(|c| if c == ',' { '.' } else { c }).collect();
    Decimal::from_str(&cleaned).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

#[test]
fn a_million_generated_rows_match_an_independent_reading() {
    const ROWS: u64 = 1_000_000;
    let dir = std::env::temp_dir().join(format!("logibridge-pricelist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("million.csv");
    let file = std::fs::File::create(&path).unwrap();
    logibridge_sandbox::pricelist::write_pricelist(std::io::BufWriter::new(file), ROWS, 20240601).unwrap();
    let bytes = std::fs::read(&path).unwrap();

    let expected = naive_records(&bytes);
    assert_eq!(expected.len() as u64, ROWS + 1);
    let header = &expected[0].1;
    assert_eq!(header.join(";"), logibridge_sandbox::pricelist::HEADER);

    let mut reader = pricelist::open(&path).unwrap();
    assert_eq!(reader.encoding(), Some(encoding_rs::WINDOWS_1251));
    let mut n = 0u64;
    let mut forms = std::collections::HashSet::new();
    for (row, (line, f)) in reader.by_ref().zip(expected.iter().skip(1)) {
        let row = row.unwrap();
        assert_eq!(row.line, *line);
        assert_eq!(row.maker, f[0], "line {line}");
        assert_eq!(row.code, f[1], "line {line}");
        assert_eq!(row.name, f[2], "line {line}");
        assert_eq!(row.price, naive_price(&f[3]), "line {line}");
        assert_eq!(row.qty.raw(), f[4], "line {line}");
        assert_eq!(row.min_qty, if f[5].is_empty() { 1 } else { f[5].parse().unwrap() }, "line {line}");
        let period = match f[6].split_once('-') {
            Some((a, b)) => (Some(a.parse().unwrap()), Some(b.parse().unwrap())),
            None if f[6].is_empty() => (None, None),
            None => (Some(f[6].parse().unwrap()), Some(f[6].parse().unwrap())),
        };
        assert_eq!((row.period_min, row.period_max), period, "line {line}");
        assert_eq!(row.extra.iter().collect::<Vec<_>>(), [("Склад", f[7].as_str())], "line {line}");
        forms.insert(std::mem::discriminant(&row.qty.kind()));
        n += 1;
    }
    assert_eq!(n, ROWS);
    assert_eq!(forms.len(), 4, "every qty form occurs");
    let summary = reader.summary();
    assert_eq!(summary, pricelist::Summary { rows_ok: ROWS, rows_bad: 0, bytes: bytes.len() as u64 });
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn background_parsing_gives_the_same_rows_reports_and_errors() {
    let mut bytes = Vec::new();
    logibridge_sandbox::pricelist::write_pricelist(&mut bytes, 5000, 9).unwrap();
    let bad_line = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    bytes.extend_from_slice(&cp1251("BOSCH;X1;плохая цена;дорого;1;1;1;Москва\r\nBOSCH;X2;ок;1;1;1;1;Москва\r\n"));
    for on_error in [OnError::Collect, OnError::Stop] {
        let direct = Reader::from_reader(std::io::Cursor::new(bytes.clone()), Options::new().on_error(on_error)).unwrap();
        let mut background = Reader::from_reader(std::io::Cursor::new(bytes.clone()), Options::new().on_error(on_error)).unwrap().in_background();
        assert!(background.is_background());
        let a: Vec<Result<Row, String>> = direct.map(|r| r.map_err(|e| e.to_string())).collect();
        let b: Vec<Result<Row, String>> = background.by_ref().map(|r| r.map_err(|e| e.to_string())).collect();
        assert_eq!(a, b);
        assert_eq!(background.bad_rows().len(), 1);
        assert_eq!(background.bad_rows()[0].line, bad_line);
        let s = background.summary();
        assert_eq!((s.rows_ok, s.rows_bad, s.bytes), (if on_error == OnError::Stop { 5000 } else { 5001 }, 1, bytes.len() as u64));
    }
    // read_into through the background thread recycles rows and gives the same data.
    let mut reader = Reader::from_reader(std::io::Cursor::new(bytes.clone()), collect()).unwrap().in_background();
    let (expected, _, _) = read_all(&bytes, collect());
    let mut row = Row::default();
    let mut i = 0;
    while reader.read_into(&mut row).unwrap() {
        assert_eq!(row, expected[i]);
        i += 1;
    }
    assert_eq!(i, expected.len());
    // open_with honours Options::background.
    let dir = std::env::temp_dir().join(format!("logibridge-bg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("p.csv");
    std::fs::write(&path, &bytes).unwrap();
    let reader = pricelist::open_with(&path, collect().background(true)).unwrap();
    assert!(reader.is_background());
    assert_eq!(reader.filter(|r| r.is_ok()).count(), expected.len());
    assert!(!pricelist::open(&path).unwrap().is_background());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `carreta.pricelist.download` is a row of the table: any face reaches it by id; the file
/// appears only when the download is complete, and a failure leaves nothing behind.
#[test]
fn download_to_a_file_through_the_table() {
    let mut body = Vec::new();
    logibridge_sandbox::pricelist::write_pricelist(&mut body, 2_000, 3).unwrap();
    let url = serve("200 OK", body.clone(), Some(body.len()), 1);
    let dir = std::env::temp_dir().join(format!("lb-dl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("price.csv");
    let client = logibridge::carreta::Client::builder("k").build().unwrap();
    let call = |params: serde_json::Value| logibridge::blocking::wait({
        let c = logibridge::Client::from(client.clone());
        async move { c.call("carreta.pricelist.download", params).await }
    }).unwrap();
    let out = call(serde_json::json!({"url": url, "path": path})).unwrap();
    assert_eq!(out["bytes"], body.len());
    assert_eq!(std::fs::read(&path).unwrap(), body);

    let url = serve("200 OK", body.clone(), Some(body.len() + 10), 1);
    let failed = dir.join("failed.csv");
    let err = call(serde_json::json!({"url": url, "path": failed})).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert!(!failed.exists() && !dir.join("failed.csv.part").exists(), "nothing is left of a failed download");
    let url = serve("404 Not Found", b"gone".to_vec(), Some(4), 1);
    let err = call(serde_json::json!({"url": url, "path": failed})).unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert!(!err.to_string().contains("SECRET") && !failed.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
