//! The public [`Reader`]: the bad-row policy, and the optional background thread.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender};

use super::columns::{ColumnMap, Field};
use super::options::{OnError, Options};
use super::reader::{Core, Got};
use super::{BadRow, Row, RowRef, Summary, PARSE_ENDPOINT};
use crate::error::{Error, Result};

/// Rows per batch handed over by the background thread.
const BATCH: usize = 512;
/// Batches in flight between the threads (bounds memory).
const BATCHES_IN_FLIGHT: usize = 4;

/// A streaming price-list reader: an iterator of [`Row`]s.
///
/// It reads its source in blocks of 256 KiB, splits records on the raw bytes and decodes
/// only the cells it keeps, so memory stays the same whatever the size of the list (the
/// buffer grows only for a record longer than a block, up to
/// [`Options::max_record_bytes`]).
///
/// Parsing runs on the caller's thread unless [`Options::background`] or
/// [`Reader::in_background`] moves it to a background thread that hands rows over in
/// batches, so the caller's own work on each row overlaps with the parsing.
///
/// ```
/// use logibridge::pricelist::{OnError, Options, Reader};
/// let csv = "Бренд;Артикул;Цена;Количество\r\nMANN;W 712/75;1 234,50;<10\r\nBOSCH;;5;1\r\n";
/// let mut reader = Reader::from_reader(csv.as_bytes(), Options::new().on_error(OnError::Collect))?;
/// let rows: Vec<_> = reader.by_ref().collect::<Result<_, _>>()?;
/// assert_eq!(rows.len(), 1);
/// assert_eq!(rows[0].price.to_string(), "1234.50");
/// assert!(rows[0].check_order(9).is_ok());
/// assert_eq!(reader.bad_rows()[0].line, 3);
/// assert_eq!(reader.summary().rows_bad, 1);
/// # Ok::<(), logibridge::Error>(())
/// ```
pub struct Reader<R: Read> {
    mode: Mode<R>,
    policy: Policy,
    headers: Vec<String>,
    map: ColumnMap,
    /// The row [`Reader::next_ref`] lends in background mode.
    held: Option<Row>,
}

enum Mode<R: Read> {
    Direct(Box<Core<R>>),
    Background(Background),
    /// Only while switching modes.
    Empty,
}

/// Applies [`OnError`] and keeps the counts and reports.
struct Policy {
    on_error: OnError,
    max_kept: usize,
    bad: Vec<BadRow>,
    rows_ok: u64,
    rows_bad: u64,
    done: bool,
}

/// The error a reading under [`OnError::Stop`] stops with at `bad`.
pub(crate) fn stop_error(bad: &BadRow) -> Error {
    let path = match &bad.column {
        Some(c) => format!("line {}, column {c}", bad.line),
        None => format!("line {}", bad.line),
    };
    Error::Decode { endpoint: PARSE_ENDPOINT.into(), path, message: bad.reason.clone(), excerpt: bad.raw.clone() }
}

impl Policy {
    /// Records a bad row; returns the error to stop with under [`OnError::Stop`].
    fn report(&mut self, bad: BadRow) -> Option<Error> {
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

/// What the background thread sends.
enum Event {
    Row(Row),
    Bad(BadRow),
    Fail(Error),
}

struct Batch {
    events: Vec<Event>,
    bytes: u64,
    encoding: Option<&'static encoding_rs::Encoding>,
}

struct Background {
    rx: Receiver<Batch>,
    /// Spent rows go back to the parser to be refilled (only from `read_into`).
    recycle: SyncSender<Vec<Row>>,
    spent: Vec<Row>,
    events: std::vec::IntoIter<Event>,
    bytes: u64,
    encoding: Option<&'static encoding_rs::Encoding>,
}

impl Background {
    fn start<R: Read + Send + 'static>(mut core: Box<Core<R>>) -> Background {
        let (tx, rx) = mpsc::sync_channel::<Batch>(BATCHES_IN_FLIGHT);
        let (recycle, recycled) = mpsc::sync_channel::<Vec<Row>>(BATCHES_IN_FLIGHT);
        let bytes = core.bytes();
        let encoding = core.encoding();
        let names = core.map().extra_names.clone();
        let spawned = std::thread::Builder::new().name("logibridge-pricelist".into()).spawn(move || {
            let mut pool: Vec<Row> = Vec::new();
            loop {
                if pool.is_empty() {
                    if let Ok(rows) = recycled.try_recv() {
                        pool = rows;
                    }
                }
                let mut events = Vec::with_capacity(BATCH);
                let mut end = false;
                while events.len() < BATCH {
                    let mut row = pool.pop().unwrap_or_else(|| Row::with_extra_names(names.clone()));
                    match core.next_event(&mut row) {
                        Ok(Got::Row) => events.push(Event::Row(row)),
                        Ok(Got::Bad(bad)) => {
                            pool.push(row);
                            events.push(Event::Bad(bad));
                        }
                        Ok(Got::End) => {
                            end = true;
                            break;
                        }
                        Err(e) => {
                            events.push(Event::Fail(e));
                            end = true;
                            break;
                        }
                    }
                }
                let batch = Batch { events, bytes: core.bytes(), encoding: core.encoding() };
                if tx.send(batch).is_err() || end {
                    return; // the reader was dropped, or the list is done
                }
            }
        });
        match spawned {
            Ok(_) => Background { rx, recycle, spent: Vec::new(), events: Vec::new().into_iter(), bytes, encoding },
            Err(e) => {
                // No thread: hand over a single failure.
                let (tx, rx) = mpsc::sync_channel(1);
                let _ = tx.send(Batch {
                    events: vec![Event::Fail(Error::Internal(format!("cannot start the price-list thread: {e}")))],
                    bytes,
                    encoding,
                });
                Background { rx, recycle, spent: Vec::new(), events: Vec::new().into_iter(), bytes, encoding }
            }
        }
    }

    /// The next event, waiting for the next batch when needed; `None` at the end.
    fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.events.next() {
                return Some(e);
            }
            if !self.spent.is_empty() {
                let spent = std::mem::take(&mut self.spent);
                let _ = self.recycle.try_send(spent);
            }
            let batch = self.rx.recv().ok()?;
            self.bytes = batch.bytes;
            self.encoding = batch.encoding.or(self.encoding);
            self.events = batch.events.into_iter();
        }
    }
}

/// Opens a price list file with the default [`Options`].
///
/// ```no_run
/// for row in logibridge::pricelist::open("price.csv")? {
///     let row = row?;
///     println!("{} {} {} {}", row.line, row.code, row.price, row.qty);
/// }
/// # Ok::<(), logibridge::Error>(())
/// ```
pub fn open(path: impl AsRef<Path>) -> Result<Reader<File>> {
    open_with(path, Options::default())
}

/// Opens a price-list file for a reader of one's own (faces that wrap the file, e.g. to
/// report progress). A path that cannot be opened is the caller's argument at fault, so it
/// is an [`Error::InvalidArgument`] naming the path.
///
/// ```
/// let err = logibridge::pricelist::open_file("/no/such/list.csv").unwrap_err();
/// assert_eq!(err.kind(), logibridge::ErrorKind::InvalidArgument);
/// ```
pub fn open_file(path: impl AsRef<Path>) -> Result<File> {
    let path = path.as_ref();
    File::open(path).map_err(|e| Error::InvalidArgument(format!("{PARSE_ENDPOINT}: cannot open {}: {e}", path.display())))
}

/// Opens a price list file with the given [`Options`].
pub fn open_with(path: impl AsRef<Path>, options: Options) -> Result<Reader<File>> {
    let path = path.as_ref();
    let file = open_file(path)?;
    let background = options.background;
    let reader = Reader::from_reader(file, options)?;
    Ok(if background { reader.in_background() } else { reader })
}

impl<R: Read> Reader<R> {
    /// Reads the header of a price list from any `Read` (a file, a socket, a decompressor,
    /// a byte slice) and returns the reader positioned on the first row. Parsing happens on
    /// the caller's thread; see [`Reader::in_background`].
    ///
    /// Fails when the source cannot be read, when it is empty, when the header cannot be
    /// decoded, or when the code or price column is missing.
    pub fn from_reader(source: R, options: Options) -> Result<Reader<R>> {
        let core = Core::new(source, &options)?;
        Ok(Reader {
            headers: core.headers().to_vec(),
            map: core.map().clone(),
            mode: Mode::Direct(Box::new(core)),
            held: None,
            policy: Policy { on_error: options.on_error, max_kept: options.max_errors_kept, bad: Vec::new(), rows_ok: 0, rows_bad: 0, done: false },
        })
    }

    /// Moves the parsing to a background thread that hands rows over in batches (a few
    /// thousand rows in flight at most), so the caller's work on each row overlaps with
    /// the parsing. Rows, reports, errors and their order are the same either way.
    ///
    /// ```
    /// use logibridge::pricelist::{Options, Reader};
    /// let csv = "Артикул;Цена\nA1;1\nA2;2\n".as_bytes().to_vec();
    /// let reader = Reader::from_reader(std::io::Cursor::new(csv), Options::new())?.in_background();
    /// assert_eq!(reader.count(), 2);
    /// # Ok::<(), logibridge::Error>(())
    /// ```
    pub fn in_background(mut self) -> Reader<R>
    where
        R: Send + 'static,
    {
        if let Mode::Direct(core) = std::mem::replace(&mut self.mode, Mode::Empty) {
            self.mode = Mode::Background(Background::start(core));
        }
        self
    }

    /// The header cells, as written in the file (trimmed).
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The header of the column `field` is read from, if the file has one.
    ///
    /// ```
    /// use logibridge::pricelist::{Field, Options, Reader};
    /// let r = Reader::from_reader("Код;Стоимость;Склад\n".as_bytes(), Options::new().column(Field::Price, "Стоимость"))?;
    /// assert_eq!(r.column(Field::Code), Some("Код"));
    /// assert_eq!(r.column(Field::Price), Some("Стоимость"));
    /// assert_eq!(r.column(Field::Qty), None);
    /// assert_eq!(r.extra_columns(), ["Склад"]);
    /// # Ok::<(), logibridge::Error>(())
    /// ```
    pub fn column(&self, field: Field) -> Option<&str> {
        self.map.get(field).map(|i| self.headers[i].as_str())
    }

    /// The headers of the columns kept by name in [`Row::extra`], in file order.
    pub fn extra_columns(&self) -> &[String] {
        &self.map.extra_names
    }

    /// The encoding in use; `None` while [`Encoding::Auto`](super::Encoding::Auto) has seen
    /// nothing but ASCII.
    pub fn encoding(&self) -> Option<&'static encoding_rs::Encoding> {
        match &self.mode {
            Mode::Direct(core) => core.encoding(),
            Mode::Background(bg) => bg.encoding,
            Mode::Empty => None,
        }
    }

    /// Whether parsing runs on a background thread.
    pub fn is_background(&self) -> bool {
        matches!(self.mode, Mode::Background(_))
    }

    /// The bad rows reported so far (at most [`Options::max_errors_kept`]).
    pub fn bad_rows(&self) -> &[BadRow] {
        &self.policy.bad
    }

    /// Takes the bad rows reported so far, so a caller can pass them on while reading and
    /// keep memory bounded without a cap.
    pub fn take_bad_rows(&mut self) -> Vec<BadRow> {
        std::mem::take(&mut self.policy.bad)
    }

    /// Counts so far; final once the iterator has ended.
    pub fn summary(&self) -> Summary {
        let bytes = match &self.mode {
            Mode::Direct(core) => core.bytes(),
            Mode::Background(bg) => bg.bytes,
            Mode::Empty => 0,
        };
        Summary { rows_ok: self.policy.rows_ok, rows_bad: self.policy.rows_bad, bytes }
    }

    /// Reads the next good row into `row`, reusing its memory: the fastest way through a
    /// list when rows are not kept. Returns `Ok(false)` at the end.
    ///
    /// Bad rows are handled as by the iterator: with [`OnError::Stop`] the first one is
    /// returned as an error, with [`OnError::Collect`] it is reported and skipped.
    ///
    /// ```
    /// use logibridge::pricelist::{Options, Reader, Row};
    /// let csv = "Артикул;Цена\nA1;1,5\nA2;2\n";
    /// let mut reader = Reader::from_reader(csv.as_bytes(), Options::new())?;
    /// let mut row = Row::default();
    /// let mut total = rust_decimal::Decimal::ZERO;
    /// while reader.read_into(&mut row)? {
    ///     total += row.price;
    /// }
    /// assert_eq!(total.to_string(), "3.5");
    /// # Ok::<(), logibridge::Error>(())
    /// ```
    pub fn read_into(&mut self, row: &mut Row) -> Result<bool> {
        self.advance(Some(row)).map(|r| r.is_some())
    }

    /// The next good row, borrowed from the reader: no allocation per row (cells are used
    /// in place when they are ASCII and decoded into one reused string otherwise). A lending
    /// iterator: the row lives until the next call. `None` at the end.
    ///
    /// Bad rows are handled as by the iterator: with [`OnError::Stop`] the first one is
    /// returned as an error (and the reading ends), with [`OnError::Collect`] it is reported
    /// in [`Reader::bad_rows`] and skipped. Rows, lines and reports are the iterator's.
    ///
    /// ```
    /// use logibridge::pricelist::{OnError, Options, Reader};
    /// let csv = "Артикул;Цена;Количество\nA1;1,5;>50\n;2;1\nA3;3;Есть\n";
    /// let mut reader = Reader::from_reader(csv.as_bytes(), Options::new().on_error(OnError::Collect))?;
    /// let mut codes = Vec::new();
    /// while let Some(row) = reader.next_ref() {
    ///     let row = row?;
    ///     codes.push(format!("{}@{}:{}", row.code(), row.line(), row.qty_raw()));
    /// }
    /// assert_eq!(codes, ["A1@2:>50", "A3@4:Есть"]);
    /// assert_eq!(reader.bad_rows()[0].line, 3);
    /// # Ok::<(), logibridge::Error>(())
    /// ```
    pub fn next_ref(&mut self) -> Option<Result<RowRef<'_>>> {
        if let Mode::Background(_) = self.mode {
            let mut held = self.held.take().unwrap_or_else(|| Row::with_extra_names(self.map.extra_names.clone()));
            let got = self.read_into(&mut held);
            let held = self.held.insert(held);
            return match got {
                Ok(true) => Some(Ok(RowRef::from_row(held))),
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            };
        }
        loop {
            if self.policy.done {
                return None;
            }
            let Mode::Direct(core) = &mut self.mode else { return None };
            let bad = match core.next_ref_event() {
                Ok(Got::Row) => {
                    self.policy.rows_ok += 1;
                    break;
                }
                Ok(Got::Bad(bad)) => bad,
                Ok(Got::End) => {
                    self.policy.done = true;
                    return None;
                }
                Err(e) => {
                    self.policy.done = true;
                    return Some(Err(e));
                }
            };
            if let Some(err) = self.policy.report(bad) {
                return Some(Err(err));
            }
        }
        match &self.mode {
            Mode::Direct(core) => Some(Ok(core.row_ref())),
            _ => unreachable!("checked in the loop"),
        }
    }

    /// Hands every good row to `f`, borrowed ([`Reader::next_ref`]): the fastest way
    /// through a list on one thread. Stops at the first error `f` returns, or (with
    /// [`OnError::Stop`]) at the first bad row, and returns it.
    ///
    /// ```
    /// use logibridge::pricelist::{Options, Reader};
    /// let csv = "Бренд;Артикул;Цена\nMANN;W 712/75;1 234,50\nBOSCH;0 986;99\n";
    /// let mut reader = Reader::from_reader(csv.as_bytes(), Options::new())?;
    /// let mut total = rust_decimal::Decimal::ZERO;
    /// reader.for_each_ref(|row| {
    ///     total += row.price();
    ///     Ok(())
    /// })?;
    /// assert_eq!(total.to_string(), "1333.50");
    /// assert_eq!(reader.summary().rows_ok, 2);
    /// # Ok::<(), logibridge::Error>(())
    /// ```
    pub fn for_each_ref<F>(&mut self, mut f: F) -> Result<()>
    where
        F: FnMut(RowRef<'_>) -> Result<()>,
    {
        while let Some(row) = self.next_ref() {
            f(row?)?;
        }
        Ok(())
    }

    /// The next good row: into `into` when given (returning `Some(None)`), else as a new
    /// row. `Ok(None)` at the end.
    fn advance(&mut self, mut into: Option<&mut Row>) -> Result<Option<Option<Row>>> {
        loop {
            if self.policy.done {
                return Ok(None);
            }
            let bad = match &mut self.mode {
                Mode::Empty => return Ok(None),
                Mode::Direct(core) => {
                    let got = match into.as_deref_mut() {
                        Some(target) => core.next_event(target).map(|g| (g, None)),
                        None => {
                            let mut fresh = Row::with_extra_names(self.map.extra_names.clone());
                            core.next_event(&mut fresh).map(|g| (g, Some(fresh)))
                        }
                    };
                    match got {
                        Ok((Got::Row, fresh)) => {
                            self.policy.rows_ok += 1;
                            return Ok(Some(fresh));
                        }
                        Ok((Got::Bad(bad), _)) => bad,
                        Ok((Got::End, _)) => {
                            self.policy.done = true;
                            return Ok(None);
                        }
                        Err(e) => {
                            self.policy.done = true;
                            return Err(e);
                        }
                    }
                }
                Mode::Background(bg) => match bg.next_event() {
                    Some(Event::Row(row)) => {
                        self.policy.rows_ok += 1;
                        return Ok(Some(match into.as_deref_mut() {
                            Some(target) => {
                                let spent = std::mem::replace(target, row);
                                bg.spent.push(spent);
                                None
                            }
                            None => Some(row),
                        }));
                    }
                    Some(Event::Bad(bad)) => bad,
                    Some(Event::Fail(e)) => {
                        self.policy.done = true;
                        return Err(e);
                    }
                    None => {
                        self.policy.done = true;
                        return Ok(None);
                    }
                },
            };
            if let Some(err) = self.policy.report(bad) {
                return Err(err);
            }
        }
    }
}

impl<R: Read> Iterator for Reader<R> {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Result<Row>> {
        if let Mode::Direct(_) = self.mode {
            // Filled in place and moved out once.
            let mut row = Row::with_extra_names(self.map.extra_names.clone());
            return match self.advance(Some(&mut row)) {
                Ok(Some(_)) => Some(Ok(row)),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            };
        }
        match self.advance(None) {
            Ok(Some(Some(row))) => Some(Ok(row)),
            Ok(Some(None)) | Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

impl<R: Read> std::iter::FusedIterator for Reader<R> {}

impl<R: Read> std::fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("headers", &self.headers)
            .field("encoding", &self.encoding().map(|e| e.name()))
            .field("background", &self.is_background())
            .field("summary", &self.summary())
            .finish_non_exhaustive()
    }
}

// Readers of files and downloads can move between threads (the Python face needs it).
const _: fn() = || {
    fn send<T: Send>() {}
    send::<Reader<File>>();
    send::<Reader<super::Download>>();
};
