//! The control API under `/_control/`, and the middleware that gives every service route
//! fault injection and request logging.
//!
//! - `GET  /_control/health` → `ok`
//! - `POST /_control/carreta/orders/{id}/advance` `{"status": N?, "comment": "..."?}`
//! - `POST /_control/ireca/courier`, `POST /_control/ireca/sessions`,
//!   `GET /_control/ireca/callbacks`: see [`crate::ireca::courier`]
//! - `/_control/cargorun/…` (clock, settings, tokens/expire, calls, bids/{id}/complete,
//!   distribution_bids/{id}/distribute, reset): see [`crate::cargorun`]
//! - `POST /_control/faults` `{"path_prefix", "status"?, "count"?, "retry_after"?, "delay_ms"?, "body"?,
//!   "after_apply"?, "drop_answer"?, "method"?}`,
//!   `GET /_control/faults`, `DELETE /_control/faults`
//! - `GET /_control/requests`, `DELETE /_control/requests`
//!
//! A body with a field these calls do not know, or a field of the wrong type, is refused
//! (400 naming the field) rather than half understood.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{ApiError, AppState, IdParam};

/// Prefix of the control API; requests under it are neither logged nor faulted.
pub const PREFIX: &str = "/_control";

/// Oldest log entries are dropped past this, so a load test cannot grow memory forever.
const MAX_LOG: usize = 100_000;

/// A fault armed for the next `count` requests whose path starts with `path_prefix`.
///
/// Unknown fields are refused: a misspelt `dealy_ms` would otherwise arm a different fault
/// than the test meant, silently.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// E.g. `/carreta/v1/search`; must start with `/` (paths do).
    pub path_prefix: String,
    /// Only requests with this method (`POST`, any case); any method when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// Answer with this status instead of handling the request; `None` = only delay.
    #[serde(default)]
    pub status: Option<u16>,
    /// How many requests it hits (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// `Retry-After` header value for the injected answer (must be a valid header value).
    #[serde(default)]
    pub retry_after: Option<String>,
    /// Delay before answering (or before normal handling when `status` is absent).
    #[serde(default)]
    pub delay_ms: u64,
    /// Raw body of the injected answer; default `{"error": "Injected fault."}`.
    #[serde(default)]
    pub body: Option<String>,
    /// Handle the request first (an order is created), then wait `delay_ms` before
    /// answering (with `status` if given, else the real answer): a client with a shorter
    /// timeout loses an answer to a request that was applied.
    #[serde(default)]
    pub after_apply: bool,
    /// Handle the request (an order is created), then close the connection in the middle
    /// of the answer (after `delay_ms`, if any): the answer is lost, the change is not.
    #[serde(default)]
    pub drop_answer: bool,
}

fn one() -> u32 {
    1
}

/// One logged request to a service route.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    /// HTTP method.
    pub method: String,
    /// Request path.
    pub path: String,
    /// Raw query string with the `api_key` value replaced by `***`.
    pub query: String,
    /// Status the request was answered with (the injected one for a fault).
    pub status: u16,
    /// The answer never reached the client whole: a `drop_answer` fault cut it, or the
    /// client went away (timed out) before it was sent. The request was still handled
    /// and is logged all the same. Present only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub answer_lost: bool,
}

/// State of the control API.
#[derive(Default)]
pub(crate) struct ControlState {
    faults: Mutex<Vec<Fault>>,
    log: Mutex<VecDeque<LoggedRequest>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ControlState {
    /// Takes one hit of the first armed fault matching `path`.
    fn take_fault(&self, method: &str, path: &str) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let i = faults.iter().position(|f| {
            path.starts_with(&f.path_prefix)
                && f.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
        })?;
        let hit = faults[i].clone();
        faults[i].count -= 1;
        if faults[i].count == 0 {
            faults.remove(i);
        }
        Some(hit)
    }

    fn record(&self, entry: LoggedRequest) {
        let mut log = lock(&self.log);
        if log.len() >= MAX_LOG {
            log.pop_front();
        }
        log.push_back(entry);
    }
}

/// The query string with `api_key`'s value masked, other parameters left as sent.
pub fn redact_query(raw: &str) -> String {
    raw.split('&')
        .map(|pair| {
            let key = pair.split('=').next().unwrap_or("");
            let decoded: String = url::form_urlencoded::parse(key.as_bytes())
                .map(|(k, _)| k.into_owned())
                .next()
                .unwrap_or_default();
            if decoded == "api_key" {
                format!("{key}=***")
            } else {
                pair.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Middleware on every route: service requests get armed faults applied and are logged with
/// the status they were answered with; `/_control/` passes straight through. A request is
/// logged even when its client went away before the answer (`answer_lost`).
pub(crate) async fn intercept(
    State(app): State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    if path == PREFIX || path.starts_with(&format!("{PREFIX}/")) {
        return next.run(req).await;
    }
    let method = req.method().to_string();
    let query = redact_query(req.uri().query().unwrap_or(""));
    let fault = app.control.take_fault(&method, &path);
    // Handled and logged on a task of its own: a client that goes away (times out) drops
    // this future, not the work, so the request is still applied and logged.
    let (mut tx, rx) = tokio::sync::oneshot::channel::<Response>();
    let control = app.clone();
    tokio::spawn(async move {
        let delay = |f: &Fault| Duration::from_millis(f.delay_ms);
        let mut lost = false;
        let response = match fault {
            Some(f) if f.after_apply || f.drop_answer => {
                let real = next.run(req).await;
                if f.delay_ms > 0 {
                    tokio::time::sleep(delay(&f)).await;
                }
                let response = match f.status {
                    Some(code) => injected(&f, code),
                    None => real,
                };
                if f.drop_answer {
                    lost = true;
                    cut(response)
                } else {
                    response
                }
            }
            Some(f) => {
                if f.delay_ms > 0 {
                    // A delay before handling: a client that gives up meanwhile leaves a
                    // request that is never handled (logged as 499, answer lost).
                    tokio::select! {
                        _ = tokio::time::sleep(delay(&f)) => {}
                        _ = tx.closed() => {
                            control.control.record(LoggedRequest { method, path, query, status: 499, answer_lost: true });
                            return;
                        }
                    }
                }
                match f.status {
                    Some(code) => injected(&f, code),
                    None => next.run(req).await,
                }
            }
            None => next.run(req).await,
        };
        let status = response.status().as_u16();
        let delivered = tx.send(response).is_ok();
        control.control.record(LoggedRequest {
            method,
            path,
            query,
            status,
            answer_lost: lost || !delivered,
        });
    });
    rx.await.unwrap_or_else(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The sandbox lost the answer to this request.",
        )
        .into_response()
    })
}

/// The answer's status and headers with a body that breaks at once: the connection is
/// closed in the middle of the answer.
fn cut(response: Response) -> Response {
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let broken = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "answer dropped by a sandbox fault",
        ))
    });
    Response::from_parts(parts, Body::from_stream(broken))
}

fn injected(f: &Fault, code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // The default body takes the shape of the service the fault's path belongs to.
    let default = if f.path_prefix.starts_with(crate::ireca::PREFIX) {
        json!({"error": true, "message": "Injected fault."})
    } else {
        json!({"error": "Injected fault."})
    };
    let body = f.body.clone().unwrap_or_else(|| default.to_string());
    let looks_json = matches!(body.trim_start().chars().next(), Some('{' | '['));
    let mut resp = (status, Body::from(body)).into_response();
    let ctype = if looks_json {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Some(ra) = f
        .retry_after
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        resp.headers_mut().insert(header::RETRY_AFTER, ra);
    }
    resp
}

type Shared = Arc<AppState>;

/// The control routes.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/_control/health", get(|| async { "ok" }))
        .route(
            "/_control/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route(
            "/_control/requests",
            get(list_requests).delete(clear_requests),
        )
        .route("/_control/carreta/orders/{id}/advance", post(advance))
}

/// Decodes a control body, naming the field at fault: `status: invalid type: string "x",
/// expected u16`, `unknown field `dealy_ms`, expected one of …`.
pub(crate) fn decode<T: DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let syntax = inner.is_syntax() || inner.is_eof();
        let mut inner = inner.to_string();
        // The position adds nothing to a one-line body and hides the message's end.
        if let Some(cut) = inner.rfind(" at line ") {
            inner.truncate(cut);
        }
        // An unknown field is named by serde itself; other errors need the path.
        if syntax {
            return ApiError::bad_request(format!(
                "Invalid {what}: the body is not JSON ({inner})."
            ));
        }
        let named = path.is_empty() || path == "." || inner.contains(&format!("`{path}`"));
        let at = if named {
            String::new()
        } else {
            format!("{path}: ")
        };
        ApiError::bad_request(format!("Invalid {what}: {at}{inner}."))
    })
}

async fn add_fault(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let fault: Fault = decode("fault", &body?)?;
    if !fault.path_prefix.starts_with('/') {
        return Err(ApiError::bad_request(
            "Invalid fault: path_prefix must start with \"/\" (e.g. \"/carreta/v1/search\").",
        ));
    }
    if let Some(m) = &fault.method {
        if Method::from_bytes(m.as_bytes()).is_err() {
            return Err(ApiError::bad_request(
                "Invalid fault: method must be an HTTP method such as \"POST\".",
            ));
        }
    }
    if let Some(ra) = &fault.retry_after {
        if HeaderValue::from_str(ra).is_err() {
            return Err(ApiError::bad_request(
                "Invalid fault: retry_after must be a valid header value (e.g. \"3\").",
            ));
        }
    }
    if fault.count == 0 {
        return Err(ApiError::bad_request("count must be at least 1."));
    }
    if let Some(code) = fault.status {
        if !(100..=599).contains(&code) {
            return Err(ApiError::bad_request("status must be 100..=599."));
        }
    }
    if fault.status.is_none() && fault.delay_ms == 0 && !fault.drop_answer {
        return Err(ApiError::bad_request(
            "A fault needs a status, a delay_ms or drop_answer.",
        ));
    }
    let mut faults = lock(&app.control.faults);
    faults.push(fault);
    Ok((StatusCode::CREATED, Json(json!({ "active": faults.len() }))).into_response())
}

async fn list_faults(State(app): State<Shared>) -> Json<Vec<Fault>> {
    Json(lock(&app.control.faults).clone())
}

async fn clear_faults(State(app): State<Shared>) -> StatusCode {
    lock(&app.control.faults).clear();
    StatusCode::NO_CONTENT
}

async fn list_requests(State(app): State<Shared>) -> Json<Vec<LoggedRequest>> {
    Json(lock(&app.control.log).iter().cloned().collect())
}

async fn clear_requests(State(app): State<Shared>) -> StatusCode {
    lock(&app.control.log).clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    status: Option<i64>,
    comment: Option<String>,
}

/// Plays the shop's side: moves a Carreta order to `status`, or along the happy path.
async fn advance(
    State(app): State<Shared>,
    id: IdParam,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = body?;
    let id = id.or_not_found()?;
    let body: AdvanceBody = if body.iter().all(u8::is_ascii_whitespace) {
        AdvanceBody::default()
    } else {
        decode("advance body", &body)?
    };
    app.carreta.advance(id, body.status, body.comment).map(Json)
}

#[cfg(test)]
mod tests {
    use super::redact_query;

    #[test]
    fn redacts_only_the_key() {
        assert_eq!(redact_query("q=oc47&api_key=secret"), "q=oc47&api_key=***");
        assert_eq!(redact_query("api%5Fkey=s&x=1"), "api%5Fkey=***&x=1");
        assert_eq!(redact_query(""), "");
    }
}
