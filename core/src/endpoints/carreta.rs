//! Carreta's rows: six HTTP calls (`carreta-api.txt`), the price-list reader and the order
//! rules as library-side calls.
//!
//! ```
//! use logibridge::endpoints::{carreta, Paging};
//! assert_eq!(carreta::SERVICE.endpoints.len(), 11);
//! assert_eq!(carreta::ORDER_LIST.paging, Paging::PageNumber { param: "page", first: 1, size: 100 });
//! ```

use serde_json::{json, Map, Value};

use super::types::*;
use crate::carreta::{CreatedOrder, HistoryEntry, NewOrder, Offer, Order, Profile, Qty, ORDERS_PER_PAGE};
use crate::error::{Error, Result};

const S: &str = "carreta";

static PROFILE: Model = Model::of::<Profile>("Profile");
static OFFER: Model = Model::of::<Offer>("Offer");
static NEW_ORDER: Model = Model::of::<NewOrder>("NewOrder");
static ORDER: Model = Model::of::<Order>("Order");
static HISTORY_ENTRY: Model = Model::of::<HistoryEntry>("HistoryEntry");
static CREATED_ORDER: Model = Model::of::<CreatedOrder>("CreatedOrder");

/// `carreta.profile.get`: balance and contact details (`GET profile/`).
pub const PROFILE_GET: &Endpoint = &Endpoint {
    summary: "Balance and contact details of the account.",
    response: Response::one(&PROFILE),
    names: FaceNames { python: "profile.get", onec_en: "Profile", onec_ru: "Профиль" },
    ..Endpoint::new("carreta.profile.get", S, Method::Get, "profile/")
};

/// `carreta.search.query`: offers for a part code, analogues included (`GET search/?q=`).
pub const SEARCH_QUERY: &Endpoint = &Endpoint {
    summary: "Offers for a part code, analogues included.",
    params: &[Param::new("q", Location::Query, Type::String).required().doc("Строка", "The part code to look for (carreta-api.txt, search).")],
    response: Response::list(&OFFER, Some("objects")),
    names: FaceNames { python: "search.query", onec_en: "Search", onec_ru: "Поиск" },
    ..Endpoint::new("carreta.search.query", S, Method::Get, "search/")
};

const ORDER_CREATE_PARAMS: &[Param] = &[
    Param::new("order", Location::Body, Type::Model(&NEW_ORDER)).required().doc("Заказ", "The search row sent back unchanged, plus `order_qty` and an optional `client_comment` (at most 50 characters)."),
    Param::new("test", Location::Query, Type::Flag("on")).doc("Тестовый", "`true` sends `test=on`: the shop creates a test order."),
];

/// `carreta.order.create`: places an order for a search row (`POST order/`). The order
/// rules are checked first; never retried. A lost answer is an error with
/// `outcome_unknown`; `carreta.order.create_once` resolves it.
pub const ORDER_CREATE: &Endpoint = &Endpoint {
    summary: "Places an order for a search row; the documented order rules are checked before sending.",
    params: ORDER_CREATE_PARAMS,
    body: BodyKind::Whole,
    check: Some(check_new_order),
    response: Response { success: &[200, 201], ..Response::one(&ORDER) },
    idempotent: false,
    names: FaceNames { python: "order.create", onec_en: "CreateOrder", onec_ru: "СоздатьЗаказ" },
    ..Endpoint::new("carreta.order.create", S, Method::Post, "order/")
};

static CREATE_ONCE: Once = Once { create: ORDER_CREATE, lookup: ORDER_LIST, field: "order", lookup_params: once_lookup, pick: once_pick };

/// `carreta.order.create_once`: `carreta.order.create` made exactly once by its
/// `client_comment`. When the answer is lost after the order may have been sent (a timeout,
/// a connection broken mid-answer: `outcome_unknown`), the order is looked up by its
/// comment before anything is sent again. The result says which happened:
/// `{"outcome": "created" | "recovered", "order": {...}}`. The comment is required and
/// should be unique per order (an order without one cannot be found again, so it cannot
/// be made exactly once).
pub const ORDER_CREATE_ONCE: &Endpoint = &Endpoint {
    summary: "Places an order exactly once: a lost answer is resolved by looking the order up by its client_comment (required) before sending again.",
    params: ORDER_CREATE_PARAMS,
    body: BodyKind::Whole,
    check: Some(check_new_order_once),
    response: Response::one(&CREATED_ORDER),
    idempotent: false,
    once: Some(&CREATE_ONCE),
    names: FaceNames { python: "order.create_once", onec_en: "CreateOrderOnce", onec_ru: "СоздатьЗаказОднократно" },
    ..Endpoint::new("carreta.order.create_once", S, Method::Post, "order/")
};

/// `carreta.order.list`: orders, newest first, 100 a page (`GET order/`).
pub const ORDER_LIST: &Endpoint = &Endpoint {
    summary: "Orders, newest first, 100 a page; optionally only those with the given client comments.",
    params: &[
        Param::new("page", Location::Query, Type::Integer).range(Some(1), Some(u32::MAX as i64)).doc("Страница", "The page, from 1 (100 orders a page)."),
        Param::new("client_comment", Location::Query, Type::String).repeated().doc("Комментарий", "Only orders whose `client_comment` equals one of these."),
        Param::new("all", Location::Library, Type::Bool).default("false").doc("Все", "Fetch every page from `page` on and return one list."),
    ],
    response: Response::list(&ORDER, Some("objects")),
    paging: Paging::PageNumber { param: "page", first: 1, size: ORDERS_PER_PAGE as u32 },
    names: FaceNames { python: "order.list", onec_en: "Orders", onec_ru: "Заказы" },
    ..Endpoint::new("carreta.order.list", S, Method::Get, "order/")
};

const ORDER_ID: Param = Param::new("id", Location::Path, Type::Integer).required().range(Some(0), None).doc("Идентификатор", "The order's `id`.");

/// `carreta.order.get` (`GET order/{id}/`).
pub const ORDER_GET: &Endpoint = &Endpoint {
    summary: "One order.",
    params: &[ORDER_ID],
    response: Response::one(&ORDER),
    names: FaceNames { python: "order.get", onec_en: "GetOrder", onec_ru: "ПолучитьЗаказ" },
    ..Endpoint::new("carreta.order.get", S, Method::Get, "order/{id}/")
};

/// `carreta.order.history`: what happened to an order, oldest first (`GET order/{id}/history/`).
pub const ORDER_HISTORY: &Endpoint = &Endpoint {
    summary: "What happened to an order, oldest first.",
    params: &[ORDER_ID],
    response: Response::list(&HISTORY_ENTRY, Some("objects")),
    names: FaceNames { python: "order.history", onec_en: "OrderHistory", onec_ru: "ИсторияЗаказа" },
    ..Endpoint::new("carreta.order.history", S, Method::Get, "order/{id}/history/")
};

/// `carreta.order.check_qty`: the order-size rules without a request (library-side).
/// Returns `true`, or fails with the broken rule's validation error.
pub const ORDER_CHECK_QTY: &Endpoint = &Endpoint {
    summary: "Checks an order size against an offer's stock text and minimum, without sending anything.",
    params: &[
        Param::new("qty", Location::Library, Type::String).required().doc("Наличие", "The offer's stock text: `10`, `<10`, `>50`, `Есть`."),
        Param::new("min_qty", Location::Library, Type::Integer).required().doc("МинимальноеКоличество", "The offer's minimum order; orders are multiples of it."),
        Param::new("order_qty", Location::Library, Type::Integer).required().doc("Количество", "How many pieces to order."),
    ],
    local: Some(check_qty_local),
    auth: false,
    names: FaceNames { python: "order.check_qty", onec_en: "CheckOrderQty", onec_ru: "ПроверитьКоличество" },
    ..Endpoint::new("carreta.order.check_qty", S, Method::Local, "")
};

/// `carreta.order.check_comment`: the `client_comment` rule (at most 50 characters).
pub const ORDER_CHECK_COMMENT: &Endpoint = &Endpoint {
    summary: "Checks a client comment (at most 50 characters), without sending anything.",
    params: &[Param::new("client_comment", Location::Library, Type::String).required().doc("Комментарий", "The comment to check.")],
    local: Some(check_comment_local),
    auth: false,
    names: FaceNames { python: "order.check_comment", onec_en: "CheckComment", onec_ru: "ПроверитьКомментарий" },
    ..Endpoint::new("carreta.order.check_comment", S, Method::Local, "")
};

/// `carreta.pricelist.parse`: one page of rows of a price-list file (library-side).
pub const PRICELIST_PARSE: &Endpoint = &Endpoint {
    summary: "Reads a page of rows of a price-list file (CSV, CP1251 or UTF-8, `;`), with the bad rows met on the way.",
    params: &[
        Param::new("path", Location::Library, Type::String).required().doc("ПутьКФайлу", "The file to read."),
        Param::new("offset", Location::Library, Type::Integer).default("0").range(Some(0), None).doc("Смещение", "Rows to skip."),
        Param::new("limit", Location::Library, Type::Integer).default("1000").range(Some(0), None).doc("Количество", "Rows to return at most."),
        Param::new("encoding", Location::Library, Type::String).doc("Кодировка", "`cp1251`, `utf-8` or any WHATWG label; detected when absent."),
    ],
    local: Some(pricelist_page),
    auth: false,
    names: FaceNames { python: "pricelist.parse", onec_en: "ParsePricelist", onec_ru: "РазобратьПрайс" },
    ..Endpoint::new("carreta.pricelist.parse", S, Method::Local, "")
};

/// `carreta.pricelist.download`: fetches a price list from its download link into a file
/// (library-side, through the one transport: redirects, retries, errors and redaction as for
/// every call). The file appears only when the download is complete.
pub const PRICELIST_DOWNLOAD: &Endpoint = &Endpoint {
    summary: "Downloads a price list from its link into a file, streaming (the file appears only when complete).",
    params: &[
        Param::new("url", Location::Library, Type::String).required().doc("Ссылка", "The price list's download link (http or https); a key in it never reaches a message."),
        Param::new("path", Location::Library, Type::String).required().doc("ПутьКФайлу", "Where to save it; an existing file is replaced only when the download succeeds."),
    ],
    local: Some(download_to_file),
    auth: false,
    names: FaceNames { python: "pricelist.download", onec_en: "DownloadPricelist", onec_ru: "СкачатьПрайс" },
    ..Endpoint::new("carreta.pricelist.download", S, Method::Get, "")
};

/// Every Carreta row, in the inventory's order.
pub static ENDPOINTS: &[&Endpoint] = &[PROFILE_GET, SEARCH_QUERY, ORDER_CREATE, ORDER_CREATE_ONCE, ORDER_LIST, ORDER_GET, ORDER_HISTORY, PRICELIST_PARSE, PRICELIST_DOWNLOAD, ORDER_CHECK_QTY, ORDER_CHECK_COMMENT];

/// The Carreta service: `api_key` in the query, `account` on every call.
pub static SERVICE: ServiceSpec = ServiceSpec {
    prefix: S,
    name: "Carreta",
    default_base_url: crate::carreta::DEFAULT_BASE_URL,
    auth: AuthSpec::QueryParam { param: "api_key", credential: "api_key" },
    credentials: &[Credential { name: "api_key", onec_en: "ApiKey", onec_ru: "КлючAPI", secret: true, required: true }],
    common_params: &[Param::new("account", Location::Query, Type::String).doc("Аккаунт", "The account to act for when the key serves several; the manager's default otherwise.")],
    errors: ErrorFormat::keys(&["error", "detail", "message"]),
    // The shop works in Moscow time and writes it without a zone (carreta-api.txt).
    dates: DateFormat::Local { offset_seconds: 3 * 3600 },
    endpoints: ENDPOINTS,
};

/// The order rules on the checked `order` parameter (already in its documented form).
fn check_new_order(params: &Map<String, Value>) -> Result<()> {
    let Some(order) = params.get("order") else { return Ok(()) };
    let order: NewOrder = serde_json::from_value(order.clone()).map_err(|e| Error::Internal(format!("the checked order does not decode again: {e}")))?;
    order.validate()?;
    Ok(())
}

/// The comment of the checked `order`, if it has a non-empty one.
fn order_comment(params: &Map<String, Value>) -> Option<&str> {
    params.get("order").and_then(|o| o.get("client_comment")).and_then(Value::as_str).filter(|c| !c.trim().is_empty())
}

/// The order rules, plus the comment that makes the order findable again.
fn check_new_order_once(params: &Map<String, Value>) -> Result<()> {
    check_new_order(params)?;
    once_lookup(params).map(|_| ())
}

fn once_lookup(params: &Map<String, Value>) -> Result<Value> {
    match order_comment(params) {
        Some(comment) => Ok(json!({ "client_comment": [comment] })),
        None => Err(Error::invalid_param(
            ORDER_CREATE_ONCE.id,
            "order.client_comment",
            "param.required",
            "is required: an order is made exactly once by looking it up by its client_comment after a lost answer; without one it cannot be found again (use carreta.order.create)",
            "обязателен: заказ создаётся однократно благодаря поиску по комментарию (client_comment) после потерянного ответа; без комментария его не найти (используйте carreta.order.create)",
        )),
    }
}

fn once_pick(params: &Map<String, Value>, found: Value) -> Option<Value> {
    let comment = order_comment(params)?;
    match found {
        Value::Array(orders) => orders.into_iter().find(|o| o.get("client_comment").and_then(Value::as_str) == Some(comment)),
        _ => None,
    }
}

fn check_qty_local(params: Map<String, Value>) -> Result<Value> {
    let qty = params.get("qty").and_then(Value::as_str).unwrap_or_default();
    let int = |name: &str| params.get(name).and_then(Value::as_i64).unwrap_or_default();
    crate::carreta::check_order_qty(&Qty::parse(qty), int("min_qty"), int("order_qty"))?;
    Ok(json!(true))
}

fn check_comment_local(params: Map<String, Value>) -> Result<Value> {
    let comment = params.get("client_comment").and_then(Value::as_str).unwrap_or_default();
    crate::carreta::check_client_comment(comment)?;
    Ok(json!(true))
}

/// One page of a price list: rows `offset..offset+limit` (bad rows are collected, never
/// dropped), the bad rows met on the way, the summary, and where the next page starts
/// (`null` at the end).
fn pricelist_page(params: Map<String, Value>) -> Result<Value> {
    use crate::pricelist::{open_with, Encoding, OnError, Options};
    let path = params.get("path").and_then(Value::as_str).unwrap_or_default();
    let offset = params.get("offset").and_then(Value::as_u64).unwrap_or(0);
    let limit = params.get("limit").and_then(Value::as_u64).unwrap_or(1000);
    let encoding = match params.get("encoding").and_then(Value::as_str) {
        None => Encoding::Auto,
        Some(label) => Encoding::from_label(label).ok_or_else(|| Error::invalid_param(PRICELIST_PARSE.id, "encoding", "param.encoding", format!("unknown encoding \"{}\"", crate::shown_input(label)), format!("неизвестная кодировка «{}»", crate::shown_input(label))))?,
    };
    // The row takes no column names, in any face: the file's header must say them.
    let options = Options::new().encoding(encoding).on_error(OnError::Collect).column_hint(
        "carreta.pricelist.parse takes no column names: name the column in the file's header",
        "carreta.pricelist.parse не принимает названий колонок: назовите колонку в заголовке файла",
    );
    let mut reader = open_with(path, options)?;
    let mut rows = Vec::new();
    let mut more = false;
    let end = offset.saturating_add(limit);
    // The counts and reports as of the page's last row: the row read past it (to tell
    // whether there is more) is no row of this page (issue 10, item 23).
    let mut upto = (reader.summary(), 0);
    let mut seen = 0u64;
    while let Some(row) = reader.next() {
        let row = row?;
        if seen >= end {
            more = true;
            break;
        }
        if seen >= offset {
            rows.push(crate::call::to_json(&row)?);
        }
        upto = (reader.summary(), reader.bad_rows().len());
        seen += 1;
    }
    let (summary, kept) = if more { upto } else { (reader.summary(), reader.bad_rows().len()) };
    Ok(json!({
        "rows": rows,
        "bad_rows": crate::call::to_json(&reader.bad_rows()[..kept])?,
        "summary": crate::call::to_json(&summary)?,
        "next_offset": if more { Value::from(offset + limit) } else { Value::Null },
    }))
}

/// Streams a download into `<path>.part`, then renames it over `path`: a failed download
/// never leaves a truncated file where the caller expects a price list.
fn download_to_file(params: Map<String, Value>) -> Result<Value> {
    let text = |name: &str| params.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
    let (url, path) = (text("url"), std::path::PathBuf::from(text("path")));
    let mut part = path.clone().into_os_string();
    part.push(".part");
    let part = std::path::PathBuf::from(part);
    let shown_path = crate::shown_input(&path.display().to_string());
    let cannot = |what: &str, e: std::io::Error| Error::invalid_param(PRICELIST_DOWNLOAD.id, "path", "param.path", format!("cannot {what} {shown_path}: {e}"), format!("не удалось {} {shown_path}: {e}", if what == "create" { "создать" } else { "записать" }));
    let mut download = crate::pricelist::download_stream(&url, |_, _| {})?;
    let result = (|| {
        let mut file = std::fs::File::create(&part).map_err(|e| cannot("create", e))?;
        let bytes = std::io::copy(&mut download, &mut file).map_err(|e| match e.downcast::<Error>() {
            Ok(inner) => inner,
            Err(e) => cannot("write", e),
        })?;
        file.sync_all().map_err(|e| cannot("write", e))?;
        std::fs::rename(&part, &path).map_err(|e| cannot("write", e))?;
        Ok(bytes)
    })();
    match result {
        Ok(bytes) => Ok(json!({ "path": path.display().to_string(), "bytes": bytes, "total": download.total() })),
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            Err(e)
        }
    }
}
