//! `_native.PriceListReader`: the core's streaming price-list reader
//! (`logibridge::pricelist`) behind a batch interface.
//!
//! Rows are read in batches with the GIL released (decoding, CSV, values: all in Rust, on a
//! background thread for files, bytes and downloads so the parsing overlaps the caller's
//! Python work). Each row reaches Python as a [`PriceRow`] holding the core's `Row`: a field
//! becomes a Python object only when it is read (the price a `decimal.Decimal`, made once).
//! The reader is its own iterator (`__next__` pops the batch), so a `for` loop never runs
//! Python code per row. Sources: a path, an http(s) URL (read while it downloads), bytes, or
//! a binary file object.

use std::io::{self, Read};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use logibridge::pricelist::{self, Encoding, Field, OnError, Options, Reader, Row};
use logibridge::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::convert;
use crate::pricerow::{PriceRow, RowPool};
use crate::errors::{invalid_argument, to_pyerr};

type Source = Box<dyn Read + Send>;

/// A reader over a local source, or over a download (whose encoding the server's
/// `charset` may decide: `pricelist::download` applies that rule, so it is used as is).
enum AnyReader {
    Local(Reader<Source>),
    Download(Reader<pricelist::Download>),
}

/// Runs the same expression on either kind of reader.
macro_rules! on_reader {
    ($reader:expr, $r:ident => $body:expr) => {
        match $reader {
            AnyReader::Local($r) => $body,
            AnyReader::Download($r) => $body,
        }
    };
}

/// Progress reports are passed to Python at most once per this many bytes (and at the
/// start and the end), so a callback cannot slow a large read down.
const PROGRESS_STEP: u64 = 1 << 20;

/// The progress reports due (throttled), delivered to the Python callback on the thread
/// that consumes the rows, after each batch: the reading threads (a background parser, a
/// download) never wait for the GIL to report.
#[derive(Clone)]
struct Progress {
    callback: Arc<Py<PyAny>>,
    state: Arc<Mutex<ProgressState>>,
}

#[derive(Default)]
struct ProgressState {
    last: Option<u64>,
    due: Vec<(u64, Option<u64>)>,
}

impl Progress {
    fn report(&self, done: u64, total: Option<u64>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let due = match state.last {
            None => true,
            Some(prev) => done >= prev + PROGRESS_STEP || Some(done) == total,
        };
        if !due || state.last == Some(done) {
            return;
        }
        state.last = Some(done);
        state.due.push((done, total));
    }

    /// Calls the callback with the reports due, in order; its exception propagates.
    fn deliver(&self, py: Python<'_>) -> PyResult<()> {
        let due = std::mem::take(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()).due);
        for (done, total) in due {
            self.callback.call1(py, (done, total))?;
        }
        Ok(())
    }
}

/// Counts the bytes read from a source and reports them.
struct Counting<R> {
    inner: R,
    done: u64,
    total: Option<u64>,
    progress: Option<Progress>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        if let Some(p) = &self.progress {
            let at_end = n == 0 && !buf.is_empty();
            if n > 0 || at_end {
                p.report(self.done, if at_end { Some(self.done) } else { self.total });
            }
        }
        Ok(n)
    }
}

/// A Python binary file object as a `Read` (the GIL is taken for each `read` call).
struct PyFile(Py<PyAny>);

impl Read for PyFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Through the lifecycle gate: a background reader may still be running at exit.
        crate::lifecycle::with_python(|py| {
            let chunk = self.0.call_method1(py, "read", (buf.len(),)).map_err(|e| io::Error::other(e.to_string()))?;
            let chunk = chunk.bind(py);
            let bytes = chunk
                .cast::<PyBytes>()
                .map_err(|_| {
                    // The caller's argument is at fault, as for a path that cannot be opened.
                    let got = chunk.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
                    io::Error::other(Error::invalid_argument(
                        format!("the file object must be opened in binary mode, open(path, \"rb\"): its read() returned {got}, not bytes"),
                        format!("файл нужно открыть в двоичном режиме, open(path, \"rb\"): его read() вернул {got}, а не bytes"),
                    ))
                })?
                .as_bytes();
            let n = bytes.len().min(buf.len());
            buf[..n].copy_from_slice(&bytes[..n]);
            Ok(n)
        })
        .unwrap_or_else(|| Err(io::Error::other("the Python interpreter is shutting down")))
    }
}

fn field_by_key(key: &str) -> Option<Field> {
    Field::ALL.into_iter().find(|f| f.key() == key)
}

/// The reader options every price-list entry point takes (`read`, `to_arrow`), checked the
/// same way; `call` names the entry point in the hint of a missing column.
#[allow(clippy::too_many_arguments)]
pub(crate) fn reader_options(
    py: Python<'_>,
    encoding: &str,
    delimiter: &str,
    on_error: &str,
    columns: Option<Vec<(String, String)>>,
    max_errors_kept: usize,
    max_record_bytes: Option<usize>,
    call: &str,
) -> PyResult<Options> {
    let encoding = Encoding::from_label(encoding).ok_or_else(|| invalid_argument(py, format!("unknown encoding {encoding:?}"), format!("неизвестная кодировка {encoding:?}")))?;
    let delimiter = match delimiter.as_bytes() {
        [b] if b.is_ascii() && !matches!(b, b'"' | b'\r' | b'\n') => *b,
        _ => {
            return Err(invalid_argument(
                py,
                format!("delimiter must be one ASCII character other than a quote or a line break, got {delimiter:?}"),
                format!("разделитель должен быть одним ASCII-символом, кроме кавычки и перевода строки; передано {delimiter:?}"),
            ))
        }
    };
    let on_error = match on_error {
        "stop" => OnError::Stop,
        "collect" => OnError::Collect,
        other => return Err(invalid_argument(py, format!("on_error must be \"stop\" or \"collect\", got {other:?}"), format!("on_error должен быть \"stop\" или \"collect\", передано {other:?}"))),
    };
    let mut options = Options::new().encoding(encoding).delimiter(delimiter).on_error(on_error).max_errors_kept(max_errors_kept).column_hint(
        format!("pass columns={{\"{{field}}\": \"<header>\"}} to {call}"),
        format!("передайте columns={{\"{{field}}\": \"<заголовок>\"}} в {call}"),
    );
    if let Some(n) = max_record_bytes {
        options = options.max_record_bytes(n);
    }
    for (key, header) in columns.unwrap_or_default() {
        let field = field_by_key(&key).ok_or_else(|| {
            let known: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
            invalid_argument(
                py,
                format!("unknown price-list field {key:?}; fields are: {}", known.join(", ")),
                format!("неизвестное поле прайс-листа {key:?}; есть поля: {}", known.join(", ")),
            )
        })?;
        options = options.column(field, header);
    }
    Ok(options)
}

/// The error of a call on a closed price list.
fn closed(py: Python<'_>) -> PyErr {
    invalid_argument(py, "the price list is closed", "прайс-лист закрыт")
}

/// Rows read per batch with the GIL released (the `__next__` path).
const BATCH: usize = 1024;

/// Inputs smaller than this are parsed on the calling thread (see [`parse_in_background`]).
const BACKGROUND_MIN_BYTES: u64 = BACKGROUND_MIN_MIB << 20;
const BACKGROUND_MIN_MIB: u64 = 16;

/// Whether a source of `size` bytes (None: unknown, a download) is parsed on a background
/// thread when the caller did not say.
///
/// The thread pays only when a core is free to run it: the parsing then overlaps the
/// Python loop. On a busy machine the two threads take turns on one core and the hand-off
/// is pure cost (issue 14: 3.41 s against 2.76 s without it, 100 MB list, 2 cores under a
/// load of 5-8), and a small list is done before the thread has paid for itself. So: no
/// thread with one core, none under BACKGROUND_MIN_MIB, and none when no core is free
/// *now*: the threads other than this one that are ready to run (`/proc/loadavg`'s fourth
/// field; where it cannot be read, none are assumed) leave less than one core.
///
/// Not the 1-minute load average: it lags by a minute and counts this very process once it
/// has run a while, so a script reading lists one after another on an idle 2-core machine
/// was refused the thread (100 MB list, 2 cores, two compilers running beside it: 1.87 s
/// for the loop with the thread, 2.48-2.69 s without).
fn parse_in_background(size: Option<u64>) -> bool {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || size.is_some_and(|n| n < BACKGROUND_MIN_BYTES) {
        return false;
    }
    let others = std::fs::read_to_string("/proc/loadavg").ok().and_then(|text| others_running(&text)).unwrap_or(0);
    cores.saturating_sub(others) >= 2
}

/// The threads ready to run besides the caller, from `/proc/loadavg`
/// (`0.52 0.58 0.59 3/96 12345`: 3 running or runnable, the caller among them).
fn others_running(loadavg: &str) -> Option<usize> {
    let running: usize = loadavg.split_whitespace().nth(3)?.split('/').next()?.parse().ok()?;
    Some(running.saturating_sub(1))
}

/// A price list being read.
#[pyclass(module = "logibridge._native", name = "PriceListReader", frozen)]
pub struct PriceListReader {
    reader: Mutex<Option<AnyReader>>,
    /// Rows read and not yet handed out. Locked only briefly, never while waiting for the
    /// GIL or for the reader.
    buffer: Mutex<VecDeque<Row>>,
    /// An error met after some rows of a batch were read: raised once they are handed out.
    pending: Mutex<Option<Error>>,
    progress: Option<Progress>,
    /// The spent rows of the objects handed out, read into again.
    pool: Arc<RowPool>,
}

impl PriceListReader {
    fn deliver_progress(&self, py: Python<'_>) -> PyResult<()> {
        match &self.progress {
            Some(p) => p.deliver(py),
            None => Ok(()),
        }
    }

    fn with_reader<T>(&self, py: Python<'_>, f: impl FnOnce(&mut AnyReader) -> T) -> PyResult<T> {
        let mut guard = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_mut() {
            Some(r) => Ok(f(r)),
            None => Err(closed(py)),
        }
    }

    /// A row as its Python object.
    fn hand_out(&self, py: Python<'_>, row: Row) -> PyResult<Py<PriceRow>> {
        let obj = Py::new(py, PriceRow::from_row(row, Some(self.pool.clone())))?;
        // The cycle collector cannot follow a row's references (PriceRow has no
        // `__traverse__`: a Decimal and a dict of its own), so tracking it would only make
        // every collection walk it; `to_list()` of a million rows took twice as long.
        // SAFETY: `obj` is a live GC object just created; untracking an object is allowed
        // at any time (its dealloc untracks again harmlessly).
        unsafe { pyo3::ffi::PyObject_GC_UnTrack(obj.as_ptr().cast()) };
        Ok(obj)
    }

    fn pop(&self) -> Option<Row> {
        self.buffer.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
    }

    /// Reads up to `n` rows into the buffer with the GIL released. False when nothing more
    /// comes (the end, or the list is closed). A bad row (on_error="stop") raises here when
    /// no row precedes it in the batch, else on the call after.
    fn fill_buffer(&self, py: Python<'_>, n: usize) -> PyResult<bool> {
        if let Some(e) = self.pending.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(to_pyerr(py, &e));
        }
        let n = n.clamp(1, 100_000);
        let read = py.detach(|| {
            let mut guard = self.reader.lock().unwrap_or_else(|e| e.into_inner());
            let reader = guard.as_mut()?;
            // Reads into the buffer's own allocation when it is empty (the usual case), so
            // batches reuse one block instead of allocating (and faulting in) a new one.
            let mut rows = {
                let mut buffer = self.buffer.lock().unwrap_or_else(|e| e.into_inner());
                if buffer.is_empty() { std::mem::take(&mut *buffer) } else { VecDeque::new() }
            };
            rows.reserve(n.min(4096));
            let mut spare = self.pool.take();
            let mut count = 0;
            let mut error = None;
            while count < n {
                let mut row = spare.pop().unwrap_or_default();
                match on_reader!(&mut *reader, r => r.read_into(&mut row)) {
                    Ok(true) => {
                        rows.push_back(row);
                        count += 1;
                    }
                    Ok(false) => {
                        spare.push(row);
                        // A download's size may be unknown until its end: report the end.
                        if let (AnyReader::Download(r), Some(p)) = (&*reader, &self.progress) {
                            let bytes = r.summary().bytes;
                            p.report(bytes, Some(bytes));
                        }
                        break;
                    }
                    Err(e) => {
                        spare.push(row);
                        error = Some(e);
                        break;
                    }
                }
            }
            self.pool.give_back(spare);
            // Still under the reader's lock, so concurrent batches keep the file's order.
            let mut buffer = self.buffer.lock().unwrap_or_else(|e| e.into_inner());
            if buffer.is_empty() {
                *buffer = rows;
            } else {
                buffer.extend(rows);
            }
            Some((count, error))
        });
        // Iterating a closed list is the caller's mistake, not an end (issue 10, item 23).
        let Some((count, error)) = read else { return Err(closed(py)) };
        self.deliver_progress(py)?;
        if let Some(e) = error {
            if count == 0 {
                return Err(to_pyerr(py, &e));
            }
            *self.pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
        }
        Ok(count > 0)
    }
}

#[pymethods]
impl PriceListReader {
    #[new]
    #[pyo3(signature = (kind, source, *, encoding="auto", delimiter=";", on_error="stop", columns=None, max_errors_kept=1000, max_record_bytes=None, progress=None, background=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        kind: &str,
        source: &Bound<'_, PyAny>,
        encoding: &str,
        delimiter: &str,
        on_error: &str,
        columns: Option<Vec<(String, String)>>,
        max_errors_kept: usize,
        max_record_bytes: Option<usize>,
        progress: Option<Py<PyAny>>,
        background: Option<bool>,
    ) -> PyResult<Self> {
        let options = reader_options(py, encoding, delimiter, on_error, columns, max_errors_kept, max_record_bytes, "pricelist.read()")?;
        let progress = progress.map(|callback| Progress { callback: Arc::new(callback), state: Arc::default() });
        // Files, bytes and downloads may be parsed on a background thread, overlapping the
        // caller's Python work (`background`, or by size and load: parse_in_background); a
        // Python file object is read on the calling thread (its `read` needs the GIL anyway).
        let in_background = move |r: Reader<Source>, size: Option<u64>| if background.unwrap_or_else(|| parse_in_background(size)) { r.in_background() } else { r };

        let opened: Result<AnyReader, Error> = match kind {
            "path" => {
                let path: std::path::PathBuf = source.extract()?;
                let progress = progress.clone();
                py.detach(move || {
                    let file = pricelist::open_file(&path)?;
                    let total = file.metadata().ok().map(|m| m.len());
                    if let Some(p) = &progress {
                        p.report(0, total);
                    }
                    let src: Source = Box::new(Counting { inner: io::BufReader::with_capacity(256 * 1024, file), done: 0, total, progress });
                    Reader::from_reader(src, options).map(|r| AnyReader::Local(in_background(r, total)))
                })
            }
            "url" => {
                let url: String = source.extract()?;
                let progress = progress.clone();
                py.detach(move || {
                    let reporter = move |done: u64, total: Option<u64>| {
                        if let Some(p) = &progress {
                            p.report(done, total);
                        }
                    };
                    let options = options.background(background.unwrap_or_else(|| parse_in_background(None)));
                    pricelist::download(&url, options, reporter).map(AnyReader::Download)
                })
            }
            "bytes" => {
                let data: Vec<u8> = source.extract()?;
                let total = Some(data.len() as u64);
                let progress = progress.clone();
                py.detach(move || {
                    if let Some(p) = &progress {
                        p.report(0, total);
                    }
                    let src: Source = Box::new(Counting { inner: io::Cursor::new(data), done: 0, total, progress });
                    Reader::from_reader(src, options).map(|r| AnyReader::Local(in_background(r, total)))
                })
            }
            "file" => {
                let file = source.clone().unbind();
                let progress = progress.clone();
                py.detach(move || {
                    if let Some(p) = &progress {
                        p.report(0, None);
                    }
                    let src: Source = Box::new(Counting { inner: io::BufReader::with_capacity(256 * 1024, PyFile(file)), done: 0, total: None, progress });
                    Reader::from_reader(src, options).map(AnyReader::Local)
                })
            }
            other => return Err(PyTypeError::new_err(format!("unknown price-list source kind {other:?}"))),
        };
        let reader = opened.map_err(|e| to_pyerr(py, &e))?;
        let this = PriceListReader { reader: Mutex::new(Some(reader)), buffer: Mutex::default(), pending: Mutex::new(None), progress, pool: Arc::default() };
        this.deliver_progress(py)?;
        Ok(this)
    }

    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// The next row; a new batch is read (GIL released) when the last one is used up.
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PriceRow>>> {
        loop {
            if let Some(row) = self.pop() {
                return self.hand_out(py, row).map(Some);
            }
            if !self.fill_buffer(py, BATCH)? {
                return Ok(None);
            }
        }
    }

    /// Reads up to `n` more rows into the buffer (GIL released; for a worker thread).
    /// False when nothing more comes.
    fn fill(&self, py: Python<'_>, n: usize) -> PyResult<bool> {
        if !self.buffer.lock().unwrap_or_else(|e| e.into_inner()).is_empty() {
            return Ok(true);
        }
        self.fill_buffer(py, n)
    }

    /// The rows read and not handed out yet, taken from the buffer (no reading).
    fn take_buffered(&self, py: Python<'_>) -> PyResult<Vec<Py<PriceRow>>> {
        let rows = std::mem::take(&mut *self.buffer.lock().unwrap_or_else(|e| e.into_inner()));
        rows.into_iter().map(|row| self.hand_out(py, row)).collect()
    }

    /// The header cells as written (trimmed).
    #[getter]
    fn headers(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with_reader(py, |a| on_reader!(a, r => r.headers().to_vec()))
    }

    /// Which header each known field is read from: `{"code": "Артикул", …}`.
    #[getter]
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let pairs = self.with_reader(py, |a| {
            on_reader!(a, r => Field::ALL.iter().filter_map(|f| r.column(*f).map(|h| (f.key(), h.to_owned()))).collect::<Vec<_>>())
        })?;
        let d = PyDict::new(py);
        for (k, v) in pairs {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// The headers of the columns kept by name in each row's extra columns.
    #[getter]
    fn extra_columns(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with_reader(py, |a| on_reader!(a, r => r.extra_columns().to_vec()))
    }

    /// The encoding in use (WHATWG name), or None while only ASCII was seen.
    #[getter]
    fn encoding(&self, py: Python<'_>) -> PyResult<Option<&'static str>> {
        self.with_reader(py, |a| on_reader!(a, r => r.encoding().map(|e| e.name())))
    }

    /// The bad rows reported so far, as dicts (`line`, `column`, `reason`, `reason_ru`,
    /// `raw`).
    fn bad_rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with_reader(py, |a| on_reader!(a, r => serde_json::to_value(r.bad_rows())))?;
        // An encoding failure is an error, never a silent null.
        let v = v.map_err(|e| to_pyerr(py, &logibridge::Error::Internal(format!("cannot encode the bad_rows: {e}"))))?;
        convert::to_py(py, &v)
    }

    /// Counts so far (`rows_ok`, `rows_bad`, `bytes`), as a dict. `rows_ok` counts the
    /// rows handed out: those read ahead into the batch buffer are not counted yet.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with_reader(py, |a| {
            // Under the reader's lock, so no batch lands between the two counts.
            let buffered = self.buffer.lock().unwrap_or_else(|e| e.into_inner()).len() as u64;
            let mut summary = on_reader!(a, r => r.summary());
            summary.rows_ok = summary.rows_ok.saturating_sub(buffered);
            serde_json::to_value(summary)
        })?;
        // An encoding failure is an error, never a silent null.
        let v = v.map_err(|e| to_pyerr(py, &logibridge::Error::Internal(format!("cannot encode the summary: {e}"))))?;
        convert::to_py(py, &v)
    }

    /// Releases the source (file, download). Idempotent.
    fn close(&self, py: Python<'_>) {
        let taken = self.reader.lock().unwrap_or_else(|e| e.into_inner()).take();
        let buffered = std::mem::take(&mut *self.buffer.lock().unwrap_or_else(|e| e.into_inner()));
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).take();
        py.detach(move || drop((taken, buffered)));
    }

    #[getter]
    fn closed(&self) -> bool {
        self.reader.lock().unwrap_or_else(|e| e.into_inner()).is_none()
    }
}

