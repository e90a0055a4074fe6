//! `pricelist::arrow`: the same list read by the row iterator and into Arrow batches gives
//! the same values row by row, in file order, in batches no larger than asked.

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Int8Type, UInt32Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use logibridge::carreta::{Qty, QtyKind};
use logibridge::pricelist::arrow::{self, ArrowOptions, Batches};
use logibridge::pricelist::{BadRow, OnError, Options, Reader, Row};
use logibridge_sandbox::pricelist::write_pricelist;
use rust_decimal::Decimal;

fn cp1251(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!bad, "{text:?} is not CP1251");
    bytes.into_owned()
}

/// A generated list of a few MiB (several parallel blocks) with bad rows between its parts.
fn generated_with_bad_rows() -> Vec<u8> {
    let mut out = Vec::new();
    write_pricelist(&mut out, 0, 1).unwrap(); // the header
    let bad = ["MANN;;Фильтр без артикула;100;1;1;1;Москва\r\n", "MANN;W 1;Фильтр;сто рублей;1;1;1;Москва\r\n", "MANN;W 2;Фильтр;100;1\r\n"];
    for seed in 1..=5u64 {
        let mut part = Vec::new();
        write_pricelist(&mut part, 8_000 + 1_000 * seed, seed).unwrap();
        let header_end = part.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
        out.extend_from_slice(&part[header_end..]);
        out.extend_from_slice(&cp1251(bad[seed as usize % bad.len()]));
    }
    out
}

/// A list with quoted fields, every qty form, NBSP thousands separators and unknown
/// columns (one of them named like a fixed column).
fn handwritten() -> Vec<u8> {
    cp1251(concat!(
        "Бренд;Артикул;Наименование;Цена;Количество;Кратность;Срок поставки;Склад;line\r\n",
        "MANN;W 712/75;\"Фильтр масляный; Лада\";1\u{A0}234,56;10;1;7-9;Москва;a\r\n",
        "MANN;W 1;\"Фильтр \"\"Люкс\"\"\r\nс переносом\";152.02;<10;2;3;Тверь;b\r\n",
        "BOSCH;0 451;Фильтр;12\u{A0}345\u{A0}678;>50;4;;;c\r\n",
        "BOSCH;0 452;Фильтр;99;Есть;1;5;Склад 1;d\r\n",
        "BOSCH;0 453;Фильтр;0,5;под заказ;1;5;;e\r\n",
        "BOSCH;0 454;Фильтр;7;;1;5;;f\r\n",
        "BOSCH;0 455;Фильтр;сто;1;1;5;;g\r\n",
        "BOSCH;;Фильтр;7;1;1;5;;h\r\n",
        "LADA;2101;Колодки;1 000;1;1;1;Самара;i\r\n",
    ))
}

fn collect() -> Options {
    Options::new().on_error(OnError::Collect)
}

fn iterate(bytes: &[u8], options: Options) -> (Vec<Row>, Vec<BadRow>) {
    let mut reader = Reader::from_reader(bytes, options).unwrap();
    let rows: Vec<Row> = reader.by_ref().map(Result::unwrap).collect();
    (rows, reader.bad_rows().to_vec())
}

/// The batches' rows as the iterator's `Row`s (the price from its Decimal128 mantissa and
/// the column's scale), checking qty_kind/qty_value against the raw qty on the way.
fn rows_of(batches: &[RecordBatch]) -> Vec<Row> {
    let mut out = Vec::new();
    for b in batches {
        let schema = b.schema();
        // The header as written (a colliding one is prefixed `extra:` in the schema).
        let extra_names: Vec<String> =
            schema.fields()[arrow::FIXED_COLUMNS.len()..].iter().map(|f| f.name().trim_start_matches("extra:").to_owned()).collect();
        let col = |name: &str| b.column_by_name(name).unwrap_or_else(|| panic!("no column {name}"));
        let line = col("line").as_primitive::<UInt64Type>();
        let [code, maker, name, qty] = ["code", "maker", "name", "qty"].map(|n| col(n).as_string::<i32>());
        let price = col("price").as_primitive::<Decimal128Type>();
        let kind = col("qty_kind").as_dictionary::<Int8Type>();
        let kind_names = kind.values().as_string::<i32>();
        let qty_value = col("qty_value").as_primitive::<UInt64Type>();
        let min_qty = col("min_qty").as_primitive::<UInt32Type>();
        let pmin = col("period_min").as_primitive::<UInt32Type>();
        let pmax = col("period_max").as_primitive::<UInt32Type>();
        let opt = |a: &arrow_array::PrimitiveArray<UInt32Type>, i: usize| a.is_valid(i).then(|| a.value(i));
        for i in 0..b.num_rows() {
            let raw_qty = qty.value(i);
            let expected_kind = match Qty::parse(raw_qty).kind() {
                QtyKind::Exactly(n) => ("exactly", Some(n)),
                QtyKind::LessThan(n) => ("less_than", Some(n)),
                QtyKind::MoreThan(n) => ("more_than", Some(n)),
                QtyKind::InStock => ("in_stock", None),
                QtyKind::Unknown => ("unknown", None),
            };
            let got_kind = kind_names.value(kind.keys().value(i) as usize);
            assert_eq!((got_kind, qty_value.is_valid(i).then(|| qty_value.value(i))), expected_kind, "qty {raw_qty:?}");
            let extra = logibridge::pricelist::Extra::from_pairs(
                extra_names.iter().enumerate().map(|(k, n)| (n.clone(), b.column(arrow::FIXED_COLUMNS.len() + k).as_string::<i32>().value(i).to_owned())),
            );
            out.push(Row {
                line: line.value(i),
                code: code.value(i).into(),
                maker: maker.value(i).into(),
                name: name.value(i).into(),
                price: Decimal::from_i128_with_scale(price.value(i), price.scale() as u32),
                qty: Qty::parse(raw_qty),
                min_qty: min_qty.value(i),
                period_min: opt(pmin, i),
                period_max: opt(pmax, i),
                extra,
            });
        }
    }
    out
}

#[test]
fn arrow_rows_are_the_iterators_in_file_order() {
    let bytes = generated_with_bad_rows();
    let (rows, bad) = iterate(&bytes, collect());
    assert!(bytes.len() > 2 * 512 * 1024, "several blocks: {}", bytes.len());
    let all = arrow::read_all(std::io::Cursor::new(bytes.clone()), collect(), ArrowOptions::new().threads(2).batch_rows(3_000)).unwrap();
    let got = rows_of(&all.batches);
    assert_eq!(got.len(), rows.len());
    for (a, b) in got.iter().zip(&rows) {
        assert_eq!(a, b, "line {}", b.line);
    }
    assert_eq!(all.bad_rows, bad);
    assert_eq!(all.summary.rows_ok, rows.len() as u64);
    assert_eq!(all.summary.rows_bad, bad.len() as u64);
    assert_eq!(all.summary.bytes, bytes.len() as u64);
}

#[test]
fn batches_are_bounded_and_in_file_order() {
    let bytes = generated_with_bad_rows();
    let batches = Batches::new(std::io::Cursor::new(bytes), collect(), ArrowOptions::new().threads(2).batch_rows(1_000)).unwrap();
    let mut last_line = 0;
    let mut n = 0;
    for b in batches {
        let b = b.unwrap();
        assert!(b.num_rows() <= 1_000 && b.num_rows() > 0, "{} rows", b.num_rows());
        let lines = b.column_by_name("line").unwrap().as_primitive::<UInt64Type>();
        for &l in lines.values().iter() {
            assert!(l > last_line, "line {l} after {last_line}");
            last_line = l;
        }
        n += 1;
    }
    assert!(n >= 45, "{n} batches");
}

#[test]
fn quoted_fields_qty_forms_nbsp_prices_unknown_columns_and_bad_rows() {
    let bytes = handwritten();
    let (rows, bad) = iterate(&bytes, collect());
    let all = arrow::read_all(std::io::Cursor::new(bytes), collect(), ArrowOptions::new().threads(2)).unwrap();
    assert_eq!(rows_of(&all.batches), rows);
    assert_eq!(all.bad_rows, bad);
    assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), [9, 10]);
    // The document's forms, as the Arrow columns hold them.
    let b = &all.batches[0];
    assert_eq!(b.column_by_name("name").unwrap().as_string::<i32>().value(1), "Фильтр \"Люкс\"\r\nс переносом");
    let price = b.column_by_name("price").unwrap().as_primitive::<Decimal128Type>();
    assert_eq!((price.value(0), price.value(2), price.scale()), (123456, 1_234_567_800, 2));
    let kinds = b.column_by_name("qty_kind").unwrap().as_dictionary::<Int8Type>();
    let kind_names: Vec<&str> = (0..b.num_rows()).map(|i| kinds.values().as_string::<i32>().value(kinds.keys().value(i) as usize)).collect();
    assert_eq!(kind_names, ["exactly", "less_than", "more_than", "in_stock", "unknown", "unknown", "exactly"]);
    let names: Vec<String> = b.schema().fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(&names[arrow::FIXED_COLUMNS.len()..], ["Склад", "extra:line"]);
    assert_eq!(b.column_by_name("extra:line").unwrap().as_string::<i32>().value(6), "i");
    let bad_batch = arrow::bad_rows_batch(&all.bad_rows);
    assert_eq!(bad_batch.column(0).as_primitive::<UInt64Type>().values().to_vec(), [9, 10]);
}

#[test]
fn a_price_finer_than_the_scale_is_a_bad_row_never_rounded() {
    let bytes = cp1251("Артикул;Цена\r\nA;1,005\r\nB;1,500\r\nC;2\r\n");
    let all = arrow::read_all(std::io::Cursor::new(bytes.clone()), collect(), ArrowOptions::new()).unwrap();
    let rows = rows_of(&all.batches);
    assert_eq!(rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["B", "C"]);
    assert_eq!(rows[0].price, Decimal::new(15, 1));
    assert_eq!(all.bad_rows.len(), 1);
    assert_eq!((all.bad_rows[0].line, all.bad_rows[0].column.as_deref()), (2, Some("Цена")));
    assert!(all.bad_rows[0].reason_ru.contains("не округляется"), "{}", all.bad_rows[0].reason_ru);
    assert_eq!((all.summary.rows_ok, all.summary.rows_bad), (2, 1));
    // At scale 3 every price is exact.
    let all = arrow::read_all(std::io::Cursor::new(bytes), collect(), ArrowOptions::new().price_scale(3)).unwrap();
    let price = all.batches[0].column_by_name("price").unwrap().as_primitive::<Decimal128Type>();
    assert_eq!((price.values().to_vec(), price.scale()), (vec![1005, 1500, 2000], 3));
}

#[test]
fn stop_gives_the_rows_before_the_first_bad_row_then_its_error() {
    let bytes = generated_with_bad_rows();
    let mut reader = Reader::from_reader(&bytes[..], Options::new()).unwrap();
    let mut before = Vec::new();
    let err = loop {
        match reader.next().unwrap() {
            Ok(r) => before.push(r),
            Err(e) => break e,
        }
    };
    let mut batches = Batches::new(std::io::Cursor::new(bytes), Options::new(), ArrowOptions::new().threads(2).batch_rows(2_000)).unwrap();
    let mut got = Vec::new();
    let arrow_err = loop {
        match batches.next().expect("the error comes before the end") {
            Ok(b) => got.push(b),
            Err(e) => break e,
        }
    };
    assert!(batches.next().is_none());
    assert_eq!(rows_of(&got), before);
    let core = arrow::core_error(&arrow_err).expect("the reader's error inside");
    assert_eq!(core.to_string(), err.to_string());
    assert_eq!(core.message_ru(), err.message_ru());
}

#[test]
fn a_header_without_a_price_column_is_refused_when_opening() {
    let e = Batches::new("Артикул;Стоимость\nA;1\n".as_bytes(), Options::new(), ArrowOptions::new()).err().unwrap();
    assert!(e.to_string().contains("price"), "{e}");
}
