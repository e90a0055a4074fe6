//! Carreta's typed helpers: the order rules, callable without a client.

use std::ffi::c_char;

use lbcore::carreta::{check_client_comment, order_qty_violation};
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
    let mut refused = None;
    let status = guard(error_out, || {
        let qty = arg_str(qty, "qty")?;
        refused = order_qty_violation(qty, min_qty, order_qty);
        Ok(())
    });
    match refused {
        None => status,
        Some(v) => {
            // The refusal's texts are written when the caller reads them (lb_error_t::order_qty).
            if !error_out.is_null() {
                // SAFETY: the caller passes either NULL or a writable pointer (guard reset it).
                unsafe { *error_out = Box::into_raw(Box::new(lb_error_t::order_qty(v))) };
            }
            lb_status::LB_VALIDATION
        }
    }
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
