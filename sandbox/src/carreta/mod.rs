//! The Carreta shop API emulator, mounted at `/carreta/v1/`, and the published price list
//! at `/carreta/pricelist.csv`.
//!
//! Every route answers with and without a trailing slash: the document writes them with one,
//! clients often drop it.

pub mod catalogue;
pub mod orders;
pub mod sign;

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::{ApiError, AppState, IdParam, Params, SandboxConfig};
use catalogue::Catalogue;
use orders::{AdvanceError, OrderBook};
use sign::Signer;

/// Path prefix of the API.
pub const PREFIX: &str = "/carreta/v1";

/// Account used when the request names none ("задается менеджером" in the document).
pub const DEFAULT_ACCOUNT: &str = "1001";

/// A customer account: its profile. Orders live in the shared [`OrderBook`], tagged by account.
struct Account {
    id: &'static str,
    balance: &'static str,
    city: &'static str,
    email: &'static str,
    name: &'static str,
    phone: &'static str,
}

const ACCOUNTS: &[Account] = &[
    Account {
        id: "1001",
        balance: "7.14",
        city: "Казань",
        email: "",
        name: "Иванов Иван Иванович",
        phone: "+7-987-1234567",
    },
    Account {
        id: "1002",
        balance: "15230.50",
        city: "Москва",
        email: "fleet@example.invalid",
        name: "ООО «Автопарк»",
        phone: "+7-495-1234567",
    },
];

/// State of the Carreta emulator.
pub(crate) struct CarretaState {
    api_key: String,
    catalogue: Catalogue,
    signer: Signer,
    /// Each offer's search row as text, `[as the searched code, as an analogue]`, in
    /// catalogue order: the catalogue and its signatures never change, so a search answer is
    /// a join of these rather than a signature and a JSON tree per row per request.
    rows: Vec<[String; 2]>,
    book: Mutex<OrderBook>,
}

impl CarretaState {
    pub(crate) fn new(config: &SandboxConfig) -> Self {
        let catalogue = Catalogue::generate(config.seed);
        let signer = Signer::from_seed(config.seed);
        let rows = catalogue
            .offers()
            .iter()
            .map(|o| [false, true].map(|cross| o.to_row(&signer, cross).to_string()))
            .collect();
        CarretaState {
            api_key: config.carreta_api_key.clone(),
            catalogue,
            signer,
            rows,
            book: Mutex::new(OrderBook::default()),
        }
    }

    /// 401 for a wrong, missing or blank key (a blank one never matches, even if the
    /// sandbox was built with one), then 403 for an unknown account; returns the account.
    fn authorize(&self, params: &Params) -> Result<&'static Account, ApiError> {
        let key = params.get("api_key").filter(|k| !k.trim().is_empty());
        if key != Some(self.api_key.as_str()) {
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized."));
        }
        let wanted = match params.get("account") {
            None | Some("") => DEFAULT_ACCOUNT,
            Some(a) => a,
        };
        ACCOUNTS
            .iter()
            .find(|a| a.id == wanted)
            .ok_or_else(|| ApiError::new(StatusCode::FORBIDDEN, "Account not found."))
    }

    fn book(&self) -> std::sync::MutexGuard<'_, OrderBook> {
        // A panic while holding the lock cannot leave the book half-written in a way that
        // matters for an emulator, so keep serving.
        self.book.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Control API: move an order along (see [`OrderBook::advance`]).
    pub(crate) fn advance(
        &self,
        id: u64,
        status: Option<i64>,
        comment: Option<String>,
    ) -> Result<Value, ApiError> {
        let mut book = self.book();
        match book.advance(id, status, comment) {
            Ok(o) => Ok(o.to_json()),
            Err(AdvanceError::NotFound) => Err(ApiError::new(StatusCode::NOT_FOUND, "Not found.")),
            Err(AdvanceError::UnknownStatus(s)) => {
                Err(ApiError::bad_request(format!("Unknown status {s}.")))
            }
            Err(AdvanceError::Final(s)) => Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("Order is in a final status ({s}); pass an explicit status."),
            )),
        }
    }
}

type Shared = Arc<AppState>;

/// Registers `path` and `path/` with the same handlers.
fn both(router: Router<Shared>, path: &str, handler: MethodRouter<Shared>) -> Router<Shared> {
    router
        .route(path, handler.clone())
        .route(&format!("{path}/"), handler)
}

/// The Carreta routes.
pub(crate) fn routes() -> Router<Shared> {
    let mut r = Router::new();
    r = both(r, &format!("{PREFIX}/profile"), get(profile));
    r = both(r, &format!("{PREFIX}/search"), get(search));
    r = both(
        r,
        &format!("{PREFIX}/order"),
        get(list_orders).post(create_order),
    );
    r = both(r, &format!("{PREFIX}/order/{{id}}"), get(get_order));
    r = both(
        r,
        &format!("{PREFIX}/order/{{id}}/history"),
        get(order_history),
    );
    r.route("/carreta/pricelist.csv", get(pricelist))
}

async fn profile(State(app): State<Shared>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref());
    let acc = app.carreta.authorize(&params)?;
    Ok(Json(json!({
        "balance": acc.balance,
        "city": acc.city,
        "email": acc.email,
        "name": acc.name,
        "phone": acc.phone,
    }))
    .into_response())
}

async fn search(State(app): State<Shared>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref());
    app.carreta.authorize(&params)?;
    let c = &app.carreta;
    let found = c.catalogue.search_indices(params.get("q").unwrap_or(""));
    Ok(objects_response(found.into_iter().map(|(i, is_cross)| {
        c.rows[i][usize::from(is_cross)].as_str()
    })))
}

/// `{"objects": [...]}` from rows already serialised, with the `Content-Type` that
/// [`Json`] gives (the bytes are what `Json(json!({"objects": rows}))` writes).
fn objects_response<'a>(rows: impl Iterator<Item = &'a str>) -> Response {
    let mut body = String::with_capacity(4096);
    body.push_str("{\"objects\":[");
    for (i, row) in rows.enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(row);
    }
    body.push_str("]}");
    (
        [(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

async fn create_order(
    State(app): State<Shared>,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref());
    let acc = app.carreta.authorize(&params)?;
    let body = body?;
    let req = orders::parse_order(&body, &app.carreta.signer).map_err(ApiError::bad_request)?;
    // `test=on` is the document's switch; other values mean a real order.
    let test = params.get("test") == Some("on");
    let mut book = app.carreta.book();
    let order = book.create(acc.id, req, test);
    Ok((StatusCode::CREATED, Json(order.to_json())).into_response())
}

async fn list_orders(
    State(app): State<Shared>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref());
    let acc = app.carreta.authorize(&params)?;
    let page = match params.get("page") {
        None | Some("") => 1,
        Some(p) => match p.trim().parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => return Err(ApiError::bad_request("Invalid page.")),
        },
    };
    let comments = params.all("client_comment");
    let book = app.carreta.book();
    Ok(objects_response(
        book.list(acc.id, page, &comments)
            .into_iter()
            .map(orders::Order::json_text),
    ))
}

async fn get_order(
    State(app): State<Shared>,
    id: IdParam,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    with_order(&app, id, q.as_deref(), |order| order.to_json())
}

async fn order_history(
    State(app): State<Shared>,
    id: IdParam,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    with_order(&app, id, q.as_deref(), |order| order.history_json())
}

/// Looks up one of the caller's orders (another account's order is "not found", as the
/// shop does) and answers with `render(order)`.
fn with_order(
    app: &Shared,
    id: IdParam,
    query: Option<&str>,
    render: impl FnOnce(&orders::Order) -> Value,
) -> Result<Response, ApiError> {
    let params = Params::parse(query);
    let acc = app.carreta.authorize(&params)?;
    let id = id.or_not_found()?;
    let book = app.carreta.book();
    let order = book
        .get(acc.id, id)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "Not found."))?;
    Ok(Json(render(order)).into_response())
}

/// Size of one streamed price-list chunk.
const CHUNK: usize = 64 * 1024;
/// Chunks allowed in flight: bounds memory however many rows are asked for.
const CHUNKS_IN_FLIGHT: usize = 8;

/// Feeds a bounded channel from a blocking generator; fails with `BrokenPipe` once the
/// client has gone, which stops the generator.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send_buf(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "client went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send_buf()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.send_buf()
    }
}

/// `GET /carreta/pricelist.csv?rows=N&seed=S`: no api_key, the shop publishes its lists by
/// link. `rows` is at most [`crate::pricelist::MAX_ROWS`] (400 otherwise). The body is
/// generated on a blocking thread and streamed (chunked), so millions of rows cost no more
/// memory than a few chunks.
async fn pricelist(RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref());
    let num = |key: &str, default: u64| -> Result<u64, ApiError> {
        match params.get(key) {
            None | Some("") => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| {
                ApiError::bad_request(format!("{key} must be a non-negative integer."))
            }),
        }
    };
    let rows = num("rows", 1000)?;
    if rows > crate::pricelist::MAX_ROWS {
        return Err(ApiError::bad_request(format!(
            "rows must be at most {}.",
            crate::pricelist::MAX_ROWS
        )));
    }
    let seed = num("seed", 1)?;
    let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<Bytes>>(CHUNKS_IN_FLIGHT);
    tokio::task::spawn_blocking(move || {
        let mut w = ChannelWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        };
        let result = crate::pricelist::write_pricelist(&mut w, rows, seed).and_then(|_| w.flush());
        if let Err(e) = result {
            if e.kind() != io::ErrorKind::BrokenPipe {
                // Surfaces as an aborted body, so the client cannot mistake it for a short list.
                let _ = w.tx.blocking_send(Err(e));
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let mut resp = Body::from_stream(stream).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/csv; charset=windows-1251"),
    );
    resp.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        header::HeaderValue::from_static("attachment; filename=\"pricelist.csv\""),
    );
    Ok(resp)
}
