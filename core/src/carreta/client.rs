//! The Carreta client: six calls, rules checked before sending.

use std::time::Duration;

use futures_util::stream::{self, Stream};
use serde_json::{json, Value};

use super::models::{HistoryEntry, NewOrder, Objects, Offer, Order, Profile};
use crate::endpoints::{self, Endpoint};
use crate::error::{Error, Result};
use crate::transport::{Auth, Config, Request, Secret, Transport};

/// The shop's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.carreta.ru/v1/";

/// Orders per page of `carreta.order.list`, as documented.
pub const ORDERS_PER_PAGE: usize = 100;

/// Builds a [`Client`].
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
#[derive(Debug)]
pub struct ClientBuilder {
    api_key: Secret,
    base_url: String,
    account: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    max_retries: Option<u32>,
}

impl ClientBuilder {
    /// The service URL (the sandbox's, or a customer host); defaults to [`DEFAULT_BASE_URL`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }
    /// The account to act for when the key serves several; the manager's default otherwise.
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }
    /// Time for a whole request (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
    /// Time to connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }
    /// Retries of idempotent calls (default 2). Orders are never retried.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = Some(n);
        self
    }
    /// Builds the client. Fails on an empty key or a malformed URL.
    pub fn build(self) -> Result<Client> {
        if self.api_key.expose().trim().is_empty() {
            return Err(Error::InvalidArgument("api_key is empty".into()));
        }
        let mut config = Config::new(&self.base_url)?;
        if let Some(t) = self.timeout {
            config.timeout = t;
        }
        if let Some(t) = self.connect_timeout {
            config.connect_timeout = t;
        }
        if let Some(n) = self.max_retries {
            config.retry.max_retries = n;
        }
        let transport = Transport::new(config, Auth::QueryParam { name: "api_key", value: self.api_key })?;
        Ok(Client { transport, account: self.account })
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
}

/// A Carreta API client. Cheap to clone; clones share the connection pool. Safe to use
/// from many tasks and threads at once.
#[derive(Clone, Debug)]
pub struct Client {
    transport: Transport,
    account: Option<String>,
}

impl Client {
    /// Starts a builder with the API key from the shop's profile page.
    pub fn builder(api_key: impl Into<String>) -> ClientBuilder {
        ClientBuilder { api_key: Secret::new(api_key), base_url: DEFAULT_BASE_URL.into(), account: None, connect_timeout: None, timeout: None, max_retries: None }
    }

    /// A copy acting for another account.
    pub fn with_account(&self, account: Option<String>) -> Client {
        Client { transport: self.transport.clone(), account }
    }

    /// A copy with another retry count for idempotent calls.
    pub fn with_max_retries(&self, max_retries: u32) -> Client {
        Client { transport: self.transport.with_max_retries(max_retries), account: self.account.clone() }
    }

    /// The account in force, if any.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    fn request(&self, id: &str) -> Request {
        let ep: &'static Endpoint = endpoints::find(id).expect("Carreta ids are in the endpoint table");
        let mut req = Request::new(ep);
        if let Some(a) = &self.account {
            req = req.query("account", a.clone());
        }
        req
    }

    async fn fetch<T: serde::de::DeserializeOwned>(&self, req: Request) -> Result<T> {
        let id = req.endpoint.id;
        self.transport.execute(req).await?.json(id)
    }

    /// `carreta.profile.get`: balance and contact details.
    pub async fn profile(&self) -> Result<Profile> {
        self.fetch(self.request("carreta.profile.get")).await
    }

    /// `carreta.search.query`: offers for a part code, analogues included.
    pub async fn search(&self, query: &str) -> Result<Vec<Offer>> {
        let req = self.request("carreta.search.query").query("q", query);
        Ok(self.fetch::<Objects<Offer>>(req).await?.objects)
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

    async fn create(&self, order: &NewOrder, test: bool) -> Result<Order> {
        order.validate()?;
        let body = serde_json::to_value(order).map_err(|e| Error::Internal(format!("cannot encode the order: {e}")))?;
        let mut req = self.request("carreta.order.create").json(body);
        if test {
            req = req.query("test", "on");
        }
        self.fetch(req).await
    }

    /// `carreta.order.list`: one page (100 orders, newest first).
    pub async fn list_orders(&self, filter: &ListOrders) -> Result<Vec<Order>> {
        let mut req = self.request("carreta.order.list");
        if let Some(p) = filter.page {
            if p == 0 {
                return Err(crate::ValidationError::new("page", "page.min", "page numbers start at 1", "номера страниц начинаются с 1").into());
            }
            req = req.query("page", p.to_string());
        }
        for c in &filter.client_comments {
            req = req.query("client_comment", c.clone());
        }
        Ok(self.fetch::<Objects<Order>>(req).await?.objects)
    }

    /// Every order matching the filter, page after page from `filter.page` (or the first),
    /// fetched lazily. Stops at the first page with fewer than 100 orders.
    pub fn orders(&self, filter: ListOrders) -> OrderPages {
        OrderPages { client: self.clone(), filter: filter.clone(), next_page: Some(filter.page.unwrap_or(1)) }
    }

    /// `carreta.order.get`.
    pub async fn get_order(&self, id: u64) -> Result<Order> {
        self.fetch(self.request("carreta.order.get").path("id", id)).await
    }

    /// `carreta.order.history`: what happened to an order, oldest first.
    pub async fn order_history(&self, id: u64) -> Result<Vec<HistoryEntry>> {
        let req = self.request("carreta.order.history").path("id", id);
        Ok(self.fetch::<Objects<HistoryEntry>>(req).await?.objects)
    }

    /// The generic entry: any Carreta id with JSON parameters, JSON result. Goes through
    /// the typed methods, so the same rules apply. Unknown parameter names are an error.
    ///
    /// Parameters: `account` on every call; `q` (search); `order` and `test` (create);
    /// `page`, `client_comment` (string or list) and `all` (list); `id` (get, history).
    pub async fn call(&self, endpoint: &'static Endpoint, params: Value) -> Result<Value> {
        let mut p = Params::new(endpoint.id, params)?;
        let client = match p.opt_string("account")? {
            Some(a) => self.with_account(Some(a)),
            None => self.clone(),
        };
        let out = match endpoint.id {
            "carreta.profile.get" => {
                p.finish()?;
                to_json(client.profile().await?)
            }
            "carreta.search.query" => {
                let q = p.string("q")?;
                p.finish()?;
                to_json(client.search(&q).await?)
            }
            "carreta.order.create" => {
                let order: NewOrder = p.parse("order")?;
                let test = p.opt_bool("test")?.unwrap_or(false);
                p.finish()?;
                to_json(client.create(&order, test).await?)
            }
            "carreta.order.list" => {
                let mut filter = ListOrders::new();
                filter.page = p.opt_u32("page")?;
                filter.client_comments = p.strings("client_comment")?;
                let all = p.opt_bool("all")?.unwrap_or(false);
                p.finish()?;
                if all {
                    let mut pages = client.orders(filter);
                    let mut orders = Vec::new();
                    while let Some(page) = pages.next_page().await? {
                        orders.extend(page);
                    }
                    to_json(orders)
                } else {
                    to_json(client.list_orders(&filter).await?)
                }
            }
            "carreta.order.get" => {
                let id = p.u64("id")?;
                p.finish()?;
                to_json(client.get_order(id).await?)
            }
            "carreta.order.history" => {
                let id = p.u64("id")?;
                p.finish()?;
                to_json(client.order_history(id).await?)
            }
            "carreta.pricelist.parse" => {
                let path = p.string("path")?;
                let offset = p.opt_u64("offset")?.unwrap_or(0);
                let limit = p.opt_u64("limit")?.unwrap_or(1000);
                let encoding = match p.opt_string("encoding")? {
                    None => crate::pricelist::Encoding::Auto,
                    Some(label) => crate::pricelist::Encoding::from_label(&label)
                        .ok_or_else(|| Error::InvalidArgument(format!("carreta.pricelist.parse: unknown encoding {label:?}")))?,
                };
                p.finish()?;
                tokio::task::spawn_blocking(move || pricelist_page(&path, encoding, offset, limit))
                    .await
                    .map_err(|e| Error::Internal(format!("price-list task failed: {e}")))??
            }
            other => return Err(Error::InvalidArgument(format!("{other} is not a Carreta call"))),
        };
        Ok(out)
    }
}

/// One page of a price list for the generic entry: rows `offset..offset+limit` (bad rows
/// are collected, never dropped), the bad rows met on the way, and where the next page
/// starts (`null` at the end).
fn pricelist_page(path: &str, encoding: crate::pricelist::Encoding, offset: u64, limit: u64) -> Result<Value> {
    use crate::pricelist::{open_with, OnError, Options};
    if !std::path::Path::new(path).is_file() {
        return Err(Error::InvalidArgument(format!("carreta.pricelist.parse: no such file: {path}")));
    }
    let mut reader = open_with(path, Options::new().encoding(encoding).on_error(OnError::Collect))?;
    let mut rows = Vec::new();
    let mut more = false;
    let end = offset.saturating_add(limit);
    for (seen, row) in (0u64..).zip(reader.by_ref()) {
        let row = row?;
        if seen >= end {
            more = true;
            break;
        }
        if seen >= offset {
            rows.push(to_json(&row));
        }
    }
    Ok(json!({
        "rows": rows,
        "bad_rows": to_json(reader.bad_rows()),
        "summary": to_json(reader.summary()),
        "next_offset": if more { Value::from(offset + limit) } else { Value::Null },
    }))
}

fn to_json<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// All pages of `carreta.order.list`, fetched one at a time.
#[derive(Debug)]
pub struct OrderPages {
    client: Client,
    filter: ListOrders,
    next_page: Option<u32>,
}

impl OrderPages {
    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Vec<Order>>> {
        let Some(page) = self.next_page else { return Ok(None) };
        let filter = ListOrders { page: Some(page), client_comments: self.filter.client_comments.clone() };
        let orders = self.client.list_orders(&filter).await?;
        self.next_page = if orders.len() < ORDERS_PER_PAGE { None } else { Some(page + 1) };
        if orders.is_empty() {
            return Ok(None);
        }
        Ok(Some(orders))
    }

    /// The orders one by one, as a stream.
    pub fn into_stream(self) -> impl Stream<Item = Result<Order>> {
        stream::unfold((self, Vec::<Order>::new().into_iter()), |(mut pages, mut current)| async move {
            loop {
                if let Some(o) = current.next() {
                    return Some((Ok(o), (pages, current)));
                }
                match pages.next_page().await {
                    Ok(Some(page)) => current = page.into_iter(),
                    Ok(None) => return None,
                    Err(e) => {
                        pages.next_page = None;
                        return Some((Err(e), (pages, current)));
                    }
                }
            }
        })
    }
}

/// JSON parameters of the generic entry, consumed by name so leftovers can be reported.
pub(crate) struct Params {
    id: &'static str,
    map: serde_json::Map<String, Value>,
}

impl Params {
    pub(crate) fn new(id: &'static str, params: Value) -> Result<Params> {
        match params {
            Value::Null => Ok(Params { id, map: Default::default() }),
            Value::Object(map) => Ok(Params { id, map }),
            other => Err(Error::InvalidArgument(format!("{id}: parameters must be a JSON object, got {other}"))),
        }
    }
    fn bad(&self, name: &str, want: &str, got: &Value) -> Error {
        Error::InvalidArgument(format!("{}: parameter {name:?} must be {want}, got {got}", self.id))
    }
    pub(crate) fn take(&mut self, name: &str) -> Option<Value> {
        self.map.remove(name).filter(|v| !v.is_null())
    }
    pub(crate) fn string(&mut self, name: &str) -> Result<String> {
        self.opt_string(name)?.ok_or_else(|| Error::InvalidArgument(format!("{}: parameter {name:?} is required", self.id)))
    }
    pub(crate) fn opt_string(&mut self, name: &str) -> Result<Option<String>> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(self.bad(name, "a string", &other)),
        }
    }
    pub(crate) fn strings(&mut self, name: &str) -> Result<Vec<String>> {
        match self.take(name) {
            None => Ok(vec![]),
            Some(Value::String(s)) => Ok(vec![s]),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    Value::Number(n) => Ok(n.to_string()),
                    other => Err(self.bad(name, "a list of strings", &other)),
                })
                .collect(),
            Some(other) => Err(self.bad(name, "a string or a list of strings", &other)),
        }
    }
    pub(crate) fn opt_u64(&mut self, name: &str) -> Result<Option<u64>> {
        match self.take(name) {
            None => Ok(None),
            Some(v) => match &v {
                Value::Number(n) if n.as_u64().is_some() => Ok(n.as_u64()),
                Value::String(s) if s.trim().parse::<u64>().is_ok() => Ok(s.trim().parse().ok()),
                _ => Err(self.bad(name, "a non-negative integer", &v)),
            },
        }
    }
    pub(crate) fn u64(&mut self, name: &str) -> Result<u64> {
        self.opt_u64(name)?.ok_or_else(|| Error::InvalidArgument(format!("{}: parameter {name:?} is required", self.id)))
    }
    pub(crate) fn opt_u32(&mut self, name: &str) -> Result<Option<u32>> {
        match self.opt_u64(name)? {
            None => Ok(None),
            Some(n) => u32::try_from(n).map(Some).map_err(|_| Error::InvalidArgument(format!("{}: parameter {name:?} is too large", self.id))),
        }
    }
    pub(crate) fn opt_bool(&mut self, name: &str) -> Result<Option<bool>> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(self.bad(name, "true or false", &other)),
        }
    }
    pub(crate) fn parse<T: serde::de::DeserializeOwned>(&mut self, name: &str) -> Result<T> {
        let v = self.take(name).ok_or_else(|| Error::InvalidArgument(format!("{}: parameter {name:?} is required", self.id)))?;
        serde_path_to_error::deserialize(v).map_err(|e| {
            let path = e.path().to_string();
            Error::InvalidArgument(format!("{}: parameter {name:?} at {path}: {}", self.id, e.into_inner()))
        })
    }
    /// Fails on any parameter the call did not consume: a misspelt name is an error,
    /// never silently dropped.
    pub(crate) fn finish(self) -> Result<()> {
        if self.map.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = self.map.keys().map(String::as_str).collect();
        Err(Error::InvalidArgument(format!("{}: unknown parameter(s): {}", self.id, names.join(", "))))
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Client>();
    let _ = json!(null);
}
