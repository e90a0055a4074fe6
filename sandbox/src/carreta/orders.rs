//! Orders: the request checks from the document, the per-account order books, statuses and
//! history.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::sign::{SignedFields, Signer};

/// Status codes in the document's table order, with their texts.
pub const STATUSES: &[(i64, &str)] = &[
    (1, "Ожидает оплаты"),
    (2, "Получен в заказ"),
    (3, "В работе"),
    (11, "Принят поставщиком"),
    (4, "В пути от поставщика"),
    (13, "На складе филиала"),
    (12, "В пути из филиала"),
    (14, "На складе"),
    (15, "В пути в пункт выдачи"),
    (5, "В пункте выдачи"),
    (7, "Выдан (Отправлен)"),
    (10, "Нет в наличии"),
    (8, "Отменен"),
];

/// The order's normal life, as the document's table lists it (1 "awaiting payment" leads
/// into it; 10 and 8 leave it).
pub const HAPPY_PATH: &[i64] = &[2, 3, 11, 4, 13, 12, 14, 15, 5, 7];

/// Status every new order gets. The sandbox does not model payment, so it never starts
/// orders at 1 "Ожидает оплаты"; the control API can move an order there.
pub const INITIAL_STATUS: i64 = 2;

/// Ordering any amount is allowed for ">N" and "Есть" stock, up to this cap (the document's
/// "[1..10000]").
pub const MAX_OPEN_QTY: i64 = 10_000;

/// Longest accepted `client_comment`, in characters.
pub const MAX_CLIENT_COMMENT_CHARS: usize = 50;

/// The text for a status code.
pub fn status_display(status: i64) -> Option<&'static str> {
    STATUSES.iter().find(|(c, _)| *c == status).map(|(_, t)| *t)
}

/// The next happy-path status; `None` for final statuses (7, 8, 10).
pub fn next_status(status: i64) -> Option<i64> {
    if status == 1 {
        return Some(2);
    }
    let i = HAPPY_PATH.iter().position(|s| *s == status)?;
    HAPPY_PATH.get(i + 1).copied()
}

/// Timestamps are naive Moscow time, the shop's own clock, in the document's
/// "2014-10-23T16:18:31.315072" shape.
pub fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc() + chrono::TimeDelta::hours(3)
}

fn fmt_time(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

fn money(d: Decimal) -> String {
    let mut d = d.round_dp(2);
    d.rescale(2);
    d.to_string()
}

/// A validated order request.
#[derive(Debug, Clone)]
pub struct OrderRequest {
    /// Part code.
    pub code: String,
    /// Manufacturer.
    pub maker: String,
    /// Part name (Russian).
    pub name: String,
    /// Price per piece, roubles.
    pub price: Decimal,
    /// Stock as the shop states it ("500", "<10", ">50", "Есть", ...).
    pub qty: String,
    /// Order quantity must be a multiple of this.
    pub min_qty: i64,
    /// Shortest delivery time, days.
    pub period_min: i64,
    /// Longest delivery time, days.
    pub period_max: i64,
    /// Code of the offer's source (supplier).
    pub source: String,
    /// Pieces ordered.
    pub order_qty: i64,
    /// The client's own comment (≤ 50 characters).
    pub client_comment: String,
}

const REQUIRED: &[&str] = &[
    "_",
    "code",
    "maker",
    "name",
    "price",
    "period_min",
    "period_max",
    "min_qty",
    "qty",
    "order_qty",
];

/// The JSON type of a value, as an error message names it.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a fractional number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A `string` field of the document's tables.
fn get_str<'a>(obj: &'a Map<String, Value>, field: &str) -> Result<&'a str, String> {
    match obj.get(field) {
        Some(Value::String(s)) => Ok(s),
        Some(v) => Err(format!(
            "Field \"{field}\" must be a string, got {}.",
            type_name(v)
        )),
        None => Err(format!("Field \"{field}\" must be a string.")),
    }
}

/// An `int` field of the document's tables: a JSON integer, as the document's examples
/// write `"min_qty": 1` and `"order_qty": 10`. A digit string (`"10"`) or a fraction is
/// refused, as a typed service refuses it.
fn get_int(obj: &Map<String, Value>, field: &str) -> Result<i64, String> {
    match obj.get(field) {
        Some(Value::Number(n)) => n.as_i64().ok_or_else(|| {
            format!("Field \"{field}\" must be an integer within the 64-bit range, got {n}.")
        }),
        Some(v) => Err(format!(
            "Field \"{field}\" must be an integer, got {}.",
            type_name(v)
        )),
        None => Err(format!("Field \"{field}\" must be an integer.")),
    }
}

/// `price`: "string (decimal)" in the document, written `"152.02"`; a JSON number is refused.
fn get_price(obj: &Map<String, Value>) -> Result<Decimal, String> {
    let text = match obj.get("price") {
        Some(Value::String(s)) => s.trim(),
        Some(v) => {
            return Err(format!(
                "Field \"price\" must be a decimal string such as \"152.02\", got {}.",
                type_name(v)
            ))
        }
        None => return Err("Field \"price\" must be a decimal string.".into()),
    };
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|_| "Field \"price\" must be a decimal string such as \"152.02\".".to_string())
}

/// The search row's other fields, which clients send back: when present, each must have
/// the type the search table gives it (`desc` text, `is_cross` bool, `stat` int or null,
/// `source` str). Fields the document does not name are not checked.
fn check_row_fields(obj: &Map<String, Value>) -> Result<(), String> {
    for (field, ok, wanted) in [
        (
            "desc",
            obj.get("desc").is_none_or(Value::is_string),
            "a string",
        ),
        (
            "is_cross",
            obj.get("is_cross").is_none_or(Value::is_boolean),
            "a boolean",
        ),
        (
            "stat",
            obj.get("stat").is_none_or(|v| v.is_null() || v.is_i64()),
            "an integer or null",
        ),
        (
            "source",
            obj.get("source").is_none_or(Value::is_string),
            "a string",
        ),
    ] {
        if !ok {
            let got = obj.get(field).map_or("nothing", type_name);
            return Err(format!("Field \"{field}\" must be {wanted}, got {got}."));
        }
    }
    Ok(())
}

/// Checks `order_qty` against `qty` and `min_qty` exactly as the document lists the rules.
pub fn check_order_qty(qty: &str, min_qty: i64, order_qty: i64) -> Result<(), String> {
    if order_qty < 1 {
        return Err("order_qty must be at least 1.".into());
    }
    let q = qty.trim();
    if let Some(rest) = q.strip_prefix('<') {
        let n: i64 = rest.trim().parse().map_err(|_| {
            format!("Unsupported qty value \"{qty}\"; this offer cannot be ordered.")
        })?;
        if order_qty >= n {
            return Err(format!(
                "order_qty must be less than {n} (qty is \"{qty}\")."
            ));
        }
    } else if q.starts_with('>') || q.contains("Есть") {
        if order_qty > MAX_OPEN_QTY {
            return Err(format!(
                "order_qty must not exceed {MAX_OPEN_QTY} (qty is \"{qty}\")."
            ));
        }
    } else if !q.is_empty() && q.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = q.parse().map_err(|_| {
            format!("Unsupported qty value \"{qty}\"; this offer cannot be ordered.")
        })?;
        if order_qty > n {
            return Err(format!("order_qty must not exceed {n} (qty is \"{qty}\")."));
        }
    } else {
        // The document defines only four forms; anything else is not orderable via API.
        return Err(format!(
            "Unsupported qty value \"{qty}\"; this offer cannot be ordered."
        ));
    }
    if min_qty < 1 {
        return Err("Field \"min_qty\" must be at least 1.".into());
    }
    if order_qty % min_qty != 0 {
        return Err(format!(
            "order_qty must be a multiple of min_qty ({min_qty})."
        ));
    }
    Ok(())
}

/// Parses and checks an order body: every field the document names must have the type its
/// tables give (a string `order_qty` is a 400 naming the field). Field order and fields the
/// document does not name are ignored on purpose: it tells clients to send the search row
/// back, and rows may grow fields ("содержимое со временем может меняться и дополняться").
pub fn parse_order(body: &[u8], signer: &Signer) -> Result<OrderRequest, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|_| "Request body is not valid JSON.".to_string())?;
    let Value::Object(obj) = value else {
        return Err("Request body must be a JSON object.".into());
    };
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|f| matches!(obj.get(*f), None | Some(Value::Null)))
        .collect();
    if !missing.is_empty() {
        return Err(format!("Missing required fields: {}.", missing.join(", ")));
    }
    let signature = get_str(&obj, "_")?;
    let code = get_str(&obj, "code")?;
    let maker = get_str(&obj, "maker")?;
    let name = get_str(&obj, "name")?;
    let qty = get_str(&obj, "qty")?;
    let price = get_price(&obj)?;
    let period_min = get_int(&obj, "period_min")?;
    let period_max = get_int(&obj, "period_max")?;
    let min_qty = get_int(&obj, "min_qty")?;
    let order_qty = get_int(&obj, "order_qty")?;
    check_row_fields(&obj)?;

    let source =
        Signer::embedded_source(signature).ok_or_else(|| "Invalid signature.".to_string())?;
    if let Some(sent) = obj.get("source") {
        if sent.as_str() != Some(source.as_str()) {
            return Err("Invalid signature.".into());
        }
    }
    let fields = SignedFields {
        code,
        maker,
        name,
        price,
        qty,
        min_qty,
        period_min,
        period_max,
        source: &source,
    };
    if !signer.verify(&fields, signature) {
        return Err("Invalid signature.".into());
    }

    check_order_qty(qty, min_qty, order_qty)?;

    let client_comment = match obj.get("client_comment") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => {
            return Err(format!(
                "Field \"client_comment\" must be a string, got {}.",
                type_name(v)
            ))
        }
    };
    if client_comment.chars().count() > MAX_CLIENT_COMMENT_CHARS {
        return Err(format!(
            "client_comment must be at most {MAX_CLIENT_COMMENT_CHARS} characters."
        ));
    }

    Ok(OrderRequest {
        code: code.into(),
        maker: maker.into(),
        name: name.into(),
        price,
        qty: qty.into(),
        min_qty,
        period_min,
        period_max,
        source,
        order_qty,
        client_comment,
    })
}

/// A stored order.
#[derive(Debug, Clone)]
pub struct Order {
    /// Global, increasing order id.
    pub id: u64,
    /// Account the order belongs to.
    pub account: String,
    /// Created with `test=on`: answered like a real order, kept for `order/{id}/`, but hidden
    /// from the listing, because the shop never processes test orders.
    pub test: bool,
    /// What was ordered.
    pub req: OrderRequest,
    /// Current status code.
    pub status: i64,
    /// The shop's comment (set through the control API).
    pub comment: String,
    /// Creation time (naive Moscow time).
    pub created: NaiveDateTime,
    /// Status changes and comments, oldest first.
    pub history: Vec<(String, NaiveDateTime)>,
    /// [`Order::to_json`] as text, kept current by the [`OrderBook`] (the only writer), so a
    /// listed page is a join of ready texts rather than 100 JSON trees built per request.
    json_text: String,
}

impl Order {
    /// price × order_qty.
    pub fn total(&self) -> Decimal {
        self.req.price * Decimal::from(self.req.order_qty)
    }

    /// The order object exactly as documented (plus `"test": true` for test orders).
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "code": self.req.code,
            "comment": self.comment,
            "client_comment": self.req.client_comment,
            "created": fmt_time(&self.created),
            "id": self.id,
            "maker": self.req.maker,
            "name": self.req.name,
            "number": format!("A{}-1", self.id),
            "order_qty": self.req.order_qty,
            "period_max": self.req.period_max,
            "period_min": self.req.period_min,
            "price": money(self.req.price),
            "status": self.status,
            "status_display": status_display(self.status).unwrap_or(""),
            "total": money(self.total()),
        });
        if self.test {
            v["test"] = Value::Bool(true);
        }
        v
    }

    /// [`Order::to_json`] serialised, as the book last stored the order.
    pub fn json_text(&self) -> &str {
        &self.json_text
    }

    fn refresh_json_text(&mut self) {
        self.json_text = self.to_json().to_string();
    }

    /// `{"objects": [{"comment", "created"}, ...]}`, oldest first.
    pub fn history_json(&self) -> Value {
        let objects: Vec<Value> = self
            .history
            .iter()
            .map(|(c, t)| json!({"comment": c, "created": fmt_time(t)}))
            .collect();
        json!({ "objects": objects })
    }
}

/// Why an advance was refused.
#[derive(Debug)]
pub enum AdvanceError {
    /// No order with that id.
    NotFound,
    /// The requested status is not in the document's table.
    UnknownStatus(i64),
    /// The order is delivered, cancelled or out of stock; only an explicit status moves it.
    Final(i64),
}

/// All orders of all accounts; ids are global and increasing, like the shop's.
///
/// The listing is indexed by what it filters on (account, and account + `client_comment`):
/// neither changes after an order is created and test orders are never listed, so each
/// index is an append-only list of ids in creation order, and a page is a slice of it
/// read from the end (newest first) instead of a scan of every order.
pub struct OrderBook {
    next_id: u64,
    orders: BTreeMap<u64, Order>,
    /// Listed (non-test) order ids of each account, ascending.
    listed: HashMap<String, Vec<u64>>,
    /// Listed order ids of each (account, client_comment), ascending.
    by_comment: HashMap<(String, String), Vec<u64>>,
}

/// First order id handed out (the document's example id).
pub const FIRST_ORDER_ID: u64 = 189_330;

/// Orders per listing page.
pub const PAGE_SIZE: usize = 100;

impl Default for OrderBook {
    fn default() -> Self {
        OrderBook {
            next_id: FIRST_ORDER_ID,
            orders: BTreeMap::new(),
            listed: HashMap::new(),
            by_comment: HashMap::new(),
        }
    }
}

impl OrderBook {
    /// Stores a new order and returns it.
    pub fn create(&mut self, account: &str, req: OrderRequest, test: bool) -> &Order {
        let id = self.next_id;
        self.next_id += 1;
        let created = now();
        let total = money(req.price * Decimal::from(req.order_qty));
        let status = INITIAL_STATUS;
        let first = format!(
            "Создан со статусом \"{}\" на сумму {} руб.",
            status_display(status).unwrap_or(""),
            total
        );
        let mut order = Order {
            id,
            account: account.to_string(),
            test,
            req,
            status,
            comment: String::new(),
            created,
            history: vec![(first, created)],
            json_text: String::new(),
        };
        order.refresh_json_text();
        if !test {
            self.listed.entry(account.to_string()).or_default().push(id);
            self.by_comment
                .entry((account.to_string(), order.req.client_comment.clone()))
                .or_default()
                .push(id);
        }
        self.orders.entry(id).or_insert(order)
    }

    /// An order of this account.
    pub fn get(&self, account: &str, id: u64) -> Option<&Order> {
        self.orders.get(&id).filter(|o| o.account == account)
    }

    /// One page (1-based) of the account's non-test orders, newest first, optionally filtered
    /// by exact `client_comment` (any of the given values; a value given twice counts once).
    ///
    /// Cost: O(page size) for no filter or one comment; with k comments the k id lists are
    /// merged newest first, O(k · (skip + page size)).
    pub fn list(&self, account: &str, page: usize, comments: &[&str]) -> Vec<&Order> {
        let skip = (page - 1).saturating_mul(PAGE_SIZE);
        let mut distinct: Vec<&str> = comments.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        let lists: Vec<&[u64]> = if distinct.is_empty() {
            self.listed
                .get(account)
                .map(Vec::as_slice)
                .into_iter()
                .collect()
        } else {
            distinct
                .iter()
                .filter_map(|c| {
                    self.by_comment
                        .get(&(account.to_string(), (*c).to_string()))
                })
                .map(Vec::as_slice)
                .collect()
        };
        let ids: Vec<u64> = match lists.as_slice() {
            [] => Vec::new(),
            [one] => {
                let end = one.len().saturating_sub(skip);
                let start = end.saturating_sub(PAGE_SIZE);
                one[start..end].iter().rev().copied().collect()
            }
            many => newest_first(many).skip(skip).take(PAGE_SIZE).collect(),
        };
        ids.iter().filter_map(|id| self.orders.get(id)).collect()
    }

    /// The scan [`OrderBook::list`] replaced: the definition the index must agree with.
    #[cfg(test)]
    fn list_by_scan(&self, account: &str, page: usize, comments: &[&str]) -> Vec<&Order> {
        self.orders
            .values()
            .rev()
            .filter(|o| o.account == account && !o.test)
            .filter(|o| comments.is_empty() || comments.contains(&o.req.client_comment.as_str()))
            .skip((page - 1).saturating_mul(PAGE_SIZE))
            .take(PAGE_SIZE)
            .collect()
    }

    /// Moves an order to `status` (or the next happy-path status) and records it in history.
    pub fn advance(
        &mut self,
        id: u64,
        status: Option<i64>,
        comment: Option<String>,
    ) -> Result<&Order, AdvanceError> {
        let order = self.orders.get_mut(&id).ok_or(AdvanceError::NotFound)?;
        let target = match status {
            Some(s) if status_display(s).is_some() => s,
            Some(s) => return Err(AdvanceError::UnknownStatus(s)),
            None => next_status(order.status).ok_or(AdvanceError::Final(order.status))?,
        };
        let when = now();
        if target != order.status {
            order.history.push((
                format!(
                    "Статус изменен с \"{}\" на \"{}\"",
                    status_display(order.status).unwrap_or(""),
                    status_display(target).unwrap_or("")
                ),
                when,
            ));
            order.status = target;
        }
        if let Some(c) = comment {
            order.history.push((format!("Комментарий: {c}"), when));
            order.comment = c;
        }
        order.refresh_json_text();
        Ok(order)
    }
}

/// Ids of several ascending, disjoint id lists, merged newest (largest) first.
fn newest_first<'a>(lists: &[&'a [u64]]) -> impl Iterator<Item = u64> + 'a {
    let mut ends: Vec<&'a [u64]> = lists.to_vec();
    std::iter::from_fn(move || {
        let (i, _) = ends
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.last().map(|id| (i, *id)))
            .max_by_key(|(_, id)| *id)?;
        let (last, rest) = ends[i].split_last()?;
        ends[i] = rest;
        Some(*last)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(comment: &str) -> OrderRequest {
        OrderRequest {
            code: "OC47".into(),
            maker: "KNECHT/MAHLE".into(),
            name: "Фильтр масляный".into(),
            price: Decimal::new(15202, 2),
            qty: "500".into(),
            min_qty: 1,
            period_min: 7,
            period_max: 9,
            source: "S1".into(),
            order_qty: 1,
            client_comment: comment.into(),
        }
    }

    /// The indexed listing gives the same pages as scanning every order, for every account,
    /// page and combination of comment filters (including repeats and unknown comments),
    /// over a book that mixes accounts, test orders and comments.
    #[test]
    fn indexed_listing_matches_a_full_scan() {
        let mut book = OrderBook::default();
        let comments = ["", "PO-1", "PO-2", "x"];
        for i in 0..530usize {
            let account = if i % 7 == 3 { "1002" } else { "1001" };
            let comment = comments[(i * 5 + i / 3) % comments.len()];
            book.create(account, request(comment), i % 11 == 5);
        }
        let filters: Vec<Vec<&str>> = vec![
            vec![],
            vec![""],
            vec!["PO-1"],
            vec!["PO-1", "PO-2"],
            vec!["PO-2", "PO-1", "PO-2"],
            vec!["", "PO-1", "PO-2", "x"],
            vec!["missing"],
            vec!["missing", "x"],
        ];
        for account in ["1001", "1002", "9999"] {
            for filter in &filters {
                for page in 1..=7 {
                    let ids = |v: Vec<&Order>| v.iter().map(|o| o.id).collect::<Vec<_>>();
                    assert_eq!(
                        ids(book.list(account, page, filter)),
                        ids(book.list_by_scan(account, page, filter)),
                        "account {account}, page {page}, comments {filter:?}"
                    );
                }
            }
        }
        assert_eq!(book.list("1001", 1, &[]).len(), PAGE_SIZE);
    }

    /// The stored text follows every change the book makes.
    #[test]
    fn json_text_follows_advances() {
        let mut book = OrderBook::default();
        let id = book.create("1001", request("PO-1"), false).id;
        book.advance(id, Some(5), Some("ready".into())).unwrap();
        let order = book.get("1001", id).unwrap();
        assert_eq!(order.json_text(), order.to_json().to_string());
        assert!(order.json_text().contains("\"comment\":\"ready\""));
    }

    #[test]
    fn qty_rules() {
        assert!(check_order_qty("<10", 1, 9).is_ok());
        assert!(check_order_qty("<10", 1, 10).is_err());
        assert!(check_order_qty("10", 1, 10).is_ok());
        assert!(check_order_qty("10", 1, 11).is_err());
        assert!(check_order_qty(">50", 1, 10_000).is_ok());
        assert!(check_order_qty(">50", 1, 10_001).is_err());
        assert!(check_order_qty("Есть", 1, 10_000).is_ok());
        assert!(check_order_qty("Есть много", 1, 7).is_ok());
        assert!(check_order_qty("под заказ", 1, 1).is_err());
        assert!(check_order_qty("500", 1, 0).is_err());
        assert!(check_order_qty("10", 2, 3).is_err());
        assert!(check_order_qty("10", 2, 4).is_ok());
    }

    #[test]
    fn next_statuses() {
        assert_eq!(next_status(1), Some(2));
        assert_eq!(next_status(2), Some(3));
        assert_eq!(next_status(3), Some(11));
        assert_eq!(next_status(5), Some(7));
        assert_eq!(next_status(7), None);
        assert_eq!(next_status(8), None);
    }
}
