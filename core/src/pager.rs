//! Walking a paged call page by page, whatever its paging style.
//!
//! The style comes from the row ([`Paging`]): a page number (Carreta), a page number and a
//! size (iRECA), or OData `$top`/`$skip` (CARGO.RUN). A page shorter than the page size is
//! the last; an empty page ends the walk.

use futures_util::stream::{self, Stream};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::call::{self, Args};
use crate::endpoints::{Endpoint, Paging};
use crate::error::{Error, Result};
use crate::Client;

/// The pages of one paged call, fetched one at a time as you ask for them.
///
/// ```no_run
/// # async fn run(client: logibridge::Client) -> logibridge::Result<()> {
/// use logibridge::endpoints::carreta;
/// let mut pages = client.pages::<serde_json::Value>(carreta::ORDER_LIST, serde_json::json!({"client_comment": "PO-17"}));
/// while let Some(page) = pages.next_page().await? {
///     println!("{} orders", page.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Pager<T> {
    client: Client,
    endpoint: &'static Endpoint,
    args: Args,
    /// The number (or, for OData, the index) of the next page; `None` after the last.
    next: Option<u64>,
    decode: fn(&'static Endpoint, &[u8]) -> Result<Vec<T>>,
    total: Option<u64>,
    /// A hash of the last page's body: a service that ignores the page parameter (CARGO.RUN
    /// takes OData only «если они включены для конкретного подключения», directories.md)
    /// answers the first page again and again, and the walk would never end.
    last_page: Option<u64>,
    /// A parameter error found before the first page, reported by it.
    error: Option<Error>,
}

fn decode_json_items(ep: &'static Endpoint, body: &[u8]) -> Result<Vec<Value>> {
    match call::decode(ep, body)? {
        Value::Array(items) => Ok(items),
        Value::Null => Ok(vec![]),
        other => Ok(vec![other]),
    }
}

fn decode_typed_items<T: DeserializeOwned>(ep: &'static Endpoint, body: &[u8]) -> Result<Vec<T>> {
    call::decode_typed::<Vec<T>>(ep, body)
}

impl Pager<Value> {
    /// Items as JSON in their documented form (what the generic entry returns).
    pub(crate) fn json(client: Client, endpoint: &'static Endpoint, args: Args) -> Pager<Value> {
        Pager::with_decoder(client, endpoint, args, decode_json_items)
    }
}

impl<T: DeserializeOwned> Pager<T> {
    /// Items decoded straight into `T`.
    pub(crate) fn typed(client: Client, endpoint: &'static Endpoint, args: Args) -> Pager<T> {
        Pager::with_decoder(client, endpoint, args, decode_typed_items::<T>)
    }

    /// A pager whose first page is `error`.
    pub(crate) fn failed(client: Client, endpoint: &'static Endpoint, error: Error) -> Pager<T> {
        let mut p = Pager::with_decoder(client, endpoint, Args::default(), decode_typed_items::<T>);
        p.error = Some(error);
        p
    }
}

/// The same page came twice in a row: the service ignores the page parameter.
fn repeated_page(endpoint: &str, page: u64) -> Error {
    Error::Decode {
        endpoint: endpoint.to_owned(),
        path: String::new(),
        message: format!("page {page} came back the same as the page before it: the service seems to ignore the paging parameters ($skip / page), so the walk stops instead of repeating the same items; page with a filter (updatedAt) instead"),
        message_ru: format!("страница {page} совпала с предыдущей: сервис, похоже, не учитывает параметры страниц ($skip / page), поэтому обход остановлен, чтобы не повторять одни и те же записи; выбирайте записи фильтром (updatedAt)"),
        excerpt: String::new(),
    }
}

impl<T> Pager<T> {
    fn with_decoder(client: Client, endpoint: &'static Endpoint, args: Args, decode: fn(&'static Endpoint, &[u8]) -> Result<Vec<T>>) -> Pager<T> {
        let start = match endpoint.paging {
            Paging::None => 0,
            Paging::PageNumber { param, first, .. } | Paging::PageCount { page: param, first, .. } => args.get(param).and_then(Value::as_u64).unwrap_or(first as u64),
            Paging::OData { .. } => 0,
        };
        Pager { client, endpoint, args, next: Some(start), decode, total: None, last_page: None, error: None }
    }

    /// The page size in force (`None`: the call does not page).
    pub fn page_size(&self) -> Option<u64> {
        match self.endpoint.paging {
            Paging::None => None,
            Paging::PageNumber { size, .. } | Paging::OData { size } => Some(size as u64),
            Paging::PageCount { count, size, .. } => Some(self.args.get(count).and_then(Value::as_u64).unwrap_or(size as u64)),
        }
    }

    /// The total count the service announced (the row's count header, `X-MetaCount`), once
    /// a page has been fetched.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Vec<T>>> {
        if let Some(e) = self.error.take() {
            self.next = None;
            return Err(e);
        }
        let Some(n) = self.next else { return Ok(None) };
        let ep = self.endpoint;
        let mut args = self.args.clone();
        let size = self.page_size();
        match ep.paging {
            Paging::None => {}
            Paging::PageNumber { param, .. } => {
                args.values.insert(param.to_owned(), Value::from(n));
            }
            Paging::PageCount { page, count, .. } => {
                args.values.insert(page.to_owned(), Value::from(n));
                args.values.insert(count.to_owned(), Value::from(size.unwrap_or_default()));
            }
            Paging::OData { .. } => {}
        }
        let mut req = call::request(ep, self.client.service(), &args)?;
        if let (Paging::OData { .. }, Some(size)) = (ep.paging, size) {
            req.query.retain(|(k, _)| k != "$top" && k != "$skip");
            req.query.push(("$top".into(), size.to_string()));
            req.query.push(("$skip".into(), (n * size).to_string()));
        }
        let response = self.client.transport_execute(req).await?;
        if let Some(h) = ep.response.count_header {
            self.total = response.headers.get(h).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
        }
        let items = (self.decode)(ep, &response.body).map_err(|e| self.client.scrub_error(e))?;
        let page_hash = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            response.body.hash(&mut h);
            h.finish()
        };
        if !items.is_empty() && self.last_page == Some(page_hash) {
            self.next = None;
            return Err(repeated_page(ep.id, n));
        }
        self.last_page = Some(page_hash);
        self.next = match size {
            // The announced total ends the walk too: a page may be full and the last.
            Some(size) if (items.len() as u64) >= size && !items.is_empty() && self.total.is_none_or(|t| (n + 1).saturating_mul(size) < t) => Some(n + 1),
            _ => None,
        };
        if items.is_empty() {
            self.next = None;
            return Ok(None);
        }
        Ok(Some(items))
    }

    /// Every item of every page from here on, in one list (memory grows with the list; walk
    /// [`Pager::next_page`] or [`Pager::into_stream`] to keep it flat).
    pub async fn collect_all(mut self) -> Result<Vec<T>> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page);
        }
        Ok(all)
    }

    /// The items one by one, as a stream (pages are fetched as it is polled).
    pub fn into_stream(self) -> impl Stream<Item = Result<T>> {
        stream::unfold((self, Vec::<T>::new().into_iter()), |(mut pages, mut current)| async move {
            loop {
                if let Some(item) = current.next() {
                    return Some((Ok(item), (pages, current)));
                }
                match pages.next_page().await {
                    Ok(Some(page)) => current = page.into_iter(),
                    Ok(None) => return None,
                    Err(e) => {
                        pages.next = None;
                        return Some((Err(e), (pages, current)));
                    }
                }
            }
        })
    }
}
