//! Price lists into Apache Arrow: [`RecordBatch`]es built on every core, in file order, in
//! memory bounded by the batch size.
//!
//! [`Batches`] reads a list with the parallel reader ([`par_for_each`](super::par_for_each)'s
//! engine): each worker appends the rows of its ~512 KiB blocks straight into Arrow column
//! builders and finishes them into batches of at most [`ArrowOptions::batch_rows`] rows;
//! the batches are handed out in file order (blocks carry their index, and a worker waits
//! when it runs more than a few blocks ahead of the consumer). [`read_all`] collects them.
//!
//! # Columns
//!
//! | name | Arrow type | value |
//! |---|---|---|
//! | `line` | `UInt64` | line of the file the row starts on (the header is line 1) |
//! | `code`, `maker`, `name` | `Utf8` | as [`Row`](super::Row): trimmed, empty when absent |
//! | `price` | `Decimal128(38, s)` | exact; `s` is [`ArrowOptions::price_scale`] (default 2) for the whole list |
//! | `qty` | `Utf8` | the stock cell as written |
//! | `qty_kind` | `Dictionary(Int8, Utf8)` | `exactly`, `less_than`, `more_than`, `in_stock`, `unknown` ([`QtyKind`]) |
//! | `qty_value` | `UInt64`, nullable | the number of `exactly`/`less_than`/`more_than`; null otherwise |
//! | `min_qty` | `UInt32` | pack size (1 when absent) |
//! | `period_min`, `period_max` | `UInt32`, nullable | delivery days |
//! | each unknown column | `Utf8` | named by its header (prefixed `extra:` if the header is one of the names above or repeats) |
//!
//! A price with more decimal places than the scale, unless they are zeros (`1,500` fits
//! scale 2), is a bad row (`price.scale`): it is never rounded. Bad rows are those the
//! row reader finds, plus these; [`Batches::outcome`] gives them after the last batch, and
//! [`bad_rows_batch`] makes a table of them.
//!
//! ```
//! use logibridge::pricelist::{arrow, OnError, Options};
//! use arrow_array::{Array, Decimal128Array, StringArray, UInt64Array};
//! let csv = "Артикул;Цена;Количество;Склад\nA1;1 234,5;<10;Москва\nA2;x;5;\nA3;7;Есть;Тверь\n";
//! let all = arrow::read_all(csv.as_bytes(), Options::new().on_error(OnError::Collect), arrow::ArrowOptions::new())?;
//! let batch = &all.batches[0];
//! let price = batch.column_by_name("price").unwrap().as_any().downcast_ref::<Decimal128Array>().unwrap();
//! assert_eq!((price.value(0), price.scale()), (123450, 2)); // 1234.50
//! let line = batch.column_by_name("line").unwrap().as_any().downcast_ref::<UInt64Array>().unwrap();
//! assert_eq!(line.values().to_vec(), [2, 4]);
//! let store = batch.column_by_name("Склад").unwrap().as_any().downcast_ref::<StringArray>().unwrap();
//! assert_eq!(store.value(1), "Тверь");
//! assert_eq!((all.bad_rows[0].line, all.summary.rows_ok), (3, 2));
//! # Ok::<(), logibridge::Error>(())
//! ```

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

use arrow_array::builder::{StringBuilder, UInt32Builder, UInt64Builder};
use arrow_array::types::Int8Type;
use arrow_array::{ArrayRef, Decimal128Array, DictionaryArray, Int8Array, RecordBatch, RecordBatchReader, StringArray};
use arrow_schema::{ArrowError, DataType, Field as ArrowField, Schema, SchemaRef};

use super::columns::{ColumnMap, Field};
use super::options::{OnError, Options};
use super::par::{par_for_each_blocks, BlockVisitor, REST_BLOCK};
use super::report::stop_error;
use super::{BadRow, RowRef, Summary};
use crate::carreta::QtyKind;
use crate::error::{Error, Result};

/// The names of the `qty_kind` dictionary, by key.
pub const QTY_KINDS: [&str; 5] = ["exactly", "less_than", "more_than", "in_stock", "unknown"];

/// The columns every batch starts with, before the unknown ones.
pub const FIXED_COLUMNS: [&str; 11] =
    ["line", "code", "maker", "name", "price", "qty", "qty_kind", "qty_value", "min_qty", "period_min", "period_max"];

/// Blocks a worker may be ahead of the consumer: bounds the batches waiting to be handed
/// out in order (each from ~512 KiB of input) whatever the file's size.
const WINDOW: u64 = 8;

/// Batches the rest of a list (read on one thread when the cutter gave up on it: a record
/// near `max_record_bytes`, an unclosed quote) may be ahead of the consumer. The rest has no
/// blocks, so it is bounded by batches (each at most `batch_rows` rows) instead.
const REST_WINDOW: u64 = 2;

/// The most worker threads [`ArrowOptions::threads`] takes.
pub const MAX_THREADS: usize = 256;

/// Decimal128's largest precision: values must stay below 10^38.
const MAX_PRECISION: u8 = 38;

/// How a price list is turned into Arrow batches (the reading itself is set by
/// [`Options`]).
///
/// ```
/// use logibridge::pricelist::arrow::ArrowOptions;
/// let o = ArrowOptions::new().batch_rows(10_000).price_scale(4).threads(2);
/// assert_eq!((o.get_batch_rows(), o.get_price_scale()), (10_000, 4));
/// assert_eq!(ArrowOptions::new().get_batch_rows(), 65_536);
/// ```
#[derive(Clone, Debug)]
pub struct ArrowOptions {
    batch_rows: usize,
    price_scale: i8,
    threads: usize,
}

impl Default for ArrowOptions {
    fn default() -> ArrowOptions {
        ArrowOptions { batch_rows: 65_536, price_scale: 2, threads: 0 }
    }
}

impl ArrowOptions {
    /// The defaults: batches of at most 65 536 rows, prices at scale 2, one worker per core.
    pub fn new() -> ArrowOptions {
        ArrowOptions::default()
    }

    /// The most rows in one batch (at least 1). A batch never spans two ~512 KiB blocks of
    /// input either, so batches are often smaller.
    pub fn batch_rows(mut self, rows: usize) -> ArrowOptions {
        self.batch_rows = rows.max(1);
        self
    }

    /// Decimal places of the `price` column, 0 to 28 (clamped). Prices with more
    /// significant decimals are bad rows (`price.scale`), never rounded.
    pub fn price_scale(mut self, scale: u8) -> ArrowOptions {
        self.price_scale = scale.min(28) as i8;
        self
    }

    /// Worker threads (0, the default: one per core), at most [`MAX_THREADS`] (more is
    /// clamped: each worker holds its blocks, so the memory grows with them).
    pub fn threads(mut self, threads: usize) -> ArrowOptions {
        self.threads = threads.min(MAX_THREADS);
        self
    }

    /// The most rows in one batch.
    pub fn get_batch_rows(&self) -> usize {
        self.batch_rows
    }

    /// Decimal places of the `price` column.
    pub fn get_price_scale(&self) -> u8 {
        self.price_scale as u8
    }
}

/// The schema of the batches of a list whose unknown columns are `extra` (headers in file
/// order), prices at `price_scale`. See the [module](self) for the columns.
///
/// ```
/// use logibridge::pricelist::arrow::schema;
/// let s = schema(&["Склад".to_string(), "price".to_string()], 2);
/// assert_eq!(s.field(4).data_type(), &arrow_schema::DataType::Decimal128(38, 2));
/// assert_eq!(s.field(11).name(), "Склад");
/// assert_eq!(s.field(12).name(), "extra:price"); // a fixed column's name
/// ```
pub fn schema(extra: &[String], price_scale: u8) -> SchemaRef {
    let utf8 = |name: &str| ArrowField::new(name, DataType::Utf8, false);
    let mut fields = vec![
        ArrowField::new("line", DataType::UInt64, false),
        utf8("code"),
        utf8("maker"),
        utf8("name"),
        ArrowField::new("price", DataType::Decimal128(MAX_PRECISION, price_scale.min(28) as i8), false),
        utf8("qty"),
        ArrowField::new("qty_kind", DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8)), false),
        ArrowField::new("qty_value", DataType::UInt64, true),
        ArrowField::new("min_qty", DataType::UInt32, false),
        ArrowField::new("period_min", DataType::UInt32, true),
        ArrowField::new("period_max", DataType::UInt32, true),
    ];
    fields.extend(super::columns::unique_names(&FIXED_COLUMNS, extra.iter().map(String::as_str)).iter().map(|name| utf8(name)));
    Arc::new(Schema::new(fields))
}

/// The schema of [`bad_rows_batch`]: `line` (UInt64), `column` (Utf8, null when no one
/// column is to blame), `reason`, `reason_ru`, `raw` (Utf8).
pub fn bad_rows_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        ArrowField::new("line", DataType::UInt64, false),
        ArrowField::new("column", DataType::Utf8, true),
        ArrowField::new("reason", DataType::Utf8, false),
        ArrowField::new("reason_ru", DataType::Utf8, false),
        ArrowField::new("raw", DataType::Utf8, false),
    ]))
}

/// The bad rows as one batch of [`bad_rows_schema`], in the order given.
///
/// ```
/// use logibridge::pricelist::{arrow, OnError, Options};
/// let all = arrow::read_all("Артикул;Цена\nA;1\n;2\n".as_bytes(), Options::new().on_error(OnError::Collect), Default::default())?;
/// let bad = arrow::bad_rows_batch(&all.bad_rows);
/// assert_eq!(bad.num_rows(), 1);
/// assert_eq!(bad.schema().field(2).name(), "reason");
/// # Ok::<(), logibridge::Error>(())
/// ```
pub fn bad_rows_batch(bad: &[BadRow]) -> RecordBatch {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(arrow_array::UInt64Array::from_iter_values(bad.iter().map(|b| b.line))),
        Arc::new(StringArray::from_iter(bad.iter().map(|b| b.column.as_deref()))),
        Arc::new(StringArray::from_iter_values(bad.iter().map(|b| &b.reason))),
        Arc::new(StringArray::from_iter_values(bad.iter().map(|b| &b.reason_ru))),
        Arc::new(StringArray::from_iter_values(bad.iter().map(|b| &b.raw))),
    ];
    RecordBatch::try_new(bad_rows_schema(), columns).expect("the columns match bad_rows_schema by construction")
}

/// What a reading gave besides the batches, known once the last batch was handed out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ArrowOutcome {
    /// Rows in the batches (`rows_ok`), bad rows, bytes read.
    pub summary: Summary,
    /// The bad rows, sorted by line (at most [`Options::max_errors_kept`]).
    pub bad_rows: Vec<BadRow>,
    /// The header cells as written (trimmed).
    pub headers: Vec<String>,
}

/// Every batch of a list and what came with them: [`read_all`]'s answer.
#[derive(Clone, Debug)]
pub struct Collected {
    /// The schema of every batch.
    pub schema: SchemaRef,
    /// The batches, in file order.
    pub batches: Vec<RecordBatch>,
    /// Rows in the batches, bad rows, bytes read.
    pub summary: Summary,
    /// The bad rows, sorted by line (at most [`Options::max_errors_kept`]).
    pub bad_rows: Vec<BadRow>,
    /// The header cells as written (trimmed).
    pub headers: Vec<String>,
}

/// Reads a whole list into batches (see [`Batches`]; the memory is the table's).
///
/// # Errors
/// As [`Batches::new`], and under [`OnError::Stop`] the error of the first bad row.
///
/// ```
/// use logibridge::pricelist::{arrow, Options};
/// let all = arrow::read_all("Артикул;Цена\nA;1,25\n".as_bytes(), Options::new(), Default::default())?;
/// assert_eq!(all.batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1);
/// let e = arrow::read_all("Артикул;Цена\nA;1,25\nB;x\n".as_bytes(), Options::new(), Default::default()).unwrap_err();
/// assert!(e.to_string().contains("line 3"), "{e}");
/// # Ok::<(), logibridge::Error>(())
/// ```
pub fn read_all<R: Read + Send + 'static>(source: R, options: Options, arrow: ArrowOptions) -> Result<Collected> {
    let mut batches = Batches::new(source, options, arrow)?;
    let mut out = Vec::new();
    while let Some(next) = batches.next_batch() {
        out.push(next?);
    }
    let outcome = batches.outcome.take().unwrap_or_default();
    Ok(Collected { schema: batches.schema.clone(), batches: out, summary: outcome.summary, bad_rows: outcome.bad_rows, headers: outcome.headers })
}

/// A price list read into Arrow [`RecordBatch`]es on every core, handed out in file order.
///
/// * **Order**: batches come in file order, and rows within them; a batch holds at most
///   [`ArrowOptions::batch_rows`] rows, all from one ~512 KiB block of input.
/// * **Memory**: bounded by the batch size, not the file: the workers stay at most 8
///   blocks ahead of the batch handed out last.
/// * **Bad rows**: under [`OnError::Collect`] they are skipped and given by
///   [`Batches::outcome`] after the last batch; under [`OnError::Stop`] the batches hold
///   the rows before the first bad row, and then the iterator yields its error (an
///   [`ArrowError::ExternalError`] holding the [`Error::Decode`](crate::Error::Decode) the
///   row reader stops with; [`core_error`] gets it back) and ends.
/// * **Threads**: the list is read on a thread of its own plus the workers; dropping the
///   iterator stops them.
///
/// ```
/// use arrow_array::RecordBatchReader;
/// use logibridge::pricelist::{arrow::{ArrowOptions, Batches}, Options};
/// let mut csv = String::from("Артикул;Цена\n");
/// for i in 0..10 { csv += &format!("A{i};{i},5\n"); }
/// let mut batches = Batches::new(std::io::Cursor::new(csv), Options::new(), ArrowOptions::new().batch_rows(4))?;
/// assert_eq!(batches.schema().field(0).name(), "line");
/// let sizes: Vec<usize> = batches.by_ref().map(|b| b.unwrap().num_rows()).collect();
/// assert_eq!(sizes, [4, 4, 2]);
/// assert_eq!(batches.outcome().unwrap().summary.rows_ok, 10);
/// # Ok::<(), logibridge::Error>(())
/// ```
pub struct Batches {
    schema: SchemaRef,
    rx: Receiver<Msg>,
    window: Arc<Window>,
    pending: BTreeMap<(u64, u32), Piece>,
    next: (u64, u32),
    /// What the reading thread ended with, once it did.
    ended: Option<Result<super::ParOutcome>>,
    /// Whether the rest (read on one thread after the blocks) has started.
    rest_started: bool,
    /// The bad rows of the price scale, from the pieces handed out or pending.
    scale_bad: Vec<BadRow>,
    max_kept: usize,
    /// The error of a stop, yielded after the rows before it.
    error_next: Option<Error>,
    done: bool,
    outcome: Option<ArrowOutcome>,
}

/// A message from the reading threads.
enum Msg {
    Schema(SchemaRef),
    Piece(Piece),
    /// The rest's reading starts: every block before it was sent.
    RestStarts,
    End(Result<super::ParOutcome>),
}

/// A batch of a block (`sub`-th of it), or the empty mark of a block's end.
struct Piece {
    index: u64,
    sub: u32,
    batch: Option<RecordBatch>,
    last: bool,
    /// Rows of this piece refused for the price's scale.
    scale_bad: Vec<BadRow>,
    /// Under [`OnError::Stop`]: the bad row that ended the block (the stream ends there).
    stopped: Option<BadRow>,
}

/// How far the consumer got, for the workers to wait on.
#[derive(Default)]
struct Window {
    taken: Mutex<Taken>,
    moved: Condvar,
    closed: AtomicBool,
}

/// What the consumer has taken: whole blocks, and batches of the rest.
#[derive(Default)]
struct Taken {
    blocks: u64,
    rest_batches: u64,
    /// Whether a reader is waiting for the consumer (seen by the tests).
    #[cfg_attr(not(test), allow(dead_code))]
    reader_waiting: bool,
}

impl Window {
    /// Waits until block `index` is within [`WINDOW`] of the consumer.
    fn wait_for(&self, index: u64) -> Result<()> {
        self.wait_until(|t| index < t.blocks + WINDOW)
    }

    /// Waits until the rest's `sub`-th batch is within [`REST_WINDOW`] of the consumer.
    fn wait_for_rest(&self, sub: u32) -> Result<()> {
        self.wait_until(|t| u64::from(sub) < t.rest_batches + REST_WINDOW)
    }

    fn wait_until(&self, ready: impl Fn(&Taken) -> bool) -> Result<()> {
        let mut taken = self.taken.lock().unwrap_or_else(|p| p.into_inner());
        while !ready(&taken) && !self.closed.load(Ordering::Relaxed) {
            taken.reader_waiting = true;
            taken = self.moved.wait(taken).unwrap_or_else(|p| p.into_inner());
            taken.reader_waiting = false;
        }
        if self.closed.load(Ordering::Relaxed) {
            return Err(dropped());
        }
        Ok(())
    }

    fn advance(&self, blocks: u64) {
        let mut taken = self.taken.lock().unwrap_or_else(|p| p.into_inner());
        if blocks > taken.blocks {
            taken.blocks = blocks;
            self.moved.notify_all();
        }
    }

    fn advance_rest(&self, batches: u64) {
        let mut taken = self.taken.lock().unwrap_or_else(|p| p.into_inner());
        if batches > taken.rest_batches {
            taken.rest_batches = batches;
            self.moved.notify_all();
        }
    }

    fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        let _guard = self.taken.lock().unwrap_or_else(|p| p.into_inner());
        self.moved.notify_all();
    }
}

fn dropped() -> Error {
    Error::Internal("the Arrow batches were dropped before the end of the list".into())
}

/// The [`Error`] inside an error of [`Batches`], if it came from the reader (a bad row
/// under [`OnError::Stop`], I/O, decoding).
///
/// ```
/// use logibridge::pricelist::{arrow, Options};
/// let mut b = arrow::Batches::new("Артикул;Цена\nA;x\n".as_bytes(), Options::new(), Default::default())?;
/// let e = b.find_map(|r| r.err()).unwrap();
/// assert_eq!(arrow::core_error(&e).unwrap().message_ru().contains("строка 2"), true);
/// # Ok::<(), logibridge::Error>(())
/// ```
pub fn core_error(e: &ArrowError) -> Option<&Error> {
    match e {
        ArrowError::ExternalError(inner) => inner.downcast_ref::<Error>(),
        _ => None,
    }
}

impl Batches {
    /// Starts reading `source` (the header is read before this returns; the rows on other
    /// threads as the batches are taken).
    ///
    /// # Errors
    /// The header's errors, as [`Reader::from_reader`](super::Reader::from_reader): a
    /// required column missing ([`Error::Decode`](crate::Error::Decode)), an I/O error.
    pub fn new<R: Read + Send + 'static>(source: R, options: Options, arrow: ArrowOptions) -> Result<Batches> {
        let (tx, rx) = mpsc::channel::<Msg>();
        let window = Arc::new(Window::default());
        let max_kept = options.max_errors_kept;
        let stop = options.on_error == OnError::Stop;
        let worker_window = window.clone();
        std::thread::Builder::new()
            .name("pricelist-arrow".into())
            .spawn(move || {
                let schema: OnceLock<SchemaRef> = OnceLock::new();
                let result = par_for_each_blocks(source, options, arrow.threads, |headers: &[String], map: &ColumnMap| {
                    let schema = schema
                        .get_or_init(|| {
                            let s = self::schema(&map.extra_names, arrow.price_scale as u8);
                            let _ = tx.send(Msg::Schema(s.clone()));
                            s
                        })
                        .clone();
                    let price_header = map.get(Field::Price).and_then(|i| headers.get(i)).cloned();
                    Sink::new(schema, &arrow, price_header, stop, tx.clone(), worker_window.clone())
                });
                let _ = tx.send(Msg::End(result));
            })
            .map_err(|e| Error::Internal(format!("cannot start the price-list reading thread: {e}")))?;
        match rx.recv() {
            Ok(Msg::Schema(schema)) => Ok(Batches {
                schema,
                rx,
                window,
                pending: BTreeMap::new(),
                next: (0, 0),
                ended: None,
                rest_started: false,
                scale_bad: Vec::new(),
                max_kept,
                error_next: None,
                done: false,
                outcome: None,
            }),
            Ok(Msg::End(Err(e))) => Err(e),
            Ok(_) | Err(_) => Err(Error::Internal("the price-list reading thread ended before the header".into())),
        }
    }

    /// The schema of every batch (the same as [`RecordBatchReader::schema`]).
    pub fn schema_ref(&self) -> &SchemaRef {
        &self.schema
    }

    /// Counts, bad rows and headers, once the iterator has ended without an error; `None`
    /// before.
    pub fn outcome(&self) -> Option<&ArrowOutcome> {
        self.outcome.as_ref()
    }

    /// The next batch in file order, `None` at the end.
    fn next_batch(&mut self) -> Option<Result<RecordBatch>> {
        if let Some(e) = self.error_next.take() {
            return Some(Err(e));
        }
        loop {
            if self.done {
                return None;
            }
            // Gaps once the reading ended are the rest's index and the blocks skipped
            // after a stop. Once the rest has started, every block before it is pending
            // (or was handed out), so the rest's first piece is next when it comes first:
            // it cannot wait for the end, which waits for the consumer.
            let ready = match self.pending.first_key_value() {
                Some((&key, _)) => key == self.next || self.ended.is_some() || (self.rest_started && key.0 == REST_BLOCK),
                None => false,
            };
            if ready {
                let (_, piece) = self.pending.pop_first().expect("checked above");
                self.next = if piece.last { (piece.index.saturating_add(1), 0) } else { (piece.index, piece.sub + 1) };
                if piece.index == REST_BLOCK {
                    self.window.advance_rest(u64::from(piece.sub) + 1);
                } else if piece.last {
                    self.window.advance(piece.index + 1);
                }
                self.scale_bad.extend(piece.scale_bad);
                let batch = piece.batch.filter(|b| b.num_rows() > 0);
                if let Some(bad) = piece.stopped {
                    // The rows before the bad one, then its error.
                    let e = stop_error(&bad);
                    self.finish();
                    return match batch {
                        Some(b) => {
                            self.error_next = Some(e);
                            Some(Ok(b))
                        }
                        None => Some(Err(e)),
                    };
                }
                match batch {
                    Some(b) => return Some(Ok(b)),
                    None => continue,
                }
            }
            match self.ended.take() {
                Some(Ok(par)) if self.pending.is_empty() => {
                    self.finish();
                    self.outcome = Some(self.merge(par));
                    return None;
                }
                Some(Err(e)) if !self.pending.values().any(|p| p.stopped.is_some()) => {
                    self.finish();
                    return Some(Err(e));
                }
                Some(ended) => {
                    self.ended = Some(ended);
                    continue;
                }
                None => {}
            }
            match self.rx.recv() {
                Ok(Msg::Piece(p)) => {
                    self.pending.insert((p.index, p.sub), p);
                }
                Ok(Msg::End(r)) => self.ended = Some(r),
                Ok(Msg::RestStarts) => self.rest_started = true,
                Ok(Msg::Schema(_)) => {}
                Err(_) => {
                    self.ended = Some(Err(Error::Internal("the price-list reading thread ended without an answer".into())));
                }
            }
        }
    }

    /// No more batches will be taken: the workers stop waiting, the pieces read ahead go.
    fn finish(&mut self) {
        self.done = true;
        self.pending.clear();
        self.window.close();
    }

    fn merge(&mut self, par: super::ParOutcome) -> ArrowOutcome {
        let refused = self.scale_bad.len() as u64;
        let mut bad = par.bad_rows;
        bad.append(&mut self.scale_bad);
        bad.sort_by_key(|b| b.line);
        bad.truncate(self.max_kept);
        let summary = Summary {
            rows_ok: par.summary.rows_ok - refused,
            rows_bad: par.summary.rows_bad + refused,
            bytes: par.summary.bytes,
        };
        ArrowOutcome { summary, bad_rows: bad, headers: par.headers }
    }
}

impl Iterator for Batches {
    type Item = std::result::Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_batch().map(|r| r.map_err(|e| ArrowError::ExternalError(Box::new(e))))
    }
}

impl RecordBatchReader for Batches {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}

impl Drop for Batches {
    fn drop(&mut self) {
        self.window.close();
    }
}

/// A worker's column builders for the block at hand.
struct Sink {
    schema: SchemaRef,
    scale: i8,
    batch_rows: usize,
    price_header: Option<String>,
    stop: bool,
    tx: Sender<Msg>,
    window: Arc<Window>,
    index: u64,
    sub: u32,
    cols: Columns,
    scale_bad: Vec<BadRow>,
    /// Under [`OnError::Stop`]: the first row of the block refused for its price's scale;
    /// the block's later rows are left out.
    refused: Option<BadRow>,
}

struct Columns {
    line: UInt64Builder,
    code: StringBuilder,
    maker: StringBuilder,
    name: StringBuilder,
    price: Vec<i128>,
    qty: StringBuilder,
    qty_kind: Vec<i8>,
    qty_value: UInt64Builder,
    min_qty: UInt32Builder,
    period_min: UInt32Builder,
    period_max: UInt32Builder,
    extra: Vec<StringBuilder>,
}

impl Columns {
    fn new(extra: usize) -> Columns {
        Columns {
            line: UInt64Builder::new(),
            code: StringBuilder::new(),
            maker: StringBuilder::new(),
            name: StringBuilder::new(),
            price: Vec::new(),
            qty: StringBuilder::new(),
            qty_kind: Vec::new(),
            qty_value: UInt64Builder::new(),
            min_qty: UInt32Builder::new(),
            period_min: UInt32Builder::new(),
            period_max: UInt32Builder::new(),
            extra: (0..extra).map(|_| StringBuilder::new()).collect(),
        }
    }

    fn len(&self) -> usize {
        self.price.len()
    }

    /// The rows so far as a batch; the builders start again empty.
    fn finish(&mut self, schema: &SchemaRef, scale: i8) -> Result<RecordBatch> {
        let kinds: ArrayRef = Arc::new(StringArray::from_iter_values(QTY_KINDS));
        let keys = Int8Array::from(std::mem::take(&mut self.qty_kind));
        let qty_kind = DictionaryArray::<Int8Type>::try_new(keys, kinds).map_err(internal)?;
        let price = Decimal128Array::from(std::mem::take(&mut self.price))
            .with_precision_and_scale(MAX_PRECISION, scale)
            .map_err(internal)?;
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(self.line.finish()),
            Arc::new(self.code.finish()),
            Arc::new(self.maker.finish()),
            Arc::new(self.name.finish()),
            Arc::new(price),
            Arc::new(self.qty.finish()),
            Arc::new(qty_kind),
            Arc::new(self.qty_value.finish()),
            Arc::new(self.min_qty.finish()),
            Arc::new(self.period_min.finish()),
            Arc::new(self.period_max.finish()),
        ];
        columns.extend(self.extra.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
        RecordBatch::try_new(schema.clone(), columns).map_err(internal)
    }
}

fn internal(e: ArrowError) -> Error {
    Error::Internal(format!("building an Arrow batch of a price list: {e}"))
}

/// The price as a Decimal128 mantissa at `scale`, or `None` when that is not exact or
/// does not fit 38 digits.
fn rescale(price: rust_decimal::Decimal, scale: i8) -> Option<i128> {
    let (m, s) = (price.mantissa(), price.scale() as i32);
    let diff = scale as i32 - s;
    let v = if diff >= 0 {
        m.checked_mul(10i128.checked_pow(diff as u32)?)?
    } else {
        let d = 10i128.checked_pow((-diff) as u32)?;
        if m % d != 0 {
            return None;
        }
        m / d
    };
    (v.unsigned_abs() < 10u128.pow(MAX_PRECISION as u32)).then_some(v)
}

impl Sink {
    fn new(schema: SchemaRef, arrow: &ArrowOptions, price_header: Option<String>, stop: bool, tx: Sender<Msg>, window: Arc<Window>) -> Sink {
        let extra = schema.fields().len() - FIXED_COLUMNS.len();
        Sink {
            schema,
            scale: arrow.price_scale,
            batch_rows: arrow.batch_rows,
            price_header,
            stop,
            tx,
            window,
            index: 0,
            sub: 0,
            cols: Columns::new(extra),
            scale_bad: Vec::new(),
            refused: None,
        }
    }

    fn send(&mut self, last: bool, stopped: Option<BadRow>) -> Result<()> {
        if self.index == REST_BLOCK {
            self.window.wait_for_rest(self.sub)?;
        }
        let batch = if self.cols.len() > 0 { Some(self.cols.finish(&self.schema, self.scale)?) } else { None };
        let piece = Piece { index: self.index, sub: self.sub, batch, last, scale_bad: std::mem::take(&mut self.scale_bad), stopped };
        self.sub += 1;
        self.tx.send(Msg::Piece(piece)).map_err(|_| dropped())
    }

    fn refuse(&mut self, row: &RowRef<'_>) {
        let price = row.price();
        let reason = format!(
            "price {:?} has more decimal places than the Arrow column's {} or more than 38 digits; it is not rounded (a larger price_scale keeps it)",
            price.to_string(),
            self.scale
        );
        let reason_ru = format!(
            "цена {:?}: знаков после запятой больше, чем {} в колонке Arrow, или больше 38 цифр; она не округляется (сохранит её больший price_scale)",
            price.to_string(),
            self.scale
        );
        let raw = format!("{};{};{}", row.maker(), row.code(), price);
        let bad = BadRow { line: row.line(), column: self.price_header.clone(), reason, reason_ru, raw };
        if self.stop {
            self.refused = Some(bad);
        } else {
            self.scale_bad.push(bad);
        }
    }
}

impl BlockVisitor for Sink {
    fn start_block(&mut self, index: u64) -> Result<()> {
        if index == REST_BLOCK {
            self.tx.send(Msg::RestStarts).map_err(|_| dropped())?;
        } else {
            self.window.wait_for(index)?;
        }
        self.index = index;
        self.sub = 0;
        self.refused = None;
        Ok(())
    }

    fn row(&mut self, row: RowRef<'_>) -> Result<()> {
        if self.refused.is_some() {
            return Ok(());
        }
        let Some(price) = rescale(row.price(), self.scale) else {
            self.refuse(&row);
            return Ok(());
        };
        let c = &mut self.cols;
        c.line.append_value(row.line());
        c.code.append_value(row.code());
        c.maker.append_value(row.maker());
        c.name.append_value(row.name());
        c.price.push(price);
        c.qty.append_value(row.qty_raw());
        let (kind, value) = match QtyKind::of(row.qty_raw()) {
            QtyKind::Exactly(n) => (0, Some(n)),
            QtyKind::LessThan(n) => (1, Some(n)),
            QtyKind::MoreThan(n) => (2, Some(n)),
            QtyKind::InStock => (3, None),
            QtyKind::Unknown => (4, None),
        };
        c.qty_kind.push(kind);
        c.qty_value.append_option(value);
        c.min_qty.append_value(row.min_qty());
        c.period_min.append_option(row.period_min());
        c.period_max.append_option(row.period_max());
        for (i, b) in c.extra.iter_mut().enumerate() {
            b.append_value(row.extra_value(i).unwrap_or_default());
        }
        if c.len() >= self.batch_rows {
            self.send(false, None)?;
        }
        Ok(())
    }

    fn end_block(&mut self, _index: u64, stopped_at: Option<&BadRow>) -> Result<()> {
        let stopped = match (self.refused.take(), stopped_at) {
            (Some(a), Some(b)) if b.line < a.line => Some(b.clone()),
            (Some(a), _) => Some(a),
            (None, b) => b.cloned(),
        };
        self.send(true, stopped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn rescale_is_exact_or_refused() {
        assert_eq!(rescale(Decimal::new(15, 1), 2), Some(150));
        assert_eq!(rescale(Decimal::new(1500, 3), 2), Some(150));
        assert_eq!(rescale(Decimal::new(1005, 3), 2), None);
        assert_eq!(rescale(Decimal::from_i128_with_scale(10i128.pow(27), 0), 11), None);
        assert_eq!(rescale(Decimal::from_i128_with_scale(10i128.pow(26), 0), 11), Some(10i128.pow(37)));
    }

    /// A list whose second record is near `max_record_bytes` (4096 here), so the cutter
    /// gives up at once and every row after it is "the rest", read on one thread.
    fn rest_only_list() -> Batches {
        let mut csv = format!("Артикул;Цена\nLONG;1;{}\n", "x".repeat(4100));
        for i in 0..20_000 {
            csv += &format!("A{i};{i},5\n");
        }
        let options = Options::new().on_error(OnError::Collect).max_record_bytes(4096);
        Batches::new(std::io::Cursor::new(csv), options, ArrowOptions::new().batch_rows(10)).unwrap()
    }

    #[test]
    fn the_rest_read_on_one_thread_waits_for_the_consumer_too() {
        let mut batches = rest_only_list();
        batches.next().unwrap().unwrap();
        let started = std::time::Instant::now();
        while !batches.window.taken.lock().unwrap().reader_waiting {
            assert!(started.elapsed().as_secs() < 60, "the rest's reader never waited for the consumer: it queued all its batches");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let queued = batches.pending.len() + batches.rx.try_iter().count();
        assert!(queued <= REST_WINDOW as usize, "{queued} batches queued ahead of the consumer");

        let mut again = rest_only_list();
        let rows: usize = again.by_ref().map(|b| b.unwrap().num_rows()).sum();
        assert_eq!(rows, 20_000);
        assert_eq!(again.outcome().unwrap().summary.rows_bad, 1);
    }
}
