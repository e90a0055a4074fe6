//! Carreta's typed helpers: the order rules, callable without a client.

use std::ffi::c_char;

use lbcore::carreta::{check_client_comment, check_order_qty, Qty};
use lbcore::Error;

use crate::error::lb_error_t;
use crate::{arg_str, guard, lb_status};

/// Checks an order size against an offer's stock, as the shop's document states the
/// rules: `qty` is the offer's `qty` text as the search returned it (`"10"`, `"<10"`,
/// `">50"`, `"Есть"`), `min_qty` its minimum (orders must be a multiple of it),
/// `order_qty` the wanted amount.
///
/// Returns `LB_OK` when the order is allowed, `LB_VALIDATION` with the rule's code
/// (`order_qty.not_less_than_qty`, `order_qty.exceeds_qty`, `order_qty.exceeds_max`,
/// `order_qty.not_multiple_of_min_qty`, `order_qty.min`, `min_qty.invalid`,
/// `qty.unknown_form`) and field otherwise. `lb_call` applies the same rules to
/// `carreta.order.create` by itself; this is for checking a form before submitting it.
#[no_mangle]
pub unsafe extern "C" fn lb_carreta_check_order_qty(
    qty: *const c_char,
    min_qty: i64,
    order_qty: i64,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    guard(error_out, || {
        let qty = arg_str(qty, "qty")?;
        check_order_qty(&Qty::parse(qty), min_qty, order_qty).map_err(Error::from)
    })
}

/// Checks a `client_comment`: at most 50 characters (not bytes; Cyrillic counts one per
/// letter). Returns `LB_OK` or `LB_VALIDATION` (`client_comment.too_long`).
#[no_mangle]
pub unsafe extern "C" fn lb_carreta_check_client_comment(
    comment: *const c_char,
    error_out: *mut *mut lb_error_t,
) -> lb_status {
    guard(error_out, || {
        let comment = arg_str(comment, "comment")?;
        check_client_comment(comment).map_err(Error::from)
    })
}
