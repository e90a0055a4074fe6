//! `_native.PriceListArrow` and `_native.ArrowTable`: price lists handed to pyarrow, polars,
//! pandas, duckdb, … through the Arrow PyCapsule interface (`__arrow_c_stream__`), so no
//! DataFrame library is a dependency of the package.
//!
//! The core reads the list on every core straight into Arrow batches
//! (`logibridge::pricelist::arrow::Batches`); the batches cross into Python as an
//! `ArrowArrayStream` of the C Data Interface in a capsule named `arrow_array_stream`
//! (arrow-rs `ffi_stream`), which the consumer takes over. `read_all` collects every batch
//! with the GIL released; the streaming capsule parses on the core's threads, which never
//! take the GIL (sources that need it, Python file objects, are read into bytes by the
//! package first).

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use logibridge::pricelist::arrow::{self as parrow, ArrowOptions, ArrowOutcome, Batches};
use logibridge::pricelist;
use logibridge::Error;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict};

use crate::errors::{invalid_argument, to_pyerr};
use crate::pricelist::reader_options;

/// The capsule name the PyCapsule interface gives an `ArrowArrayStream`.
const STREAM_CAPSULE: &std::ffi::CStr = c"arrow_array_stream";

/// Hands `reader` to the consumer as an `arrow_array_stream` capsule (the consumer moves
/// the struct out; an unconsumed one is released with the capsule).
fn export<'py>(py: Python<'py>, reader: Box<dyn RecordBatchReader + Send>) -> PyResult<Bound<'py, PyCapsule>> {
    PyCapsule::new_with_value(py, FFI_ArrowArrayStream::new(reader), STREAM_CAPSULE)
}

/// What a reading ended with, shared between the object and a stream handed out.
#[derive(Default)]
struct Ending {
    outcome: Option<ArrowOutcome>,
    error: Option<Error>,
}

/// `Batches` recording its ending for the Python object.
struct Tracked {
    batches: Batches,
    ending: Arc<Mutex<Ending>>,
}

impl Iterator for Tracked {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let next = self.batches.next();
        let mut ending = self.ending.lock().unwrap_or_else(|p| p.into_inner());
        match next {
            None => {
                ending.outcome = self.batches.outcome().cloned();
                None
            }
            // The library's error is kept for Python; the consumer gets its text.
            Some(Err(ArrowError::ExternalError(inner))) => match inner.downcast::<Error>() {
                Ok(core) => {
                    let text = core.to_string();
                    ending.error = Some(*core);
                    Some(Err(ArrowError::ExternalError(text.into())))
                }
                Err(other) => {
                    ending.error = Some(Error::Internal(other.to_string()));
                    Some(Err(ArrowError::ExternalError(other)))
                }
            },
            Some(Err(e)) => {
                ending.error = Some(Error::Internal(e.to_string()));
                Some(Err(e))
            }
            Some(Ok(b)) => Some(Ok(b)),
        }
    }
}

impl RecordBatchReader for Tracked {
    fn schema(&self) -> SchemaRef {
        self.batches.schema_ref().clone()
    }
}

/// A price list being read into Arrow batches (see `pricelist.arrow_stream`).
#[pyclass(module = "logibridge._native", name = "PriceListArrow", frozen)]
pub struct PriceListArrow {
    batches: Mutex<Option<Tracked>>,
    ending: Arc<Mutex<Ending>>,
    schema: SchemaRef,
}

/// Batches already read (a whole table, or the bad rows), handed out once through
/// `__arrow_c_stream__`.
#[pyclass(module = "logibridge._native", name = "ArrowTable", frozen)]
pub struct ArrowTable {
    schema: SchemaRef,
    batches: Mutex<Option<Vec<RecordBatch>>>,
}

#[pymethods]
impl ArrowTable {
    /// The PyCapsule interface: an `arrow_array_stream` capsule over the batches (once).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(&self, py: Python<'py>, requested_schema: Option<Py<PyAny>>) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema; // the schema is the price list's; consumers cast
        let batches = self.batches.lock().unwrap_or_else(|p| p.into_inner()).take().ok_or_else(|| taken(py))?;
        export(py, Box::new(RecordBatchIterator::new(batches.into_iter().map(Ok), self.schema.clone())))
    }

    /// Rows in all batches.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batches.lock().unwrap_or_else(|p| p.into_inner()).as_ref().map_or(0, |b| b.iter().map(|b| b.num_rows()).sum())
    }
}

fn taken(py: Python<'_>) -> PyErr {
    invalid_argument(py, "the Arrow stream was already handed out (it can be consumed once)", "поток Arrow уже отдан (его можно прочитать один раз)")
}

#[pymethods]
impl PriceListArrow {
    #[new]
    #[pyo3(signature = (kind, source, *, encoding="auto", delimiter=";", on_error="stop", columns=None, max_errors_kept=1000, max_record_bytes=None, batch_rows=65536, price_scale=2, threads=0))]
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
        batch_rows: i64,
        price_scale: i64,
        threads: i64,
    ) -> PyResult<Self> {
        let options = reader_options(py, encoding, delimiter, on_error, columns, max_errors_kept, max_record_bytes, "pricelist.to_arrow()")?;
        // Integers are taken as i64 so that a negative one is named here, not a bare OverflowError.
        let in_range = |name: &str, value: i64, low: i64, high: i64| {
            if (low..=high).contains(&value) {
                Ok(value)
            } else {
                Err(invalid_argument(py, format!("{name} must be {low} to {high}, got {value}"), format!("{name} должен быть от {low} до {high}, передано {value}")))
            }
        };
        let price_scale = in_range("price_scale", price_scale, 0, 28)? as u8;
        let batch_rows = in_range("batch_rows", batch_rows, 1, u32::MAX.into())? as usize;
        let threads = in_range("threads", threads, 0, pricelist::arrow::MAX_THREADS as i64)? as usize;
        let arrow = ArrowOptions::new().batch_rows(batch_rows).price_scale(price_scale).threads(threads);
        let opened: Result<Batches, Error> = match kind {
            "path" => {
                let path: std::path::PathBuf = source.extract()?;
                py.detach(move || {
                    let file = pricelist::open_file(&path)?;
                    let src: Box<dyn Read + Send> = Box::new(io::BufReader::with_capacity(256 * 1024, file));
                    Batches::new(src, options, arrow)
                })
            }
            "bytes" => {
                let data: Vec<u8> = source.extract()?;
                py.detach(move || Batches::new(io::Cursor::new(data), options, arrow))
            }
            other => return Err(PyTypeError::new_err(format!("unknown price-list source kind {other:?}"))),
        };
        let batches = opened.map_err(|e| to_pyerr(py, &e))?;
        let schema = batches.schema_ref().clone();
        let ending = Arc::new(Mutex::new(Ending::default()));
        Ok(PriceListArrow { batches: Mutex::new(Some(Tracked { batches, ending: ending.clone() })), ending, schema })
    }

    /// The PyCapsule interface: an `arrow_array_stream` capsule streaming the batches as
    /// they are read (once). A reading error ends the stream with its message; `error()`
    /// then raises the library's exception.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(&self, py: Python<'py>, requested_schema: Option<Py<PyAny>>) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema; // the schema is the price list's; consumers cast
        let tracked = self.batches.lock().unwrap_or_else(|p| p.into_inner()).take().ok_or_else(|| taken(py))?;
        export(py, Box::new(tracked))
    }

    /// Reads every remaining batch with the GIL released; raises the reading's error
    /// (`DecodeError` for a bad row under on_error="stop"). Ctrl-C is looked for after each
    /// batch: KeyboardInterrupt stops the reading within one batch.
    fn read_all(&self, py: Python<'_>) -> PyResult<ArrowTable> {
        let mut tracked = self.batches.lock().unwrap_or_else(|p| p.into_inner()).take().ok_or_else(|| taken(py))?;
        let mut batches = Vec::new();
        loop {
            let (next, rest) = py.detach(move || (tracked.next(), tracked));
            tracked = rest;
            match next {
                None => break,
                Some(Ok(batch)) => batches.push(batch),
                Some(Err(_)) => return Err(self.stored_error(py).unwrap_or_else(|| to_pyerr(py, &Error::Internal("the Arrow reading failed".into())))),
            }
            // Dropping the reader on KeyboardInterrupt stops its workers.
            py.check_signals()?;
        }
        Ok(ArrowTable { schema: self.schema.clone(), batches: Mutex::new(Some(batches)) })
    }

    /// The bad rows (line, column, reason, reason_ru, raw) once the batches were all read.
    fn bad_rows(&self, py: Python<'_>) -> PyResult<ArrowTable> {
        let bad = self.with_outcome(py, |o| parrow::bad_rows_batch(&o.bad_rows))?;
        Ok(ArrowTable { schema: bad.schema(), batches: Mutex::new(Some(vec![bad])) })
    }

    /// Counts (`rows_ok`, `rows_bad`, `bytes`) once the batches were all read.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.with_outcome(py, |o| o.summary)?;
        let d = PyDict::new(py);
        d.set_item("rows_ok", s.rows_ok)?;
        d.set_item("rows_bad", s.rows_bad)?;
        d.set_item("bytes", s.bytes)?;
        Ok(d)
    }

    /// Raises the error the stream ended with (the library's exception), if it did.
    fn error(&self, py: Python<'_>) -> PyResult<()> {
        match self.stored_error(py) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The names of the columns, in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.schema.fields().iter().map(|f| f.name().clone()).collect()
    }
}

impl PriceListArrow {
    fn stored_error(&self, py: Python<'_>) -> Option<PyErr> {
        self.ending.lock().unwrap_or_else(|p| p.into_inner()).error.as_ref().map(|e| to_pyerr(py, e))
    }

    fn with_outcome<T>(&self, py: Python<'_>, f: impl FnOnce(&ArrowOutcome) -> T) -> PyResult<T> {
        let ending = self.ending.lock().unwrap_or_else(|p| p.into_inner());
        match &ending.outcome {
            Some(o) => Ok(f(o)),
            None => Err(invalid_argument(
                py,
                "the bad rows and counts are known once every batch was read",
                "плохие строки и счётчики известны, когда прочитаны все пакеты",
            )),
        }
    }
}
