//! `logibridge::Error` → the package's exception classes, in one place.
//!
//! The classes live in Python (`logibridge/_exceptions.py`, so they are plain, picklable,
//! documented Python classes); this module hands the error's parts to the factory there.
//! Every part comes from the core's accessors or fields, which never hold a secret.

use logibridge::carreta::OrderQtyViolation;
use logibridge::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyType};
use pyo3::intern;
use std::sync::Mutex;

static FACTORY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static VALIDATION_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The snake-case name of an error kind, as the Python side dispatches on it.
pub fn kind_name(kind: ErrorKind) -> &'static str {
    kind.name()
}

/// The error's parts as a dict: `kind`, `code`, `text` (what `str()` shows), `message`
/// (the short explanation: the rule's text, or the service's own message), `message_ru`,
/// `field`, `status`, `endpoint`, `body`, `retry_after` (seconds), `path`,
/// `outcome_unknown` (the request was sent and its answer lost: it may have been applied).
pub fn parts<'py>(py: Python<'py>, err: &Error) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("kind", kind_name(err.kind()))?;
    d.set_item("code", err.code())?;
    d.set_item("text", err.to_string())?;
    d.set_item("message_ru", err.message_ru())?;
    d.set_item("field", err.field())?;
    d.set_item("status", err.status())?;
    d.set_item("endpoint", err.endpoint())?;
    d.set_item("outcome_unknown", err.outcome_unknown())?;
    d.set_item("body", err.body())?;
    let message = match err {
        // `message` is the rule's own short text (`text` names the field); `message_ru`
        // stays the whole error in Russian, as the C and 1C faces give it: a Russian
        // interface has a sentence that names the field, not a fragment.
        Error::Validation(v) => v.message.clone(),
        Error::InvalidParameter { message, .. } => message.clone(),
        Error::Http { message, body, retry_after, .. } => {
            d.set_item("body", body)?;
            d.set_item("retry_after", retry_after.map(|r| r.as_secs_f64()))?;
            message.clone()
        }
        Error::Auth { message, .. } | Error::Transport { message, .. } => message.clone(),
        Error::Decode { message, path, .. } => {
            d.set_item("path", path)?;
            message.clone()
        }
        Error::InvalidArgument { message, .. } | Error::Internal(message) => message.clone(),
        other => other.to_string(),
    };
    d.set_item("message", message)?;
    Ok(d)
}

/// The Python exception for a core error.
pub fn to_pyerr(py: Python<'_>, err: &Error) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let factory = FACTORY.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("logibridge._exceptions")?.getattr("_from_native")?.unbind())
        })?;
        let exc = factory.bind(py).call1((parts(py, err)?,))?;
        Ok(PyErr::from_value(exc))
    };
    // If the package itself cannot be imported (a broken install), still say what happened.
    build().unwrap_or_else(|import_failure| {
        pyo3::exceptions::PyRuntimeError::new_err(format!("{err} (and the logibridge exception classes could not be loaded: {import_failure})"))
    })
}

/// Shorthand for an [`Error::InvalidArgument`] raised as the package's exception, with its
/// English and Russian texts.
pub fn invalid_argument(py: Python<'_>, message: impl Into<String>, message_ru: impl Into<String>) -> PyErr {
    to_pyerr(py, &Error::invalid_argument(message, message_ru))
}

/// The texts of a refused order size, written when the exception's `message`,
/// `message_ru` or `str()` is first read (`ValidationError.__getattr__` in
/// `logibridge/_exceptions.py` calls it once and keeps what it returns).
#[pyclass(module = "logibridge._native", name = "_OrderQtyTexts", frozen)]
pub struct OrderQtyTexts(OrderQtyViolation);

#[pymethods]
impl OrderQtyTexts {
    /// `{"message", "message_ru", "_text"}`: what [`parts`] gives the eager exception.
    fn __call__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let err = Error::from(self.0.clone());
        let d = PyDict::new(py);
        d.set_item("message", self.0.message())?;
        d.set_item("message_ru", err.message_ru())?;
        d.set_item("_text", err.to_string())?;
        Ok(d)
    }
}

/// A refused order size as `logibridge.ValidationError`, its texts left unwritten.
///
/// Why: a refusal cost 9.4 µs (two messages, an error dict, the Python factory and three
/// `__init__`s), twice a pure-Python rule; most callers only catch it or read `code`. The
/// exception is made without `__init__` and given `field`, `code`, `endpoint` and the
/// facts; `message`, `message_ru` and `str()` are written from the facts on first read,
/// equal to the eager ones. Its `args` stay `()` until then.
pub fn order_qty_refusal(py: Python<'_>, v: OrderQtyViolation) -> PyErr {
    let (field, code) = (v.field(), v.code());
    let texts = match Bound::new(py, OrderQtyTexts(v)) {
        Ok(texts) => texts,
        Err(e) => return e,
    };
    let build = || -> PyResult<PyErr> {
        let cls = VALIDATION_ERROR.import(py, "logibridge._exceptions", "ValidationError")?;
        // BaseException.__new__: `args` empty, no `__init__` run.
        let exc = cls.getattr(intern!(py, "__new__"))?.call1((cls,))?;
        // Straight into the instance dict: what setattr would do after looking each name
        // up along the class's MRO first.
        let attributes = exc.getattr(intern!(py, "__dict__"))?.cast_into::<PyDict>()?;
        attributes.set_item(intern!(py, "field"), static_text(py, field))?;
        attributes.set_item(intern!(py, "code"), static_text(py, code))?;
        attributes.set_item(intern!(py, "endpoint"), py.None())?;
        attributes.set_item(intern!(py, "_texts"), &texts)?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|_| to_pyerr(py, &Error::from(texts.get().0.clone())))
}

/// A refusal's `field` or `code` as a Python string, made once per text: they are a handful
/// of static strings, and interning one anew (decode, hash, look up) cost more than a
/// tenth of a refusal.
fn static_text<'py>(py: Python<'py>, text: &'static str) -> Bound<'py, PyString> {
    static TEXTS: Mutex<Vec<(&'static str, Py<PyString>)>> = Mutex::new(Vec::new());
    let mut texts = TEXTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, made)) = texts.iter().find(|(t, _)| std::ptr::eq(*t, text)) {
        return made.bind(py).clone();
    }
    let made = PyString::intern(py, text);
    texts.push((text, made.clone().unbind()));
    made
}
