//! The public [`Reader`]: opening a price list, reading it as an iterator of owned rows, into
//! a reused row or as borrowed rows, with the bad-row policy applied; the parsing itself is
//! the engine's, on the caller's thread or a background one.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::background::{Background, Event};
use super::columns::{ColumnMap, Field};
use super::engine::{Engine, Got};
use super::options::Options;
use super::report::Policy;
use super::{BadRow, Row, RowRef, Summary};
use crate::error::{Error, Result};

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
    Direct(Box<Engine<R>>),
    Background(Background),
    /// Only while switching modes.
    Empty,
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
/// report progress). A path that cannot be opened (missing, a directory, no permission) is
/// the caller's argument at fault, so it is an [`Error::InvalidArgument`] naming the path
/// ([`Error::file`], the one classification of "cannot open"). A directory is refused here:
/// opening one succeeds on Unix and only the first read would fail.
///
/// ```
/// use logibridge::ErrorKind;
/// let err = logibridge::pricelist::open_file("/no/such/list.csv").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidArgument);
/// let err = logibridge::pricelist::open_file(std::env::temp_dir()).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidArgument);
/// assert!(err.message_ru().contains("это каталог"), "{}", err.message_ru());
/// ```
pub fn open_file(path: impl AsRef<Path>) -> Result<File> {
    let path = path.as_ref();
    let cannot = |e: &std::io::Error| Error::file(("open", "открыть"), path.display(), e);
    let is_dir = || std::fs::metadata(path).is_ok_and(|m| m.is_dir());
    let file = match File::open(path) {
        Ok(file) => file,
        // Windows refuses to open a directory as a file with "access denied", which would
        // send the user to the permissions of a file that does not exist.
        Err(_) if is_dir() => return Err(cannot(&std::io::Error::from(std::io::ErrorKind::IsADirectory))),
        Err(e) => return Err(cannot(&e)),
    };
    match file.metadata() {
        Ok(m) if m.is_dir() => Err(cannot(&std::io::Error::from(std::io::ErrorKind::IsADirectory))),
        Ok(_) => Ok(file),
        Err(e) => Err(cannot(&e)),
    }
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
        let engine = Engine::new(source, &options)?;
        Ok(Reader {
            headers: engine.headers().to_vec(),
            map: engine.map().clone(),
            mode: Mode::Direct(Box::new(engine)),
            held: None,
            policy: Policy::new(options.on_error, options.max_errors_kept),
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
        if let Mode::Direct(engine) = std::mem::replace(&mut self.mode, Mode::Empty) {
            self.mode = Mode::Background(Background::start(engine));
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

    /// The names the columns kept in [`Row::extra`] go by, in file order: their headers,
    /// with `extra:` in front of a header that repeats an earlier one.
    ///
    /// ```
    /// use logibridge::pricelist::{Options, Reader};
    /// let r = Reader::from_reader("Код;Цена;Склад;Склад\n".as_bytes(), Options::new())?;
    /// assert_eq!(r.extra_columns(), ["Склад", "extra:Склад"]);
    /// # Ok::<(), logibridge::Error>(())
    /// ```
    pub fn extra_columns(&self) -> &[String] {
        &self.map.extra_names
    }

    /// The encoding in use; `None` while [`Encoding::Auto`](super::Encoding::Auto) has seen
    /// nothing but ASCII.
    pub fn encoding(&self) -> Option<&'static encoding_rs::Encoding> {
        match &self.mode {
            Mode::Direct(engine) => engine.encoding(),
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
            Mode::Direct(engine) => engine.bytes(),
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
    /// [`OnError::Stop`]: super::OnError::Stop
    /// [`OnError::Collect`]: super::OnError::Collect
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
        self.advance(Slot::Into(row))
    }

    /// The next good row, borrowed from the reader: no allocation per row (cells are used
    /// in place when they are ASCII and decoded into one reused string otherwise). A lending
    /// iterator: the row lives until the next call. `None` at the end.
    ///
    /// Bad rows are handled as by the iterator: with [`OnError::Stop`] the first one is
    /// returned as an error (and the reading ends), with [`OnError::Collect`] it is reported
    /// in [`Reader::bad_rows`] and skipped. Rows, lines and reports are the iterator's.
    ///
    /// [`OnError::Stop`]: super::OnError::Stop
    /// [`OnError::Collect`]: super::OnError::Collect
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
            let Mode::Direct(engine) = &mut self.mode else { return None };
            let bad = match engine.next_ref_event() {
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
            Mode::Direct(engine) => Some(Ok(engine.row_ref())),
            _ => unreachable!("checked in the loop"),
        }
    }

    /// Hands every good row to `f`, borrowed ([`Reader::next_ref`]): the fastest way
    /// through a list on one thread. Stops at the first error `f` returns, or (with
    /// [`OnError::Stop`]) at the first bad row, and returns it.
    ///
    /// [`OnError::Stop`]: super::OnError::Stop
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

    /// Reads the next good row into `slot`; `Ok(false)` at the end.
    fn advance(&mut self, mut slot: Slot<'_>) -> Result<bool> {
        loop {
            if self.policy.done {
                return Ok(false);
            }
            let bad = match &mut self.mode {
                Mode::Empty => return Ok(false),
                Mode::Direct(engine) => {
                    let got = match &mut slot {
                        Slot::Into(target) => engine.next_event(target),
                        Slot::New(out) => engine.next_event(out.get_or_insert_with(|| Row::with_extra_names(self.map.extra_names.clone()))),
                    };
                    match got {
                        Ok(Got::Row) => {
                            self.policy.rows_ok += 1;
                            return Ok(true);
                        }
                        Ok(Got::Bad(bad)) => bad,
                        Ok(Got::End) => {
                            self.policy.done = true;
                            return Ok(false);
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
                        match &mut slot {
                            Slot::Into(target) => bg.spent.push(std::mem::replace(*target, row)),
                            Slot::New(out) => **out = Some(row),
                        }
                        return Ok(true);
                    }
                    Some(Event::Bad(bad)) => bad,
                    Some(Event::Fail(e)) => {
                        self.policy.done = true;
                        return Err(e);
                    }
                    None => {
                        self.policy.done = true;
                        return Ok(false);
                    }
                },
            };
            if let Some(err) = self.policy.report(bad) {
                return Err(err);
            }
        }
    }
}

/// Where [`Reader::advance`] puts the next good row.
enum Slot<'a> {
    /// Into this row, reusing its memory.
    Into(&'a mut Row),
    /// As an owned row (made when needed).
    New(&'a mut Option<Row>),
}

impl<R: Read> Iterator for Reader<R> {
    type Item = Result<Row>;

    #[inline]
    fn next(&mut self) -> Option<Result<Row>> {
        // Parsed in place into a new row, or taken over from the background thread.
        let mut row = match self.mode {
            Mode::Direct(_) => Some(Row::with_extra_names(self.map.extra_names.clone())),
            _ => None,
        };
        match self.advance(Slot::New(&mut row)) {
            Ok(true) => row.map(Ok),
            Ok(false) => None,
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
