//! The two bodies iRECA POSTs to the integrator: order changes (`orders/callback`) and a
//! closed courier session (`licenses/callback`).
//!
//! The parsers take the raw body as received (the durable receiver stores it first and
//! parses later), refuse a body over [`MAX_CALLBACK_BYTES`] before reading it, and report
//! anything that is not the documented JSON as a typed error with an English and a Russian
//! text.

use super::license::LicenseSession;
use super::order::{Order, OrderCallback};
use super::wire;
use crate::{Error, Result};

/// The largest callback body parsed: 16 MiB. An order callback carries whole orders; the
/// document's example is 3 KiB, so this leaves room for hundreds of large orders while
/// keeping a hostile or broken sender from making the parser hold gigabytes.
pub const MAX_CALLBACK_BYTES: usize = 16 * 1024 * 1024;

/// The id an order callback's errors name (`ireca.callback.order`).
pub const ORDER_CALLBACK: &str = "ireca.callback.order";

/// The id a licence-session callback's errors name (`ireca.callback.license_session`).
pub const LICENSE_CALLBACK: &str = "ireca.callback.license_session";

/// Reads an order callback, `{"items": [order…]}` («Запрос на заданный callback URL»), into
/// its orders, in the order sent.
///
/// ```
/// let orders = logibridge::ireca::parse_order_callback(
///     br#"{"items": [{"orderId": 209900, "deliveryStatusId": 9, "amountToPay": "679.57"}]}"#).unwrap();
/// assert_eq!(orders[0].order_id.as_ref().unwrap().as_u64(), Some(209900));
/// ```
///
/// # Errors
/// [`Error::InvalidArgument`] for an empty body or one over [`MAX_CALLBACK_BYTES`];
/// [`Error::Decode`] (with the JSON path and an excerpt) for a body that is not JSON or
/// has no `items` list of orders.
pub fn parse_order_callback(body: &[u8]) -> Result<Vec<Order>> {
    check_size(ORDER_CALLBACK, body)?;
    let callback: OrderCallback = wire::from_slice(ORDER_CALLBACK, body)?;
    Ok(callback.items)
}

/// Reads a licence-session callback (the courier's session closed): `sessionId`,
/// `courierId`, `deviceId`, `deviceTitle`, `sessionStartAt`, `sessionFinishAt`.
///
/// ```
/// let s = logibridge::ireca::parse_license_callback(
///     br#"{"sessionId": 1, "courierId": 27, "deviceId": "3ebf391b3c596bc8", "sessionFinishAt": "2017-05-15 20:21:13"}"#).unwrap();
/// assert_eq!(s.device_id.as_deref(), Some("3ebf391b3c596bc8"));
/// ```
///
/// # Errors
/// As [`parse_order_callback`]; a JSON value that is not an object is an
/// [`Error::Decode`].
pub fn parse_license_callback(body: &[u8]) -> Result<LicenseSession> {
    check_size(LICENSE_CALLBACK, body)?;
    wire::from_slice(LICENSE_CALLBACK, body)
}

fn check_size(what: &str, body: &[u8]) -> Result<()> {
    if body.len() > MAX_CALLBACK_BYTES {
        return Err(Error::invalid_argument(
            format!("{what}: the callback body is {} bytes, more than the {MAX_CALLBACK_BYTES} bytes (16 MiB) accepted", body.len()),
            format!("{what}: тело обратного вызова — {} байт, больше допустимых {MAX_CALLBACK_BYTES} байт (16 МиБ)", body.len()),
        ));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::invalid_argument(
            format!("{what}: the callback body is empty (expected JSON)"),
            format!("{what}: тело обратного вызова пусто (ожидался JSON)"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn order_callback_reads_every_item() {
        let orders = parse_order_callback(br#"{"items": [{"orderId": "1", "courierId": ""}, {"orderId": 2, "isAgreed": "1"}]}"#).unwrap();
        assert_eq!(orders.len(), 2);
        assert_eq!(orders[0].courier_id, None);
        assert_eq!(orders[1].order_id.as_ref().and_then(|i| i.as_u64()), Some(2));
        assert_eq!(orders[1].is_agreed, Some(true));
    }

    #[test]
    fn non_json_is_a_decode_error_in_two_languages() {
        let e = parse_order_callback(b"<html>502 Bad Gateway</html>").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.to_string().contains(ORDER_CALLBACK), "{e}");
        assert!(e.message_ru().contains("ожидалось значение JSON"), "{}", e.message_ru());
        let e = parse_license_callback(b"[1, 2]").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
    }

    #[test]
    fn an_order_callback_without_items_names_the_field() {
        let e = parse_order_callback(br#"{"orders": []}"#).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.to_string().contains("items"), "{e}");
        let e = parse_order_callback(br#"{"items": [{"amountToPay": "lots"}]}"#).unwrap_err();
        assert!(e.to_string().contains("items[0].amountToPay"), "{e}");
    }

    #[test]
    fn empty_and_oversized_bodies_are_refused_before_parsing() {
        for body in [&b""[..], b"  \n"] {
            let e = parse_order_callback(body).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.message_ru().contains("пусто"), "{}", e.message_ru());
        }
        // Valid JSON padded past the cap: refused for its size, not parsed.
        let mut big = br#"{"items": []}"#.to_vec();
        big.resize(MAX_CALLBACK_BYTES + 1, b' ');
        let e = parse_order_callback(&big).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.to_string().contains("16 MiB") && e.message_ru().contains("16 МиБ"), "{e}");
        big.truncate(MAX_CALLBACK_BYTES);
        assert_eq!(parse_order_callback(&big).unwrap(), Vec::new());
    }
}
