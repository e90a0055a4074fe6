//! Carreta supplier price lists: CSV in CP1251 with `;` separators, millions of rows, read
//! as a stream of typed [`Row`]s in constant memory.
//!
//! * **Sources**: a file ([`open`]), any [`std::io::Read`] ([`Reader::from_reader`]), or an
//!   HTTP download read while it arrives ([`download`]).
//! * **Decoding**: CP1251 by default, UTF-8 with or without BOM detected
//!   ([`Encoding::Auto`]), or any encoding named explicitly.
//! * **CSV**: `;` by default, quoted fields with `;`, `""` and line breaks inside, CRLF or LF.
//! * **Columns by header**: Russian and English synonyms ([`Field::synonyms`]), ignoring
//!   case, spaces and punctuation, overridable with [`Options::column`]; unknown columns are
//!   kept by name in [`Row::extra`].
//! * **Values**: prices exactly as [`rust_decimal::Decimal`] (`1 234,56`, `1 234,56` with a
//!   no-break space, `152.02`); `qty` as the same [`Qty`] as Carreta orders, so
//!   [`Row::check_order`] applies the order rules directly.
//! * **Bad rows never vanish**: each is a [`BadRow`] with its line, column and reason;
//!   [`OnError`] picks stop-at-first or collect-and-continue; [`Reader::summary`] counts.
//! * **Writers**: UTF-8 CSV and JSON Lines ([`Writer`], [`write_csv_utf8`], [`write_jsonl`]).
//! * **Fastest reading**: [`Reader::next_ref`] / [`Reader::for_each_ref`] lend a borrowed
//!   [`RowRef`] (no allocation per row); [`par_for_each`] parses on every core and hands
//!   borrowed rows to a visitor, in no particular order.
//!
//! ```
//! use logibridge::pricelist::{OnError, Options, Reader};
//! // CP1251 bytes of "Бренд;Артикул;Наименование;Цена;Количество;Срок поставки\r\n..."
//! let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(
//!     "Бренд;Артикул;Наименование;Цена;Количество;Срок поставки\r\n\
//!      MANN-FILTER;W 712/75;\"Фильтр масляный; Лада\";1 234,56;<10;7-9\r\n");
//! let mut reader = Reader::from_reader(&bytes[..], Options::new().on_error(OnError::Collect))?;
//! let row = reader.next().unwrap()?;
//! assert_eq!((row.maker.as_str(), row.code.as_str()), ("MANN-FILTER", "W 712/75"));
//! assert_eq!(row.name, "Фильтр масляный; Лада");
//! assert_eq!(row.price.to_string(), "1234.56");
//! assert_eq!(row.qty.raw(), "<10");
//! assert_eq!((row.period_min, row.period_max), (Some(7), Some(9)));
//! assert!(row.check_order(9).is_ok() && row.check_order(10).is_err());
//! assert_eq!(row.line, 2);
//! # Ok::<(), logibridge::Error>(())
//! ```

mod borrowed;
mod columns;
mod decode;
mod download;
mod front;
mod options;
mod par;
mod reader;
mod values;
mod writer;

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

pub(crate) use borrowed::ExtraRef;
pub use borrowed::RowRef;
pub use columns::Field;
pub use download::{download, download_stream, Download};
pub use options::{Encoding, OnError, Options};
pub use par::{par_for_each, ParOutcome};
pub use front::{open, open_file, open_with, Reader};
pub use values::{parse_min_qty, parse_period, parse_price};
pub use writer::{write_csv_utf8, write_jsonl, Format, Writer};

use crate::carreta::{check_order_qty, Qty};
use crate::ValidationError;

/// The endpoint name errors from parsing carry.
pub const PARSE_ENDPOINT: &str = "carreta.pricelist.parse";
/// The endpoint name errors from downloading carry.
pub const DOWNLOAD_ENDPOINT: &str = "carreta.pricelist.download";

/// One offer of a price list.
///
/// Serialises (to JSON) as
/// `{"line":2,"code":"W 712/75","maker":"MANN-FILTER","name":"…","price":"152.02","qty":"<10","min_qty":1,"period_min":7,"period_max":9,"extra":{"Склад":"Москва"}}`:
/// the price as an exact decimal string, the qty as the supplier wrote it.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Line of the file the row starts on (the header is line 1).
    pub line: u64,
    /// Part number, trimmed. Never empty.
    pub code: String,
    /// Brand, trimmed; empty when the list has no brand column.
    pub maker: String,
    /// Description, trimmed; empty when the list has no name column.
    pub name: String,
    /// Price, exact, with the scale written in the file (`1 234,50` is `1234.50`).
    pub price: Decimal,
    /// Stock, parsed as in Carreta offers; [`Qty::raw`] is the cell as written (empty
    /// when the list has no qty column).
    pub qty: Qty,
    /// Pack size: orders must be a multiple of it. 1 when the cell or column is absent.
    pub min_qty: u32,
    /// Shortest delivery time in days (`7` of `7-9`).
    pub period_min: Option<u32>,
    /// Longest delivery time in days (`9` of `7-9`; equal to `period_min` for `7`).
    pub period_max: Option<u32>,
    /// Unknown columns by header name, in file order.
    pub extra: Extra,
}

impl Default for Row {
    fn default() -> Row {
        Row::with_extra_names(Arc::from(Vec::new()))
    }
}

impl Row {
    pub(crate) fn with_extra_names(names: Arc<[String]>) -> Row {
        Row {
            line: 0,
            code: String::new(),
            maker: String::new(),
            name: String::new(),
            price: Decimal::ZERO,
            qty: Qty::parse(""),
            min_qty: 1,
            period_min: None,
            period_max: None,
            extra: Extra::with_names(names),
        }
    }

    /// Checks an order of `order_qty` pieces of this offer against its stock and pack
    /// size, with the same rules as a Carreta order
    /// ([`check_order_qty`]).
    ///
    /// ```
    /// use logibridge::pricelist::Row;
    /// let mut row = Row::default();
    /// row.qty = ">50".into();
    /// row.min_qty = 4;
    /// assert!(row.check_order(8).is_ok());
    /// assert_eq!(row.check_order(6).unwrap_err().code, "order_qty.not_multiple_of_min_qty");
    /// ```
    pub fn check_order(&self, order_qty: i64) -> Result<(), ValidationError> {
        check_order_qty(&self.qty, self.min_qty as i64, order_qty)
    }
}

impl Serialize for Row {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Row", 10)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("code", &self.code)?;
        s.serialize_field("maker", &self.maker)?;
        s.serialize_field("name", &self.name)?;
        s.serialize_field("price", &DisplayStr(&self.price))?;
        s.serialize_field("qty", self.qty.raw())?;
        s.serialize_field("min_qty", &self.min_qty)?;
        s.serialize_field("period_min", &self.period_min)?;
        s.serialize_field("period_max", &self.period_max)?;
        s.serialize_field("extra", &self.extra)?;
        s.end()
    }
}

/// Serialises a value's `Display` form as a string, without an intermediate `String`.
struct DisplayStr<'a, T: fmt::Display>(&'a T);

impl<T: fmt::Display> Serialize for DisplayStr<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

/// The cells of the unknown columns of a row, by header name in file order.
///
/// The header names are shared by all rows of a list and the values live in one string, so
/// a row's unknown columns cost one allocation whatever their number.
///
/// ```
/// use logibridge::pricelist::Extra;
/// let extra = Extra::from_pairs([("Склад".to_string(), "Москва".to_string()), ("Примечание".to_string(), String::new())]);
/// assert_eq!(extra.get("Склад"), Some("Москва"));
/// assert_eq!(extra.get("Примечание"), Some(""));
/// assert_eq!(extra.get("Нет"), None);
/// assert_eq!(extra.iter().collect::<Vec<_>>(), [("Склад", "Москва"), ("Примечание", "")]);
/// assert_eq!(serde_json::to_string(&extra).unwrap(), r#"{"Склад":"Москва","Примечание":""}"#);
/// ```
#[derive(Clone)]
pub struct Extra {
    names: Arc<[String]>,
    text: String,
    ends: Ends,
}

/// End offsets of the values in `Extra::text`; a few are kept inline.
#[derive(Clone)]
enum Ends {
    Inline { len: u8, ends: [u32; 6] },
    Heap(Vec<u32>),
}

impl Ends {
    fn as_slice(&self) -> &[u32] {
        match self {
            Ends::Inline { len, ends } => &ends[..*len as usize],
            Ends::Heap(v) => v,
        }
    }

    fn clear(&mut self) {
        match self {
            Ends::Inline { len, .. } => *len = 0,
            Ends::Heap(v) => v.clear(),
        }
    }

    fn push(&mut self, end: u32) {
        match self {
            Ends::Inline { len, ends } if (*len as usize) < ends.len() => {
                ends[*len as usize] = end;
                *len += 1;
            }
            Ends::Inline { len, ends } => {
                let mut v = ends[..*len as usize].to_vec();
                v.push(end);
                *self = Ends::Heap(v);
            }
            Ends::Heap(v) => v.push(end),
        }
    }
}

impl Default for Extra {
    fn default() -> Extra {
        Extra::with_names(Arc::from(Vec::new()))
    }
}

impl Extra {
    pub(crate) fn with_names(names: Arc<[String]>) -> Extra {
        Extra { names, text: String::new(), ends: Ends::Inline { len: 0, ends: [0; 6] } }
    }

    /// Builds the cells from `(header, value)` pairs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Extra {
        let mut names = Vec::new();
        let mut extra = Extra::default();
        for (name, value) in pairs {
            names.push(name);
            extra.text.push_str(&value);
            extra.ends.push(extra.text.len() as u32);
        }
        extra.names = names.into();
        extra
    }

    /// Starts refilling the values for a (possibly new) list of names.
    pub(crate) fn reset(&mut self, names: &Arc<[String]>) {
        if !Arc::ptr_eq(&self.names, names) {
            self.names = names.clone();
        }
        self.text.clear();
        self.ends.clear();
    }

    /// The string the next value is appended to; call [`Extra::end_value`] after it.
    pub(crate) fn text_mut(&mut self) -> &mut String {
        &mut self.text
    }

    pub(crate) fn end_value(&mut self) {
        self.ends.push(self.text.len() as u32);
    }

    /// The value of the `i`-th unknown column.
    pub fn value(&self, i: usize) -> Option<&str> {
        let ends = self.ends.as_slice();
        let end = *ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { ends[i - 1] as usize };
        Some(&self.text[start..end])
    }

    /// The value under `header` (the first, if the header repeats).
    pub fn get(&self, header: &str) -> Option<&str> {
        self.names.iter().position(|n| n == header).and_then(|i| self.value(i))
    }

    /// `(header, value)` pairs in file order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        (0..self.len()).map(move |i| (self.names[i].as_str(), self.value(i).unwrap_or_default()))
    }

    /// The header names.
    pub fn names(&self) -> &[String] {
        &self.names[..self.len()]
    }

    /// The values, in the order of [`Extra::names`].
    pub fn values(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(move |i| self.value(i).unwrap_or_default())
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.ends.as_slice().len().min(self.names.len())
    }

    /// Whether there are no unknown columns.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The pairs as owned strings.
    pub fn to_vec(&self) -> Vec<(String, String)> {
        self.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect()
    }
}

impl PartialEq for Extra {
    fn eq(&self, other: &Extra) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A row that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BadRow {
    /// Line the record starts on (the header is line 1).
    pub line: u64,
    /// Header of the offending column, when one column is to blame.
    pub column: Option<String>,
    /// What is wrong, in English.
    pub reason: String,
    /// The start of the record as text (at most 200 characters).
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
    /// Rows reported as bad (including those past [`Options::max_errors_kept`]).
    pub rows_bad: u64,
    /// Bytes read from the source.
    pub bytes: u64,
}
