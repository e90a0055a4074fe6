//! Awaitables for the running asyncio loop, driven by the core's shared runtime.
//!
//! [`spawn`] makes a future of the running loop and a runtime task doing the work. The
//! answer is handed over from the runtime's blocking pool (never from a worker, which
//! must not wait for the GIL) through [`crate::lifecycle::with_python`] and
//! `loop.call_soon_threadsafe`, so:
//! - a cancelled future aborts its task (its answer is never waited for);
//! - an answer for a loop that was closed meanwhile is dropped with a debug record on the
//!   `logibridge` logger, not a traceback from a library thread;
//! - once the interpreter exits, answers are dropped without touching Python.
//!
//! A panic inside the work becomes the library's internal error with the panic's text.

use std::future::Future;

use futures_util::FutureExt;
use logibridge::Error;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::errors::to_pyerr;
use crate::lifecycle;
use crate::logging;

static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static COMPLETE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Aborts the task behind a future once the future is done: cancelled, or resolved (then
/// the task has ended and aborting does nothing).
#[pyclass(module = "logibridge._native", frozen)]
struct AbortOnDone(tokio::task::AbortHandle);

#[pymethods]
impl AbortOnDone {
    fn __call__(&self, _future: &Bound<'_, PyAny>) {
        self.0.abort();
    }
}

/// Resolves `future` on its loop's thread, unless it was cancelled meanwhile.
#[pyfunction]
fn complete(future: &Bound<'_, PyAny>, ok: bool, value: &Bound<'_, PyAny>) -> PyResult<()> {
    if future.call_method0("done")?.is_truthy()? {
        return Ok(());
    }
    future.call_method1(if ok { "set_result" } else { "set_exception" }, (value,))?;
    Ok(())
}

/// Runs `work` on the shared runtime and returns a future of the running asyncio loop that
/// resolves to `finish(answer)` (run with the GIL, off the loop's thread) or raises the
/// error. `what` names the call in the debug record of a dropped answer. Raises
/// `RuntimeError` outside a running loop, as asyncio does.
pub fn spawn<'py, T, W, C>(py: Python<'py>, what: String, work: W, finish: C) -> PyResult<Bound<'py, PyAny>>
where
    T: Send + 'static,
    W: Future<Output = logibridge::Result<T>> + Send + 'static,
    C: for<'a> FnOnce(Python<'a>, T) -> PyResult<Py<PyAny>> + Send + 'static,
{
    let get_running_loop = GET_RUNNING_LOOP.get_or_try_init(py, || -> PyResult<Py<PyAny>> { Ok(py.import("asyncio")?.getattr("get_running_loop")?.unbind()) })?;
    let event_loop = get_running_loop.bind(py).call0()?;
    let future = event_loop.call_method0("create_future")?;
    let answer_to = Delivery { event_loop: event_loop.unbind(), future: future.clone().unbind(), what };
    let task = logibridge::blocking::runtime().spawn(async move {
        let outcome = std::panic::AssertUnwindSafe(work).catch_unwind().await;
        let outcome = outcome.unwrap_or_else(|panic| Err(Error::Internal(logibridge::blocking::panic_message(panic.as_ref()))));
        // Handing over needs the GIL: not on a worker, which other calls need meanwhile.
        drop(logibridge::blocking::spawn_blocking(move || answer_to.deliver(outcome, finish)));
    });
    future.call_method1("add_done_callback", (AbortOnDone(task.abort_handle()),))?;
    Ok(future)
}

/// Where an answer goes: a future and its loop.
struct Delivery {
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
    what: String,
}

impl Delivery {
    fn deliver<T>(self, outcome: logibridge::Result<T>, finish: impl for<'a> FnOnce(Python<'a>, T) -> PyResult<Py<PyAny>>) {
        let what = self.what.clone();
        // None: the interpreter exits; the answer goes with it, and the objects are freed
        // by pyo3 later (never, in fact), not here.
        let failed = lifecycle::with_python(|py| self.hand_over(py, outcome, finish).err().map(|e| e.to_string())).flatten();
        if let Some(why) = failed {
            logging::note(logging::DEBUG, format!("{what}: the answer could not be handed to its future: {why}"));
        }
    }

    fn hand_over<T>(self, py: Python<'_>, outcome: logibridge::Result<T>, finish: impl for<'a> FnOnce(Python<'a>, T) -> PyResult<Py<PyAny>>) -> PyResult<()> {
        let future = self.future.bind(py);
        let event_loop = self.event_loop.bind(py);
        if future.call_method0("done")?.is_truthy()? {
            return Ok(()); // cancelled: nobody waits
        }
        if event_loop.call_method0("is_closed")?.is_truthy()? {
            self.dropped();
            return Ok(());
        }
        let (ok, value) = match outcome.map(|answer| finish(py, answer)) {
            Ok(Ok(value)) => (true, value),
            Ok(Err(py_err)) => (false, py_err.into_value(py).into_any()),
            Err(e) => (false, to_pyerr(py, &e).into_value(py).into_any()),
        };
        let complete = COMPLETE.get_or_try_init(py, || -> PyResult<Py<PyAny>> { Ok(wrap_pyfunction!(complete, py)?.into_any().unbind()) })?;
        match event_loop.call_method1("call_soon_threadsafe", (complete, future, ok, value)) {
            Ok(_) => Ok(()),
            // Closed between the look and the call.
            Err(e) if e.is_instance_of::<PyRuntimeError>(py) && event_loop.call_method0("is_closed")?.is_truthy()? => {
                self.dropped();
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    fn dropped(&self) {
        logging::note(logging::DEBUG, format!("{}: answer dropped: its event loop is closed", self.what));
    }
}
