//! The interpreter's lifecycle as the core's runtime threads see it.
//!
//! Runtime threads are not Python threads: they outlive the interpreter. A thread that
//! attaches while Python finalizes is killed or aborts the process ("PyGILState_Release:
//! thread state must be current … finalizing"), so every call into Python from a runtime
//! thread goes through [`with_python`], and the package's `atexit` hook calls [`shutdown`]:
//! from then on no runtime thread enters Python, and those already inside are waited for
//! before finalization begins (atexit hooks run before it).
//!
//! After `fork()` the child starts with no thread inside, whatever the parent had
//! ([`logibridge::blocking::PerProcess`] gives it a counter of its own).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use logibridge::blocking::PerProcess;
use pyo3::prelude::*;

/// Set by [`shutdown`]: Python is about to finalize.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Runtime threads inside (or entering) [`with_python`] in this process.
static INSIDE: PerProcess<AtomicUsize> = PerProcess::new();

/// How long [`shutdown`] waits for threads already inside Python to leave. They hold or
/// wait for the GIL only to hand over a finished result, which takes microseconds; the
/// bound is for a user callback that never returns.
const LEAVE_WAIT: Duration = Duration::from_secs(2);

fn inside() -> &'static AtomicUsize {
    INSIDE.get_or_init(|| AtomicUsize::new(0))
}

/// Runs `f` attached to the interpreter, or not at all (None) once the interpreter shuts
/// down. For threads the interpreter does not know (the runtime's); Python threads are
/// attached already.
pub fn with_python<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Option<R> {
    struct Leave(&'static AtomicUsize);
    impl Drop for Leave {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let count = inside();
    // Counted before looking at CLOSED (both SeqCst): `shutdown` stores CLOSED, then reads
    // the count, so either it sees this thread or this thread sees CLOSED.
    count.fetch_add(1, Ordering::SeqCst);
    let _leave = Leave(count);
    if CLOSED.load(Ordering::SeqCst) {
        return None;
    }
    Python::try_attach(f)
}

/// Whether [`shutdown`] was called: the interpreter is exiting.
pub fn is_shut_down() -> bool {
    CLOSED.load(Ordering::SeqCst)
}

/// Stops the runtime's threads from entering Python and waits (GIL released, at most
/// two seconds) for those inside to leave. Called by the package's `atexit` hook; calls in
/// flight go on and their results are dropped.
#[pyfunction]
pub fn shutdown(py: Python<'_>) {
    CLOSED.store(true, Ordering::SeqCst);
    crate::logging::wake();
    let count = inside();
    py.detach(|| {
        let deadline = Instant::now() + LEAVE_WAIT;
        while count.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}
