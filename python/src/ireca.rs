//! `_native.CallbackReceiver`: the core's durable iRECA callback receiver
//! (`logibridge::ireca::receiver`, `docs/ireca-callbacks.md`) for the Python package, which
//! wraps it as `logibridge.ireca.CallbackReceiver`.
//!
//! Waiting for an entry releases the GIL and looks for Ctrl-C every [`SIGNAL_CHECK`], so a
//! `for entry in receiver:` loop in the main thread stops on KeyboardInterrupt.

use std::path::PathBuf;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use chrono::SecondsFormat;
use logibridge::ireca::callback_journal::Entry;
use logibridge::ireca::receiver::CallbackReceiver as Inner;
use pyo3::prelude::*;

use crate::errors::{invalid_argument, to_pyerr};

/// How often a waiting `next` looks for Ctrl-C.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// One stored callback: its `seq`, `received_at` (RFC 3339, UTC, microseconds), `kind`
/// (`order` or `license_session`), `sha256` and `body` (the JSON text as received).
#[pyclass(module = "logibridge._native", name = "CallbackEntry", frozen)]
pub struct CallbackEntry {
    inner: Entry,
}

#[pymethods]
impl CallbackEntry {
    /// The entry's number in the journal (1, 2, …).
    #[getter]
    fn seq(&self) -> u64 {
        self.inner.seq()
    }

    /// When it was stored: RFC 3339 text in UTC with microseconds (`…Z`).
    #[getter]
    fn received_at(&self) -> String {
        self.inner.received_at().to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    /// `order` or `license_session`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }

    /// SHA-256 of the body, 64 lower-case hex digits (equal for a duplicate delivery).
    #[getter]
    fn sha256(&self) -> &str {
        self.inner.sha256()
    }

    /// The callback's JSON text as received.
    #[getter]
    fn body(&self) -> &str {
        self.inner.body()
    }

    fn __repr__(&self) -> String {
        format!("<CallbackEntry seq={} kind={} sha256={}>", self.inner.seq(), self.inner.kind(), self.inner.sha256())
    }
}

/// A running receiver. [`CallbackReceiver::shutdown`] stops it and lets go of the journal
/// (its lock included), so another receiver may open it at once, without waiting for Python
/// to drop this object.
#[pyclass(module = "logibridge._native", name = "CallbackReceiver", frozen)]
pub struct CallbackReceiver {
    inner: RwLock<Option<Inner>>,
    url: String,
    order_url: String,
    license_url: String,
    journal_path: String,
}

impl CallbackReceiver {
    /// Runs `f` on the running receiver, or refuses: it was shut down.
    fn running<T>(&self, py: Python<'_>, f: impl FnOnce(&Inner) -> PyResult<T>) -> PyResult<T> {
        let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some(inner) => f(inner),
            None => Err(invalid_argument(py, "this callback receiver is closed", "этот приёмник оповещений закрыт")),
        }
    }
}

#[pymethods]
impl CallbackReceiver {
    /// Starts a receiver journaling to `journal_path` (see the core's builder for every
    /// setting's rule; `body_timeout` in seconds). A setting out of its rule is an
    /// `InvalidArgumentError` naming it; the secret never appears in an error.
    #[new]
    #[pyo3(signature = (journal_path, *, host=None, port=0, path_secret=None, body_limit=None, body_timeout=None, public_base_url=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        journal_path: PathBuf,
        host: Option<String>,
        port: u16,
        path_secret: Option<String>,
        body_limit: Option<usize>,
        body_timeout: Option<f64>,
        public_base_url: Option<String>,
    ) -> PyResult<Self> {
        let mut builder = Inner::builder(journal_path).port(port);
        if let Some(host) = host {
            builder = builder.host(host);
        }
        if let Some(secret) = path_secret {
            builder = builder.path_secret(secret);
        }
        if let Some(limit) = body_limit {
            builder = builder.body_limit(limit);
        }
        if let Some(seconds) = body_timeout {
            let timeout = Duration::try_from_secs_f64(seconds).map_err(|_| {
                invalid_argument(py, format!("body_timeout: {seconds} is not a number of seconds from 0 up"), format!("body_timeout: {seconds} — не число секунд от 0 и больше"))
            })?;
            builder = builder.body_timeout(timeout);
        }
        if let Some(url) = public_base_url {
            builder = builder.public_base_url(url);
        }
        let inner = py.detach(move || builder.start()).map_err(|e| to_pyerr(py, &e))?;
        Ok(CallbackReceiver {
            url: inner.url(),
            order_url: inner.order_url(),
            license_url: inner.license_url(),
            journal_path: inner.journal_path().to_string_lossy().into_owned(),
            inner: RwLock::new(Some(inner)),
        })
    }

    /// The URL to register for both callbacks, the secret path included.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// The URL for order callbacks only.
    #[getter]
    fn order_url(&self) -> &str {
        &self.order_url
    }

    /// The URL for closed-session callbacks only.
    #[getter]
    fn license_url(&self) -> &str {
        &self.license_url
    }

    /// The journal file (as text; a path that is not UTF-8 shows replacement characters).
    #[getter]
    fn journal_path(&self) -> &str {
        &self.journal_path
    }

    /// Whether `shutdown` was called.
    #[getter]
    fn shut_down(&self) -> bool {
        self.inner.read().unwrap_or_else(|e| e.into_inner()).as_ref().is_none_or(Inner::is_shut_down)
    }

    /// Every unacknowledged entry, oldest first (refused once shut down).
    fn pending(&self, py: Python<'_>) -> PyResult<Vec<CallbackEntry>> {
        self.running(py, |inner| Ok(inner.pending().into_iter().map(|inner| CallbackEntry { inner }).collect()))
    }

    /// Marks an entry processed (synced to the `.acks` file before returning; refused once
    /// shut down).
    fn ack(&self, py: Python<'_>, entry: &CallbackEntry) -> PyResult<()> {
        let entry = entry.inner.clone();
        self.running(py, |inner| py.detach(|| inner.ack(&entry)).map_err(|e| to_pyerr(py, &e)))
    }

    /// The next entry this receiver has not handed out, waiting at most `timeout` seconds
    /// (for ever when None) with the GIL released; None when the time is up or the
    /// receiver is shut down. Ctrl-C interrupts the wait (KeyboardInterrupt).
    #[pyo3(signature = (timeout=None))]
    fn next(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<CallbackEntry>> {
        let deadline = match timeout {
            None => None,
            Some(s) => Some(Instant::now() + Duration::try_from_secs_f64(s).map_err(|_| invalid_argument(py, format!("timeout: {s} is not a number of seconds from 0 up"), format!("timeout: {s} — не число секунд от 0 и больше")))?),
        };
        loop {
            let wait = deadline.map_or(SIGNAL_CHECK, |d| d.saturating_duration_since(Instant::now()).min(SIGNAL_CHECK));
            // The lock is taken for one short wait at a time, so `shutdown` never waits long.
            let got = py.detach(|| {
                let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
                guard.as_ref().map(|inner| inner.next_blocking(Some(wait))).transpose()
            });
            match got.map_err(|e| to_pyerr(py, &e))? {
                None => return Ok(None),
                Some(Some(inner)) => return Ok(Some(CallbackEntry { inner })),
                Some(None) => {}
            }
            if self.shut_down() || deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(None);
            }
            py.check_signals()?;
        }
    }

    /// Stops the listener (requests in flight finish) and lets go of the journal; waiting
    /// `next` calls return None. Twice is harmless.
    fn shutdown(&self, py: Python<'_>) {
        py.detach(|| {
            let taken = self.inner.write().unwrap_or_else(|e| e.into_inner()).take();
            drop(taken);
        });
    }

    fn __repr__(&self) -> String {
        // The secret path never shows.
        format!("<logibridge._native.CallbackReceiver journal={:?}{}>", self.journal_path, if self.shut_down() { " closed" } else { "" })
    }
}

/// A model in its documented JSON form; a model that cannot be written is an error, never
/// a `null`.
fn documented<T: serde::Serialize>(value: &T) -> logibridge::Result<serde_json::Value> {
    serde_json::to_value(value).map_err(|e| logibridge::Error::Internal(format!("an iRECA model could not be written as JSON: {e}")))
}

/// Reads an order callback's body (`{"items": [order…]}`) into the orders in their
/// documented JSON form (`logibridge::ireca::parse_order_callback`): a body over the cap is
/// an `InvalidArgumentError`, one that is not the documented JSON a `DecodeError`.
#[pyfunction]
pub fn ireca_parse_order_callback<'py>(py: Python<'py>, body: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let value = py
        .detach(|| logibridge::ireca::parse_order_callback(body).and_then(|orders| documented(&orders)))
        .map_err(|e| to_pyerr(py, &e))?;
    crate::convert::to_py(py, &value)
}

/// Reads a closed-session callback's body into the session in its documented JSON form
/// (`logibridge::ireca::parse_license_callback`); errors as for the order callback.
#[pyfunction]
pub fn ireca_parse_license_callback<'py>(py: Python<'py>, body: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let value = py
        .detach(|| logibridge::ireca::parse_license_callback(body).and_then(|session| documented(&session)))
        .map_err(|e| to_pyerr(py, &e))?;
    crate::convert::to_py(py, &value)
}

/// The largest callback body the parsers read, in bytes.
#[pyfunction]
pub fn ireca_max_callback_bytes() -> usize {
    logibridge::ireca::MAX_CALLBACK_BYTES
}
