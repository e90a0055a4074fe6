//! Orders: create (and create for a cash refund), get, list, update, update many, replace,
//! delete, the order callback's registration.
//!
//! From the document:
//! - create takes an array of orders; each needs `orderId`, `statusId`, `deliveryStatusId`,
//!   `courierId`, `paymentId`, `amountToPay`, `deliveryTimeFrom`/`To` (`YYYY-MM-DD
//!   HH:MM:SS`), in an address entity `city`, `street`, `home`, `isUseGoogleGeo`, in each good
//!   `count`, `price`, `total`, `discountTotal`, at most one warehouse per good; 201. With
//!   `?isRefund=1` the orders are cash refunds and need their `payments`;
//! - an order is answered in the document's get form: the attributes sent, the ones the
//!   service adds (`receiptStatusId`, `originalPaymentId`, `addressTo` as one line, the
//!   client's card, each good's catalogue attributes, ...) and the flags;
//! - update (`PUT orders?orderId=`) overlays the attributes sent and answers 201, as the
//!   document shows; replace (`POST orders/replace`) updates or creates each order, 201;
//! - update many (`PUT orders/multipleUpdate`) changes only `statusId`, `deliveryStatusId`,
//!   `returnReasonId`, `courierId`, `deliveryTimeFrom`, `deliveryTimeTo`, `addressTo`: any
//!   other attribute is a 400 and nothing changes; 204;
//! - delete removes the order (204); its journals stay readable.
//!
//! Every change goes through [`commit`]: the change journal, the status journal when the
//! delivery status moves, and one callback carrying every order the request changed.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::callbacks::{self, Callback};
use super::journal::{self, Actor};
use super::spelling::{as_i64, decimal, flag, key_of, odd_key, spell};
use super::state::{Data, Page};
use super::{Call, IrecaError, IrecaState, Reply};

/// The attributes `orders/multipleUpdate` may change.
pub const UPDATE_MANY_WHITELIST: &[&str] = &[
    "statusId",
    "deliveryStatusId",
    "returnReasonId",
    "courierId",
    "deliveryTimeFrom",
    "deliveryTimeTo",
    "addressTo",
];

const REQUIRED: &[&str] = &[
    "orderId",
    "statusId",
    "deliveryStatusId",
    "courierId",
    "paymentId",
    "amountToPay",
    "deliveryTimeFrom",
    "deliveryTimeTo",
];
const ADDRESS_REQUIRED: &[&str] = &["city", "street", "home", "isUseGoogleGeo"];
const GOOD_REQUIRED: &[&str] = &["count", "price", "total", "discountTotal"];
const WAREHOUSE_REQUIRED: &[&str] = &["warehouseId", "count"];
const SPECIFICITY_REQUIRED: &[&str] = &["specificityId", "price", "count"];
const MONEY_FIELDS: &[&str] = &["amountToPay", "prePaymentSum", "cash"];
const DATE_FIELDS: &[&str] = &["deliveryTimeFrom", "deliveryTimeTo"];

fn bad(at: &str, message: impl std::fmt::Display) -> IrecaError {
    IrecaError::bad_request(format!("{at}: {message}"))
}

fn require(obj: &Map<String, Value>, names: &[&str], at: &str) -> Result<(), IrecaError> {
    for name in names {
        if obj.get(*name).is_none_or(Value::is_null) {
            return Err(bad(at, format!("не задан обязательный атрибут {name}.")));
        }
    }
    Ok(())
}

fn check_date(obj: &Map<String, Value>, name: &str, at: &str) -> Result<(), IrecaError> {
    if let Some(v) = obj.get(name).filter(|v| !v.is_null()) {
        let ok = v
            .as_str()
            .is_some_and(|s| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").is_ok());
        if !ok {
            return Err(bad(
                at,
                format!("атрибут {name} должен иметь вид YYYY-MM-DD HH:MM:SS (GMT+0)."),
            ));
        }
    }
    Ok(())
}

/// Types of the attributes an order create or update may carry.
fn check_types(obj: &Map<String, Value>, at: &str) -> Result<(), IrecaError> {
    for name in MONEY_FIELDS {
        if let Some(v) = obj.get(*name).filter(|v| !v.is_null()) {
            if decimal(v).is_none() {
                return Err(bad(at, format!("атрибут {name} должен быть числом.")));
            }
        }
    }
    for name in ["statusId", "deliveryStatusId"] {
        if let Some(v) = obj.get(name) {
            if as_i64(v).is_none() {
                return Err(bad(at, format!("атрибут {name} должен быть целым числом.")));
            }
        }
    }
    for name in DATE_FIELDS {
        check_date(obj, name, at)?;
    }
    if let Some(goods) = obj.get("goods") {
        let Some(goods) = goods.as_array() else {
            return Err(bad(at, "атрибут goods должен быть массивом."));
        };
        for (g, good) in goods.iter().enumerate() {
            let at = format!("{at}, goods[{g}]");
            let good = good
                .as_object()
                .ok_or_else(|| bad(&at, "позиция должна быть объектом."))?;
            require(good, GOOD_REQUIRED, &at)?;
            for name in ["count", "price", "total", "discountTotal"] {
                if decimal(&good[name]).is_none() {
                    return Err(bad(&at, format!("атрибут {name} должен быть числом.")));
                }
            }
            let warehouses = good.get("warehouses").and_then(Value::as_array);
            if warehouses.is_some_and(|w| w.len() > 1) {
                return Err(bad(&at, "можно указать только один склад."));
            }
            for (w, wh) in warehouses.into_iter().flatten().enumerate() {
                let at = format!("{at}, warehouses[{w}]");
                let wh = wh
                    .as_object()
                    .ok_or_else(|| bad(&at, "склад должен быть объектом."))?;
                require(wh, WAREHOUSE_REQUIRED, &at)?;
            }
            let specs = good.get("specificities").and_then(Value::as_array);
            for (s, spec) in specs.into_iter().flatten().enumerate() {
                let at = format!("{at}, specificities[{s}]");
                let spec = spec
                    .as_object()
                    .ok_or_else(|| bad(&at, "специфика должна быть объектом."))?;
                require(spec, SPECIFICITY_REQUIRED, &at)?;
            }
        }
    }
    Ok(())
}

/// The document's rules for a new order.
fn check_new(item: &Map<String, Value>, index: usize, refund: bool) -> Result<String, IrecaError> {
    let at = format!("Элемент {index}");
    require(item, REQUIRED, &at)?;
    let key = item
        .get("orderId")
        .and_then(key_of)
        .ok_or_else(|| bad(&at, "атрибут orderId должен быть числом или строкой."))?;
    for entity in ["addressFromEntity", "addressToEntity"] {
        if let Some(e) = item.get(entity).filter(|v| !v.is_null()) {
            let e = e
                .as_object()
                .ok_or_else(|| bad(&at, format!("атрибут {entity} должен быть объектом.")))?;
            require(e, ADDRESS_REQUIRED, &format!("{at}, {entity}"))?;
        }
    }
    check_types(item, &at)?;
    if refund {
        let payments = item.get("payments").and_then(Value::as_array);
        if payments.is_none_or(Vec::is_empty) {
            return Err(bad(&at, "для заказа на возврат задайте payments."));
        }
    }
    Ok(key)
}

/// An address entity as one line, the way the service fills `addressTo`.
fn address_line(entity: &Value) -> String {
    ["city", "street", "home", "apartment"]
        .iter()
        .filter_map(|k| entity.get(*k).and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn overlay(base: &mut Map<String, Value>, over: &Map<String, Value>) {
    for (k, v) in over {
        base.insert(k.clone(), v.clone());
    }
}

/// A catalogue object by id, as stored.
fn catalogue<'a>(data: &'a Data, resource: &str, id: &Value) -> Option<&'a Map<String, Value>> {
    let key = key_of(id)?;
    data.tables.get(resource)?.get(&key)?.as_object()
}

/// A good line in the get form: the line's defaults, the good's catalogue attributes, then
/// what was sent; its specificities and warehouse likewise.
fn good_line(data: &Data, sent: &Map<String, Value>) -> Value {
    let mut line: Map<String, Value> = match json!({
        "returnReasonId": null, "count": 0, "total": 0, "discountTotal": 0, "position": 0,
        "unit": "шт", "vedCode": "", "countryCode": "", "customDeclarationCode": "",
        "markValue": "", "markBinaryValue": "", "specificities": [], "warehouses": [],
        "canceledItems": [], "parentId": null, "goodId": null, "article": "", "taxId": null,
        "calcId": "0", "title": "", "weight": "", "multiplicity": 1, "price": 0,
        "description": "", "imageUrl": "", "imageBigUrl": "", "isActive": 1
    }) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if let Some(good) = sent
        .get("goodId")
        .and_then(|id| catalogue(data, "goods", id))
    {
        for name in [
            "parentId",
            "article",
            "taxId",
            "calcId",
            "title",
            "unit",
            "weight",
            "multiplicity",
            "description",
            "imageUrl",
            "imageBigUrl",
            "isActive",
        ] {
            if let Some(v) = good.get(name) {
                line.insert(name.into(), v.clone());
            }
        }
    }
    overlay(&mut line, sent);
    // "если задана пустая строка присвоит значение: шт"
    if line.get("unit").and_then(Value::as_str) == Some("") {
        line.insert("unit".into(), Value::from("шт"));
    }
    let specificities = from_catalogue(data, sent, "specificities", "specificityId", &[]);
    line.insert("specificities".into(), specificities);
    let warehouses = from_catalogue(data, sent, "warehouses", "warehouseId", &[("tookCount", 0)]);
    line.insert("warehouses".into(), warehouses);
    Value::Object(line)
}

/// The objects of `sent[field]`, each over the catalogue object its `id` names (from the
/// resource of the same name) and the `defaults` the service adds.
fn from_catalogue(
    data: &Data,
    sent: &Map<String, Value>,
    field: &str,
    id: &str,
    defaults: &[(&str, i64)],
) -> Value {
    let objects = sent.get(field).and_then(Value::as_array);
    Value::Array(
        objects
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .map(|item| {
                let mut full = Map::new();
                if let Some(known) = item.get(id).and_then(|v| catalogue(data, field, v)) {
                    overlay(&mut full, known);
                }
                for (name, value) in defaults {
                    full.insert((*name).into(), Value::from(*value));
                }
                overlay(&mut full, item);
                Value::Object(full)
            })
            .collect(),
    )
}

fn goods_lines(data: &Data, goods: &Value) -> Value {
    Value::Array(
        goods
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .map(|g| good_line(data, g))
            .collect(),
    )
}

/// The client card of an order: the one sent, else the client's from the catalogue.
fn client_card(data: &Data, order: &Map<String, Value>) -> Value {
    let empty = json!({"firstname": "", "lastname": "", "inn": "", "email": ""});
    let mut card = empty.as_object().cloned().unwrap_or_default();
    if let Some(c) = order
        .get("clientId")
        .and_then(|id| catalogue(data, "clients", id))
    {
        for name in ["firstname", "lastname", "inn", "email"] {
            if let Some(v) = c.get(name) {
                card.insert(name.into(), v.clone());
            }
        }
    }
    if let Some(sent) = order.get("client").and_then(Value::as_object) {
        overlay(&mut card, sent);
    }
    Value::Object(card)
}

/// A new order in the document's get form.
fn new_order(data: &Data, sent: &Map<String, Value>, refund: bool) -> Value {
    let mut order = match json!({
        "codeAlias": "", "orderId": null, "statusId": 0, "deliveryStatusId": 6,
        "receiptStatusId": 0, "frReceiptStatusId": 0, "returnReasonId": null,
        "courierId": null, "clientId": null, "paymentId": null, "originalPaymentId": null,
        "frUsedPaymentId": null, "client": {}, "amountToPay": 0, "prePaymentSum": 0, "cash": 0,
        "addressFrom": "", "addressFromEntity": {"postindex": "", "city": "", "street": "",
        "home": "", "apartment": "", "latitude": "0.00000000000000",
        "longitude": "0.00000000000000"}, "addressTo": "", "addressToEntity": {},
        "phone": "", "deliveryTimeFrom": null, "deliveryTimeTo": null, "description": "",
        "supplierId": null, "goods": [], "payments": [], "returnedOrder": null,
        "isAgreed": 0, "isRefund": 0, "isReturned": 0, "isEdited": 0
    }) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    overlay(&mut order, sent);
    order.insert("isRefund".into(), Value::from(u8::from(refund)));
    if let Some(p) = sent.get("paymentId") {
        order.insert("originalPaymentId".into(), p.clone());
    }
    derive(data, &mut order, sent);
    Value::Object(order)
}

/// What the service computes from what was sent: address lines, the client card, the good
/// lines.
fn derive(data: &Data, order: &mut Map<String, Value>, sent: &Map<String, Value>) {
    for (line, entity) in [
        ("addressTo", "addressToEntity"),
        ("addressFrom", "addressFromEntity"),
    ] {
        if sent.contains_key(entity) && !sent.contains_key(line) {
            let text = address_line(&order[entity]);
            order.insert(line.into(), Value::String(text));
        }
    }
    if sent.contains_key("client") || sent.contains_key("clientId") {
        let card = client_card(data, order);
        order.insert("client".into(), card);
    }
    if let Some(goods) = sent.get("goods") {
        let lines = goods_lines(data, goods);
        order.insert("goods".into(), lines);
    }
}

/// An order overlaid with the attributes sent (its id kept).
fn updated_order(data: &Data, current: &Value, sent: &Map<String, Value>) -> Value {
    let mut order = current.as_object().cloned().unwrap_or_default();
    for (k, v) in sent {
        if k != "orderId" && k != "isRefund" {
            order.insert(k.clone(), v.clone());
        }
    }
    derive(data, &mut order, sent);
    Value::Object(order)
}

/// An order as answered.
pub fn answer(key: &str, order: &Value) -> Value {
    spell(order, odd_key(key))
}

/// Applies changes made by one request: stores each order, journals it, and posts every
/// changed order to the order callback in one delivery. `changes` are (key, new order).
pub fn commit(state: &IrecaState, data: &mut Data, changes: Vec<(String, Value)>, actor: &Actor) {
    let mut items = Vec::new();
    for (key, order) in changes {
        let before = data.orders.get(&key).cloned();
        let changed = journal::record(data, &key, before.as_ref(), &order, actor);
        data.orders.insert(key.clone(), order);
        if changed {
            items.push(answer(&key, &data.orders[&key]));
        }
    }
    if items.is_empty() {
        return;
    }
    if let Some(url) = Callback::target(&data.order_callback) {
        state
            .deliveries
            .send("order", url, json!({ "items": items }));
    }
}

fn create_orders(call: &Call<'_>, refund: bool) -> Result<Reply, IrecaError> {
    let items = call.json_array()?;
    let mut data = call.state.data();
    let mut keys: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let key = check_new(item, i, refund)?;
        if data.orders.contains_key(&key) || keys.contains(&key) {
            return Err(bad(
                &format!("Элемент {i}"),
                format!("заказ с orderId={key} уже существует."),
            ));
        }
        keys.push(key);
    }
    let changes = keys
        .into_iter()
        .zip(&items)
        .map(|(key, item)| (key, new_order(&data, item, refund)))
        .collect();
    commit(call.state, &mut data, changes, &Actor::api());
    Ok(Reply::Empty(StatusCode::CREATED))
}

/// `ireca.orders.create`.
pub fn create(call: &Call<'_>) -> Result<Reply, IrecaError> {
    create_orders(call, false)
}

/// `ireca.orders.create_refund`.
pub fn create_refund(call: &Call<'_>) -> Result<Reply, IrecaError> {
    create_orders(call, true)
}

/// `ireca.orders.get`.
pub fn get(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let key = call.required("orderId")?;
    let data = call.state.data();
    let order = data.orders.get(key).ok_or_else(IrecaError::not_found)?;
    Ok(Reply::Json(StatusCode::OK, answer(key, order)))
}

/// `ireca.orders.list`: paged like every list.
pub fn list(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let page = Page::from_params(call.params)?;
    let data = call.state.data();
    let items = page
        .slice(data.orders.iter())
        .into_iter()
        .map(|(k, o)| answer(k, o))
        .collect();
    Ok(Reply::Json(StatusCode::OK, Value::Array(items)))
}

/// `ireca.orders.update`: 201, as the document answers it.
pub fn update(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let key = call.required("orderId")?.to_string();
    let sent = call.json_object()?;
    check_types(&sent, "Заказ")?;
    let mut data = call.state.data();
    let current = data.orders.get(&key).ok_or_else(IrecaError::not_found)?;
    let order = updated_order(&data, current, &sent);
    commit(call.state, &mut data, vec![(key, order)], &Actor::api());
    Ok(Reply::Empty(StatusCode::CREATED))
}

/// `ireca.orders.update_many`: the whitelist, then every order or none.
pub fn update_many(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let body = call.json_object()?;
    let ids = body
        .get("orderIds")
        .and_then(Value::as_array)
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| IrecaError::bad_request("Не задан обязательный атрибут orderIds."))?;
    let attributes = body
        .get("attributes")
        .and_then(Value::as_object)
        .ok_or_else(|| IrecaError::bad_request("Не задан обязательный атрибут attributes."))?;
    if let Some(name) = attributes
        .keys()
        .find(|k| !UPDATE_MANY_WHITELIST.contains(&k.as_str()))
    {
        return Err(IrecaError::bad_request(format!(
            "Атрибут {name} нельзя изменить массово; доступны: {}.",
            UPDATE_MANY_WHITELIST.join(", ")
        )));
    }
    check_types(attributes, "attributes")?;
    let mut data = call.state.data();
    let mut changes = Vec::with_capacity(ids.len());
    for id in ids {
        let key = key_of(id).ok_or_else(|| {
            IrecaError::bad_request("orderIds должен содержать идентификаторы заказов.")
        })?;
        let current = data.orders.get(&key).ok_or_else(IrecaError::not_found)?;
        let order = updated_order(&data, current, attributes);
        changes.push((key, order));
    }
    commit(call.state, &mut data, changes, &Actor::api());
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}

/// `ireca.orders.replace`: update the orders that exist, create the others; 201.
pub fn replace(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let items = call.json_array()?;
    let mut data = call.state.data();
    let mut changes = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let known = item
            .get("orderId")
            .and_then(key_of)
            .filter(|k| data.orders.contains_key(k));
        let change = match known {
            Some(key) => {
                check_types(item, &format!("Элемент {i}"))?;
                let order = updated_order(&data, &data.orders[&key], item);
                (key, order)
            }
            None => {
                let key = check_new(item, i, false)?;
                (key, new_order(&data, item, false))
            }
        };
        changes.push(change);
    }
    commit(call.state, &mut data, changes, &Actor::api());
    Ok(Reply::Empty(StatusCode::CREATED))
}

/// `ireca.orders.delete`.
pub fn delete(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let key = call.required("orderId")?;
    let mut data = call.state.data();
    data.orders
        .shift_remove(key)
        .ok_or_else(IrecaError::not_found)?;
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}

/// `ireca.orders.set_callback`.
pub fn set_callback(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let callback = callbacks::registration(call)?;
    call.state.data().order_callback = Some(callback);
    callbacks::registered()
}

/// The delivery status of an order.
pub fn delivery_status(order: &Value) -> Option<i64> {
    order.get("deliveryStatusId").and_then(as_i64)
}

/// Whether the order is a cash refund.
pub fn is_refund(order: &Value) -> bool {
    order.get("isRefund").and_then(flag) == Some(true)
}
