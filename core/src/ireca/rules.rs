//! The document's rules on what a client sends, checked before anything is sent: the
//! required attributes of order create and refund, at most one warehouse per goods line,
//! `deliveryTimeFrom` ≤ `deliveryTimeTo`, INN checksums wherever an `inn` is sent, and
//! the required attributes of the ten catalogue resources.
//!
//! The rules read bodies in their documented JSON form (what [`crate::endpoints`] rows
//! hold after the model has checked the types), so a rule names the JSON path that broke
//! it: `items[0].goods[1].warehouses`. A consistency the document implies but does not
//! enforce (amountToPay = Σ goods total + discounts; total = price × count) is a
//! [`lint_order`] finding, never an error.
//!
//! ```
//! use logibridge::ireca::rules;
//! assert!(rules::inn_is_valid("7707083893"));   // 10 digits
//! assert!(rules::inn_is_valid("500100732259")); // 12 digits
//! let e = rules::check_inn("client.inn", "7707083894").unwrap_err();
//! assert_eq!((e.field.as_str(), e.code), ("client.inn", "inn.checksum"));
//! ```

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::error::ValidationError;

/// The INN rules are shared with CARGO.RUN and live in [`crate::inn`].
pub use crate::inn::{check_inn, check_inns, inn_is_valid};

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Whether a documented-form value counts as given: `null`, `""` and `{}` are PHP's
/// spellings of nothing.
fn is_given(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Object(m)) => !m.is_empty(),
        Some(_) => true,
    }
}

fn missing(field: String) -> ValidationError {
    required_error(field, "", "", "Создание заказов")
}

/// `ireca.required` for `field`, naming the document's section; `note` qualifies the rule.
fn required_error(field: String, note: &str, note_ru: &str, section: &str) -> ValidationError {
    ValidationError::new(field, "ireca.required", format!("is required{note} (ireca-courier-api.apib, «{section}»)"), format!("обязателен{note_ru} (ireca-courier-api.apib, «{section}»)"))
}

/// Each attribute of `required` must be given in `object` (at `path`): not absent, `null`,
/// `""` or `{}`.
pub fn check_required(path: &str, object: &Map<String, Value>, required: &[&str], section: &str) -> Result<(), ValidationError> {
    match required.iter().find(|name| !is_given(object.get(**name))) {
        Some(name) => Err(required_error(join(path, name), "", "", section)),
        None => Ok(()),
    }
}

/// The attributes order create and refund require («Создание заказов», «Создание заказов
/// для кассового возврата»).
pub const ORDER_REQUIRED: &[&str] = &["orderId", "statusId", "deliveryStatusId", "courierId", "paymentId", "amountToPay", "deliveryTimeFrom", "deliveryTimeTo"];

/// The attributes an address entity requires when it is sent.
pub const ADDRESS_REQUIRED: &[&str] = &["city", "street", "home", "isUseGoogleGeo"];

/// The attributes each goods line requires.
pub const GOOD_LINE_REQUIRED: &[&str] = &["count", "price", "total", "discountTotal"];

/// Checks one order to create (in its documented form) at `path`: the required
/// attributes, a delivery address (`addressToEntity` with city, street, home and
/// isUseGoogleGeo, or the one-line `addressTo`; `addressFromEntity`, when sent, is checked
/// the same way), each goods line's count, price, total and discountTotal, at most one
/// warehouse per line («на текущий момент можно указать только один склад») and
/// `deliveryTimeFrom` ≤ `deliveryTimeTo`; every `inn` inside.
pub fn check_new_order(path: &str, order: &Value) -> Result<(), ValidationError> {
    let Value::Object(o) = order else {
        return Err(ValidationError::new(path, "ireca.order_object", "must be an order object", "должен быть объектом заказа"));
    };
    for name in ORDER_REQUIRED {
        if !is_given(o.get(*name)) {
            return Err(missing(join(path, name)));
        }
    }
    let entity_given = |a: &Map<String, Value>| a.values().any(|v| is_given(Some(v)) && v != &Value::Bool(false));
    match (o.get("addressToEntity"), is_given(o.get("addressTo"))) {
        (Some(Value::Object(a)), false) if entity_given(a) => check_required(&join(path, "addressToEntity"), a, ADDRESS_REQUIRED, "Создание заказов")?,
        (Some(Value::Object(a)), true) if entity_given(a) => check_required(&join(path, "addressToEntity"), a, ADDRESS_REQUIRED, "Создание заказов")?,
        (_, true) => {}
        _ => return Err(missing(join(path, "addressToEntity"))),
    }
    // The service answers an address it was not given as an entity of empty strings (the
    // document's own get example): sent back, that is no address, not a broken one.
    if let Some(Value::Object(a)) = o.get("addressFromEntity") {
        if a.values().any(|v| is_given(Some(v)) && v != &Value::Bool(false)) {
            check_required(&join(path, "addressFromEntity"), a, ADDRESS_REQUIRED, "Создание заказов")?;
        }
    }
    if let Some(Value::Array(goods)) = o.get("goods") {
        for (i, line) in goods.iter().enumerate() {
            let here = format!("{}[{i}]", join(path, "goods"));
            let Value::Object(line) = line else { continue };
            check_required(&here, line, GOOD_LINE_REQUIRED, "Создание заказов")?;
        }
    }
    check_one_warehouse_per_line(path, o)?;
    check_delivery_window(path, o)?;
    check_inns(path, order)
}

/// At most one warehouse per goods line («на текущий момент можно указать только один
/// склад»), wherever an order's `goods` are sent (create, replace, update).
pub fn check_one_warehouse_per_line(path: &str, o: &Map<String, Value>) -> Result<(), ValidationError> {
    let Some(Value::Array(goods)) = o.get("goods") else { return Ok(()) };
    for (i, line) in goods.iter().enumerate() {
        if let Some(Value::Array(w)) = line.get("warehouses") {
            if w.len() > 1 {
                return Err(ValidationError::new(
                    format!("{}[{i}].warehouses", join(path, "goods")),
                    "ireca.one_warehouse",
                    format!("names {} warehouses; the service takes at most one per goods line (ireca-courier-api.apib, «Создание заказов»: goods.warehouses)", w.len()),
                    format!("указано складов: {}; сервис принимает не более одного склада на позицию (ireca-courier-api.apib, «Создание заказов»: goods.warehouses)", w.len()),
                ));
            }
        }
    }
    Ok(())
}

/// `deliveryTimeFrom` must not be after `deliveryTimeTo` (both given, in the wire form,
/// which sorts as text).
pub fn check_delivery_window(path: &str, o: &Map<String, Value>) -> Result<(), ValidationError> {
    if let (Some(Value::String(from)), Some(Value::String(to))) = (o.get("deliveryTimeFrom"), o.get("deliveryTimeTo")) {
        if from > to {
            return Err(ValidationError::new(
                join(path, "deliveryTimeFrom"),
                "ireca.delivery_window",
                format!("{from} is after deliveryTimeTo {to}: the delivery window ends before it starts"),
                format!("{from} позже deliveryTimeTo {to}: окно доставки заканчивается раньше, чем начинается"),
            ));
        }
    }
    Ok(())
}

/// A consistency finding of [`lint_order`]: the document implies it, the service does not
/// enforce it, so it is the caller's to judge.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Lint {
    /// The JSON path of the value that does not add up (`goods[1].total`).
    pub field: String,
    /// `ireca.line_total` or `ireca.amount_to_pay`.
    pub code: &'static str,
    /// What was expected and what was found, in English.
    pub message: String,
    /// The same in Russian.
    pub message_ru: String,
}

fn decimal(v: Option<&Value>) -> Option<Decimal> {
    match v? {
        Value::Number(n) => crate::serde_ext::decimal::parse(&n.to_string()),
        Value::String(s) => crate::serde_ext::decimal::parse(s),
        _ => None,
    }
}

/// The order's sums checked against each other: each line's `total` = `price` × `count`,
/// and `amountToPay` = Σ (`total` + `discountTotal`) (a discount is negative, a mark-up
/// positive, per the document's «Сумма скидки (-)/наценки (+)»). Values that are absent
/// are not checked. Returns the findings; an empty list means everything adds up.
///
/// ```
/// use serde_json::json;
/// let order = json!({"amountToPay": 500, "goods": [{"count": 2, "price": 250, "total": 500, "discountTotal": 0}]});
/// assert!(logibridge::ireca::rules::lint_order(&order).is_empty());
/// let order = json!({"amountToPay": 400, "goods": [{"count": 2, "price": 250, "total": 450, "discountTotal": 0}]});
/// let codes: Vec<_> = logibridge::ireca::rules::lint_order(&order).into_iter().map(|l| l.code).collect();
/// assert_eq!(codes, ["ireca.line_total", "ireca.amount_to_pay"]);
/// ```
pub fn lint_order(order: &Value) -> Vec<Lint> {
    let mut found = Vec::new();
    let goods = order.get("goods").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let mut sum = Some(Decimal::ZERO);
    for (i, line) in goods.iter().enumerate() {
        let (count, price, total) = (decimal(line.get("count")), decimal(line.get("price")), decimal(line.get("total")));
        if let (Some(count), Some(price), Some(total)) = (count, price, total) {
            // Amounts beyond the decimal's range (about 7.9e28) cannot be checked: skipped,
            // never a panic.
            let expected = price.checked_mul(count).map(|e| e.round_dp(2));
            if let Some(expected) = expected.filter(|e| *e != total.round_dp(2)) {
                found.push(Lint {
                    field: format!("goods[{i}].total"),
                    code: "ireca.line_total",
                    message: format!("is {total}, but price × count is {expected}"),
                    message_ru: format!("равно {total}, а цена × количество — {expected}"),
                });
            }
        }
        sum = match (sum, total) {
            (Some(s), Some(t)) => s.checked_add(t).and_then(|s| s.checked_add(decimal(line.get("discountTotal")).unwrap_or_default())),
            _ => None,
        };
    }
    if let (Some(amount), Some(sum), false) = (decimal(order.get("amountToPay")), sum, goods.is_empty()) {
        if amount.round_dp(2) != sum.round_dp(2) {
            found.push(Lint {
                field: "amountToPay".into(),
                code: "ireca.amount_to_pay",
                message: format!("is {amount}, but the goods lines add up to {sum} (total + discountTotal)"),
                message_ru: format!("равно {amount}, а позиции в сумме дают {sum} (total + discountTotal)"),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order() -> Value {
        json!({
            "orderId": "1", "statusId": 0, "deliveryStatusId": 6, "courierId": "55752", "paymentId": "4113",
            "amountToPay": 539.78, "deliveryTimeFrom": "2021-05-15 13:21:13", "deliveryTimeTo": "2021-05-15 15:21:13",
            "addressToEntity": {"city": "Санкт-Петербург", "street": "Чкаловский пр.", "home": "15литА", "isUseGoogleGeo": true},
            "goods": [{"goodId": "355864", "count": 1, "price": 539.78, "total": 539.78, "discountTotal": 0, "warehouses": [{"warehouseId": "1099", "count": 1}]}]
        })
    }

    #[test]
    fn inn_check_digits_of_both_lengths() {
        for good in ["7707083893", "7830002293", "500100732259"] {
            assert!(inn_is_valid(good), "{good}");
        }
        for bad in ["7707083894", "500100732250", "500100732269", "12345", "77070838931", "", "770708389a", "７７０７０８３８９３"] {
            assert!(!inn_is_valid(bad), "{bad}");
        }
        assert_eq!(check_inn("inn", "12345").unwrap_err().code, "inn.format");
        assert!(check_inn("inn", " ").is_ok());
    }

    #[test]
    fn inns_are_found_at_any_depth() {
        let body = json!([{"client": {"inn": "7707083893"}}, {"client": {"inn": "7707083894"}}]);
        assert_eq!(check_inns("items", &body).unwrap_err().field, "items[1].client.inn");
        assert_eq!(check_inns("", &json!({"inn": 7707083894u64})).unwrap_err().field, "inn");
    }

    #[test]
    fn the_documents_order_passes_and_each_required_attribute_is_named() {
        check_new_order("items[0]", &order()).unwrap();
        for name in ORDER_REQUIRED {
            let mut o = order();
            o.as_object_mut().unwrap().remove(*name);
            assert_eq!(check_new_order("items[0]", &o).unwrap_err().field, format!("items[0].{name}"));
            o[*name] = json!("");
            assert_eq!(check_new_order("items[0]", &o).unwrap_err().code, "ireca.required");
        }
        let mut o = order();
        o["addressToEntity"].as_object_mut().unwrap().remove("home");
        assert_eq!(check_new_order("x", &o).unwrap_err().field, "x.addressToEntity.home");
        o.as_object_mut().unwrap().remove("addressToEntity");
        assert_eq!(check_new_order("x", &o).unwrap_err().field, "x.addressToEntity");
        o["addressTo"] = json!("Санкт-Петербург, Чкаловский пр., 15");
        check_new_order("x", &o).unwrap();
        // As the service answers an order made with addressTo only: empty entities.
        let empty = json!({"postindex": "", "city": "", "street": "", "home": "", "apartment": "", "latitude": "", "longitude": "", "isUseGoogleGeo": false});
        o["addressFromEntity"] = empty.clone();
        o["addressToEntity"] = empty;
        check_new_order("x", &o).unwrap();
        let mut o = order();
        o["goods"][0].as_object_mut().unwrap().remove("discountTotal");
        assert_eq!(check_new_order("x", &o).unwrap_err().field, "x.goods[0].discountTotal");
    }

    #[test]
    fn one_warehouse_per_line_and_the_window_in_order() {
        let mut o = order();
        o["goods"][0]["warehouses"] = json!([{"warehouseId": 1, "count": 1}, {"warehouseId": 2, "count": 1}]);
        let e = check_new_order("x", &o).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("x.goods[0].warehouses", "ireca.one_warehouse"));
        let mut o = order();
        o["deliveryTimeTo"] = json!("2021-05-15 13:21:12");
        assert_eq!(check_new_order("x", &o).unwrap_err().code, "ireca.delivery_window");
        let mut o = order();
        o["client"] = json!({"inn": "500100732250"});
        assert_eq!(check_new_order("x", &o).unwrap_err().field, "x.client.inn");
    }

    #[test]
    fn lint_never_panics_on_amounts_beyond_the_decimal_range() {
        let max = "79228162514264337593543950335";
        let o = json!({"amountToPay": 1, "goods": [{"count": max, "price": 2, "total": 1, "discountTotal": 0}]});
        assert!(lint_order(&o).is_empty());
        let o = json!({"amountToPay": 1, "goods": [{"count": 1, "price": max, "total": max, "discountTotal": 0}, {"count": 1, "price": max, "total": max, "discountTotal": 0}]});
        assert!(lint_order(&o).is_empty());
    }

    #[test]
    fn lint_finds_sums_that_do_not_add_up_and_nothing_else() {
        assert!(lint_order(&order()).is_empty());
        let o = json!({"amountToPay": "100.00", "goods": [{"count": 3, "price": 40, "total": 120, "discountTotal": -20}]});
        assert!(lint_order(&o).is_empty());
        let o = json!({"amountToPay": "99.99", "goods": [{"count": 3, "price": 40, "total": 120, "discountTotal": -20}]});
        assert_eq!(lint_order(&o)[0].field, "amountToPay");
    }
}
