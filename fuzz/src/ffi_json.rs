//! `ffi_json`: the C face's functions that take JSON or text, called as C calls them.
//!
//! Input: a selector byte, then up to three NUL-separated C strings (and, for the order
//! check, two integers first). The functions are the very `extern "C"` ones of
//! `liblogibridge` (its sources compiled as the `logibridge-ffi-src` crate). Nothing is
//! ever sent anywhere but to a closed port of this machine: the fixed client's base URL
//! is `http://127.0.0.1:9/` without retries, and ids of library-side rows (which read
//! files or download from a URL in their parameters) are not called.
//!
//! Invariants, for every call:
//! - the status is `LB_OK` or a documented failure, never `LB_INTERNAL` (a caught panic
//!   or an impossible state is a bug);
//! - an `lb_error_t` comes back exactly when the status is not `LB_OK`, with that status,
//!   a message in both languages and an error JSON that parses as an object;
//! - a successful output parses as JSON (`lb_call`'s result, `lb_json_pointer`'s value,
//!   which is the value the pointer names);
//! - no error of the keyed client holds its key; `lb_client_new` never echoes an
//!   `api_key` it was given;
//! - `lb_carreta_check_order_qty` says what the core's `check_order_qty` says.

use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::sync::OnceLock;

use logibridge_ffi_src::carreta::{lb_carreta_check_client_comment, lb_carreta_check_order_qty};
use logibridge_ffi_src::client::{lb_call, lb_client_free, lb_client_new, lb_client_t};
use logibridge_ffi_src::error::{lb_error_free, lb_error_json, lb_error_message, lb_error_message_ru, lb_error_status, lb_error_t};
use logibridge_ffi_src::json::lb_json_pointer;
use logibridge_ffi_src::table::lb_service_register;
use logibridge_ffi_src::{lb_status, lb_string_free};
use serde_json::Value;

use crate::input::{c_strings, Input};

/// The key of the fixed client.
const KEY: &str = "CANARY+abc/123=";

struct Fixed(*mut lb_client_t);
// SAFETY: an lb_client_t may be used by any number of threads at once (its documentation).
unsafe impl Send for Fixed {}
unsafe impl Sync for Fixed {}

fn fixed_client() -> *const lb_client_t {
    static CLIENT: OnceLock<Fixed> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let options = CString::new(format!(r#"{{"api_key": "{KEY}", "base_url": "http://127.0.0.1:9/", "max_retries": 0, "timeout": 2, "connect_timeout": 1}}"#)).unwrap();
            let mut client = ptr::null_mut();
            let status = unsafe { lb_client_new(c"carreta".as_ptr(), options.as_ptr(), &mut client, ptr::null_mut()) };
            assert_eq!(status, lb_status::LB_OK);
            Fixed(client)
        })
        .0
}

fn ptr_of(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(ptr::null(), |s| s.as_ptr())
}

/// The fuzz target.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let selector = input.byte();
    match selector % 6 {
        0 => client_new(input.rest()),
        1 => call(selector, input.rest()),
        2 => {
            let [description] = strings::<1>(input.rest());
            let mut error = ptr::null_mut();
            let status = unsafe { lb_service_register(ptr_of(&description), &mut error) };
            let text = check_outcome("lb_service_register", status, error);
            if description.is_some() {
                assert!(matches!(status, lb_status::LB_OK | lb_status::LB_INVALID_ARGUMENT), "{status:?}: {text:?}");
            }
        }
        3 => json_pointer(input.rest()),
        4 => {
            let min_qty = input.int();
            let order_qty = input.int();
            let [qty] = strings::<1>(input.rest());
            let mut error = ptr::null_mut();
            let status = unsafe { lb_carreta_check_order_qty(ptr_of(&qty), min_qty, order_qty, &mut error) };
            check_outcome("lb_carreta_check_order_qty", status, error);
            if let Some(Ok(qty)) = qty.as_deref().map(CStr::to_str) {
                let core = logibridge::carreta::check_order_qty(&logibridge::carreta::Qty::parse(qty), min_qty, order_qty);
                let expected = if core.is_ok() { lb_status::LB_OK } else { lb_status::LB_VALIDATION };
                assert_eq!(status, expected, "qty {qty:?}, {min_qty}, {order_qty}: C and the core disagree");
            }
        }
        _ => {
            let [comment] = strings::<1>(input.rest());
            let mut error = ptr::null_mut();
            let status = unsafe { lb_carreta_check_client_comment(ptr_of(&comment), &mut error) };
            check_outcome("lb_carreta_check_client_comment", status, error);
        }
    }
}

fn strings<const N: usize>(data: &[u8]) -> [Option<CString>; N] {
    let mut parts = c_strings(data, N).into_iter();
    std::array::from_fn(|_| parts.next().flatten())
}

/// `lb_client_new(service, options_json)`; the first byte of the strings part decides
/// whether the service is given or is "carreta".
fn client_new(data: &[u8]) {
    let [service, options] = strings::<2>(data);
    let service = match service.as_ref().map(|s| s.as_bytes()) {
        Some(b"") | None => Some(CString::new("carreta").unwrap()),
        _ => service,
    };
    let mut client = ptr::null_mut();
    let mut error = ptr::null_mut();
    let status = unsafe { lb_client_new(ptr_of(&service), ptr_of(&options), &mut client, &mut error) };
    assert_eq!(status == lb_status::LB_OK, !client.is_null(), "a client comes back exactly on LB_OK");
    let text = check_outcome("lb_client_new", status, error);
    if let (Some(text), Some(key)) = (text, given_key(options.as_deref())) {
        // The caller's own service name may hold the same text; that is no echo of the key.
        let in_service = service.as_ref().is_some_and(|s| String::from_utf8_lossy(s.as_bytes()).contains(&key));
        assert!(in_service || !text.contains(&key), "lb_client_new echoes the api_key {key:?}: {text}");
    }
    unsafe { lb_client_free(client) };
}

/// The `api_key` an options JSON gives, when it is long enough to be told apart from the
/// rest of a message (8 characters) and appears nowhere else in the options.
fn given_key(options: Option<&CStr>) -> Option<String> {
    let text = options?.to_str().ok()?;
    let Value::Object(map) = serde_json::from_str(text).ok()? else { return None };
    let key = map.get("api_key")?.as_str()?.to_owned();
    let elsewhere = map.iter().any(|(k, v)| k.contains(&key) || (k != "api_key" && v.to_string().contains(&key)));
    (key.chars().count() >= 8 && !elsewhere && !key.trim().is_empty()).then_some(key)
}

/// `lb_call(fixed client, id, params_json)`. Bit 3 of the selector picks the id from the
/// Carreta table by the first string's first byte instead of taking the string as is.
fn call(selector: u8, data: &[u8]) {
    let [id, params] = strings::<2>(data);
    let id = if selector & 8 != 0 {
        let rows = crate::decode::rows();
        let pick = id.as_ref().and_then(|s| s.as_bytes().first().copied()).unwrap_or(0);
        Some(CString::new(rows[pick as usize % rows.len()].id).unwrap())
    } else {
        id
    };
    if let Some(Ok(text)) = id.as_deref().map(CStr::to_str) {
        if logibridge::endpoints::find(text).is_some_and(|ep| ep.local.is_some()) {
            return; // library-side work on files and URLs named in the parameters
        }
    }
    let mut out = ptr::null_mut();
    let mut error = ptr::null_mut();
    let status = unsafe { lb_call(fixed_client(), ptr_of(&id), ptr_of(&params), &mut out, &mut error) };
    assert_eq!(status == lb_status::LB_OK, !out.is_null(), "a result comes back exactly on LB_OK");
    if !out.is_null() {
        let text = unsafe { CStr::from_ptr(out) }.to_str().expect("UTF-8 result");
        serde_json::from_str::<Value>(text).unwrap_or_else(|e| panic!("lb_call's result is not JSON ({e}): {text}"));
        unsafe { lb_string_free(out) };
    }
    if let Some(text) = check_outcome("lb_call", status, error) {
        assert!(!text.contains(KEY) && !text.contains("CANARY%2B"), "lb_call's error holds the client's key: {text}");
    }
}

fn json_pointer(data: &[u8]) {
    let [json, pointer] = strings::<2>(data);
    let mut out = ptr::null_mut();
    let mut error = ptr::null_mut();
    let status = unsafe { lb_json_pointer(ptr_of(&json), ptr_of(&pointer), &mut out, &mut error) };
    assert_eq!(status == lb_status::LB_OK, !out.is_null());
    check_outcome("lb_json_pointer", status, error);
    if out.is_null() {
        return;
    }
    let text = unsafe { CStr::from_ptr(out) }.to_str().expect("UTF-8 value").to_owned();
    unsafe { lb_string_free(out) };
    let got: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("lb_json_pointer's value is not JSON ({e}): {text}"));
    let doc: Value = serde_json::from_slice(json.as_ref().unwrap().as_bytes()).expect("LB_OK means the document parsed");
    let pointer = pointer.as_ref().unwrap().to_str().unwrap();
    assert_eq!(Some(&got), doc.pointer(pointer), "the value at {pointer:?}");
}

/// Checks the status/error pair of one call and frees the error; returns the error's
/// texts (message, Russian message, JSON) joined, when there was one.
fn check_outcome(what: &str, status: lb_status, error: *mut lb_error_t) -> Option<String> {
    assert_eq!(status == lb_status::LB_OK, error.is_null(), "{what}: an error comes back exactly when the status is not LB_OK");
    if error.is_null() {
        return None;
    }
    let text = |p: *const c_char| unsafe { CStr::from_ptr(p) }.to_str().expect("UTF-8 error text").to_owned();
    let (message, message_ru, json) = unsafe { (text(lb_error_message(error)), text(lb_error_message_ru(error)), text(lb_error_json(error))) };
    assert_eq!(unsafe { lb_error_status(error) }, status);
    unsafe { lb_error_free(error) };
    assert_ne!(status, lb_status::LB_INTERNAL, "{what}: {message}");
    assert!(!message.is_empty() && !message_ru.is_empty(), "{what}: empty message");
    match serde_json::from_str::<Value>(&json) {
        Ok(Value::Object(_)) => {}
        other => panic!("{what}: the error JSON is not an object: {other:?} from {json}"),
    }
    Some(format!("{message}\n{message_ru}\n{json}"))
}
