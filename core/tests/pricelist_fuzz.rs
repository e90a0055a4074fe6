//! Arbitrary bytes never crash the price-list reader, and every way of reading agrees.
//!
//! Inputs are built from the pieces that make CSV hard (quotes, `;`, CR, LF, CP1251 and
//! UTF-8 Cyrillic, decimal commas, NBSP) glued at random behind a valid header, plus raw
//! random bytes.

use std::sync::Mutex;

use logibridge::pricelist::{par_for_each, OnError, Options, Reader, Row};
use proptest::prelude::*;

const HEADER: &[u8] = b"code;maker;name;price;qty;min_qty;period;extra\n";

fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b";".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"OC47".to_vec()),
        Just(b"152,02".to_vec()),
        Just(b"1\xA0234,5".to_vec()),
        Just(b"<10".to_vec()),
        Just(b"\xC5\xF1\xF2\xFC".to_vec()),
        Just("Есть".as_bytes().to_vec()),
        Just(b"7-9".to_vec()),
        Just(b"A;B;n;1.5;3;1;2;x\n".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..6),
    ]
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(piece(), 0..60).prop_map(|ps| {
            let mut v = HEADER.to_vec();
            v.extend(ps.concat());
            v
        }),
        proptest::collection::vec(any::<u8>(), 0..300),
    ]
}

/// Rows read, and bad rows as (line, reason).
type Reading = (Vec<Row>, Vec<(u64, String)>);

/// Every row and bad row the iterator sees, in collect mode.
fn by_iterator(data: &[u8]) -> Option<Reading> {
    let mut reader = Reader::from_reader(data, Options::new().on_error(OnError::Collect)).ok()?;
    let rows: Vec<Row> = reader.by_ref().collect::<Result<_, _>>().expect("collect mode yields no errors");
    let bad = reader.bad_rows().iter().map(|b| (b.line, b.reason.clone())).collect();
    Some((rows, bad))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn every_way_of_reading_agrees_and_none_panics(data in input()) {
        let Some((rows, bad)) = by_iterator(&data) else {
            // A header the reader refuses is refused by every way of reading.
            prop_assert!(par_for_each(&data[..], Options::new().on_error(OnError::Collect), 2, |_| Ok(())).is_err());
            return Ok(());
        };

        let mut reader = Reader::from_reader(&data[..], Options::new().on_error(OnError::Collect)).unwrap();
        let mut borrowed = Vec::new();
        reader.for_each_ref(|r| { borrowed.push(r.to_row()); Ok(()) }).unwrap();
        prop_assert_eq!(&borrowed, &rows);

        for threads in [1, 2, 3] {
            let seen = Mutex::new(Vec::new());
            let outcome = par_for_each(&data[..], Options::new().on_error(OnError::Collect), threads, |r| {
                seen.lock().unwrap().push(r.to_row());
                Ok(())
            }).unwrap();
            let mut par = seen.into_inner().unwrap();
            par.sort_by_key(|r| r.line);
            prop_assert_eq!(&par, &rows);
            let par_bad: Vec<(u64, String)> = outcome.bad_rows.iter().map(|b| (b.line, b.reason.clone())).collect();
            prop_assert_eq!(&par_bad, &bad);
        }

        // Stop mode: the rows before the first bad one, then one error naming its line.
        let stop: Vec<_> = Reader::from_reader(&data[..], Options::new()).unwrap().collect();
        let first_err = stop.iter().position(Result::is_err);
        match (first_err, bad.first()) {
            (Some(i), Some((line, _))) => {
                prop_assert_eq!(i, rows.iter().take_while(|r| r.line < *line).count());
                let msg = stop[i].as_ref().unwrap_err().to_string();
                prop_assert!(msg.contains(&format!("line {line}")), "{}", msg);
            }
            (None, None) => prop_assert_eq!(stop.len(), rows.len()),
            other => prop_assert!(false, "stop and collect disagree: {:?}", other),
        }
    }
}
