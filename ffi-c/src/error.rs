//! `lb_error_t`: what went wrong, in detail. Opaque; read it with the accessors.

use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::sync::OnceLock;

use lbcore::carreta::OrderQtyViolation;

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
    /// What the accessors read, written on the first call of one (see [`Source`]).
    details: OnceLock<Details>,
    source: Source,
}

/// Where an error's details come from. A refused order size is kept as its facts: a form
/// that checks sizes as the user types is refused far more often than its messages are
/// read, and writing two messages and a JSON object for each refusal cost 4.6 µs against
/// 90 ns for an accepted size.
enum Source {
    /// Built when the error was made.
    Ready,
    /// Written from the rule's facts when first read (the texts equal the eager ones:
    /// `Details::of` on the core error they convert to).
    OrderQty(OrderQtyViolation),
}

struct Details {
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

impl Details {
    fn of(e: &Error) -> Details {
        let retry_after_ms = match e {
            Error::Http {
                retry_after: Some(d),
                ..
            } => u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
            _ => 0,
        };
        Details {
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
}

impl lb_error_t {
    pub(crate) fn from_core(e: &Error) -> lb_error_t {
        lb_error_t {
            status: lb_status::of(e),
            details: OnceLock::from(Details::of(e)),
            source: Source::Ready,
        }
    }

    /// A refused order size, its texts written only when read.
    pub(crate) fn order_qty(v: OrderQtyViolation) -> lb_error_t {
        lb_error_t {
            status: lb_status::LB_VALIDATION,
            details: OnceLock::new(),
            source: Source::OrderQty(v),
        }
    }

    /// The code and field of a refused order size without writing its texts: a caller
    /// that branches on the code pays for no message.
    fn static_code_and_field(&self) -> Option<(&'static CStr, &'static CStr)> {
        let Source::OrderQty(v) = &self.source else { return None };
        let code = [
            c"order_qty.min",
            c"min_qty.invalid",
            c"order_qty.not_less_than_qty",
            c"order_qty.exceeds_qty",
            c"order_qty.exceeds_max",
            c"order_qty.not_multiple_of_min_qty",
            c"qty.unknown_form",
        ]
        .into_iter()
        .find(|c| c.to_bytes() == v.code().as_bytes())?;
        let field = [c"order_qty", c"min_qty", c"qty"].into_iter().find(|f| f.to_bytes() == v.field().as_bytes())?;
        Some((code, field))
    }

    fn details(&self) -> &Details {
        self.details.get_or_init(|| match &self.source {
            Source::OrderQty(v) => Details::of(&Error::from(v.clone())),
            // `from_core` sets the details; reached only if that changes.
            Source::Ready => Details::of(&Error::Internal("the error's details are missing".into())),
        })
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
        let details = Details {
            code: c_string("cancelled"),
            field: None,
            http_status: 0,
            retry_after_ms: 0,
            message: c_string(message),
            message_ru: c_string(message_ru),
            endpoint: Some(c_string(endpoint)),
            outcome_unknown: false,
            json: c_string(json.to_string()),
        };
        lb_error_t {
            status: lb_status::LB_CANCELLED,
            details: OnceLock::from(details),
            source: Source::Ready,
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
    error.as_ref().map_or(ptr::null(), |e| match e.static_code_and_field() {
        Some((code, _)) => code.as_ptr(),
        None => e.details().code.as_ptr(),
    })
}

/// The field the error is about, or NULL: for `LB_VALIDATION` the request field that broke
/// the rule (`"order_qty"`); for `LB_INVALID_ARGUMENT` the call parameter (`"page"`, a
/// misspelt name) or the client option (`"timeout"`, `"api_key"`) that is wrong.
#[no_mangle]
pub unsafe extern "C" fn lb_error_field(error: *const lb_error_t) -> *const c_char {
    error.as_ref().map_or(ptr::null(), |e| match e.static_code_and_field() {
        Some((_, field)) => field.as_ptr(),
        None => opt_ptr(&e.details().field),
    })
}

/// The HTTP status the service answered with, or 0 when it did not answer.
#[no_mangle]
pub unsafe extern "C" fn lb_error_http_status(error: *const lb_error_t) -> u16 {
    error.as_ref().map_or(0, |e| e.details().http_status)
}

/// How long the service asked to wait before retrying (its `Retry-After`), in
/// milliseconds; 0 when it did not say.
#[no_mangle]
pub unsafe extern "C" fn lb_error_retry_after_ms(error: *const lb_error_t) -> u64 {
    error.as_ref().map_or(0, |e| e.details().retry_after_ms)
}

/// The message in English, for logs and developers. Never NULL for a non-NULL error.
#[no_mangle]
pub unsafe extern "C" fn lb_error_message(error: *const lb_error_t) -> *const c_char {
    error.as_ref().map_or(ptr::null(), |e| e.details().message.as_ptr())
}

/// The message in Russian, for end users. Never NULL for a non-NULL error.
#[no_mangle]
pub unsafe extern "C" fn lb_error_message_ru(error: *const lb_error_t) -> *const c_char {
    error
        .as_ref()
        .map_or(ptr::null(), |e| e.details().message_ru.as_ptr())
}

/// The endpoint id the error happened on (`"carreta.order.get"`), or NULL.
#[no_mangle]
pub unsafe extern "C" fn lb_error_endpoint(error: *const lb_error_t) -> *const c_char {
    error.as_ref().map_or(ptr::null(), |e| opt_ptr(&e.details().endpoint))
}

/// Whether a call that changes something (an order creation) failed after its request may
/// have reached the service: the answer timed out or the connection broke once it was made,
/// or it was answered by a server or gateway error (HTTP 500, 502, 503, 504) or a redirect.
/// The order may exist; do not send it again before looking it up by its `client_comment`
/// (`carreta.order.create_once` does that for you). Not so for every other error: the
/// service answered another status, the request was never sent (a connect error: safe to
/// repeat), or the call is a read. Returns 1 when the outcome is unknown, else 0 (0 for a NULL error).
#[no_mangle]
pub unsafe extern "C" fn lb_error_outcome_unknown(error: *const lb_error_t) -> std::ffi::c_int {
    std::ffi::c_int::from(error.as_ref().is_some_and(|e| e.details().outcome_unknown))
}

/// The whole error as one JSON object: `{"code", "kind", "field", "status", "endpoint",
/// "message", "message_ru", "outcome_unknown"}` (plus `"body"`, the service's answer, for
/// an HTTP or authentication error), where `kind` is the coarse class in snake case
/// (`"validation"`, `"invalid_argument"`, `"not_found"`, `"cancelled"`, ...). Never NULL for
/// a non-NULL error.
#[no_mangle]
pub unsafe extern "C" fn lb_error_json(error: *const lb_error_t) -> *const c_char {
    error.as_ref().map_or(ptr::null(), |e| e.details().json.as_ptr())
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use lbcore::carreta::order_qty_violation;

    use super::*;

    unsafe fn texts(e: *const lb_error_t) -> Vec<Option<String>> {
        let s = |p: *const c_char| (!p.is_null()).then(|| CStr::from_ptr(p).to_string_lossy().into_owned());
        vec![
            s(lb_error_code(e)),
            s(lb_error_field(e)),
            s(lb_error_message(e)),
            s(lb_error_message_ru(e)),
            s(lb_error_endpoint(e)),
            s(lb_error_json(e)),
            Some(format!("{} {} {}", lb_error_http_status(e), lb_error_retry_after_ms(e), lb_error_outcome_unknown(e))),
        ]
    }

    #[test]
    fn a_lazy_order_qty_error_reads_as_the_eager_one_for_every_rule() {
        let cases = [("10", 0, 1), ("10", 1, 0), ("<10", 1, 10), ("10", 1, 11), (">50", 1, 10_001), ("много", 1, 1), ("Есть", 2, 3)];
        for (qty, min, order) in cases {
            let v = order_qty_violation(qty, min, order).expect("refused");
            let eager = lb_error_t::from_core(&Error::from(v.clone()));
            let lazy = lb_error_t::order_qty(v);
            assert!(lazy.details.get().is_none(), "no text is written before it is read");
            // SAFETY: a live error owned here.
            let code = unsafe { CStr::from_ptr(lb_error_code(&lazy)) };
            assert!(lazy.details.get().is_none() && code.to_bytes() == eager.details().code.as_bytes(), "the code costs no text");
            assert_eq!(lazy.status, eager.status);
            // SAFETY: both are live errors owned here.
            let (l, e) = unsafe { (texts(&lazy), texts(&eager)) };
            assert_eq!(l, e, "{qty} {min} {order}");
            // The pointers handed out stay the same on a second read.
            assert_eq!(unsafe { lb_error_message(&lazy) }, unsafe { lb_error_message(&lazy) });
        }
    }
}
