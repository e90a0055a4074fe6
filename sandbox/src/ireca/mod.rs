//! The iRECA Courier API emulator, mounted at `/ireca/api/v1/`.
//!
//! Its rules come from the document (`ireca-courier-api.apib`), not from a client:
//!
//! - every call needs `Authorization: Bearer <token>` (401 otherwise);
//! - every error is `{"error": true, "message": "..."}` as JSON, the document's form
//!   (its prose writes PHP's `=>`), for 400, 401, 404, 405 and 413 alike; a missing model is
//!   404 `"Модель не существует"`, the document's one example message;
//! - lists are paged by `page` (numbered from 0, as nine of the document's ten examples show)
//!   and `count` (default 20, at most 500: a larger count is refused with a 400, not capped);
//! - the ten CRUD resources share one implementation ([`crud`]), orders have their own
//!   ([`orders`]), and every change to an order writes a change-journal entry, a status
//!   journal entry when its delivery status moves, and posts the order to the registered
//!   callback ([`callbacks`]);
//! - answers are spelt the way the service spells them ([`spelling`]): ids and money as
//!   strings or numbers, flags as 0/1, empty ids as `{}`, by a fixed rule.
//!
//! The calls are one table ([`table`]): each row is an endpoint id of ENDPOINTS.md, the
//! method and path that reach it, and the handler. The router is generated from it, the
//! 405's `Allow` header too, and [`served_ids`] lists it for the test that compares it with
//! the document.

pub(crate) mod access;
pub(crate) mod callbacks;
pub(crate) mod courier;
pub(crate) mod crud;
pub(crate) mod dictionaries;
pub(crate) mod fiscal;
pub(crate) mod journal;
pub(crate) mod orders;
pub(crate) mod spelling;
pub(crate) mod state;
pub(crate) mod table;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::{AppState, Params, MAX_BODY_BYTES};
pub(crate) use state::IrecaState;

/// Path prefix of the API (the service's `/api/v1/` under `/ireca`).
pub const PREFIX: &str = "/ireca/api/v1";

/// Default token the emulator accepts (the document's example token is not used, so a
/// client that hard-codes it fails).
pub const DEFAULT_TOKEN: &str = "sandbox-ireca-token";

/// The document's message for a missing model.
pub const NOT_FOUND_MESSAGE: &str = "Модель не существует";

type Shared = Arc<AppState>;

/// An error answered as `{"error": true, "message": "..."}`, the iRECA error shape.
#[derive(Debug)]
pub struct IrecaError {
    status: StatusCode,
    message: String,
    allow: Option<String>,
}

impl IrecaError {
    /// An error with this status and message (shown to the client as is).
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        IrecaError {
            status,
            message: message.into(),
            allow: None,
        }
    }

    /// A `400 Bad Request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// The document's 404 for a model that does not exist.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, NOT_FOUND_MESSAGE)
    }

    /// The status answered.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message answered.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl IntoResponse for IrecaError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            Json(json!({ "error": true, "message": self.message })),
        )
            .into_response();
        if let Some(allow) = self.allow.and_then(|a| HeaderValue::from_str(&a).ok()) {
            resp.headers_mut().insert(header::ALLOW, allow);
        }
        resp
    }
}

impl From<BytesRejection> for IrecaError {
    fn from(rejection: BytesRejection) -> Self {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return IrecaError::new(
                status,
                format!("Тело запроса слишком велико: предел {MAX_BODY_BYTES} байт."),
            );
        }
        IrecaError::new(
            status,
            format!(
                "Не удалось прочитать тело запроса: {}.",
                rejection.body_text()
            ),
        )
    }
}

/// What a handler answers: JSON with a status, or a status with an empty body (the
/// document's `Response 201`/`204` show none).
#[derive(Debug)]
pub enum Reply {
    /// `200` (or another status) with a JSON body.
    Json(StatusCode, Value),
    /// A status with no body.
    Empty(StatusCode),
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        match self {
            Reply::Json(status, value) => (status, Json(value)).into_response(),
            Reply::Empty(status) => {
                // The document labels these answers `application/json` with no body; keep
                // the label so a client that insists on reading JSON meets the real case.
                let mut resp = (status, Body::empty()).into_response();
                resp.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                resp
            }
        }
    }
}

/// One call as a handler sees it.
pub(crate) struct Call<'a> {
    /// The emulator's state.
    pub state: &'a IrecaState,
    /// Query parameters.
    pub params: &'a Params,
    /// The request body (empty when none was sent).
    pub body: &'a [u8],
    /// The table row that matched.
    pub endpoint: &'a table::Endpoint,
}

impl Call<'_> {
    /// The body as JSON, or a 400 naming the problem.
    pub fn json(&self) -> Result<Value, IrecaError> {
        serde_json::from_slice(self.body).map_err(|e| {
            let mut text = e.to_string();
            if let Some(cut) = text.rfind(" at line ") {
                text.truncate(cut);
            }
            IrecaError::bad_request(format!("Тело запроса не является JSON: {text}."))
        })
    }

    /// The body as a JSON array of objects (create and replace calls), or a 400.
    pub fn json_array(&self) -> Result<Vec<serde_json::Map<String, Value>>, IrecaError> {
        match self.json()? {
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::Object(o) => Ok(o),
                    _ => Err(IrecaError::bad_request(format!(
                        "Элемент {i} массива должен быть объектом."
                    ))),
                })
                .collect(),
            _ => Err(IrecaError::bad_request(
                "Тело запроса должно быть массивом объектов.",
            )),
        }
    }

    /// The body as one JSON object (update calls), or a 400.
    pub fn json_object(&self) -> Result<serde_json::Map<String, Value>, IrecaError> {
        match self.json()? {
            Value::Object(o) => Ok(o),
            _ => Err(IrecaError::bad_request(
                "Тело запроса должно быть объектом.",
            )),
        }
    }

    /// An optional query parameter, trimmed; blank is absent.
    pub fn optional(&self, name: &str) -> Option<&str> {
        self.params
            .get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// A required query parameter (non-blank), or a 400 naming it.
    pub fn required(&self, name: &str) -> Result<&str, IrecaError> {
        self.optional(name).ok_or_else(|| {
            IrecaError::bad_request(format!("Не задан обязательный параметр {name}."))
        })
    }
}

/// A handler of one endpoint.
pub(crate) type Handler = fn(&Call<'_>) -> Result<Reply, IrecaError>;

/// Whether a path belongs to this emulator, so that its 404 takes the iRECA shape even
/// outside the API prefix (`/ireca/`, `/ireca/api/v1`).
pub(crate) fn owns(path: &str) -> bool {
    path == "/ireca" || path.starts_with("/ireca/")
}

/// The 404 of a path the service does not have.
pub(crate) fn page_not_found() -> IrecaError {
    IrecaError::new(StatusCode::NOT_FOUND, "Страница не найдена.")
}

/// Every endpoint id this emulator serves, in table order.
pub fn served_ids() -> Vec<String> {
    table::endpoints().iter().map(|e| e.id.clone()).collect()
}

/// The iRECA routes, nested under [`PREFIX`], with their own 404 and error net.
pub(crate) fn routes() -> Router<Shared> {
    let mut inner = Router::new();
    let mut paths: Vec<&str> = table::endpoints().iter().map(|e| e.path.as_str()).collect();
    paths.dedup();
    paths.sort_unstable();
    paths.dedup();
    for path in paths {
        inner = inner
            .route(&format!("/{path}"), any(dispatch))
            .route(&format!("/{path}/"), any(dispatch));
    }
    let inner = inner
        .fallback(|| async { page_not_found() })
        .layer(axum::middleware::map_response(documented_errors));
    Router::new().nest(PREFIX, inner)
}

/// Routes one request through the table: 405 for a method the path does not serve, then
/// the token, then the row whose query condition matches.
async fn dispatch(
    State(app): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let path = uri.path().trim_matches('/');
    let rows: Vec<&table::Endpoint> = table::endpoints()
        .iter()
        .filter(|e| e.path == path)
        .collect();
    let candidates: Vec<&table::Endpoint> = rows
        .iter()
        .filter(|e| e.method == method)
        .copied()
        .collect();
    if candidates.is_empty() {
        let mut allow: Vec<&str> = rows.iter().map(|e| e.method.as_str()).collect();
        allow.sort_unstable();
        allow.dedup();
        let mut err = IrecaError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("Метод {method} не поддерживается."),
        );
        err.allow = Some(allow.join(", "));
        return err.into_response();
    }
    let state = &app.ireca;
    if !state.authorized(&headers) {
        return IrecaError::new(
            StatusCode::UNAUTHORIZED,
            "Your request was made with invalid credentials.",
        )
        .into_response();
    }
    let params = Params::parse(q.as_deref());
    let Some(endpoint) = table::select(&candidates, &params) else {
        return IrecaError::bad_request("Запрос не соответствует ни одному вызову.")
            .into_response();
    };
    let body = match body {
        Ok(b) => b,
        Err(rejection) => return IrecaError::from(rejection).into_response(),
    };
    let call = Call {
        state,
        params: &params,
        body: &body,
        endpoint,
    };
    match (endpoint.handler)(&call) {
        Ok(reply) => reply.into_response(),
        Err(e) => e.into_response(),
    }
}

/// The net under every iRECA route: an error answer that is not already in the iRECA shape
/// (plain text from axum, or the sandbox's Carreta-shaped `{"error": "..."}`) is rewritten
/// into `{"error": true, "message": ...}`, keeping status and headers.
async fn documented_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    // First into the sandbox's common JSON shape, then into this service's.
    let response = crate::error::documented_errors(response).await;
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .unwrap_or_default();
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if value.get("error") == Some(&Value::Bool(true)) {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let message = value
        .get("error")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_string());
    let body = json!({ "error": true, "message": message }).to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}
