//! The endpoint table: `lb_endpoints` describes it, `lb_service_register` adds a service.

use std::ffi::c_char;

use crate::error::lb_error_t;
use crate::{arg_out, arg_str, c_string, guard, lb_status, reset_out};

/// The whole endpoint table as JSON, the same document every face returns: a list with
/// one object per service the library knows (built-in ones first, then those registered),
///
/// ```text
/// [{"prefix": "carreta", "name": "Carreta", "default_base_url": "https://...",
///   "auth": {"kind": "query_param", "param": "api_key", "credential": "api_key"},
///   "credentials": [{"name": "api_key", "onec_en": "ApiKey", "onec_ru": "КлючAPI",
///                    "secret": true, "required": true}],
///   "common_params": [{"name": "account", ...}],
///   "error_message_keys": ["error", "detail", "message"],
///   "endpoints": [{"id": "carreta.order.get", "service": "carreta", "summary": "...",
///                  "method": "GET", "path": "order/{id}/",
///                  "params": [{"name": "id", "wire": "id", "in": "path", "type": "integer",
///                              "required": true, "repeated": false, "default": null,
///                              "fixed": null, "min": 0, "max": null, "name_ru": "...",
///                              "doc": "..."}, ...],
///                  "body": "none", "check": false,
///                  "response": {"model": "Order", "envelope": null, "list": false, ...},
///                  "paging": {"kind": "none"}, "idempotent": true, "auth": true,
///                  "local": false, "names": {"python": "order.get", ...}}, ...]}, ...]
/// ```
///
/// Every `id` is callable with `lb_call` on a client of its service; each row's `params`
/// lists what `params_json` may hold (the service's common parameters included). Free the
/// string with `lb_string_free`.
#[no_mangle]
pub unsafe extern "C" fn lb_endpoints(
    endpoints_json_out: *mut *mut c_char,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    reset_out(endpoints_json_out);
    guard(error_out, || {
        let out = arg_out(endpoints_json_out, "endpoints_json_out")?;
        *out = c_string(lbcore::endpoints::describe_all().to_string()).into_raw();
        Ok(())
    })
}

/// Declares a service at run time from its JSON description, so that `lb_client_new` and
/// `lb_call` reach it with no code of its own (a customer's gateway, a test double). The
/// description has the shape of one service of `lb_endpoints` (`prefix`, `name`,
/// `default_base_url`, `auth`, `credentials`, `common_params`, `error_message_keys`,
/// `endpoints` with their `params`); most fields have defaults:
///
/// ```text
/// {"prefix": "shop", "name": "Shop", "default_base_url": "https://shop.example/api/",
///  "auth": {"kind": "bearer", "credential": "token"},
///  "credentials": [{"name": "token"}],
///  "endpoints": [{"id": "shop.item.get", "method": "GET", "path": "items/{id}",
///                 "params": [{"name": "id", "in": "path", "type": "integer",
///                             "required": true}]}]}
/// ```
///
/// Returns `LB_OK`, or `LB_INVALID_ARGUMENT` naming the faulty part of the description, or
/// when its prefix or one of its ids is already known. A service is registered once per
/// process and lives as long as it: register it at start-up, not per call.
#[no_mangle]
pub unsafe extern "C" fn lb_service_register(
    description_json: *const c_char,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    guard(error_out, || {
        let description = arg_str(description_json, "description_json")?;
        lbcore::endpoints::register(description)?;
        Ok(())
    })
}
