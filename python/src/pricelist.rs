//! `_native.PriceListReader`: the core's streaming price-list reader
//! (`logibridge::pricelist`) behind a batch interface.
//!
//! Rows are read in batches with the GIL released (decoding, CSV, values: all in Rust), then
//! handed to Python as dicts in the core's JSON shape, which `logibridge.pricelist.PriceRow`
//! decodes generically like every other model. Sources: a path, an http(s) URL (read while
//! it downloads), bytes, or a binary file object.

use std::fs::File;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use logibridge::pricelist::{self, Encoding, Field, OnError, Options, Reader, Row};
use logibridge::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::convert;
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

/// Calls the Python progress callback, throttled; remembers the first exception it raises
/// so the next batch can raise it.
#[derive(Clone)]
struct Progress {
    callback: Arc<Py<PyAny>>,
    failure: Arc<Mutex<Option<PyErr>>>,
    last: Arc<Mutex<Option<u64>>>,
}

impl Progress {
    fn report(&self, done: u64, total: Option<u64>) {
        {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            let due = match *last {
                None => true,
                Some(prev) => done >= prev + PROGRESS_STEP || Some(done) == total,
            };
            if !due || *last == Some(done) {
                return;
            }
            *last = Some(done);
        }
        if self.failure.lock().unwrap_or_else(|e| e.into_inner()).is_some() {
            return;
        }
        let _ = Python::try_attach(|py| {
            if let Err(e) = self.callback.call1(py, (done, total)) {
                *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
            }
        });
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
        Python::attach(|py| {
            let chunk = self.0.call_method1(py, "read", (buf.len(),)).map_err(|e| io::Error::other(e.to_string()))?;
            let chunk = chunk.bind(py);
            let bytes = chunk
                .cast::<PyBytes>()
                .map_err(|_| io::Error::other("the file object must be opened in binary mode (its read() returned no bytes)"))?
                .as_bytes();
            let n = bytes.len().min(buf.len());
            buf[..n].copy_from_slice(&bytes[..n]);
            Ok(n)
        })
    }
}

fn field_by_key(key: &str) -> Option<Field> {
    Field::ALL.into_iter().find(|f| f.key() == key)
}

/// A price list being read.
#[pyclass(module = "logibridge._native", name = "PriceListReader", frozen)]
pub struct PriceListReader {
    reader: Mutex<Option<AnyReader>>,
    /// An error met after some rows of a batch were read: raised by the next batch.
    pending: Mutex<Option<Error>>,
    progress: Option<Progress>,
}

impl PriceListReader {
    fn take_progress_failure(&self) -> PyResult<()> {
        if let Some(p) = &self.progress {
            if let Some(e) = p.failure.lock().unwrap_or_else(|e| e.into_inner()).take() {
                return Err(e);
            }
        }
        Ok(())
    }

    fn with_reader<T>(&self, py: Python<'_>, f: impl FnOnce(&mut AnyReader) -> T) -> PyResult<T> {
        let mut guard = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_mut() {
            Some(r) => Ok(f(r)),
            None => Err(invalid_argument(py, "the price list is closed")),
        }
    }
}

#[pymethods]
impl PriceListReader {
    #[new]
    #[pyo3(signature = (kind, source, *, encoding="auto", delimiter=";", on_error="stop", columns=None, max_errors_kept=1000, max_record_bytes=None, progress=None))]
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
    ) -> PyResult<Self> {
        let encoding = Encoding::from_label(encoding).ok_or_else(|| invalid_argument(py, format!("unknown encoding {encoding:?}")))?;
        let delimiter = match delimiter.as_bytes() {
            [b] if b.is_ascii() && !matches!(b, b'"' | b'\r' | b'\n') => *b,
            _ => return Err(invalid_argument(py, format!("delimiter must be one ASCII character other than a quote or a line break, got {delimiter:?}"))),
        };
        let on_error = match on_error {
            "stop" => OnError::Stop,
            "collect" => OnError::Collect,
            other => return Err(invalid_argument(py, format!("on_error must be \"stop\" or \"collect\", got {other:?}"))),
        };
        let mut options = Options::new().encoding(encoding).delimiter(delimiter).on_error(on_error).max_errors_kept(max_errors_kept);
        if let Some(n) = max_record_bytes {
            options = options.max_record_bytes(n);
        }
        for (key, header) in columns.unwrap_or_default() {
            let field = field_by_key(&key).ok_or_else(|| {
                let known: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
                invalid_argument(py, format!("unknown price-list field {key:?}; fields are: {}", known.join(", ")))
            })?;
            options = options.column(field, header);
        }
        let progress = progress.map(|callback| Progress { callback: Arc::new(callback), failure: Arc::default(), last: Arc::default() });

        let opened: Result<AnyReader, Error> = match kind {
            "path" => {
                let path: std::path::PathBuf = source.extract()?;
                let progress = progress.clone();
                py.detach(move || {
                    let file = File::open(&path).map_err(|e| Error::Transport {
                        endpoint: pricelist::PARSE_ENDPOINT.into(),
                        message: format!("cannot open {}: {e}", path.display()),
                    })?;
                    let total = file.metadata().ok().map(|m| m.len());
                    if let Some(p) = &progress {
                        p.report(0, total);
                    }
                    let src: Source = Box::new(Counting { inner: io::BufReader::with_capacity(256 * 1024, file), done: 0, total, progress });
                    Reader::from_reader(src, options).map(AnyReader::Local)
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
                    Reader::from_reader(src, options).map(AnyReader::Local)
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
        let this = PriceListReader { reader: Mutex::new(Some(reader)), pending: Mutex::new(None), progress };
        this.take_progress_failure()?;
        Ok(this)
    }

    /// Up to `n` rows as dicts (fewer at the end; empty when done). With on_error="stop" a
    /// bad row raises DecodeError after the good rows before it were returned.
    fn next_batch<'py>(&self, py: Python<'py>, n: usize) -> PyResult<Bound<'py, PyList>> {
        if let Some(e) = self.pending.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return Err(to_pyerr(py, &e));
        }
        let n = n.clamp(1, 100_000);
        let (rows, error) = py.detach(|| -> Result<(Vec<serde_json::Value>, Option<Error>), ()> {
            let mut guard = self.reader.lock().unwrap_or_else(|e| e.into_inner());
            let Some(reader) = guard.as_mut() else { return Err(()) };
            let mut out = Vec::with_capacity(n.min(4096));
            let mut row = Row::default();
            let mut error = None;
            while out.len() < n {
                match on_reader!(&mut *reader, r => r.read_into(&mut row)) {
                    Ok(true) => out.push(serde_json::to_value(&row).unwrap_or(serde_json::Value::Null)),
                    Ok(false) => {
                        // A download's size may be unknown until its end: report the end.
                        if let (AnyReader::Download(r), Some(p)) = (&*reader, &self.progress) {
                            let bytes = r.summary().bytes;
                            p.report(bytes, Some(bytes));
                        }
                        break;
                    }
                    Err(e) => {
                        error = Some(e);
                        break;
                    }
                }
            }
            Ok((out, error))
        })
        .map_err(|()| invalid_argument(py, "the price list is closed"))?;
        self.take_progress_failure()?;
        if let Some(e) = error {
            if rows.is_empty() {
                return Err(to_pyerr(py, &e));
            }
            *self.pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
        }
        let list = PyList::empty(py);
        for r in &rows {
            list.append(convert::to_py(py, r)?)?;
        }
        Ok(list)
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

    /// The bad rows reported so far, as dicts (`line`, `column`, `reason`, `raw`).
    fn bad_rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with_reader(py, |a| on_reader!(a, r => serde_json::to_value(r.bad_rows()).unwrap_or_default()))?;
        convert::to_py(py, &v)
    }

    /// Counts so far (`rows_ok`, `rows_bad`, `bytes`), as a dict.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = self.with_reader(py, |a| on_reader!(a, r => serde_json::to_value(r.summary()).unwrap_or_default()))?;
        convert::to_py(py, &v)
    }

    /// Releases the source (file, download). Idempotent.
    fn close(&self, py: Python<'_>) {
        let taken = self.reader.lock().unwrap_or_else(|e| e.into_inner()).take();
        py.detach(move || drop(taken));
    }

    #[getter]
    fn closed(&self) -> bool {
        self.reader.lock().unwrap_or_else(|e| e.into_inner()).is_none()
    }
}

