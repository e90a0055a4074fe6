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
        return Err(Error::InvalidArgument("a blocking call was made from inside an async runtime; use the async client there".into()));
    }
    Ok(runtime().block_on(future))
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
