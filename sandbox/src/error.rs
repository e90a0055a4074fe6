//! Error answers in the services' documented shape.
//!
//! The Carreta document shows one error form, `401 {"error": "Unauthorized."}` as JSON, and
//! clients decode every error body the same way, so every error the sandbox writes takes
//! that form: the route handlers' own errors ([`ApiError`]), the router's (unknown route,
//! method not allowed) and axum's extractor rejections (body too large, unreadable body).
//! [`documented_errors`] is the net under all of them: whatever reaches it as an error in
//! another shape is rewritten, so a route added later cannot answer in plain text.
//!
//! Injected faults are the one exception, on purpose: their bodies are exactly what the test
//! asked for, so the net sits inside the fault middleware, not around it.

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// Largest request body any route reads, in bytes (axum's default limit, stated here so the
/// 413 message can name it). An order body is well under 2 kB.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Longest text of another error kept when rewriting it (axum's rejection texts are short;
/// this only bounds a surprise).
const MAX_REWRITTEN_TEXT: usize = 1024;

/// An error answered as `{"error": "..."}` with `Content-Type: application/json`, the
/// Carreta error shape.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    /// An error with this status and message (the message is shown to the client as is).
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// A `400 Bad Request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.message })),
        )
            .into_response()
    }
}

/// A request body that could not be read: too large (413, naming the limit) or broken off.
impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::new(status, too_large_message());
        }
        ApiError::new(
            status,
            format!("Cannot read the request body: {}.", rejection.body_text()),
        )
    }
}

fn too_large_message() -> String {
    format!("Request body is too large: the limit is {MAX_BODY_BYTES} bytes.")
}

/// The router's answer to a path it does not know.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "Not found.")
}

/// The router's answer to a known path with another method (axum keeps the `Allow` header).
pub async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("Method \"{method}\" not allowed."),
    )
}

/// Rewrites an error answer (status ≥ 400) that is not JSON into `{"error": "..."}`, keeping
/// its status and headers (`Allow`, `Retry-After`). The text is the original body when there
/// is one (axum's rejections explain themselves), else the status's reason phrase.
pub async fn documented_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_REWRITTEN_TEXT * 4)
        .await
        .map(|b| text_of(&b))
        .unwrap_or_default();
    let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
        too_large_message()
    } else if text.is_empty() {
        format!("{}.", status.canonical_reason().unwrap_or("Error"))
    } else {
        text
    };
    let body = serde_json::json!({ "error": message }).to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(body))
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// The body as one trimmed line of at most [`MAX_REWRITTEN_TEXT`] characters.
fn text_of(body: &Bytes) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX_REWRITTEN_TEXT) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}
