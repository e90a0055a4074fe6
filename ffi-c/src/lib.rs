//! The C face of logibridge: `liblogibridge.{so,a}` and `include/logibridge.h`.
//!
//! Every exported function:
//! - takes and returns only C types (`lb_` prefix, opaque handles, UTF-8 C strings);
//! - checks every pointer for NULL and every string for UTF-8 and reports a bad one as
//!   `LB_INVALID_ARGUMENT`, never crashes;
//! - catches panics and reports them as `LB_INTERNAL` (no unwinding crosses the boundary);
//! - reports failures through its return value and an optional `lb_error_t **` (no
//!   thread-local "last error").
//!
//! Nothing here is per service or per endpoint: [`client::lb_client_new`] makes a client of
//! any service by name with options by name, the generic entry point [`client::lb_call`]
//! reaches every endpoint id of the core's table, [`table::lb_endpoints`] describes the
//! table and [`table::lb_service_register`] adds a service to it at run time. A new service
//! or call needs no new C plumbing.
//!
//! The header is generated from these sources by cbindgen (see `ffi-c/cbindgen.toml`) and
//! committed; `cargo test -p logibridge-ffi` fails when it is stale
//! (`LB_BLESS=1 cargo test -p logibridge-ffi --test header` rewrites it).

#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

pub mod carreta;
pub mod client;
pub mod error;
pub mod json;
pub mod pricelist;
pub mod sync;
pub mod table;

use error::lb_error_t;
use lbcore::Error;

/// The outcome of a call. Every fallible function returns one; the numbers are stable
/// across versions (new codes are only ever appended).
///
/// On the C side the type is a `uint32_t`, so a value from a newer library is still
/// representable: treat unknown numbers like `LB_INTERNAL`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum lb_status {
    /// Success.
    LB_OK = 0,
    /// An argument is wrong: a NULL pointer, invalid UTF-8, malformed JSON, an unknown
    /// service or endpoint id, or a call parameter or client option that is unknown,
    /// missing, of the wrong type or out of range (`lb_error_field` names it). Nothing was
    /// sent.
    LB_INVALID_ARGUMENT = 1,
    /// A documented rule of the service was broken (the error names the field and the
    /// rule code). Nothing was sent.
    LB_VALIDATION = 2,
    /// The connection could not be made or broke.
    LB_TRANSPORT = 3,
    /// The connect or request timeout ran out.
    LB_TIMEOUT = 4,
    /// The service answered with an error status (403, 404, 409, 5xx, other 4xx): see
    /// `lb_error_http_status` and `lb_error_code` (`not_found`, `server`, ...).
    LB_HTTP = 5,
    /// The credentials were rejected (HTTP 401) or could not be obtained.
    LB_AUTH = 6,
    /// The service asked to slow down (HTTP 429); see `lb_error_retry_after_ms`.
    LB_RATE_LIMITED = 7,
    /// The response could not be read into the documented shape.
    LB_DECODE = 8,
    /// A bug in the library (a caught panic, an impossible state). Please report it.
    LB_INTERNAL = 9,
    /// An asynchronous call was cancelled with `lb_call_cancel` before it finished.
    LB_CANCELLED = 10,
}

impl lb_status {
    /// The status a core error maps to.
    pub(crate) fn of(err: &Error) -> lb_status {
        use lbcore::ErrorKind as K;
        match err.kind() {
            K::Validation => lb_status::LB_VALIDATION,
            K::Transport => lb_status::LB_TRANSPORT,
            K::Timeout => lb_status::LB_TIMEOUT,
            K::Http | K::PermissionDenied | K::NotFound | K::Conflict | K::Server => {
                lb_status::LB_HTTP
            }
            K::Auth => lb_status::LB_AUTH,
            K::RateLimited => lb_status::LB_RATE_LIMITED,
            K::Decode => lb_status::LB_DECODE,
            K::InvalidArgument => lb_status::LB_INVALID_ARGUMENT,
            K::Internal => lb_status::LB_INTERNAL,
        }
    }

    fn name(self) -> &'static CStr {
        match self {
            lb_status::LB_OK => c"LB_OK",
            lb_status::LB_INVALID_ARGUMENT => c"LB_INVALID_ARGUMENT",
            lb_status::LB_VALIDATION => c"LB_VALIDATION",
            lb_status::LB_TRANSPORT => c"LB_TRANSPORT",
            lb_status::LB_TIMEOUT => c"LB_TIMEOUT",
            lb_status::LB_HTTP => c"LB_HTTP",
            lb_status::LB_AUTH => c"LB_AUTH",
            lb_status::LB_RATE_LIMITED => c"LB_RATE_LIMITED",
            lb_status::LB_DECODE => c"LB_DECODE",
            lb_status::LB_INTERNAL => c"LB_INTERNAL",
            lb_status::LB_CANCELLED => c"LB_CANCELLED",
        }
    }

    fn from_u32(n: u32) -> Option<lb_status> {
        use lb_status::*;
        [
            LB_OK,
            LB_INVALID_ARGUMENT,
            LB_VALIDATION,
            LB_TRANSPORT,
            LB_TIMEOUT,
            LB_HTTP,
            LB_AUTH,
            LB_RATE_LIMITED,
            LB_DECODE,
            LB_INTERNAL,
            LB_CANCELLED,
        ]
        .into_iter()
        .find(|s| *s as u32 == n)
    }
}

/// The library version (`"0.1.0"`): a static string, never freed.
#[no_mangle]
pub extern "C" fn lb_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The name of a status (`"LB_HTTP"`), or `"LB_UNKNOWN"` for a number this version does
/// not know. A static string, never freed.
#[no_mangle]
pub extern "C" fn lb_status_name(status: u32) -> *const c_char {
    lb_status::from_u32(status)
        .map_or(c"LB_UNKNOWN", lb_status::name)
        .as_ptr()
}

/// Frees a string the library returned (`response_json`, `lb_json_pointer`, ...).
/// NULL is ignored. The string must not have been modified or freed before.
#[no_mangle]
pub unsafe extern "C" fn lb_string_free(string: *mut c_char) {
    if string.is_null() {
        return;
    }
    let _ = catch_unwind(AssertUnwindSafe(|| drop(CString::from_raw(string))));
}

// ---------------------------------------------------------------------------------------
// Helpers shared by the modules: the panic boundary and argument checks.

/// Runs the body of an exported function: resets `*error_out`, catches panics, and turns
/// a failure into a status plus (when asked for) an `lb_error_t`.
pub(crate) fn guard(
    error_out: *mut *mut lb_error_t,
    body: impl FnOnce() -> Result<(), Error>,
) -> lb_status {
    if !error_out.is_null() {
        // SAFETY: the caller passes either NULL or a writable pointer.
        unsafe { *error_out = ptr::null_mut() };
    }
    let err = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return lb_status::LB_OK,
        Ok(Err(e)) => lb_error_t::from_core(&e),
        Err(panic) => lb_error_t::from_core(&Error::Internal(format!(
            "panic caught at the C boundary: {}",
            lbcore::blocking::panic_message(panic.as_ref())
        ))),
    };
    let status = err.status;
    if !error_out.is_null() {
        // SAFETY: as above.
        unsafe { *error_out = Box::into_raw(Box::new(err)) };
    }
    status
}

/// A wrong argument of a C function, in English and Russian.
pub(crate) fn invalid(message: impl Into<String>, message_ru: impl Into<String>) -> Error {
    Error::invalid_argument(message, message_ru)
}

/// A required pointer argument that is NULL.
pub(crate) fn is_null(name: &str) -> Error {
    invalid(format!("{name} is NULL"), format!("{name} равен NULL"))
}

/// A JSON argument that does not parse.
pub(crate) fn not_json(name: &str, e: &serde_json::Error) -> Error {
    Error::invalid_json(name, e)
}

/// A JSON argument that parses but is not an object.
pub(crate) fn not_an_object(name: &str) -> Error {
    invalid(format!("{name} must be a JSON object"), format!("{name} должен быть объектом JSON"))
}

/// A required C string argument as UTF-8.
pub(crate) unsafe fn arg_str<'a>(p: *const c_char, name: &str) -> Result<&'a str, Error> {
    if p.is_null() {
        return Err(is_null(name));
    }
    CStr::from_ptr(p).to_str().map_err(|e| {
        invalid(
            format!("{name} is not valid UTF-8 (at byte {})", e.valid_up_to()),
            format!("{name} — не UTF-8 (байт {})", e.valid_up_to()),
        )
    })
}

/// An optional C string argument (NULL → `None`) as UTF-8.
pub(crate) unsafe fn opt_str<'a>(p: *const c_char, name: &str) -> Result<Option<&'a str>, Error> {
    if p.is_null() {
        Ok(None)
    } else {
        arg_str(p, name).map(Some)
    }
}

/// A required handle argument.
pub(crate) unsafe fn arg_ref<'a, T>(p: *const T, name: &str) -> Result<&'a T, Error> {
    p.as_ref().ok_or_else(|| is_null(name))
}

/// A required out-parameter, reset to NULL on entry.
pub(crate) unsafe fn arg_out<'a, T>(p: *mut *mut T, name: &str) -> Result<&'a mut *mut T, Error> {
    match p.as_mut() {
        Some(out) => {
            *out = ptr::null_mut();
            Ok(out)
        }
        None => Err(is_null(name)),
    }
}

/// Resets an out-parameter to NULL if it is there (done first, before any check can fail,
/// so that the caller's variable is defined on every return).
pub(crate) unsafe fn reset_out<T>(p: *mut *mut T) {
    if let Some(out) = p.as_mut() {
        *out = ptr::null_mut();
    }
}

/// A Rust string as a library-owned C string; interior NUL bytes (impossible in valid
/// JSON output, possible in a service's message) become U+FFFD.
pub(crate) fn c_string(s: impl Into<Vec<u8>>) -> CString {
    CString::new(s).unwrap_or_else(|e| {
        let bytes = e.into_vec();
        let text = String::from_utf8_lossy(&bytes).replace('\0', "\u{FFFD}");
        CString::new(text).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let mut err: *mut lb_error_t = ptr::null_mut();
        let st = guard(&mut err, || panic!("boom"));
        assert_eq!(st, lb_status::LB_INTERNAL);
        assert!(!err.is_null());
        let msg = unsafe { CStr::from_ptr(error::lb_error_message(err)) }
            .to_str()
            .unwrap()
            .to_owned();
        assert!(msg.contains("boom"), "{msg}");
        unsafe { error::lb_error_free(err) };
        assert_eq!(
            guard(ptr::null_mut(), || panic!("again")),
            lb_status::LB_INTERNAL
        );
    }

    #[test]
    fn every_error_kind_has_a_status() {
        use lbcore::ErrorKind as K;
        let http = |status| Error::Http {
            endpoint: "e".into(),
            status,
            message: "m".into(),
            body: String::new(),
            retry_after: None,
            outcome_unknown: false,
        };
        assert_eq!(lb_status::of(&http(404)), lb_status::LB_HTTP);
        assert_eq!(lb_status::of(&http(403)), lb_status::LB_HTTP);
        assert_eq!(lb_status::of(&http(409)), lb_status::LB_HTTP);
        assert_eq!(lb_status::of(&http(503)), lb_status::LB_HTTP);
        assert_eq!(lb_status::of(&http(401)), lb_status::LB_AUTH);
        assert_eq!(lb_status::of(&http(429)), lb_status::LB_RATE_LIMITED);
        assert_eq!(http(429).kind(), K::RateLimited);
        assert_eq!(
            lb_status::of(&Error::invalid_argument("x", "x")),
            lb_status::LB_INVALID_ARGUMENT
        );
        assert_eq!(
            lb_status::of(&Error::Internal("x".into())),
            lb_status::LB_INTERNAL
        );
    }

    #[test]
    fn status_numbers_are_stable() {
        for (n, name) in [
            "LB_OK",
            "LB_INVALID_ARGUMENT",
            "LB_VALIDATION",
            "LB_TRANSPORT",
            "LB_TIMEOUT",
            "LB_HTTP",
            "LB_AUTH",
            "LB_RATE_LIMITED",
            "LB_DECODE",
            "LB_INTERNAL",
            "LB_CANCELLED",
        ]
        .into_iter()
        .enumerate()
        {
            let got = unsafe { CStr::from_ptr(lb_status_name(n as u32)) };
            assert_eq!(got.to_str().unwrap(), name);
        }
        assert_eq!(
            unsafe { CStr::from_ptr(lb_status_name(11)) }
                .to_str()
                .unwrap(),
            "LB_UNKNOWN"
        );
    }

    #[test]
    fn interior_nul_bytes_do_not_truncate_or_fail() {
        assert_eq!(c_string("a\0b").to_str().unwrap(), "a\u{FFFD}b");
    }
}
