//! The documented rules for a Carreta order, checked before anything is sent.
//!
//! Pure functions: callable without a client, from every face.

use super::qty::{Qty, QtyKind, UNBOUNDED_ORDER_MAX};
use crate::error::ValidationError;
use crate::shown_input;

/// The longest `client_comment` the shop accepts, in characters (not bytes).
pub const CLIENT_COMMENT_MAX_CHARS: usize = 50;

/// Stable codes of the order rules, one per documented violation.
pub mod codes {
    /// `order_qty` is below 1.
    pub const ORDER_QTY_MIN: &str = "order_qty.min";
    /// `min_qty` is below 1 (nonsense input: every offer has a positive minimum).
    pub const MIN_QTY_INVALID: &str = "min_qty.invalid";
    /// `qty` is `"<N"` and `order_qty` ≥ N.
    pub const ORDER_QTY_NOT_LESS_THAN: &str = "order_qty.not_less_than_qty";
    /// `qty` is a number N and `order_qty` > N.
    pub const ORDER_QTY_EXCEEDS_QTY: &str = "order_qty.exceeds_qty";
    /// `qty` is `">N"` or `"Есть"` and `order_qty` > 10000.
    pub const ORDER_QTY_EXCEEDS_MAX: &str = "order_qty.exceeds_max";
    /// `order_qty` is not a multiple of `min_qty`.
    pub const ORDER_QTY_NOT_MULTIPLE: &str = "order_qty.not_multiple_of_min_qty";
    /// `qty` has a form the document does not describe, so no order size can be proven valid.
    pub const QTY_UNKNOWN_FORM: &str = "qty.unknown_form";
    /// `client_comment` is longer than 50 characters.
    pub const CLIENT_COMMENT_TOO_LONG: &str = "client_comment.too_long";
    /// `min_qty` as a face gave it is not a whole number within the 64-bit signed range.
    pub const MIN_QTY_NOT_INTEGER: &str = "min_qty.not_integer";
    /// `order_qty` as a face gave it is not a whole number within the 64-bit signed range.
    pub const ORDER_QTY_NOT_INTEGER: &str = "order_qty.not_integer";
}

/// [`check_order_qty`] for a face whose integers are wider than `i64` (a Python `int`, the
/// text of a JSON number): `min_qty` and `order_qty` are decimal texts (`"-12"`, `"10"`).
/// A text that is not a whole number within `i64` is refused before any rule with
/// [`codes::MIN_QTY_NOT_INTEGER`] / [`codes::ORDER_QTY_NOT_INTEGER`], naming the argument
/// and quoting the value as given (through [`shown_input`]), never a clamped one.
///
/// ```
/// use logibridge::carreta::{check_order_qty_text, Qty};
/// let err = check_order_qty_text(&Qty::parse("<10"), "1", "1180591620717411303424").unwrap_err();
/// assert_eq!((err.field.as_str(), err.code), ("order_qty", "order_qty.not_integer"));
/// assert!(err.message.ends_with("got 1180591620717411303424"));
/// assert!(check_order_qty_text(&Qty::parse("<10"), "1", "9").is_ok());
/// ```
pub fn check_order_qty_text(qty: &Qty, min_qty: &str, order_qty: &str) -> Result<(), ValidationError> {
    let min_qty = integer_argument("min_qty", "минимальное количество (min_qty)", codes::MIN_QTY_NOT_INTEGER, min_qty)?;
    let order_qty = integer_argument("order_qty", "количество к заказу (order_qty)", codes::ORDER_QTY_NOT_INTEGER, order_qty)?;
    check_order_qty(qty, min_qty, order_qty)
}

/// A decimal integer text as `i64`: an optional sign and digits, nothing else.
fn integer_argument(field: &str, field_ru: &str, code: &'static str, text: &str) -> Result<i64, ValidationError> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = text.parse::<i64>() {
            return Ok(n);
        }
    }
    let (min, max) = (i64::MIN, i64::MAX);
    let got = shown_input(text);
    Err(ValidationError::new(
        field,
        code,
        format!("{field} must be a whole number from {min} to {max}, got {got}"),
        format!("{field_ru} должно быть целым числом от {min} до {max}, получено {got}"),
    ))
}

/// Checks `order_qty` against an offer's `qty` and `min_qty`, rule by rule as the document
/// states them. Takes signed integers so that nonsense input from a face (negative numbers)
/// is a validation error rather than an overflow.
///
/// ```
/// use logibridge::carreta::{check_order_qty, Qty};
/// assert!(check_order_qty(&Qty::parse("<10"), 1, 9).is_ok());
/// let err = check_order_qty(&Qty::parse("<10"), 1, 10).unwrap_err();
/// assert_eq!(err.code, "order_qty.not_less_than_qty");
/// assert_eq!(check_order_qty(&Qty::parse("Есть"), 2, 3).unwrap_err().code, "order_qty.not_multiple_of_min_qty");
/// ```
pub fn check_order_qty(qty: &Qty, min_qty: i64, order_qty: i64) -> Result<(), ValidationError> {
    match violation(qty.raw(), qty.kind(), min_qty, order_qty) {
        None => Ok(()),
        Some(v) => Err(v.into()),
    }
}

/// [`check_order_qty`] for a face that holds the offer's `qty` as text and may not need the
/// texts of a refusal: the broken rule comes back as its facts ([`OrderQtyViolation`]), and
/// its English and Russian messages are written only when asked for. Neither path
/// allocates except to keep the `qty` text of a refusal that quotes it. Same rules, same
/// codes, same texts as [`check_order_qty`].
///
/// ```
/// use logibridge::carreta::{check_order_qty, order_qty_violation, Qty};
/// assert!(order_qty_violation("<10", 1, 9).is_none());
/// let v = order_qty_violation("<10", 1, 10).unwrap();
/// assert_eq!((v.field(), v.code()), ("order_qty", "order_qty.not_less_than_qty"));
/// assert_eq!(v.to_validation_error(), check_order_qty(&Qty::parse("<10"), 1, 10).unwrap_err());
/// ```
pub fn order_qty_violation(qty: &str, min_qty: i64, order_qty: i64) -> Option<OrderQtyViolation> {
    violation(qty, QtyKind::of(qty), min_qty, order_qty)
}

fn violation(raw: &str, kind: QtyKind, min_qty: i64, order_qty: i64) -> Option<OrderQtyViolation> {
    if min_qty < 1 {
        return Some(OrderQtyViolation(Broken::MinQtyInvalid { min_qty }));
    }
    if order_qty < 1 {
        return Some(OrderQtyViolation(Broken::OrderQtyMin { order_qty }));
    }
    let got = order_qty as u64;
    let qty = || raw.to_owned();
    let broken = match kind {
        QtyKind::LessThan(limit) if got >= limit => Broken::NotLessThan { qty: qty(), limit, got },
        QtyKind::Exactly(limit) if got > limit => Broken::ExceedsQty { qty: qty(), limit, got },
        QtyKind::MoreThan(_) | QtyKind::InStock if got > UNBOUNDED_ORDER_MAX as u64 => Broken::ExceedsMax { qty: qty(), got },
        QtyKind::Unknown => Broken::UnknownForm { qty: qty() },
        _ if got % (min_qty as u64) != 0 => Broken::NotMultiple { min_qty, got },
        _ => return None,
    };
    Some(OrderQtyViolation(broken))
}

/// A broken order-size rule (see [`check_order_qty`]), kept as the facts that broke it: the
/// rule, the field, the numbers and the offer's `qty` text. [`message`](Self::message),
/// [`message_ru`](Self::message_ru) and [`Display`](std::fmt::Display) write the texts when
/// asked; [`to_validation_error`](Self::to_validation_error) gives the eager
/// [`ValidationError`] with exactly those texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderQtyViolation(Broken);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Broken {
    MinQtyInvalid { min_qty: i64 },
    OrderQtyMin { order_qty: i64 },
    NotLessThan { qty: String, limit: u64, got: u64 },
    ExceedsQty { qty: String, limit: u64, got: u64 },
    ExceedsMax { qty: String, got: u64 },
    UnknownForm { qty: String },
    NotMultiple { min_qty: i64, got: u64 },
}

impl OrderQtyViolation {
    /// The argument that broke the rule: `"min_qty"`, `"order_qty"` or `"qty"`.
    pub fn field(&self) -> &'static str {
        match self.0 {
            Broken::MinQtyInvalid { .. } => "min_qty",
            Broken::UnknownForm { .. } => "qty",
            _ => "order_qty",
        }
    }

    /// The rule's stable code (one of [`codes`]).
    pub fn code(&self) -> &'static str {
        match self.0 {
            Broken::MinQtyInvalid { .. } => codes::MIN_QTY_INVALID,
            Broken::OrderQtyMin { .. } => codes::ORDER_QTY_MIN,
            Broken::NotLessThan { .. } => codes::ORDER_QTY_NOT_LESS_THAN,
            Broken::ExceedsQty { .. } => codes::ORDER_QTY_EXCEEDS_QTY,
            Broken::ExceedsMax { .. } => codes::ORDER_QTY_EXCEEDS_MAX,
            Broken::UnknownForm { .. } => codes::QTY_UNKNOWN_FORM,
            Broken::NotMultiple { .. } => codes::ORDER_QTY_NOT_MULTIPLE,
        }
    }

    /// The rule's English explanation (the [`ValidationError::message`] of the refusal).
    pub fn message(&self) -> String {
        match &self.0 {
            Broken::MinQtyInvalid { min_qty } => format!("min_qty must be at least 1, got {min_qty}"),
            Broken::OrderQtyMin { order_qty } => format!("order_qty must be at least 1, got {order_qty}"),
            Broken::NotLessThan { qty, limit, got } => format!("qty is \"{}\": order_qty must be less than {limit}, got {got}", shown_input(qty)),
            Broken::ExceedsQty { qty, limit, got } => format!("qty is \"{}\": order_qty must not exceed {limit}, got {got}", shown_input(qty)),
            Broken::ExceedsMax { qty, got } => format!("qty is \"{}\": order_qty must be within 1..={UNBOUNDED_ORDER_MAX}, got {got}", shown_input(qty)),
            Broken::UnknownForm { qty } => format!("qty \"{}\" has a form the API does not document (expected \"10\", \"<10\", \">50\" or \"Есть\")", shown_input(qty)),
            Broken::NotMultiple { min_qty, got } => format!("order_qty must be a multiple of min_qty {min_qty}, got {got}"),
        }
    }

    /// The rule's Russian explanation (the [`ValidationError::message_ru`] of the refusal).
    pub fn message_ru(&self) -> String {
        match &self.0 {
            Broken::MinQtyInvalid { min_qty } => format!("минимальное количество (min_qty) должно быть не меньше 1, получено {min_qty}"),
            Broken::OrderQtyMin { order_qty } => format!("количество к заказу (order_qty) должно быть не меньше 1, получено {order_qty}"),
            Broken::NotLessThan { qty, limit, got } => format!("в наличии «{}»: количество к заказу должно быть строго меньше {limit}, получено {got}", shown_input(qty)),
            Broken::ExceedsQty { qty, limit, got } => format!("в наличии «{}»: количество к заказу не должно превышать {limit}, получено {got}", shown_input(qty)),
            Broken::ExceedsMax { qty, got } => format!("в наличии «{}»: количество к заказу должно быть от 1 до {UNBOUNDED_ORDER_MAX}, получено {got}", shown_input(qty)),
            Broken::UnknownForm { qty } => format!("значение наличия «{}» имеет недокументированный вид (ожидается «10», «<10», «>50» или «Есть»)", shown_input(qty)),
            Broken::NotMultiple { min_qty, got } => format!("количество к заказу должно быть кратно минимальной партии {min_qty}, получено {got}"),
        }
    }

    /// The refusal as the eager [`ValidationError`] (both texts written now).
    pub fn to_validation_error(&self) -> ValidationError {
        ValidationError::new(self.field(), self.code(), self.message(), self.message_ru())
    }
}

impl From<OrderQtyViolation> for ValidationError {
    fn from(v: OrderQtyViolation) -> ValidationError {
        v.to_validation_error()
    }
}

impl From<OrderQtyViolation> for crate::Error {
    fn from(v: OrderQtyViolation) -> crate::Error {
        crate::Error::Validation(v.to_validation_error())
    }
}

/// As [`ValidationError`]'s: `order_qty: <message> [<code>]`.
impl std::fmt::Display for OrderQtyViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} [{}]", self.field(), self.message(), self.code())
    }
}

impl std::error::Error for OrderQtyViolation {}

/// Checks the optional client comment: at most 50 characters (Cyrillic counts as one each).
///
/// ```
/// use logibridge::carreta::check_client_comment;
/// assert!(check_client_comment(&"ж".repeat(50)).is_ok());
/// assert!(check_client_comment(&"ж".repeat(51)).is_err());
/// ```
pub fn check_client_comment(comment: &str) -> Result<(), ValidationError> {
    let chars = comment.chars().count();
    if chars > CLIENT_COMMENT_MAX_CHARS {
        return Err(ValidationError::new(
            "client_comment",
            codes::CLIENT_COMMENT_TOO_LONG,
            format!("client_comment must be at most {CLIENT_COMMENT_MAX_CHARS} characters, got {chars}"),
            format!("комментарий (client_comment) должен быть не длиннее {CLIENT_COMMENT_MAX_CHARS} символов, получено {chars}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(qty: &str, min: i64, order: i64) -> Option<&'static str> {
        check_order_qty(&Qty::parse(qty), min, order).err().map(|e| e.code)
    }

    #[test]
    fn less_than_example_allows_1_to_9() {
        for n in 1..=9 {
            assert_eq!(code("<10", 1, n), None);
        }
        assert_eq!(code("<10", 1, 10), Some(codes::ORDER_QTY_NOT_LESS_THAN));
    }

    #[test]
    fn more_than_example_allows_1_to_10000() {
        assert_eq!(code(">50", 1, 1), None);
        assert_eq!(code(">50", 1, 51), None);
        assert_eq!(code(">50", 1, 10_000), None);
        assert_eq!(code(">50", 1, 10_001), Some(codes::ORDER_QTY_EXCEEDS_MAX));
    }

    #[test]
    fn numeric_example_allows_1_to_10() {
        assert_eq!(code("10", 1, 10), None);
        assert_eq!(code("10", 1, 11), Some(codes::ORDER_QTY_EXCEEDS_QTY));
    }

    #[test]
    fn in_stock_example_allows_1_to_10000() {
        assert_eq!(code("Есть", 1, 10_000), None);
        assert_eq!(code("Есть", 1, 10_001), Some(codes::ORDER_QTY_EXCEEDS_MAX));
    }

    #[test]
    fn min_qty_example_multiples_of_two() {
        for n in [2, 4, 8] {
            assert_eq!(code("Есть", 2, n), None);
        }
        assert_eq!(code("Есть", 2, 3), Some(codes::ORDER_QTY_NOT_MULTIPLE));
    }

    #[test]
    fn nonsense_input_is_an_error_not_a_crash() {
        assert_eq!(code("10", 0, 1), Some(codes::MIN_QTY_INVALID));
        assert_eq!(code("10", -3, 1), Some(codes::MIN_QTY_INVALID));
        assert_eq!(code("10", 1, 0), Some(codes::ORDER_QTY_MIN));
        assert_eq!(code("10", 1, -1), Some(codes::ORDER_QTY_MIN));
        assert_eq!(code("10", 1, i64::MAX), Some(codes::ORDER_QTY_EXCEEDS_QTY));
        assert_eq!(code("много", 1, 1), Some(codes::QTY_UNKNOWN_FORM));
    }

    #[test]
    fn messages_name_the_field_in_both_languages() {
        let e = check_order_qty(&Qty::parse("<10"), 1, 10).unwrap_err();
        assert_eq!(e.field, "order_qty");
        assert!(e.message.contains("less than 10"));
        assert!(e.message_ru.contains("строго меньше 10"));
    }

    #[test]
    fn integer_texts_outside_i64_are_refused_quoting_the_real_value() {
        let cases = [
            ("<10", "1", "9223372036854775808", "order_qty", codes::ORDER_QTY_NOT_INTEGER, "9223372036854775808"),
            ("<10", "1", "18446744073709551621", "order_qty", codes::ORDER_QTY_NOT_INTEGER, "18446744073709551621"),
            ("<10", "1", "1180591620717411303424", "order_qty", codes::ORDER_QTY_NOT_INTEGER, "1180591620717411303424"),
            ("10", "1", "-9223372036854775809", "order_qty", codes::ORDER_QTY_NOT_INTEGER, "-9223372036854775809"),
            ("100", "9223372036854775808", "2", "min_qty", codes::MIN_QTY_NOT_INTEGER, "9223372036854775808"),
            ("10", "1", "1.5", "order_qty", codes::ORDER_QTY_NOT_INTEGER, "1.5"),
            ("10", "1", "1e20", "order_qty", codes::ORDER_QTY_NOT_INTEGER, "1e20"),
            ("10", "", "1", "min_qty", codes::MIN_QTY_NOT_INTEGER, ""),
        ];
        for (qty, min, order, field, code, real) in cases {
            let e = check_order_qty_text(&Qty::parse(qty), min, order).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), (field, code), "{min} {order}");
            assert!(e.message.ends_with(&format!("got {real}")), "{}", e.message);
            assert!(e.message_ru.ends_with(&format!("получено {real}")), "{}", e.message_ru);
        }
    }

    #[test]
    fn integer_texts_within_i64_follow_the_rules() {
        assert!(check_order_qty_text(&Qty::parse("<10"), "1", "9").is_ok());
        assert!(check_order_qty_text(&Qty::parse("Есть"), "+2", "-4").unwrap_err().code == codes::ORDER_QTY_MIN);
        let e = check_order_qty_text(&Qty::parse("10"), "1", &i64::MAX.to_string()).unwrap_err();
        assert_eq!(e.code, codes::ORDER_QTY_EXCEEDS_QTY);
        assert_eq!(check_order_qty_text(&Qty::parse("10"), &i64::MIN.to_string(), "1").unwrap_err().code, codes::MIN_QTY_INVALID);
    }

    #[test]
    fn messages_quote_at_most_a_bounded_part_of_the_input() {
        let huge_qty = format!("<{}", "9".repeat(10_000_000));
        let huge_number = "9".repeat(10_000_000);
        let errors = [
            check_order_qty(&Qty::parse(&huge_qty), 1, 1).unwrap_err(),
            check_order_qty(&Qty::parse(&"ж".repeat(10_000_000)), 1, 1).unwrap_err(),
            check_order_qty_text(&Qty::parse("10"), "1", &huge_number).unwrap_err(),
            check_order_qty_text(&Qty::parse("10"), &huge_number, "1").unwrap_err(),
        ];
        for e in errors {
            assert!(e.message.len() < 400, "{} bytes: {}…", e.message.len(), &e.message[..200]);
            assert!(e.message_ru.len() < 600, "{} bytes", e.message_ru.len());
            assert!(e.to_string().len() < 600);
            assert!(e.message.contains("… (10000001 characters)") || e.message.contains("… (10000000 characters)"), "{}", e.message);
        }
    }

    #[test]
    fn a_lazy_violation_writes_the_eager_texts_for_every_rule() {
        let cases = [("10", 0, 1), ("10", 1, 0), ("<10", 1, 10), ("10", 1, 11), (">50", 1, 10_001), ("Есть", 1, 10_001), ("много", 1, 1), ("Есть", 2, 3), (&"ж".repeat(300) as &str, 1, 1)];
        let mut codes_seen = std::collections::BTreeSet::new();
        for (qty, min, order) in cases {
            let eager = check_order_qty(&Qty::parse(qty), min, order).unwrap_err();
            let lazy = order_qty_violation(qty, min, order).unwrap();
            assert_eq!((lazy.field(), lazy.code()), (eager.field.as_str(), eager.code));
            assert_eq!((lazy.message(), lazy.message_ru()), (eager.message.clone(), eager.message_ru.clone()));
            assert_eq!(lazy.to_string(), eager.to_string());
            assert_eq!(crate::Error::from(lazy.clone()).to_json(), crate::Error::Validation(eager.clone()).to_json());
            assert_eq!(lazy.to_validation_error(), eager);
            codes_seen.insert(eager.code);
        }
        assert_eq!(codes_seen.len(), 7, "every order-size rule: {codes_seen:?}");
        for (qty, min, order) in [("<10", 1, 9), ("Есть", 2, 4), (">50", 1, 10_000), ("10", 5, 10)] {
            assert!(order_qty_violation(qty, min, order).is_none());
            assert!(check_order_qty(&Qty::parse(qty), min, order).is_ok());
        }
    }

    #[test]
    fn comment_counts_characters_not_bytes() {
        let fifty_cyrillic = "я".repeat(50); // 100 bytes
        assert!(check_client_comment(&fifty_cyrillic).is_ok());
        assert_eq!(check_client_comment(&"я".repeat(51)).unwrap_err().code, codes::CLIENT_COMMENT_TOO_LONG);
    }

    fn any_qty() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u64..200).prop_map(|n| n.to_string()),
            (0u64..200).prop_map(|n| format!("<{n}")),
            (0u64..200).prop_map(|n| format!(">{n}")),
            Just("Есть".to_owned()),
        ]
    }

    proptest! {
        #[test]
        fn accepted_orders_are_multiples_of_min_qty(qty in any_qty(), min in 1i64..20, order in -5i64..12_000) {
            if check_order_qty(&Qty::parse(&qty), min, order).is_ok() {
                prop_assert!(order >= 1);
                prop_assert_eq!(order % min, 0);
            }
        }

        #[test]
        fn accepted_orders_fit_the_stock(qty in any_qty(), min in 1i64..5, order in 1i64..12_000) {
            let q = Qty::parse(&qty);
            if check_order_qty(&q, min, order).is_ok() {
                prop_assert!(order as u64 <= q.max_order().unwrap());
            }
        }

        #[test]
        fn every_multiple_within_stock_is_accepted(qty in any_qty(), min in 1i64..5, k in 1i64..3000) {
            let q = Qty::parse(&qty);
            let order = k * min;
            if (order as u64) <= q.max_order().unwrap() {
                prop_assert!(check_order_qty(&q, min, order).is_ok());
            }
        }
    }
}
