//! The typed Carreta client: the six calls as Rust methods, on the one generic
//! [`crate::Client`] and the rows of [`crate::endpoints::carreta`].


use serde_json::{json, Value};

use super::models::{HistoryEntry, NewOrder, Offer, Order, Profile};
use crate::call::to_json;
use crate::endpoints::carreta::{self as rows, SERVICE};
use crate::endpoints::Endpoint;
use crate::error::Result;
use crate::pager::Pager;

/// The shop's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.carreta.ru/v1/";

/// Orders per page of `carreta.order.list`, as documented.
pub const ORDERS_PER_PAGE: usize = 100;

/// Builds a [`Client`]: the options every typed client takes
/// ([`crate::TypedClientBuilder`]) plus [`ClientBuilder::account`].
///
/// ```
/// use std::time::Duration;
/// let client = logibridge::carreta::Client::builder("s3cr3t-canary")
///     .base_url("http://127.0.0.1:8080/carreta/v1/")
///     .account("1002")
///     .timeout(Duration::from_secs(5))
///     .max_retries(0)
///     .build()
///     .unwrap();
/// assert!(!format!("{client:?}").contains("s3cr3t-canary"));
/// ```
pub type ClientBuilder = crate::TypedClientBuilder<Client>;

impl ClientBuilder {
    /// The account to act for when the key serves several; the manager's default otherwise.
    pub fn account(self, account: impl Into<String>) -> Self {
        self.map(|b| b.param("account", account.into()))
    }
}

/// Filters for `carreta.order.list`.
///
/// ```
/// let q = logibridge::carreta::ListOrders::new().page(2).client_comment("247874").client_comment("192709");
/// assert_eq!(q.client_comments.len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListOrders {
    /// 1-based page; `None` is the first.
    pub page: Option<u32>,
    /// Only orders whose comment equals one of these.
    pub client_comments: Vec<String>,
}

impl ListOrders {
    /// No filters: the newest 100 orders.
    pub fn new() -> Self {
        Self::default()
    }
    /// One page (1-based).
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }
    /// Adds a comment to match (the parameter repeats).
    pub fn client_comment(mut self, comment: impl Into<String>) -> Self {
        self.client_comments.push(comment.into());
        self
    }
    fn params(&self) -> Value {
        json!({"page": self.page, "client_comment": self.client_comments})
    }
}

/// What [`Client::create_order_once`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreateOutcome {
    /// The shop answered the create: the order was made by this call.
    Created,
    /// The answer was lost; the order was found by its `client_comment`.
    Recovered,
}

/// The result of [`Client::create_order_once`] (`carreta.order.create_once`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CreatedOrder {
    /// Created now, or found after a lost answer.
    pub outcome: CreateOutcome,
    /// The order.
    pub order: Order,
}

/// All pages of `carreta.order.list`, fetched one at a time.
pub type OrderPages = Pager<Order>;

/// A Carreta API client. Cheap to clone; clones share the connection pool. Safe to use
/// from many tasks and threads at once.
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
}

impl From<Client> for crate::Client {
    fn from(c: Client) -> crate::Client {
        c.inner
    }
}

impl From<crate::Client> for Client {
    /// A Carreta client over a generic one built for [`SERVICE`].
    fn from(inner: crate::Client) -> Client {
        Client { inner }
    }
}

impl Client {
    /// Starts a builder with the API key from the shop's profile page.
    pub fn builder(api_key: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(crate::Client::builder(&SERVICE).credential("api_key", api_key))
    }

    /// The generic client inside (call any Carreta id by name).
    pub fn as_client(&self) -> &crate::Client {
        &self.inner
    }

    /// A copy acting for another account.
    pub fn with_account(&self, account: Option<String>) -> Client {
        let inner = self.inner.with_param("account", account.map(Value::from)).unwrap_or_else(|_| self.inner.clone());
        Client { inner }
    }

    /// A copy with another retry count for idempotent calls.
    pub fn with_max_retries(&self, max_retries: u32) -> Client {
        Client { inner: self.inner.with_max_retries(max_retries) }
    }

    /// The account in force, if any.
    pub fn account(&self) -> Option<&str> {
        self.inner.param("account").and_then(Value::as_str)
    }

    /// `carreta.profile.get`: balance and contact details.
    pub async fn profile(&self) -> Result<Profile> {
        self.inner.fetch(rows::PROFILE_GET, Value::Null).await
    }

    /// `carreta.search.query`: offers for a part code, analogues included.
    pub async fn search(&self, query: &str) -> Result<Vec<Offer>> {
        self.inner.fetch(rows::SEARCH_QUERY, json!({ "q": query })).await
    }

    /// `carreta.order.create`: checks the documented rules, then places the order. A
    /// rejected order never reaches the network. Never retried: a lost answer surfaces as
    /// an error and the caller can look the order up by its `client_comment`.
    pub async fn create_order(&self, order: &NewOrder) -> Result<Order> {
        self.create(order, false).await
    }

    /// Like [`Client::create_order`] with `test=on`: the shop creates a test order.
    pub async fn create_test_order(&self, order: &NewOrder) -> Result<Order> {
        self.create(order, true).await
    }

    /// `carreta.order.create_once`: places an order **exactly once**, by its
    /// `client_comment` (required; make it unique per order, e.g. your document number).
    /// When the answer is lost after the order may have reached the shop (a timeout, a
    /// connection broken mid-answer: [`crate::Error::outcome_unknown`]), the order is looked
    /// up by its comment before anything is sent again; [`CreatedOrder::outcome`] says
    /// whether it was created now or found. An error returned here is either known not to
    /// have created the order (`outcome_unknown() == false`), or could not be resolved
    /// because the lookup failed too (`outcome_unknown() == true`: look it up later).
    ///
    /// ```no_run
    /// # async fn run(shop: logibridge::carreta::Client, offer: logibridge::carreta::Offer) -> logibridge::Result<()> {
    /// use logibridge::carreta::{CreateOutcome, NewOrder};
    /// let done = shop.create_order_once(&NewOrder::from_offer(&offer, 1).client_comment("PO-17")).await?;
    /// if done.outcome == CreateOutcome::Recovered {
    ///     println!("the answer was lost; order {} was found by its comment", done.order.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn create_order_once(&self, order: &NewOrder) -> Result<CreatedOrder> {
        order.validate()?;
        self.inner.fetch_local(rows::ORDER_CREATE_ONCE, json!({ "order": to_json(order)?, "test": false })).await
    }

    async fn create(&self, order: &NewOrder, test: bool) -> Result<Order> {
        // The rules first, with their own error, before any conversion.
        order.validate()?;
        self.inner.fetch(rows::ORDER_CREATE, json!({ "order": to_json(order)?, "test": test })).await
    }

    /// `carreta.order.list`: one page (100 orders, newest first).
    pub async fn list_orders(&self, filter: &ListOrders) -> Result<Vec<Order>> {
        self.inner.fetch(rows::ORDER_LIST, filter.params()).await
    }

    /// Every order matching the filter, page after page from `filter.page` (or the first),
    /// fetched lazily. Stops at the first page with fewer than 100 orders.
    ///
    /// A filter the row refuses (page 0) surfaces as the first page's error.
    pub fn orders(&self, filter: ListOrders) -> OrderPages {
        self.inner.pages(rows::ORDER_LIST, filter.params())
    }

    /// `carreta.order.get`.
    pub async fn get_order(&self, id: u64) -> Result<Order> {
        self.inner.fetch(rows::ORDER_GET, json!({ "id": id })).await
    }

    /// `carreta.order.history`: what happened to an order, oldest first.
    pub async fn order_history(&self, id: u64) -> Result<Vec<HistoryEntry>> {
        self.inner.fetch(rows::ORDER_HISTORY, json!({ "id": id })).await
    }

    /// The generic entry: any Carreta row with JSON parameters, JSON result (see
    /// [`crate::Client::call`]).
    pub async fn call(&self, endpoint: &'static Endpoint, params: Value) -> Result<Value> {
        self.inner.call_endpoint(endpoint, params).await
    }
}
