//! What a reading reports besides rows: [`BadRow`]s, the [`Summary`] counts, and the
//! [`OnError`] policy that decides between stopping and going on.

use std::fmt;

use serde::Serialize;

use super::options::OnError;
use super::PARSE_ENDPOINT;
use crate::error::Error;

/// Longest excerpt of a bad record kept in a report, in characters.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// A row that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BadRow {
    /// Line the record starts on (the header is line 1).
    pub line: u64,
    /// Header of the offending column, when one column is to blame.
    pub column: Option<String>,
    /// What is wrong, in English.
    pub reason: String,
    /// What is wrong, in Russian (values quoted from the file kept as they are).
    pub reason_ru: String,
    /// The start of the record as text (at most 200 characters). For a price the Arrow
    /// reader refuses for its scale (`price.scale`), the row's `maker;code;price` instead:
    /// the record's text is gone by the time the row reaches the Arrow columns.
    pub raw: String,
}

impl fmt::Display for BadRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column {c}: {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// Counts of a reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Rows read successfully.
    pub rows_ok: u64,
    /// Rows reported as bad (including those past [`Options::max_errors_kept`](super::Options::max_errors_kept)).
    pub rows_bad: u64,
    /// Bytes read from the source.
    pub bytes: u64,
}

/// The start of a record's text, at most [`EXCERPT_CHARS`] characters, for a report.
pub(crate) fn excerpt_of(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

impl BadRow {
    /// A report of the record on `line`; the Russian reason is made from the English one.
    pub(crate) fn new(line: u64, column: Option<String>, reason: String, raw: String) -> BadRow {
        let reason_ru = reason_ru(&reason);
        BadRow { line, column, reason, reason_ru, raw }
    }

    /// Where the row is, in Russian: `строка 3, колонка «Цена»`.
    pub(crate) fn place_ru(&self) -> String {
        match &self.column {
            Some(c) => format!("строка {}, колонка «{c}»", self.line),
            None => format!("строка {}", self.line),
        }
    }
}

/// The error a reading under [`OnError::Stop`] stops with at `bad`: an [`Error::Decode`]
/// of [`PARSE_ENDPOINT`] whose path is the place (`line 3, column Цена`) and whose Russian
/// message names the place and the reason in Russian.
pub(crate) fn stop_error(bad: &BadRow) -> Error {
    let path = match &bad.column {
        Some(c) => format!("line {}, column {c}", bad.line),
        None => format!("line {}", bad.line),
    };
    Error::Decode {
        endpoint: PARSE_ENDPOINT.into(),
        path,
        message: bad.reason.clone(),
        message_ru: format!("{}: {}", bad.place_ru(), bad.reason_ru),
        excerpt: bad.raw.clone(),
    }
}

/// The Russian text of a bad row's English reason. The reasons are the reader's own (the
/// value checks of `values`, the decoders, the splitter, the width check): each phrase is
/// put in Russian, and what the reason quotes from the file (`"…"`) is kept as it was.
pub(crate) fn reason_ru(en: &str) -> String {
    // More specific phrases first: "price is empty" before "price ".
    const PHRASES: &[(&str, &str)] = &[
        ("price is empty", "цена не указана"),
        ("code is empty", "артикул не указан"),
        (" has more than 28 significant digits", ": больше 28 значащих цифр"),
        (" has more than one decimal separator", ": больше одного десятичного разделителя"),
        (" has no digit before the decimal separator", ": нет цифры перед десятичным разделителем"),
        (" has no digit after the decimal separator", ": нет цифры после десятичного разделителя"),
        (" has a space after the decimal separator", ": пробел после десятичного разделителя"),
        (" has a digit group that is not three digits long", ": группа разрядов не из трёх цифр"),
        (" is not a number (unexpected ", " — не число (лишний символ "),
        (" is out of range: ", " вне допустимого диапазона: "),
        (" is not a whole number", " — не целое число"),
        (" is neither a number of days nor a range like 7-9", " — не число дней и не диапазон вида 7-9"),
        (" ends before it starts", ": конец раньше начала"),
        ("price ", "цена "),
        ("min_qty ", "минимальное количество "),
        ("period ", "срок поставки "),
        ("invalid UTF-8 at byte ", "недопустимая последовательность UTF-8 в байте "),
        (" of the cell", " ячейки"),
        (" is not defined in ", " не определён в кодировке "),
        ("bytes that are not valid ", "байты, недопустимые в кодировке "),
        ("byte ", "байт "),
        ("the row has ", "в строке полей: "),
        (" fields where the header has ", ", а в заголовке: "),
        ("the record is longer than ", "запись длиннее "),
        (" bytes (a quote left open?); skipped to the next line", " байт (незакрытая кавычка?); пропущена до следующей строки"),
        (
            "a quoted field is not closed before the end of the file; skipped to the next line",
            "поле в кавычках не закрыто до конца файла; пропущено до следующей строки",
        ),
    ];
    let mut out = String::with_capacity(en.len() * 2);
    // Outside quotes: phrases; inside: the file's own text.
    for (k, part) in en.split('"').enumerate() {
        if k > 0 {
            out.push('"');
        }
        if k % 2 == 1 {
            out.push_str(part);
            continue;
        }
        let mut text = part.to_owned();
        for (from, to) in PHRASES {
            if text.contains(from) {
                text = text.replace(from, to);
            }
        }
        out.push_str(&text);
    }
    out
}

/// Applies [`OnError`] for one reader and keeps its counts and reports.
pub(crate) struct Policy {
    on_error: OnError,
    max_kept: usize,
    pub(crate) bad: Vec<BadRow>,
    pub(crate) rows_ok: u64,
    pub(crate) rows_bad: u64,
    /// The reading is over (the end, an error, or a stop).
    pub(crate) done: bool,
}

impl Policy {
    /// A policy keeping at most `max_kept` reports.
    pub(crate) fn new(on_error: OnError, max_kept: usize) -> Policy {
        Policy { on_error, max_kept, bad: Vec::new(), rows_ok: 0, rows_bad: 0, done: false }
    }

    /// Records a bad row; returns the error to stop with under [`OnError::Stop`].
    pub(crate) fn report(&mut self, bad: BadRow) -> Option<Error> {
        self.rows_bad += 1;
        let err = match self.on_error {
            OnError::Stop => {
                self.done = true;
                Some(stop_error(&bad))
            }
            OnError::Collect => None,
        };
        if self.bad.len() < self.max_kept {
            self.bad.push(bad);
        }
        err
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every reason the reader writes reads in Russian, the quoted value kept.
    #[test]
    fn reasons_read_in_russian() {
        let cases = [
            (super::super::parse_price("").unwrap_err(), "цена не указана"),
            (super::super::parse_price("12 34").unwrap_err(), "цена \"12 34\": группа разрядов не из трёх цифр"),
            (super::super::parse_price("1,2,3").unwrap_err(), "цена \"1,2,3\": больше одного десятичного разделителя"),
            (super::super::parse_price("сто").unwrap_err(), "цена \"сто\" — не число (лишний символ 'с')"),
            (super::super::parse_min_qty("4 шт").unwrap_err(), "минимальное количество \"4 шт\" — не целое число"),
            (super::super::parse_period("9-7").unwrap_err(), "срок поставки \"9-7\": конец раньше начала"),
            (super::super::parse_period("7-х").unwrap_err(), "срок поставки \"7-х\" — не число дней и не диапазон вида 7-9"),
            ("code is empty".into(), "артикул не указан"),
            ("the row has 3 fields where the header has 5".into(), "в строке полей: 3, а в заголовке: 5"),
            ("invalid UTF-8 at byte 4 of the cell".into(), "недопустимая последовательность UTF-8 в байте 4 ячейки"),
            ("byte 0xAA is not defined in windows-1253".into(), "байт 0xAA не определён в кодировке windows-1253"),
            (
                "the record is longer than 1048576 bytes (a quote left open?); skipped to the next line".into(),
                "запись длиннее 1048576 байт (незакрытая кавычка?); пропущена до следующей строки",
            ),
        ];
        for (en, ru) in cases {
            assert_eq!(reason_ru(&en), ru, "from {en:?}");
        }
        // A phrase inside the quoted value is the file's text.
        assert_eq!(reason_ru("price \"price is empty\" is not a whole number"), "цена \"price is empty\" — не целое число");
    }
}
