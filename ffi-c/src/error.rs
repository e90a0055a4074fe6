//! `lb_error_t`: what went wrong, in detail. Opaque; read it with the accessors.

use std::ffi::{c_char, CString};
use std::ptr;

use lbcore::Error;

use crate::{c_string, lb_status};

/// The details of a failure: status, stable code, field, HTTP status, message.
///
/// Filled by any function that takes an `lb_error_t **error_out` and fails; owned by the
/// caller, who frees it with `lb_error_free`. The strings the accessors return belong to
/// the error and stay valid until it is freed. An error never contains a secret (API keys
/// and tokens are redacted by the library). It is immutable, so it may be read from any
/// thread.
pub struct lb_error_t {
    pub(crate) status: lb_status,
    code: CString,
    field: Option<CString>,
    http_status: u16,
    retry_after_ms: u64,
    message: CString,
    message_ru: CString,
    endpoint: Option<CString>,
    outcome_unknown: bool,
    json: CString,
}

impl lb_error_t {
    pub(crate) fn from_core(e: &Error) -> lb_error_t {
        let retry_after_ms = match e {
            Error::Http {
                retry_after: Some(d),
                ..
            } => u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
            _ => 0,
        };
        lb_error_t {
            status: lb_status::of(e),
            code: c_string(e.code()),
            field: e.field().map(c_string),
            http_status: e.status().unwrap_or(0),
            retry_after_ms,
            message: c_string(e.to_string()),
            message_ru: c_string(e.message_ru()),
            endpoint: e.endpoint().map(c_string),
            outcome_unknown: e.outcome_unknown(),
            json: c_string(e.to_json().to_string()),
        }
    }

    /// The error an asynchronous call reports when it was cancelled.
    pub(crate) fn cancelled(endpoint: &str) -> lb_error_t {
        let message = format!("the call to {endpoint} was cancelled");
        let message_ru = format!("Вызов {endpoint} отменён");
        let json = serde_json::json!({
            "code": "cancelled", "kind": "cancelled", "field": null, "status": null,
            "endpoint": endpoint, "message": message, "message_ru": message_ru,
            "outcome_unknown": false,
        });
        lb_error_t {
            status: lb_status::LB_CANCELLED,
            code: c_string("cancelled"),
            field: None,
            http_status: 0,
            retry_after_ms: 0,
            message: c_string(message),
            message_ru: c_string(message_ru),
            endpoint: Some(c_string(endpoint)),
            outcome_unknown: false,
            json: c_string(json.to_string()),
        }
    }
}

fn opt_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(ptr::null(), |s| s.as_ptr())
}

/// Frees an error. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn lb_error_free(error: *mut lb_error_t) {
    if !error.is_null() {
        let _ =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(Box::from_raw(error))));
    }
}

/// The status the failed function returned (`LB_INTERNAL` for a NULL error).
#[no_mangle]
pub unsafe extern "C" fn lb_error_status(error: *const lb_error_t) -> lb_status {
    error.as_ref().map_or(lb_status::LB_INTERNAL, |e| e.status)
}

/// A stable machine-readable code: for `LB_VALIDATION` the broken rule (e.g.
/// `"order_qty.not_multiple_of_min_qty"`); for a wrong call parameter or client option the
/// rule it broke (`"param.unknown"`, `"param.required"`, `"param.type"`, `"param.min"`,
/// `"option.timeout"`, `"option.required"`, ...); otherwise the kind in snake case
/// (`"invalid_argument"`, `"not_found"`, `"server"`, `"rate_limited"`, `"cancelled"`, ...).
/// Never NULL for a non-NULL error.
#[no_mangle]
pub unsafe extern "C" fn lb_error_code(error: *const lb_error_t) -> *const c_char {
    error.as_ref().map_or(ptr::null(), |e| e.code.as_ptr())
}

/// The field the error is about, or NULL: for `LB_VALIDATION` the request field that broke
/// the rule (`"order_qty"`); for `LB_INVALID_ARGUMENT` the call parameter (`"page"`, a
/// misspelt name) or the client option (`"timeout"`, `"api_key"`) that is wrong.
#[no_mangle]
pub unsafe extern "C" fn lb_error_field(error: *const lb_error_t) -> *const c_char {
    error.as_ref().map_or(ptr::null(), |e| opt_ptr(&e.field))
}

/// The HTTP status the service answered with, or 0 when it did not answer.
#[no_mangle]
pub unsafe extern "C" fn lb_error_http_status(error: *const lb_error_t) -> u16 {
    error.as_ref().map_or(0, |e| e.http_status)
}

/// How long the service asked to wait before retrying (its `Retry-After`), in
/// milliseconds; 0 when it did not say.
#[no_mangle]
pub unsafe extern "C" fn lb_error_retry_after_ms(error: *const lb_error_t) -> u64 {
    error.as_ref().map_or(0, |e| e.retry_after_ms)
}

/// The message in English, for logs and developers. Never NULL for a non-NULL error.
#[no_mangle]
pub unsafe extern "C" fn lb_error_message(error: *const lb_error_t) -> *const c_char {
    error.as_ref().map_or(ptr::null(), |e| e.message.as_ptr())
}

/// The message in Russian, for end users. Never NULL for a non-NULL error.
#[no_mangle]
pub unsafe extern "C" fn lb_error_message_ru(error: *const lb_error_t) -> *const c_char {
    error
        .as_ref()
        .map_or(ptr::null(), |e| e.message_ru.as_ptr())
}

/// The endpoint id the error happened on (`"carreta.order.get"`), or NULL.
#[no_mangle]
pub unsafe extern "C" fn lb_error_endpoint(error: *const lb_error_t) -> *const c_char {
    error.as_ref().map_or(ptr::null(), |e| opt_ptr(&e.endpoint))
}

/// Whether a call that changes something (an order creation) failed after its request may
/// have reached the service: the answer timed out or the connection broke once it was made.
/// The order may exist; do not send it again before looking it up by its `client_comment`
/// (`carreta.order.create_once` does that for you). Not so for every other error: the
/// service answered, the request was never sent (a connect error: safe to repeat), or the
/// call is a read. Returns 1 when the outcome is unknown, else 0 (0 for a NULL error).
#[no_mangle]
pub unsafe extern "C" fn lb_error_outcome_unknown(error: *const lb_error_t) -> std::ffi::c_int {
    std::ffi::c_int::from(error.as_ref().is_some_and(|e| e.outcome_unknown))
}

/// The whole error as one JSON object: `{"code", "kind", "field", "status", "endpoint",
/// "message", "message_ru", "outcome_unknown"}` (plus `"body"`, the service's answer, for
/// an HTTP or authentication error), where `kind` is the coarse class in snake case
/// (`"validation"`, `"invalid_argument"`, `"not_found"`, `"cancelled"`, ...). Never NULL for
/// a non-NULL error.
#[no_mangle]
pub unsafe extern "C" fn lb_error_json(error: *const lb_error_t) -> *const c_char {
    error.as_ref().map_or(ptr::null(), |e| e.json.as_ptr())
}
