//! `Encoding::Auto` without a BOM (issue 10, item 20): CP1251 whose first Cyrillic text is
//! also valid UTF-8 (`Щё` is D9 B8, the Arabic letter U+0678 in UTF-8) is still read as
//! CP1251, UTF-8 is still read as UTF-8, and every reading mode (iterator, background,
//! parallel, whatever the sizes of the source's reads) decides alike.

use std::io::Read;
use std::sync::Mutex;

use logibridge::pricelist::{par_for_each, OnError, Options, Reader};
use proptest::prelude::*;

fn cp1251(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!bad, "{text:?} is not CP1251");
    bytes.into_owned()
}

/// Every capital letter with each of `ё Ё № « NBSP` after it.
fn pairs() -> Vec<String> {
    let capitals = ('А'..='Я').chain(['Ё']);
    capitals.flat_map(|c| ['ё', 'Ё', '№', '«', '\u{A0}'].map(move |x| format!("{c}{x}"))).collect()
}

/// English headers; the first Cyrillic cell starts with `pair` (alone, or starting a word).
fn lists(pair: &str) -> [String; 2] {
    [
        format!("Code;Price;Name\r\nA0;1;plain\r\nA1;10;{pair}тка стеклоочистителя\r\nA2;20;Фильтр масляный\r\n"),
        format!("Code;Price;Name\r\nA1;10;{pair}\r\nA2;20;Фильтр масляный, 5 шт.\r\nA3;30;Щётка\r\n"),
    ]
}

/// (line, name) of a row, or (line, "reason | excerpt") of a bad row.
type Lines = Vec<(u64, String)>;

/// Rows and bad rows the iterator reads, and the encoding it decided on.
fn iterate(bytes: &[u8]) -> (Lines, Lines, Option<&'static str>) {
    let mut reader = Reader::from_reader(bytes, Options::new().on_error(OnError::Collect)).unwrap();
    let rows = reader.by_ref().map(|r| r.map(|r| (r.line, r.name))).collect::<Result<Vec<_>, _>>().unwrap();
    let bad = reader.bad_rows().iter().map(|b| (b.line, format!("{} | {}", b.reason, b.raw))).collect();
    (rows, bad, reader.encoding().map(|e| e.name()))
}

fn parallel(bytes: &[u8], threads: usize) -> (Lines, Lines) {
    let rows = Mutex::new(Vec::new());
    let outcome = par_for_each(bytes, Options::new().on_error(OnError::Collect), threads, |row| {
        rows.lock().unwrap().push((row.line(), row.name().to_owned()));
        Ok(())
    })
    .unwrap();
    let mut rows = rows.into_inner().unwrap();
    rows.sort();
    (rows, outcome.bad_rows.iter().map(|b| (b.line, format!("{} | {}", b.reason, b.raw))).collect())
}

#[test]
fn cp1251_pairs_that_are_valid_utf8_stay_cp1251() {
    for pair in pairs() {
        for list in lists(&pair) {
            let (rows, bad, encoding) = iterate(&cp1251(&list));
            assert_eq!(encoding, Some("windows-1251"), "{list:?}");
            assert!(bad.is_empty(), "{list:?}: {bad:?}");
            let want: Vec<&str> = list.lines().skip(1).map(|l| l.trim_end_matches('\r').rsplit(';').next().unwrap()).collect();
            let names: Vec<&str> = rows.iter().map(|(_, n)| n.as_str()).collect();
            assert_eq!(names, want.iter().map(|n| n.trim_matches('\u{A0}')).collect::<Vec<_>>(), "{list:?}");
            assert_eq!(parallel(&cp1251(&list), 2), (rows, bad), "{list:?}");
        }
    }
}

#[test]
fn the_same_lists_in_utf8_stay_utf8() {
    for pair in pairs() {
        for list in lists(&pair) {
            let (rows, bad, encoding) = iterate(list.as_bytes());
            assert_eq!(encoding, Some("UTF-8"), "{list:?}");
            assert!(bad.is_empty(), "{list:?}: {bad:?}");
            assert!(rows.iter().any(|(_, n)| n.starts_with(pair.trim_end_matches('\u{A0}'))), "{list:?}: {rows:?}");
            assert_eq!(parallel(list.as_bytes(), 2), (rows, bad), "{list:?}");
        }
    }
}

/// The issue's own case: nothing but the pair is Cyrillic in the whole list, which is
/// still CP1251 when the pair read as UTF-8 is no letter of a price list.
#[test]
fn a_lone_pair_read_as_arabic_is_cp1251() {
    let list = "Code;Price;Name\r\nA1;10;Щё\r\nA2;20;plain\r\n";
    let (rows, _, encoding) = iterate(&cp1251(list));
    assert_eq!(encoding, Some("windows-1251"));
    assert_eq!(rows[0].1, "Щё");
}

/// The decision looks past the first non-ASCII record: CP1251 text that breaks UTF-8 only
/// some 50 KiB after the first pair (inside the 64 KiB window) is still CP1251.
#[test]
fn the_window_reaches_past_the_first_record() {
    let mut list = String::from("Code;Price;Name\r\nA1;10;Вё\r\n");
    for i in 0..2200 {
        list.push_str(&format!("B{i};{i};filler row {i}\r\n"));
    }
    list.push_str("C1;5;Фильтр\r\n");
    let bytes = cp1251(&list);
    assert!((50 * 1024..64 * 1024).contains(&bytes.len()), "{}", bytes.len());
    let (rows, bad, encoding) = iterate(&bytes);
    assert_eq!(encoding, Some("windows-1251"));
    assert!(bad.is_empty());
    assert_eq!(rows.last().unwrap().1, "Фильтр");
    assert_eq!(parallel(&bytes, 3), (rows, bad));
}

/// A source handing out its bytes in reads of the given sizes, in turn.
struct Trickle<'a> {
    data: &'a [u8],
    sizes: Vec<usize>,
    turn: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = self.sizes[self.turn % self.sizes.len()];
        self.turn += 1;
        let n = want.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A cell: ASCII, Russian in CP1251 or in UTF-8, or one of the ambiguous pairs in either.
fn cell() -> impl Strategy<Value = Vec<u8>> {
    let words = ["Фильтр", "масляный", "Щётка", "№5", "«Лада»", "Ёмкость", "ключ\u{A0}10", "Щё", "Вё", "Рё", "С«"];
    prop_oneof![
        "[a-z0-9 ]{0,12}".prop_map(String::into_bytes),
        // A cell too many: a bad row, whose excerpt is decoded too.
        Just(b";extra".to_vec()),
        prop::sample::select(words.to_vec()).prop_map(cp1251),
        prop::sample::select(words.to_vec()).prop_map(|w| w.as_bytes().to_vec()),
    ]
}

fn list() -> impl Strategy<Value = Vec<u8>> {
    (0usize..4000, prop::collection::vec(prop::collection::vec(cell(), 1..4), 1..40)).prop_map(|(filler, rows)| {
        let mut out = b"Code;Price;Name\r\n".to_vec();
        // ASCII rows first, so the first non-ASCII byte falls anywhere in the iterator's
        // and the parallel reader's blocks.
        for i in 0..filler {
            out.extend_from_slice(format!("F{i};1;filler\r\n").as_bytes());
        }
        for (i, cells) in rows.into_iter().enumerate() {
            out.extend_from_slice(format!("R{i};2;").as_bytes());
            for c in cells {
                out.extend_from_slice(&c);
                out.push(b' ');
            }
            out.extend_from_slice(b"\r\n");
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The iterator over any reads, the background reader and the parallel reader find the
    /// same rows and the same bad rows, so they decided alike.
    #[test]
    fn every_mode_decides_alike(bytes in list(), sizes in prop::collection::vec(1usize..70_000, 1..5)) {
        let (rows, bad, encoding) = iterate(&bytes);
        let trickle = Trickle { data: &bytes, sizes, turn: 0 };
        let mut reader = Reader::from_reader(trickle, Options::new().on_error(OnError::Collect)).unwrap();
        let got = reader.by_ref().map(|r| r.map(|r| (r.line, r.name))).collect::<Result<Vec<_>, _>>().unwrap();
        prop_assert_eq!(&got, &rows);
        prop_assert_eq!(reader.encoding().map(|e| e.name()), encoding);
        let background = Reader::from_reader(std::io::Cursor::new(bytes.clone()), Options::new().on_error(OnError::Collect)).unwrap().in_background();
        let got = background.map(|r| r.map(|r| (r.line, r.name))).collect::<Result<Vec<_>, _>>().unwrap();
        prop_assert_eq!(&got, &rows);
        prop_assert_eq!(parallel(&bytes, 2), (rows, bad));
    }
}
