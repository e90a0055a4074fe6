//! Small JSON helpers for hosts without a JSON library.

use std::ffi::c_char;

use crate::error::lb_error_t;
use crate::{arg_out, arg_str, c_string, guard, invalid, lb_status, not_json, reset_out};

/// Picks one value out of a JSON text by a JSON Pointer (RFC 6901): `"/0/code"` is the
/// `code` of the first element, `""` the whole document. `*value_json_out` receives the
/// value as JSON text (a string comes with its quotes: `"\"OC47\""`, a number as
/// `"42"`); free it with `lb_string_free`.
///
/// Returns `LB_INVALID_ARGUMENT` when `json` is not valid JSON or nothing is at `pointer`.
#[no_mangle]
pub unsafe extern "C" fn lb_json_pointer(
    json: *const c_char,
    pointer: *const c_char,
    value_json_out: *mut *mut c_char,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    reset_out(value_json_out);
    guard(error_out, || {
        let json = arg_str(json, "json")?;
        let pointer = arg_str(pointer, "pointer")?;
        let out = arg_out(value_json_out, "value_json_out")?;
        let doc: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| not_json("json", &e))?;
        let value = doc
            .pointer(pointer)
            .ok_or_else(|| invalid(format!("no value at JSON pointer {pointer:?}"), format!("по указателю JSON {pointer:?} значения нет")))?;
        *out = c_string(value.to_string()).into_raw();
        Ok(())
    })
}
