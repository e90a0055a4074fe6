//! Awaitables for the running asyncio loop, driven by the core's shared runtime.
//!
//! [`spawn`] makes a future of the running loop and a runtime task doing the work. Answers
//! go to their loop through its mailbox (one per loop): the task posts its answer without
//! the GIL; the first answer into an empty mailbox has a thread of the runtime's blocking
//! pool (never a worker, which must not wait for the GIL) schedule one `drain` on the loop
//! with `loop.call_soon_threadsafe`; that drain, on the loop's thread, builds the results
//! and resolves the futures of every answer posted until it runs. So at concurrency 64 the
//! GIL is taken by a foreign thread about once per batch, not once per answer (each such
//! hand-off can wait up to the interpreter's switch interval while the loop runs Python),
//! and results are built where they are awaited. Besides:
//! - a cancelled future aborts its task (its answer is never waited for);
//! - an answer for a loop that was closed meanwhile is dropped with a debug record on the
//!   `logibridge` logger, not a traceback from a library thread;
//! - once the interpreter exits, answers are dropped without touching Python.
//!
//! A panic inside the work becomes the library's internal error with the panic's text.

use std::future::Future;
use std::sync::Arc;

use futures_util::FutureExt;
use logibridge::Error;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::errors::to_pyerr;
use crate::lifecycle;
use crate::logging;

static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// `weakref.WeakKeyDictionary`: each loop's [`LoopMailbox`], gone with the loop.
static MAILBOXES: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

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

/// Makes a finished call's result (or exception) with the GIL: `(ok, value)`.
type Settle = Box<dyn for<'a> FnOnce(Python<'a>) -> (bool, Py<PyAny>) + Send>;

/// One answer waiting for its loop.
struct Pending {
    event_loop: Py<PyAny>,
    future: Py<PyAny>,
    what: String,
    settle: Settle,
}

impl Pending {
    /// Resolves the future (on its loop's thread), unless it was cancelled meanwhile.
    fn resolve(self, py: Python<'_>) -> PyResult<()> {
        let future = self.future.bind(py);
        if future.call_method0("done")?.is_truthy()? {
            return Ok(()); // cancelled: nobody waits
        }
        let (ok, value) = (self.settle)(py);
        future.call_method1(if ok { "set_result" } else { "set_exception" }, (value,))?;
        Ok(())
    }

    /// Drops the answer of a loop that is closed (saying so, unless it was cancelled).
    fn drop_for_closed_loop(self, py: Python<'_>) {
        let cancelled = self.future.bind(py).call_method0("done").and_then(|d| d.is_truthy()).unwrap_or(false);
        if !cancelled {
            logging::note(logging::DEBUG, format!("{}: answer dropped: its event loop is closed", self.what));
        }
    }
}

#[derive(Default)]
struct Queue {
    items: Vec<Pending>,
    /// A drain is scheduled (or being scheduled) and will take every item posted before it runs.
    scheduled: bool,
}

/// The answers on their way to one loop. The lock is never held while waiting for the GIL.
#[derive(Default)]
struct Mailbox {
    queue: std::sync::Mutex<Queue>,
}

impl Mailbox {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// From a runtime task: queues the answer; the first into an empty mailbox schedules a drain.
    fn post(self: &Arc<Self>, pending: Pending) {
        let schedule = {
            let mut q = self.lock();
            q.items.push(pending);
            !std::mem::replace(&mut q.scheduled, true)
        };
        if schedule {
            let mailbox = self.clone();
            drop(logibridge::blocking::spawn_blocking(move || mailbox.schedule()));
        }
    }

    /// On the blocking pool: asks the loop to run [`Drain`], or drops the answers of a
    /// closed loop. Nothing happens once the interpreter exits.
    fn schedule(self: Arc<Self>) {
        let failed = lifecycle::with_python(|py| {
            let Some(event_loop) = self.lock().items.first().map(|p| p.event_loop.clone_ref(py)) else {
                self.lock().scheduled = false;
                return None;
            };
            let event_loop = event_loop.bind(py);
            let scheduled = match event_loop.call_method0("is_closed").and_then(|c| c.is_truthy()) {
                Ok(true) => Ok(false),
                Ok(false) => match Py::new(py, Drain(self.clone())).and_then(|drain| event_loop.call_method1("call_soon_threadsafe", (drain,))) {
                    Ok(_) => Ok(true),
                    // Closed between the look and the call.
                    Err(e) if e.is_instance_of::<PyRuntimeError>(py) && event_loop.call_method0("is_closed").and_then(|c| c.is_truthy()).unwrap_or(false) => Ok(false),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            };
            if matches!(scheduled, Ok(true)) {
                return None;
            }
            let items = {
                let mut q = self.lock();
                q.scheduled = false;
                std::mem::take(&mut q.items)
            };
            match scheduled {
                Err(e) => Some((items.into_iter().map(|p| p.what).collect::<Vec<_>>(), e.to_string())),
                _ => {
                    items.into_iter().for_each(|p| p.drop_for_closed_loop(py));
                    None
                }
            }
        });
        if let Some(Some((whats, why))) = failed {
            for what in whats {
                logging::note(logging::DEBUG, format!("{what}: the answer could not be handed to its future: {why}"));
            }
        }
    }
}

/// A loop's mailbox, kept in [`MAILBOXES`] under the loop.
#[pyclass(module = "logibridge._native", frozen)]
struct LoopMailbox(Arc<Mailbox>);

/// Run by the loop: resolves every answer posted so far.
#[pyclass(module = "logibridge._native", frozen)]
struct Drain(Arc<Mailbox>);

#[pymethods]
impl Drain {
    fn __call__(&self, py: Python<'_>) {
        let items = {
            let mut q = self.0.lock();
            q.scheduled = false;
            std::mem::take(&mut q.items)
        };
        for pending in items {
            let what = pending.what.clone();
            if let Err(why) = pending.resolve(py) {
                logging::note(logging::DEBUG, format!("{what}: the answer could not be handed to its future: {why}"));
            }
        }
    }
}

/// The running loop's mailbox (a new one each time for a loop that takes no weak reference).
fn mailbox_of(py: Python<'_>, event_loop: &Bound<'_, PyAny>) -> PyResult<Arc<Mailbox>> {
    let boxes = MAILBOXES.get_or_try_init(py, || -> PyResult<Py<PyAny>> { Ok(py.import("weakref")?.getattr("WeakKeyDictionary")?.call0()?.unbind()) })?.bind(py);
    if let Ok(found) = boxes.call_method1("get", (event_loop,)) {
        if let Ok(mailbox) = found.cast::<LoopMailbox>() {
            return Ok(mailbox.get().0.clone());
        }
    }
    let mailbox = Arc::new(Mailbox::default());
    // A loop that takes no weak reference cannot be a key: its answers still arrive, one drain each.
    let _ = boxes.set_item(event_loop, LoopMailbox(mailbox.clone()));
    Ok(mailbox)
}

/// Runs `work` on the shared runtime and returns a future of the running asyncio loop that
/// resolves to `finish(answer)` (run with the GIL, on the loop's thread) or raises the
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
    let mailbox = mailbox_of(py, &event_loop)?;
    let (event_loop, answer_to) = (event_loop.unbind(), future.clone().unbind());
    let task = logibridge::blocking::runtime().spawn(async move {
        let outcome = std::panic::AssertUnwindSafe(work).catch_unwind().await;
        let outcome = outcome.unwrap_or_else(|panic| Err(Error::Internal(logibridge::blocking::panic_message(panic.as_ref()))));
        let settle: Settle = Box::new(move |py| match outcome.map(|answer| finish(py, answer)) {
            Ok(Ok(value)) => (true, value),
            Ok(Err(py_err)) => (false, py_err.into_value(py).into_any()),
            Err(e) => (false, to_pyerr(py, &e).into_value(py).into_any()),
        });
        mailbox.post(Pending { event_loop, future: answer_to, what, settle });
    });
    future.call_method1("add_done_callback", (AbortOnDone(task.abort_handle()),))?;
    Ok(future)
}
