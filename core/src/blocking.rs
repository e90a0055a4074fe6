//! Blocking facades over the async clients, for hosts without an event loop (C, 1C,
//! synchronous Python). All of them run on one shared multi-threaded runtime.
//!
//! ```no_run
//! let shop = logibridge::blocking::Carreta::new(
//!     logibridge::carreta::Client::builder("my-api-key").build()?);
//! let offers = shop.search("oc47")?;
//! # Ok::<(), logibridge::Error>(())
//! ```

use std::fmt;
use std::future::Future;

use crate::carreta::{self, HistoryEntry, ListOrders, NewOrder, Offer, Order, Profile};
use crate::error::{Error, Result};

/// A blocking call made on a thread that drives async tasks: it would deadlock or starve them.
fn blocking_in_async() -> Error {
    Error::invalid_argument(
        "a blocking call was made from inside an async runtime; use the async client there",
        "блокирующий вызов сделан изнутри асинхронного окружения; там используйте асинхронный клиент",
    )
}

/// The library's shared runtime: two worker threads, started on first use in each
/// process.
///
/// A process made by `fork()` holds a copy of its parent's runtime but none of its threads:
/// a task spawned there would never run. So the runtime is made once per process (see
/// [`PerProcess`]): the child's first call starts a runtime of its own, and the copy of
/// the parent's is never touched, not even dropped (dropping it would wait for threads
/// that exist only in the parent and deregister sockets from an epoll set the two
/// processes share). Objects made on the parent's runtime (a client's connections) stay
/// the parent's; a face refuses them in the child ([`fork_generation`] tells which
/// process made them).
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: PerProcess<tokio::runtime::Runtime> = PerProcess::new();
    RUNTIME.get_or_init(|| {
        pin_this_module();
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("logibridge")
            .enable_all()
            .build()
            .expect("the logibridge runtime must start")
    })
}

/// Keeps the Windows DLL that holds this code (the 1C component, the C library) loaded until
/// the process exits, from the moment its runtime starts.
///
/// The runtime's worker threads run this module's code for the rest of the process, and a
/// host may unload the DLL when it no longer needs it (1C does, `FreeLibrary`): the threads
/// would then run on in unmapped memory and the process would crash with a page fault. A
/// pinned module is never unmapped, whatever `FreeLibrary` is called, as the Linux builds
/// are `-z nodelete` (onec/build.rs). In an executable (tests, the Python face's host) the
/// pin changes nothing. Failing to pin leaves the old behaviour: nothing to report.
#[cfg(windows)]
fn pin_this_module() {
    use windows_sys::Win32::System::LibraryLoader::{
        GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, GET_MODULE_HANDLE_EX_FLAG_PIN, GetModuleHandleExW,
    };
    let mut module = std::ptr::null_mut();
    // SAFETY: with FROM_ADDRESS the "name" is any address inside the module, here this
    // function's own; `module` receives a handle that is never released (it is pinned).
    unsafe {
        GetModuleHandleExW(
            GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
            pin_this_module as *const () as *const u16,
            &mut module,
        );
    }
}

#[cfg(not(windows))]
fn pin_this_module() {}

/// Which process this is, counted in forks: 0 in the process that loaded the library,
/// one more in each child made by `fork()` after that (the children of one parent share a
/// number, which is enough: each only compares with what its own ancestors made). Unlike
/// a pid it cannot come back: a grandchild may get its grandparent's pid, never its
/// generation. Always 0 where there is no `fork()`.
///
/// ```
/// let made_in = logibridge::blocking::fork_generation();
/// assert_eq!(made_in, logibridge::blocking::fork_generation(), "same process, same number");
/// ```
pub fn fork_generation() -> u64 {
    fork::watch();
    fork::GENERATION.load(std::sync::atomic::Ordering::Acquire)
}

#[cfg(unix)]
mod fork {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Once;

    pub static GENERATION: AtomicU64 = AtomicU64::new(0);

    /// Runs in the child right after `fork()`, on its only thread: an atomic add is all
    /// it may do (async-signal-safe).
    extern "C" fn in_child() {
        GENERATION.fetch_add(1, Ordering::AcqRel);
    }

    /// Registers [`in_child`] with `pthread_atfork` once per process image (children
    /// inherit the registration).
    pub fn watch() {
        static WATCHING: Once = Once::new();
        WATCHING.call_once(|| {
            // SAFETY: registers a plain function that touches only an atomic; it stays
            // valid for the life of the process.
            let failed = unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
            // Only ENOMEM is possible; then children share the parent's number and keep
            // the behaviour this library had before it knew about fork.
            debug_assert_eq!(failed, 0, "pthread_atfork");
        });
    }
}

#[cfg(not(unix))]
mod fork {
    pub static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    pub fn watch() {}
}

/// A value made once per process (per [`fork_generation`]): the same `&'static` for every
/// thread of a process, a new one in a forked child on first use there. Values of earlier
/// processes are leaked on purpose, never dropped (see [`runtime`]).
///
/// No lock is held across `make`, so a fork in the middle of another thread's `make` cannot
/// leave the child waiting on a lock whose holder it does not have: the child takes over
/// the unfinished claim.
///
/// ```
/// use logibridge::blocking::PerProcess;
/// static STARTED: PerProcess<std::time::Instant> = PerProcess::new();
/// let first = STARTED.get_or_init(std::time::Instant::now);
/// assert!(std::ptr::eq(first, STARTED.get_or_init(std::time::Instant::now)));
/// ```
pub struct PerProcess<T: 'static> {
    current: std::sync::atomic::AtomicPtr<(u64, T)>,
    /// `generation + 1` of the process making the value now, 0 when none is.
    making: std::sync::atomic::AtomicU64,
}

impl<T: 'static> Default for PerProcess<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: 'static> PerProcess<T> {
    /// An empty slot.
    pub const fn new() -> Self {
        PerProcess { current: std::sync::atomic::AtomicPtr::new(std::ptr::null_mut()), making: std::sync::atomic::AtomicU64::new(0) }
    }

    /// This process's value, if it was made.
    pub fn get(&self) -> Option<&'static T> {
        self.of(fork_generation())
    }

    fn of(&self, generation: u64) -> Option<&'static T> {
        let slot = self.current.load(std::sync::atomic::Ordering::Acquire);
        // SAFETY: a non-null pointer was made by `Box::leak` below and is never freed.
        let (made_in, value) = unsafe { slot.as_ref() }?;
        (*made_in == generation).then_some(value)
    }

    /// This process's value, made by `make` on first use in the process. Other threads
    /// asking meanwhile wait for it; if `make` panics, the next caller tries again.
    pub fn get_or_init(&self, make: impl FnOnce() -> T) -> &'static T {
        use std::sync::atomic::Ordering;
        let generation = fork_generation();
        let mut make = Some(make);
        loop {
            if let Some(value) = self.of(generation) {
                return value;
            }
            let claim = self.making.load(Ordering::Acquire);
            if claim == generation + 1 {
                std::thread::yield_now(); // another thread of this process is making it
                continue;
            }
            // Unclaimed, or a claim left by an ancestor process mid-`make`.
            if self.making.compare_exchange(claim, generation + 1, Ordering::AcqRel, Ordering::Acquire).is_err() {
                continue;
            }
            struct Release<'a>(&'a std::sync::atomic::AtomicU64);
            impl Drop for Release<'_> {
                fn drop(&mut self) {
                    self.0.store(0, std::sync::atomic::Ordering::Release);
                }
            }
            let _release = Release(&self.making);
            let make = make.take().expect("make runs once: a claim is taken once per call");
            let made: &'static mut (u64, T) = Box::leak(Box::new((generation, make())));
            self.current.store(made, Ordering::Release);
            return &made.1;
        }
    }
}

/// Runs a future to completion on the shared runtime. Refuses (instead of panicking) when
/// called from inside an async runtime, where blocking would stall it.
pub fn block_on<F: Future>(future: F) -> Result<F::Output> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(blocking_in_async());
    }
    Ok(runtime().block_on(future))
}

/// Runs a future on the shared runtime and waits for it on this thread: the one "run and
/// wait" of every face. Unlike [`block_on`] it also works on a thread the runtime owns but
/// does not drive (the blocking pool, where C callbacks run); it refuses only on a thread
/// that drives an async runtime. A panic inside the future becomes [`Error::Internal`].
///
/// ```
/// let n = logibridge::blocking::wait(async { 40 + 2 }).unwrap();
/// assert_eq!(n, 42);
/// let e = logibridge::blocking::wait(async { if true { panic!("boom") }; 1 }).unwrap_err();
/// assert!(e.to_string().contains("boom"));
/// ```
pub fn wait<F>(future: F) -> Result<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    start(future)?.wait()
}

/// A future started on the shared runtime by [`start`], whose result a blocking thread
/// waits for, all at once ([`wait`](Self::wait)) or in slices
/// ([`wait_timeout`](Self::wait_timeout)). The future runs to its end whether or not
/// anyone waits; dropping the `Pending` drops its result.
pub struct Pending<T> {
    result: std::sync::mpsc::Receiver<Result<T>>,
}

impl<T> fmt::Debug for Pending<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pending")
    }
}

/// Starts a future on the shared runtime and returns at once. A slice of waiting is timed
/// by this thread's clock ([`Pending::wait_timeout`]), not by a timer inside the runtime,
/// and a slice that runs out leaves the future running, so a result that comes later is
/// kept for the next slice instead of being lost.
///
/// Errors: [`Error::InvalidArgument`] on a thread that drives an async runtime.
///
/// ```
/// use std::time::Duration;
/// let pending = logibridge::blocking::start(async {
///     tokio::time::sleep(Duration::from_millis(50)).await;
///     7
/// }).unwrap();
/// let mut slices = 0;
/// let seven = loop {
///     slices += 1;
///     if let Some(done) = pending.wait_timeout(Duration::from_millis(5)) {
///         break done.unwrap();
///     }
/// };
/// assert_eq!(seven, 7);
/// assert!(slices > 1, "the first slice ran out before the future ended");
/// ```
pub fn start<F>(future: F) -> Result<Pending<F::Output>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    use futures_util::FutureExt;
    if !may_block() {
        return Err(blocking_in_async());
    }
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    runtime().spawn(async move {
        let outcome = std::panic::AssertUnwindSafe(future).catch_unwind().await;
        let _ = tx.send(outcome.map_err(|p| Error::Internal(panic_message(p.as_ref()))));
    });
    Ok(Pending { result: rx })
}

impl<T> Pending<T> {
    /// Waits for the future's end; a panic inside it is [`Error::Internal`].
    pub fn wait(self) -> Result<T> {
        self.result.recv().unwrap_or_else(|_| Err(Self::vanished()))
    }

    /// Waits at most `limit`: `None` when the time ran out first (the future goes on;
    /// call again for its result), `Some` with its result otherwise.
    pub fn wait_timeout(&self, limit: std::time::Duration) -> Option<Result<T>> {
        match self.result.recv_timeout(limit) {
            Ok(result) => Some(result),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Some(Err(Self::vanished())),
        }
    }

    fn vanished() -> Error {
        Error::Internal("the task ended without a result".into())
    }
}

thread_local! {
    /// Set while this thread runs work handed over with [`spawn_blocking`].
    static IN_BLOCKING_WORK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread may block: it drives no async runtime, or it is running work handed
/// to the shared runtime's blocking pool with [`spawn_blocking`] (library-side calls, C
/// callbacks).
pub fn may_block() -> bool {
    tokio::runtime::Handle::try_current().is_err() || IN_BLOCKING_WORK.with(|f| f.get())
}

/// Runs blocking work on the shared runtime's blocking pool; inside it, [`wait`] and the
/// price-list download may block (see [`may_block`]).
pub fn spawn_blocking<F, R>(f: F) -> tokio::task::JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    runtime().spawn_blocking(move || {
        struct Reset(bool);
        impl Drop for Reset {
            fn drop(&mut self) {
                IN_BLOCKING_WORK.with(|flag| flag.set(self.0));
            }
        }
        let _reset = Reset(IN_BLOCKING_WORK.with(|flag| flag.replace(true)));
        f()
    })
}

/// The text of a caught panic's payload (`&str` or `String`; anything else is "panic").
///
/// ```
/// let p = std::panic::catch_unwind(|| panic!("at {}", 3)).unwrap_err();
/// assert_eq!(logibridge::blocking::panic_message(p.as_ref()), "at 3");
/// ```
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_owned())
}

/// Blocking Carreta client: the same methods as [`carreta::Client`], without `.await`.
#[derive(Clone, Debug)]
pub struct Carreta {
    inner: carreta::Client,
}

impl Carreta {
    /// Wraps an async client.
    pub fn new(inner: carreta::Client) -> Carreta {
        Carreta { inner }
    }
    /// The async client inside.
    pub fn inner(&self) -> &carreta::Client {
        &self.inner
    }
    /// See [`carreta::Client::profile`].
    pub fn profile(&self) -> Result<Profile> {
        block_on(self.inner.profile())?
    }
    /// See [`carreta::Client::search`].
    pub fn search(&self, query: &str) -> Result<Vec<Offer>> {
        block_on(self.inner.search(query))?
    }
    /// See [`carreta::Client::create_order`].
    pub fn create_order(&self, order: &NewOrder) -> Result<Order> {
        block_on(self.inner.create_order(order))?
    }
    /// See [`carreta::Client::create_order_once`].
    pub fn create_order_once(&self, order: &NewOrder) -> Result<carreta::CreatedOrder> {
        block_on(self.inner.create_order_once(order))?
    }
    /// See [`carreta::Client::create_test_order`].
    pub fn create_test_order(&self, order: &NewOrder) -> Result<Order> {
        block_on(self.inner.create_test_order(order))?
    }
    /// See [`carreta::Client::list_orders`].
    pub fn list_orders(&self, filter: &ListOrders) -> Result<Vec<Order>> {
        block_on(self.inner.list_orders(filter))?
    }
    /// Every matching order across all pages, fetched lazily as the iterator advances.
    pub fn orders(&self, filter: ListOrders) -> impl Iterator<Item = Result<Order>> {
        let mut pages = self.inner.orders(filter);
        let mut current = Vec::<Order>::new().into_iter();
        let mut done = false;
        std::iter::from_fn(move || loop {
            if let Some(o) = current.next() {
                return Some(Ok(o));
            }
            if done {
                return None;
            }
            match block_on(pages.next_page()).and_then(|r| r) {
                Ok(Some(page)) => current = page.into_iter(),
                Ok(None) => done = true,
                Err(e) => {
                    done = true;
                    return Some(Err(e));
                }
            }
        })
    }
    /// See [`carreta::Client::get_order`].
    pub fn get_order(&self, id: u64) -> Result<Order> {
        block_on(self.inner.get_order(id))?
    }
    /// See [`carreta::Client::order_history`].
    pub fn order_history(&self, id: u64) -> Result<Vec<HistoryEntry>> {
        block_on(self.inner.order_history(id))?
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn workers_may_not_block_and_the_blocking_pool_may() {
        let rt = super::runtime();
        let on_worker = rt.block_on(async { rt.spawn(async { super::may_block() }).await.unwrap() });
        assert!(!on_worker, "a worker of the shared runtime must not block");
        let on_pool = rt.block_on(async { super::spawn_blocking(super::may_block).await.unwrap() });
        let plain_pool = rt.block_on(async { rt.spawn_blocking(super::may_block).await.unwrap() });
        assert!(!plain_pool, "only work handed over with blocking::spawn_blocking may block");
        assert!(on_pool, "the shared runtime's blocking pool may block");
        assert!(super::may_block(), "a plain thread may block");
        let other = tokio::runtime::Builder::new_current_thread().build().unwrap();
        assert!(!other.block_on(async { super::may_block() }), "inside another runtime it may not");
    }
    /// A child made by `fork()` after the runtime started (its threads exist only in the
    /// parent) gets a runtime of its own and can run work on it.
    #[cfg(unix)]
    #[test]
    fn a_forked_child_runs_work_on_a_runtime_of_its_own() {
        let parent_rt = super::runtime() as *const tokio::runtime::Runtime as usize;
        assert_eq!(super::wait(async { 1 }).unwrap(), 1, "the parent's runtime runs");
        let parent_generation = super::fork_generation();
        // SAFETY: the child only runs this library's code and leaves with _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let own = super::runtime() as *const tokio::runtime::Runtime as usize != parent_rt;
            let newer = super::fork_generation() == parent_generation + 1;
            let ran = super::wait(async { tokio::time::sleep(std::time::Duration::from_millis(1)).await; 7 }).ok() == Some(7);
            let code = if own && newer && ran { 0 } else { 1 + own as i32 + 2 * newer as i32 };
            // SAFETY: ends the child without running the parent's destructors or test harness.
            unsafe { libc::_exit(code) };
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let mut status = 0;
        loop {
            // SAFETY: waits for the child made above.
            let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            if done == pid {
                break;
            }
            if std::time::Instant::now() > deadline {
                // SAFETY: the child made above.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                panic!("the forked child hung: it waited on the parent's runtime");
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "child status {status}");
        assert_eq!(super::wait(async { 2 }).unwrap(), 2, "the parent's runtime still runs");
    }
}
