//! Carreta supplier price lists: CSV in CP1251 with `;` separators, millions of rows, read
//! as a stream of typed [`Row`]s in constant memory.
//!
//! * **Sources**: a file ([`open`]), any [`std::io::Read`] ([`Reader::from_reader`]), or an
//!   HTTP download read while it arrives ([`download`]).
//! * **Decoding**: CP1251 by default, UTF-8 with or without BOM detected on the 64 KiB
//!   from the first non-ASCII byte ([`Encoding::Auto`]), or any encoding named explicitly.
//! * **CSV**: `;` by default, quoted fields with `;`, `""` and line breaks inside, CRLF or LF.
//! * **Columns by header**: Russian and English synonyms ([`Field::synonyms`]), ignoring
//!   case, spaces and punctuation, overridable with [`Options::column`]; unknown columns are
//!   kept by name in [`Row::extra`] (a header that repeats an earlier unknown one is kept
//!   as `extra:` + header, so no cell is lost to a name).
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

// Inside: bytes come in through `input` (blocks read into one buffer, transcoded first when
// the encoding is not ASCII-compatible); `split` finds records and cells with the one
// implementation of the quote and line-break rules; `cells` and `build` turn cells into values
// and rows; `engine` drives them on one thread. The public `Reader` (`reader`) wraps the engine
// with the bad-row policy (`report`) and the optional background thread (`background`);
// `par_for_each` (`par`) runs one engine per worker thread on blocks cut at record ends by the
// same splitter.

pub mod arrow;
mod background;
mod borrowed;
mod build;
mod cells;
mod columns;
mod decode;
mod download;
mod engine;
mod extra;
mod input;
mod options;
mod par;
mod reader;
mod report;
mod row;
mod split;
mod values;
mod writer;

pub use borrowed::RowRef;
pub use columns::Field;
pub use download::{download, download_stream, Download};
pub use extra::Extra;
pub use options::{Encoding, OnError, Options};
pub use par::{par_for_each, ParOutcome};
pub use reader::{open, open_file, open_with, Reader};
pub use report::{BadRow, Summary};
pub use row::Row;
pub use values::{parse_min_qty, parse_period, parse_price};
pub use writer::{write_csv_utf8, write_jsonl, Format, Writer};

/// The endpoint name errors from parsing carry.
pub const PARSE_ENDPOINT: &str = "carreta.pricelist.parse";
/// The endpoint name errors from downloading carry.
pub const DOWNLOAD_ENDPOINT: &str = "carreta.pricelist.download";
