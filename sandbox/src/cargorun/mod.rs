//! The CARGO.RUN Logistics 2.0 emulator, mounted at `/cargorun/` (the customer's base URL:
//! paths below it are the pages' `api/...`).
//!
//! Its rules come from the pages (`cargorun/latest/`, then the older `cargorun/`, then the
//! Swagger for field names), not from a client:
//!
//! - paths are case-insensitive (`_overview.md` §4.4); only `GET` and `POST` are used
//!   (§4.6): another method on a known path is a 405 with `Allow`, an unknown path a 404;
//! - `POST api/Account/GenerateToken` `{userName, password, code?}` answers
//!   `{accessToken, refreshToken, expiresIn, currentUser}` (the pages give no answer shape:
//!   this one is the sandbox's choice). The access token is an HS256 JWT whose `exp` is the
//!   sandbox clock plus the token lifetime (default 30 min, auth.md §3.1). Wrong
//!   credentials are a 400 in plain text (the Swagger lists 400 first; the pages say
//!   nothing). A second token for the same user within the cooldown (default 60 s) is a
//!   429 with `Retry-After` in whole seconds (auth.md §3.3);
//! - `POST api/Account/RefreshToken` `{accessToken, refreshToken}` answers a new pair; the
//!   refresh token is single-use: an unknown or used one, or one paired with another
//!   user's access token, is a 401;
//! - every other call needs `Authorization: Bearer <access token>` issued by this sandbox
//!   and not expired on the sandbox clock: else 401 with an empty body and
//!   `WWW-Authenticate: Bearer` (auth.md §6);
//! - errors are plain text (`_overview.md` §4.5: "текстовое пояснение"), 400 for business
//!   rules and validation, the text naming the field or the rule;
//! - lists take OData `$filter/$orderby/$top/$skip/$count` ([`odata`]) and answer
//!   `X-MetaCount`, the count after the filter and before `$top`/`$skip`.
//!
//! The calls are one table (`table.rs`): each row is an id of ENDPOINTS.md, the method and
//! the path pattern; [`served_ids`] lists it for the coverage test.
//!
//! # Control API (`/_control/cargorun/…`, JSON bodies, snake_case fields)
//!
//! - `GET  /_control/cargorun/clock` → `{"now": "2026-…Z", "offset_seconds": N}`
//! - `POST /_control/cargorun/clock` `{"advance_seconds": N}` → the same: moves the sandbox
//!   clock (token expiry, the cooldown, `createdAt`/`updatedAt`) forward by N seconds
//!   (negative moves it back).
//! - `GET|POST /_control/cargorun/settings` `{"token_lifetime_seconds"?: N, "cooldown_seconds"?: N}`
//!   → `{"token_lifetime_seconds", "cooldown_seconds"}`: applies to tokens issued afterwards.
//! - `POST /_control/cargorun/tokens/expire` `{"refresh_tokens"?: bool}` → `{"expired": N}`:
//!   every access token issued so far expires now; with `refresh_tokens: true` the refresh
//!   tokens are revoked too (the client must sign in again).
//! - `GET /_control/cargorun/calls` → `{"cargorun.auth.refresh_token": 1, …}`: requests per
//!   endpoint id since the start or the last `DELETE /_control/cargorun/calls` (every
//!   request that reached a row, whatever its answer).
//! - `POST /_control/cargorun/bids/{id}/complete` `{"mileage"?: km}` → the bid: a `Started`
//!   or `Planned` bid becomes `Done`, each point gets `enteredAt`/`loadUnloadedAt` (fact
//!   times, one hour apart on the sandbox clock) and the bid `factMileage` (default 100).
//!   Another status is a 409.
//! - `POST /_control/cargorun/distribution_bids/{id}/distribute` `{"bid_id": N}` → the
//!   order, now `InProcess` with `bidId` (the dispatcher's step in the service's UI).
//! - `POST /_control/cargorun/reset` → every directory, bid, token and counter back to the
//!   start, the clock offset 0, the settings to the configured defaults.

pub(crate) mod auth;
pub(crate) mod bids;
pub(crate) mod control;
pub(crate) mod directories;
pub mod generic;
pub mod odata;
pub(crate) mod other;
pub(crate) mod state;
pub(crate) mod table;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::{Map, Value};

use crate::{AppState, MAX_BODY_BYTES};
pub(crate) use state::CargorunState;

/// Path prefix of the emulator: the customer's base URL is `http://HOST:PORT/cargorun/`.
pub const PREFIX: &str = "/cargorun";

/// Default user name the emulator accepts.
pub const DEFAULT_USERNAME: &str = "integration@sandbox.cargo.run";

/// Default password the emulator accepts.
pub const DEFAULT_PASSWORD: &str = "sandbox-cargorun-password";

type Shared = Arc<AppState>;

/// An error answered in plain text (`text/plain; charset=utf-8`), the service's form; a
/// 401 has an empty body and `WWW-Authenticate: Bearer`, as ASP.NET's JWT handler answers.
#[derive(Debug)]
pub struct CargorunError {
    pub(crate) status: StatusCode,
    pub(crate) text: String,
    pub(crate) retry_after: Option<u64>,
    pub(crate) allow: Option<String>,
}

impl CargorunError {
    /// An error with this status and text.
    pub fn new(status: StatusCode, text: impl Into<String>) -> Self {
        CargorunError {
            status,
            text: text.into(),
            retry_after: None,
            allow: None,
        }
    }

    /// A 400: a business rule or validation.
    pub fn bad_request(text: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, text)
    }

    /// A 401 with an empty body.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "")
    }

    /// A 404 naming what is missing.
    pub fn not_found(text: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, text)
    }
}

impl IntoResponse for CargorunError {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.text).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(allow) = self.allow.and_then(|a| HeaderValue::from_str(&a).ok()) {
            headers.insert(header::ALLOW, allow);
        }
        response
    }
}

/// A successful answer.
#[derive(Debug)]
pub enum Reply {
    /// 200 with a JSON body.
    Json(Value),
    /// 200 with a JSON array and `X-MetaCount: total`.
    List(Vec<Value>, usize),
    /// 200 with `{"totalCount": total, "collection": [...]}` (the Swagger's
    /// `ICollatedCollection`) and `X-MetaCount: total`.
    Collated(Vec<Value>, usize),
    /// 200 with an empty body.
    Empty,
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        match self {
            Reply::Json(v) => axum::Json(v).into_response(),
            Reply::List(items, total) => {
                let mut r = axum::Json(Value::Array(items)).into_response();
                r.headers_mut()
                    .insert("X-MetaCount", HeaderValue::from(total as u64));
                r
            }
            Reply::Collated(items, total) => {
                let body = serde_json::json!({"totalCount": total, "collection": items});
                let mut r = axum::Json(body).into_response();
                r.headers_mut()
                    .insert("X-MetaCount", HeaderValue::from(total as u64));
                r
            }
            Reply::Empty => StatusCode::OK.into_response(),
        }
    }
}

/// Query parameters; names are matched without regard to case, as ASP.NET binds them.
#[derive(Debug, Default)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Decodes a raw query string.
    pub fn parse(raw: Option<&str>) -> Self {
        Query(
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name` (any case), trimmed; blank is absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Every value of `name` (any case), comma lists split (`Ids=1,2&Ids=3`).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// A boolean flag (`true`/`false`, any case); absent is `false`, anything else a 400.
    pub fn flag(&self, name: &str) -> Result<bool, CargorunError> {
        match self.get(name) {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(CargorunError::bad_request(format!(
                "The value '{v}' is not valid for {name}: true or false expected."
            ))),
        }
    }

    /// A required integer parameter, or a 400 naming it.
    pub fn id(&self, name: &str) -> Result<u64, CargorunError> {
        let raw = self
            .get(name)
            .ok_or_else(|| CargorunError::bad_request(format!("The {name} field is required.")))?;
        raw.parse().map_err(|_| {
            CargorunError::bad_request(format!("The value '{raw}' is not valid for {name}."))
        })
    }
}

/// One request as a handler sees it: the state (locked), the query, the body, the `{id}`
/// of the path when the pattern has one.
pub struct Call<'a> {
    /// Everything the emulator holds.
    pub state: &'a mut state::Inner,
    /// Query parameters.
    pub query: &'a Query,
    /// The request body (empty when none was sent).
    pub body: &'a [u8],
    /// The `{id}` of the path, as written.
    pub path_id: Option<String>,
    /// The row.
    pub endpoint: &'static table::Endpoint,
}

impl Call<'_> {
    /// The body as a JSON object, or a 400.
    pub fn object(&self) -> Result<Map<String, Value>, CargorunError> {
        match serde_json::from_slice::<Value>(self.body) {
            Ok(Value::Object(o)) => Ok(o),
            Ok(_) => Err(CargorunError::bad_request(
                "The request body must be a JSON object.",
            )),
            Err(e) => {
                let mut text = e.to_string();
                if let Some(cut) = text.rfind(" at line ") {
                    text.truncate(cut);
                }
                Err(CargorunError::bad_request(format!(
                    "The request body is not valid JSON: {text}."
                )))
            }
        }
    }

    /// The `{id}` of the path as a number, or a 400 naming it.
    pub fn path_id(&self) -> Result<u64, CargorunError> {
        let raw = self.path_id.as_deref().unwrap_or("");
        raw.parse().map_err(|_| {
            CargorunError::bad_request(format!("The value '{raw}' is not valid for id."))
        })
    }
}

/// A handler of one endpoint.
pub(crate) type Handler = fn(&mut Call<'_>) -> Result<Reply, CargorunError>;

/// Every endpoint id this emulator serves, in table order, once each.
pub fn served_ids() -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for e in table::endpoints() {
        if !ids.iter().any(|i| i == e.id) {
            ids.push(e.id.to_string());
        }
    }
    ids
}

/// The emulator's routes: everything under [`PREFIX`] goes to one dispatcher, which
/// matches paths without regard to case (axum's router cannot).
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route(PREFIX, any(dispatch))
        .route(&format!("{PREFIX}/"), any(dispatch))
        .route(&format!("{PREFIX}/{{*rest}}"), any(dispatch))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Routes one request: 404 for a path no row has, 405 for a method the path does not
/// serve, the per-id counter, the token, then the handler.
async fn dispatch(
    State(app): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let path = uri
        .path()
        .strip_prefix(PREFIX)
        .unwrap_or("")
        .replace("%28", "(")
        .replace("%29", ")")
        .trim_matches('/')
        .to_ascii_lowercase();
    let matches = table::find(&path);
    // What no typed row serves may be another operation of the Swagger (generic.rs).
    if !matches.iter().any(|(e, _)| e.method == method) {
        if let Some((op, values)) = generic::find(&method, &path) {
            let body = match body {
                Ok(b) => b,
                Err(rejection) => return CargorunError::new(rejection.status(), rejection.body_text()).into_response(),
            };
            return generic::serve(&app, op, &values, &headers, q.as_deref(), &body);
        }
    }
    if matches.is_empty() {
        return CargorunError::not_found(format!("No API method at /{path}.")).into_response();
    }
    let Some((endpoint, path_id)) = matches.iter().find(|(e, _)| e.method == method).cloned()
    else {
        let mut allow: Vec<&str> = matches.iter().map(|(e, _)| e.method.as_str()).collect();
        allow.sort_unstable();
        allow.dedup();
        let mut err = CargorunError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("The method {method} is not supported: the API uses GET and POST only."),
        );
        err.allow = Some(allow.join(", "));
        return err.into_response();
    };
    let body = match body {
        Ok(b) => b,
        Err(rejection) => {
            return CargorunError::new(rejection.status(), rejection.body_text()).into_response()
        }
    };
    let state = &app.cargorun;
    let mut inner = state.lock();
    *inner.calls.entry(endpoint.id.to_string()).or_default() += 1;
    if endpoint.auth && !inner.auth.authorized(&headers, inner.clock.now()) {
        return CargorunError::unauthorized().into_response();
    }
    let query = Query::parse(q.as_deref());
    let mut call = Call {
        state: &mut inner,
        query: &query,
        body: &body,
        path_id,
        endpoint,
    };
    let result = (endpoint.handler)(&mut call);
    drop(inner);
    match result {
        Ok(reply) => reply.into_response(),
        Err(e) => e.into_response(),
    }
}
