//! Blocking facades over the async clients, for hosts without an event loop (C, 1C,
//! synchronous Python). All of them run on one shared multi-threaded runtime.
//!
//! ```no_run
//! let shop = logibridge::blocking::Carreta::new(
//!     logibridge::carreta::Client::builder("my-api-key").build()?);
//! let offers = shop.search("oc47")?;
//! # Ok::<(), logibridge::Error>(())
//! ```

use std::future::Future;
use std::sync::OnceLock;

use crate::carreta::{self, HistoryEntry, ListOrders, NewOrder, Offer, Order, Profile};
use crate::error::{Error, Result};

/// A blocking call made on a thread that drives async tasks: it would deadlock or starve them.
fn blocking_in_async() -> Error {
    Error::invalid_argument(
        "a blocking call was made from inside an async runtime; use the async client there",
        "блокирующий вызов сделан изнутри асинхронного окружения; там используйте асинхронный клиент",
    )
}

/// The library's shared runtime (two worker threads, started on first use).
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("logibridge")
            .enable_all()
            .build()
            .expect("the logibridge runtime must start")
    })
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
    use futures_util::FutureExt;
    if !may_block() {
        return Err(blocking_in_async());
    }
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    runtime().spawn(async move {
        let outcome = std::panic::AssertUnwindSafe(future).catch_unwind().await;
        let _ = tx.send(outcome.map_err(|p| Error::Internal(panic_message(p.as_ref()))));
    });
    rx.recv().unwrap_or_else(|_| Err(Error::Internal("the task ended without a result".into())))
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
}
