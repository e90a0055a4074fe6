//! Bids (`TruckingBids/*`, `Bids/*`, bids.md) and distribution bids (`DistributionBids/*`,
//! distribution-bids.md).
//!
//! The bid status machine (statuses.md, bids.md §2–§3):
//!
//! | call | from | to |
//! |---|---|---|
//! | `TruckingBids/SetStatus` `Started` | `New`, `Planned` | `Started`, or `Planned` when the car has another `Started` bid |
//! | `TruckingBids/SetStatus` `Planned` | `New` | `Planned` |
//! | `TruckingBids/ForceComplete` | `Started`, `Planned` | `Done` |
//! | `Bids/Cancel` | `New`, `Started`, `Planned` | `Cancelled` |
//! | `TruckingBids/Revert` | `Started`, `Planned`, `Cancelled`, `Done` | `New` |
//! | `Bids/Delete` | `New` only ("предварительно переведена в статус New") | deleted |
//! | `Bids/Restore` | deleted | not deleted |
//!
//! Anything else is a 400 in plain text naming the status and the call to use; a deleted
//! bid takes no call but `Restore`. `SetStatus` to `Done`, `New` or `Cancelled` is refused
//! with the call that does it. The status is written `Cancelled` as statuses.md spells it
//! (the Swagger's enum says `Canceled`); both are read.
//!
//! `Apply` checks what bids.md's field table and minimal-requirements.md require: `driver`,
//! `carOption`, `trailerOption`, at least two `bidPoints` with a `LoadPoint` and an
//! `UnloadPoint`, each point's `order`, `type` and `geozone.location` (see
//! [`check_points`] for the ids the table lists and the example omits), and, unless the bid is an empty-mileage one (`isEmptyMileageBid: true` or an
//! `emptyMileageBid` object: the pages use both), `cargoOwnerDictionaryItemId`,
//! `paymentTypeId`, `ndsTypeId` and `price`. The ids must name live objects of their
//! directories (minimal-requirements.md §7.1): driver, car, trailer, counterparty, legal
//! person, and the payment and VAT types among the catalog items.

use serde_json::{json, Map, Value};

use super::directories::{int_field, odata_reply, require, required_int, store};
use super::odata::parse_time;
use super::state::{format_time, is_deleted, Inner};
use super::{Call, CargorunError, Reply};

/// `BidStatus` as the pages spell it.
pub const STATUSES: &[&str] = &["New", "Planned", "Started", "Cancelled", "Done"];

/// The four payment statuses of statuses.md §2.
pub const PAYMENT_STATUSES: &[&str] = &["NotPaid", "PartiallyPaid", "Paid", "Expired"];

fn bad(text: impl Into<String>) -> CargorunError {
    CargorunError::bad_request(text)
}

/// A status as sent: a name (either spelling of Cancelled, any case) or the Swagger's
/// code (its enum order: New 0, Planned 1, Started 2, Canceled 3, Done 4).
fn read_status(v: &Value) -> Option<&'static str> {
    if let Some(n) = v.as_u64() {
        return STATUSES.get(n as usize).copied();
    }
    let s = v.as_str()?.trim();
    if s.eq_ignore_ascii_case("canceled") {
        return Some("Cancelled");
    }
    STATUSES.iter().find(|x| x.eq_ignore_ascii_case(s)).copied()
}

fn status_of(bid: &Map<String, Value>) -> &str {
    bid.get("status").and_then(Value::as_str).unwrap_or("New")
}

/// The bid named by a body field (`bidId`, or `id` where the Swagger uses it), live
/// unless `allow_deleted`.
fn bid_id(
    state: &Inner,
    body: &Map<String, Value>,
    allow_deleted: bool,
) -> Result<u64, CargorunError> {
    let id = match int_field(body, "bidId")? {
        Some(id) => id,
        None => int_field(body, "id")?.ok_or_else(|| bad("The bidId field is required."))?,
    };
    let bid = state
        .get("bids", id)
        .ok_or_else(|| bad(format!("Заявка с id {id} не найдена.")))?;
    if is_deleted(bid) && !allow_deleted {
        return Err(bad(format!(
            "Заявка {id} удалена: восстановите её методом bids/restore."
        )));
    }
    Ok(id)
}

fn set(state: &mut Inner, table: &'static str, id: u64, changes: Value) {
    let now = state.update_stamp();
    if let Some(obj) = state.table(table).get_mut(&id) {
        if let Value::Object(changes) = changes {
            obj.extend(changes);
        }
        obj.insert("updatedAt".into(), json!(now));
    }
}

fn nested_id(
    body: &Map<String, Value>,
    field: &str,
    keys: &[&str],
) -> Result<Option<u64>, CargorunError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => {
            for k in keys {
                if let Some(id) = int_field(o, k)? {
                    return Ok(Some(id));
                }
            }
            Err(bad(format!("The {field}.{} field is required.", keys[0])))
        }
        Some(_) => Err(bad(format!("The {field} field must be an object."))),
    }
}

fn point_type(p: &Map<String, Value>) -> Option<&'static str> {
    match p.get("type") {
        Some(Value::String(s)) if s.eq_ignore_ascii_case("LoadPoint") => Some("LoadPoint"),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("UnloadPoint") => Some("UnloadPoint"),
        Some(v) if v.as_u64() == Some(1) => Some("LoadPoint"),
        Some(v) if v.as_u64() == Some(2) => Some("UnloadPoint"),
        _ => None,
    }
}

/// The route rule of bids.md and minimal-requirements.md: at least two points, one
/// loading and one unloading, each with `order`, `type` and a `geozone` with its
/// `location`. bids.md's table also marks the point's and the geozone's `id` and the
/// geozone's `type` required, but scenario-external-to-cr.md's example (same generation)
/// leaves all three out, and an absent id reads as 0 ("new") in the service's .NET model:
/// so they are not demanded.
pub fn check_points(body: &Map<String, Value>) -> Result<(), CargorunError> {
    let points = match body.get("bidPoints") {
        Some(Value::Array(p)) => p,
        None | Some(Value::Null) => return Err(bad("The bidPoints field is required.")),
        Some(_) => return Err(bad("The bidPoints field must be an array.")),
    };
    if points.len() < 2 {
        return Err(bad(format!(
            "bidPoints: at least two points are required (a LoadPoint and an UnloadPoint), got {}.",
            points.len()
        )));
    }
    let mut kinds = Vec::new();
    for (i, p) in points.iter().enumerate() {
        let p = p
            .as_object()
            .ok_or_else(|| bad(format!("bidPoints[{i}] must be an object.")))?;
        require(
            p,
            &["order", "type", "geozone"],
            &format!("bidPoints[{i}]."),
        )?;
        let zone = p
            .get("geozone")
            .and_then(Value::as_object)
            .ok_or_else(|| bad(format!("bidPoints[{i}].geozone must be an object.")))?;
        require(zone, &["location"], &format!("bidPoints[{i}].geozone."))?;
        kinds.extend(point_type(p));
    }
    for needed in ["LoadPoint", "UnloadPoint"] {
        if !kinds.contains(&needed) {
            return Err(bad(format!(
                "bidPoints: a point of type {needed} is required."
            )));
        }
    }
    Ok(())
}

fn catalog_has(state: &Inner, property: &str, id: u64) -> bool {
    state.tables.get("catalogs").is_some_and(|t| {
        t.values().any(|c| {
            c.get("propertyName").and_then(Value::as_str) == Some(property)
                && c.get("items")
                    .and_then(Value::as_array)
                    .is_some_and(|items| {
                        items
                            .iter()
                            .any(|i| i.get("id").and_then(Value::as_u64) == Some(id))
                    })
        })
    })
}

/// Checks a full bid (apply, or a patch merged over the stored bid) and adds the flat ids
/// the sync model carries (`driverId`, `carId`, `trailerId`, `counterpartyId`) and the
/// `car`/`trailer` summaries.
fn check_bid(state: &Inner, body: &mut Map<String, Value>) -> Result<(), CargorunError> {
    require(
        body,
        &["driver", "carOption", "trailerOption", "bidPoints"],
        "",
    )?;
    let empty_mileage = body.get("isEmptyMileageBid").and_then(Value::as_bool) == Some(true)
        || body.get("emptyMileageBid").is_some_and(Value::is_object);
    if !empty_mileage {
        require(
            body,
            &[
                "cargoOwnerDictionaryItemId",
                "paymentTypeId",
                "ndsTypeId",
                "price",
            ],
            "",
        )?;
    }
    check_points(body)?;
    let driver = nested_id(body, "driver", &["id"])?;
    let car = nested_id(body, "carOption", &["carId", "id"])?;
    let trailer = nested_id(body, "trailerOption", &["trailerId", "id"])?;
    let counterparty = int_field(body, "cargoOwnerDictionaryItemId")?;
    let refs = [
        ("driver.id", "drivers", driver),
        ("carOption.carId", "cars", car),
        ("trailerOption.trailerId", "trailers", trailer),
        ("cargoOwnerDictionaryItemId", "counterparties", counterparty),
        (
            "legalPersonId",
            "legal_persons",
            int_field(body, "legalPersonId")?,
        ),
        ("contractId", "contracts", int_field(body, "contractId")?),
    ];
    for (field, table, id) in refs {
        if let Some(id) = id {
            if !state.live(table, id) {
                return Err(bad(format!(
                    "{field}: объект с id {id} не найден в справочнике."
                )));
            }
        }
    }
    for (field, property) in [("paymentTypeId", "paymentType"), ("ndsTypeId", "ndsType")] {
        if let Some(id) = int_field(body, field)? {
            if !catalog_has(state, property, id) {
                return Err(bad(format!(
                    "{field}: значение {id} не найдено в каталоге {property}."
                )));
            }
        }
    }
    let summary = |table: &str, id: Option<u64>| {
        id.and_then(|id| state.get(table, id))
            .map(|o| json!({"id": o.get("id"), "number": o.get("number")}))
            .unwrap_or(Value::Null)
    };
    body.insert("car".into(), summary("cars", car));
    body.insert("trailer".into(), summary("trailers", trailer));
    body.insert("driverId".into(), json!(driver));
    body.insert("carId".into(), json!(car));
    body.insert("trailerId".into(), json!(trailer));
    body.insert("counterpartyId".into(), json!(counterparty));
    body.insert("isEmptyMileageBid".into(), json!(empty_mileage));
    Ok(())
}

/// Gives new points (`id` 0) ids of their own.
fn number_points(state: &mut Inner, body: &mut Map<String, Value>) {
    if let Some(Value::Array(points)) = body.get_mut("bidPoints") {
        for p in points.iter_mut().filter_map(Value::as_object_mut) {
            if p.get("id").and_then(Value::as_u64).unwrap_or(0) == 0 {
                state.next_id += 1;
                p.insert("id".into(), json!(state.next_id));
            }
        }
    }
}

/// Records a trailer replacement when a started or planned bid gets another trailer.
fn note_trailer_change(
    state: &mut Inner,
    bid: u64,
    old: Option<&Map<String, Value>>,
    new: &Map<String, Value>,
) {
    let Some(old) = old else { return };
    if !matches!(status_of(old), "Started" | "Planned") {
        return;
    }
    let old_trailer = old.get("trailerId").and_then(Value::as_u64);
    let new_trailer = new.get("trailerId").and_then(Value::as_u64);
    if old_trailer == new_trailer {
        return;
    }
    let number = |id: Option<u64>| {
        id.and_then(|id| state.get("trailers", id))
            .and_then(|t| t.get("number").cloned())
            .unwrap_or(Value::Null)
    };
    let record = json!({
        "bidId": bid,
        "oldTrailerId": old_trailer,
        "oldTrailerNumber": number(old_trailer),
        "newTrailerId": new_trailer,
        "newTrailerNumber": number(new_trailer),
        "replacedAt": state.clock.stamp(),
        "sourceType": "Enterprise",
        "comment": null,
    });
    let id = state.new_id();
    let mut record = record.as_object().cloned().unwrap_or_default();
    record.insert("id".into(), json!(id));
    state.table("trailer_replacements").insert(id, record);
}

/// Stores a checked bid: a new one starts `New`, not deleted, without payment; an update
/// keeps the status, the payment and the fact data.
fn save_bid(state: &mut Inner, mut body: Map<String, Value>) -> Result<u64, CargorunError> {
    number_points(state, &mut body);
    let old = match int_field(&body, "id")? {
        None | Some(0) => {
            body.insert("status".into(), json!("New"));
            body.insert("payment".into(), Value::Null);
            body.insert("createdById".into(), json!(super::auth::USER_ID));
            None
        }
        Some(id) => {
            let old = state
                .get("bids", id)
                .ok_or_else(|| bad(format!("Заявка с id {id} не найдена.")))?
                .clone();
            if is_deleted(&old) {
                return Err(bad(format!(
                    "Заявка {id} удалена: восстановите её методом bids/restore."
                )));
            }
            for kept in [
                "status",
                "payment",
                "createdById",
                "factMileage",
                "completedAt",
            ] {
                if let Some(v) = old.get(kept) {
                    body.insert(kept.into(), v.clone());
                }
            }
            Some(old)
        }
    };
    let id = store(state, "bids", "Заявка", body)?;
    if let Some(new) = state.get("bids", id).cloned() {
        note_trailer_change(state, id, old.as_ref(), &new);
    }
    Ok(id)
}

/// `cargorun.bids.apply`: answers the bid's id.
pub fn apply(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let mut body = call.object()?;
    if !body.contains_key("id") {
        return Err(bad("The id field is required (0 creates a bid)."));
    }
    check_bid(call.state, &mut body)?;
    let id = save_bid(call.state, body)?;
    Ok(Reply::Json(json!(id)))
}

/// `cargorun.bids.patch`: the fields sent replace the stored ones (nested arrays whole,
/// bids.md §1.2); `driverId`, `carId`, `trailerId` replace the options.
pub fn patch(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = bid_id(call.state, &body, false)?;
    let mut merged = call.state.get("bids", id).cloned().unwrap_or_default();
    for (k, v) in body {
        match k.as_str() {
            "bidId" | "id" => {}
            "driverId" if !v.is_null() => {
                merged.insert("driver".into(), json!({"id": v}));
            }
            "carId" if !v.is_null() => {
                merged.insert("carOption".into(), json!({"carId": v}));
            }
            "trailerId" if !v.is_null() => {
                merged.insert("trailerOption".into(), json!({"trailerId": v}));
            }
            _ if v.is_null() => {}
            _ => {
                merged.insert(k, v);
            }
        }
    }
    merged.insert("id".into(), json!(id));
    check_bid(call.state, &mut merged)?;
    save_bid(call.state, merged)?;
    Ok(Reply::Empty)
}

fn has_started_bid_on_car(state: &Inner, car: Option<u64>, except: u64) -> bool {
    let Some(car) = car else { return false };
    state.tables.get("bids").is_some_and(|bids| {
        bids.iter().any(|(id, b)| {
            *id != except
                && !is_deleted(b)
                && status_of(b) == "Started"
                && b.get("carId").and_then(Value::as_u64) == Some(car)
        })
    })
}

/// `cargorun.bids.set_status`.
pub fn set_status(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = bid_id(call.state, &body, false)?;
    let wanted = body
        .get("status")
        .ok_or_else(|| bad("The status field is required."))?;
    let target = read_status(wanted)
        .ok_or_else(|| bad(format!("The value {wanted} is not valid for status.")))?;
    let bid = call.state.get("bids", id).cloned().unwrap_or_default();
    let current = status_of(&bid).to_string();
    let next = match (current.as_str(), target) {
        (_, "Done") => {
            return Err(bad(
                "Заявку завершает метод truckingbids/forcecomplete, не setstatus.",
            ))
        }
        (_, "New") => {
            return Err(bad(
                "Заявку возвращает в черновик метод truckingbids/revert, не setstatus.",
            ))
        }
        (_, "Cancelled") => return Err(bad("Заявку отменяет метод bids/cancel, не setstatus.")),
        ("New" | "Planned", "Started") => {
            let car = bid.get("carId").and_then(Value::as_u64);
            if has_started_bid_on_car(call.state, car, id) {
                "Planned"
            } else {
                "Started"
            }
        }
        ("New", "Planned") => "Planned",
        (from, to) => {
            return Err(bad(format!(
                "Заявку {id} в статусе {from} нельзя перевести в статус {to}."
            )))
        }
    };
    set(call.state, "bids", id, json!({"status": next}));
    if next == "Started" {
        super::other::open_title(call.state, id);
    }
    Ok(Reply::Empty)
}

/// Sets a bid `Done` with fact times per point (the given ones, else one hour apart from
/// now) and the mileage. Shared by `ForceComplete` and the control API.
pub fn complete(
    state: &mut Inner,
    id: u64,
    mileage: f64,
    given: &[Value],
) -> Result<(), CargorunError> {
    let bid = state
        .get("bids", id)
        .cloned()
        .ok_or_else(|| bad(format!("Заявка с id {id} не найдена.")))?;
    let current = status_of(&bid);
    if !matches!(current, "Started" | "Planned") {
        return Err(bad(format!(
            "Заявку {id} в статусе {current} нельзя завершить: сначала запустите её (setstatus Started)."
        )));
    }
    let now = state.clock.now();
    let mut points = bid
        .get("bidPoints")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let count = points.len() as i64;
    for (i, p) in points.iter_mut().enumerate() {
        let Some(p) = p.as_object_mut() else { continue };
        let pid = p.get("id").and_then(Value::as_u64);
        let sent = given
            .iter()
            .filter_map(Value::as_object)
            .find(|g| g.get("id").and_then(Value::as_u64) == pid);
        let hours_ago = (count - i as i64) * 2;
        let entered = format_time(now - chrono::Duration::hours(hours_ago));
        let left = format_time(now - chrono::Duration::hours(hours_ago - 1));
        let pick = |key: &str, default: String| {
            sent.and_then(|s| s.get(key))
                .filter(|v| !v.is_null())
                .cloned()
                .unwrap_or(json!(default))
        };
        let entered = pick("enteredAtByLogist", entered);
        let left = pick("loadUnloadedAtByLogist", left);
        if sent.is_some() {
            p.insert("enteredAtByLogist".into(), entered.clone());
            p.insert("loadUnloadedAtByLogist".into(), left.clone());
        }
        p.insert("enteredAt".into(), entered);
        p.insert("loadUnloadedAt".into(), left);
    }
    set(
        state,
        "bids",
        id,
        json!({
            "status": "Done",
            "bidPoints": points,
            "factMileage": mileage,
            "completedAt": format_time(now),
        }),
    );
    Ok(())
}

/// `cargorun.bids.force_complete`.
pub fn force_complete(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = bid_id(call.state, &body, false)?;
    let mileage = match body.get("mileage") {
        None | Some(Value::Null) => 0.0,
        Some(v) => v
            .as_f64()
            .filter(|m| *m >= 0.0)
            .ok_or_else(|| bad(format!("The value {v} is not valid for mileage.")))?,
    };
    let points = body
        .get("bidPoints")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    complete(call.state, id, mileage, &points)?;
    Ok(Reply::Empty)
}

/// `cargorun.bids.revert`.
pub fn revert(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = bid_id(call.state, &body, false)?;
    let current = status_of(call.state.get("bids", id).unwrap_or(&Map::new())).to_string();
    if current == "New" {
        return Err(bad(format!("Заявка {id} уже в статусе New.")));
    }
    set(call.state, "bids", id, json!({"status": "New"}));
    Ok(Reply::Empty)
}

/// `cargorun.bids.cancel`.
pub fn cancel(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = bid_id(call.state, &body, false)?;
    let current = status_of(call.state.get("bids", id).unwrap_or(&Map::new())).to_string();
    if !matches!(current.as_str(), "New" | "Started" | "Planned") {
        return Err(bad(format!(
            "Заявку {id} в статусе {current} нельзя отменить."
        )));
    }
    set(call.state, "bids", id, json!({"status": "Cancelled"}));
    Ok(Reply::Empty)
}

/// `cargorun.bids.delete`: only from `New`.
pub fn delete(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = bid_id(call.state, &body, false)?;
    let current = status_of(call.state.get("bids", id).unwrap_or(&Map::new())).to_string();
    if current != "New" {
        return Err(bad(format!(
            "Заявку {id} в статусе {current} нельзя удалить: сначала верните её в статус New (truckingbids/revert)."
        )));
    }
    set(call.state, "bids", id, json!({"isDeleted": true}));
    Ok(Reply::Empty)
}

/// `cargorun.bids.restore` (the pages send `bidId`, the Swagger `id`: both are read).
pub fn restore(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = bid_id(call.state, &body, true)?;
    if !call.state.get("bids", id).is_some_and(is_deleted) {
        return Err(bad(format!("Заявка {id} не удалена.")));
    }
    set(call.state, "bids", id, json!({"isDeleted": false}));
    Ok(Reply::Empty)
}

fn date_only(v: &Value, field: &str) -> Result<(), CargorunError> {
    if v.is_null() {
        return Ok(());
    }
    let ok = v
        .as_str()
        .is_some_and(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok());
    if ok {
        Ok(())
    } else {
        Err(bad(format!(
            "The {field} field must be a date without time (YYYY-MM-DD), got {v}."
        )))
    }
}

/// `cargorun.bids.apply_payment`: `{bidId, payment: {paymentStatus, …}}`; the dates are
/// date-only (bids.md §5.4).
pub fn apply_payment(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = bid_id(call.state, &body, false)?;
    let payment = body
        .get("payment")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("The payment field is required."))?;
    let status = payment
        .get("paymentStatus")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("The payment.paymentStatus field is required."))?;
    if !PAYMENT_STATUSES.contains(&status) {
        return Err(bad(format!(
            "The value '{status}' is not valid for payment.paymentStatus: one of {} expected.",
            PAYMENT_STATUSES.join(", ")
        )));
    }
    for field in ["factPaymentDate", "planPaymentDate", "invoiceDate"] {
        if let Some(v) = payment.get(field) {
            date_only(v, &format!("payment.{field}"))?;
        }
    }
    let payment = Value::Object(payment.clone());
    set(call.state, "bids", id, json!({"payment": payment}));
    Ok(Reply::Empty)
}

/// `cargorun.bids.get`: `Get/{id}` or `Get?id=`; a deleted bid too; 404 when none.
pub fn get(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let id = if call.path_id.is_some() {
        call.path_id()?
    } else {
        call.query.id("id")?
    };
    call.state
        .get("bids", id)
        .map(|b| Reply::Json(Value::Object(b.clone())))
        .ok_or_else(|| CargorunError::not_found(format!("Заявка с id {id} не найдена.")))
}

fn all<'a>(state: &'a Inner, table: &str) -> impl Iterator<Item = &'a Map<String, Value>> {
    state.tables.get(table).into_iter().flat_map(|t| t.values())
}

/// `cargorun.bids.list_for_external`: every bid, deleted ones included (the sync model
/// carries `isDeleted`), through OData.
pub fn list_for_external(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    super::control::before_list(call.state, "bids");
    let items = all(call.state, "bids");
    odata_reply(call, items, false)
}

fn query_bid(call: &Call<'_>) -> Result<u64, CargorunError> {
    let id = call.query.id("bidId")?;
    if call.state.get("bids", id).is_none() {
        return Err(bad(format!("Заявка с id {id} не найдена.")));
    }
    Ok(id)
}

/// `cargorun.bids.documents`: the bid's `documents` as sent with it.
pub fn documents(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let id = query_bid(call)?;
    let docs = call
        .state
        .get("bids", id)
        .and_then(|b| b.get("documents"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok(Reply::Json(Value::Array(docs)))
}

/// `cargorun.bids.trailer_replacements`: the replacements recorded for the bid, oldest
/// first.
pub fn trailer_replacements(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let id = query_bid(call)?;
    let items: Vec<Value> = all(call.state, "trailer_replacements")
        .filter(|r| r.get("bidId").and_then(Value::as_u64) == Some(id))
        .map(|r| Value::Object(r.clone()))
        .collect();
    Ok(Reply::Json(Value::Array(items)))
}

/// `cargorun.cars.mileage`: `{mileage}`, the fact mileage of the car's bids completed
/// between `start` and `end` (dates without a zone, read as UTC; directories.md).
pub fn car_mileage(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let car = call.query.id("carId")?;
    if call.state.get("cars", car).is_none() {
        return Err(bad(format!("Автомобиль с id {car} не найден.")));
    }
    let bound = |name: &str| -> Result<chrono::DateTime<chrono::Utc>, CargorunError> {
        let raw = call
            .query
            .get(name)
            .ok_or_else(|| bad(format!("The {name} field is required.")))?;
        parse_time(raw).ok_or_else(|| bad(format!("The value '{raw}' is not valid for {name}.")))
    };
    let (start, end) = (bound("start")?, bound("end")?);
    let mileage: f64 = call
        .state
        .tables
        .get("bids")
        .into_iter()
        .flat_map(|t| t.values())
        .filter(|b| b.get("carId").and_then(Value::as_u64) == Some(car) && status_of(b) == "Done")
        .filter(|b| {
            b.get("completedAt")
                .and_then(Value::as_str)
                .and_then(parse_time)
                .is_some_and(|t| t >= start && t <= end)
        })
        .filter_map(|b| b.get("factMileage").and_then(Value::as_f64))
        .sum();
    Ok(Reply::Json(json!({"mileage": mileage})))
}

// ---- distribution bids ----

/// `ExternalDistributionBidStatus` (the Swagger's enum; the pages show `None`).
const EXTERNAL_STATUSES: &[&str] = &["None", "Accepted", "Declined", "AwaitForwardingRequest"];

fn dist_id(
    state: &Inner,
    body: &Map<String, Value>,
    allow_deleted: bool,
) -> Result<u64, CargorunError> {
    let id = required_int(body, "id")?;
    let d = state
        .get("distribution_bids", id)
        .ok_or_else(|| bad(format!("Заказ с id {id} не найден.")))?;
    if is_deleted(d) && !allow_deleted {
        return Err(bad(format!("Заказ {id} удалён.")));
    }
    Ok(id)
}

/// `cargorun.distribution_bids.apply`: `{"items": [...]}`; every item is checked before
/// any is stored; answers the ids in item order.
pub fn dist_apply(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let items = match body.get("items") {
        Some(Value::Array(items)) if !items.is_empty() => items.clone(),
        _ => {
            return Err(bad(
                "The items field is required: a non-empty array of orders.",
            ))
        }
    };
    let mut checked = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(item) = item else {
            return Err(bad(format!("items[{i}] must be an object.")));
        };
        require(&item, &["externalStatus"], &format!("items[{i}]."))?;
        let status = item
            .get("externalStatus")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !EXTERNAL_STATUSES.contains(&status) {
            return Err(bad(format!(
                "The value '{status}' is not valid for items[{i}].externalStatus."
            )));
        }
        let id = int_field(&item, "id")?.unwrap_or(0);
        if id == 0 || item.get("bidPoints").is_some_and(|p| !p.is_null()) {
            check_points(&item).map_err(|e| bad(format!("items[{i}]: {}", e.text)))?;
        }
        if id > 0 {
            match call.state.get("distribution_bids", id) {
                None => return Err(bad(format!("items[{i}]: заказ с id {id} не найден."))),
                Some(d) if is_deleted(d) => {
                    return Err(bad(format!("items[{i}]: заказ {id} удалён.")))
                }
                _ => {}
            }
        }
        if let Some(c) = int_field(&item, "counterpartyId")? {
            if !call.state.live("counterparties", c) {
                return Err(bad(format!(
                    "items[{i}].counterpartyId: контрагент с id {c} не найден."
                )));
            }
        }
        checked.push((id, item));
    }
    let mut ids = Vec::new();
    for (id, mut item) in checked {
        number_points(call.state, &mut item);
        if id == 0 {
            item.insert("status".into(), json!("New"));
            item.insert("bidId".into(), Value::Null);
        } else if let Some(old) = call.state.get("distribution_bids", id) {
            for kept in ["status", "bidId", "cancelComment", "carId"] {
                if let Some(v) = old.get(kept) {
                    item.insert(kept.into(), v.clone());
                }
            }
        }
        ids.push(store(call.state, "distribution_bids", "Заказ", item)?);
    }
    Ok(Reply::Json(json!(ids)))
}

/// `cargorun.distribution_bids.list_for_external`.
pub fn dist_list(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    super::control::before_list(call.state, "distribution_bids");
    let items = all(call.state, "distribution_bids");
    odata_reply(call, items, false)
}

fn point_summary(d: &Map<String, Value>, last: bool) -> Value {
    let points = d.get("bidPoints").and_then(Value::as_array);
    let p = points.and_then(|p| if last { p.last() } else { p.first() });
    p.cloned().unwrap_or(Value::Null)
}

/// `cargorun.distribution_bids.external_info` (`CarId`, `BidId`, both optional).
pub fn dist_external_info(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let car = call
        .query
        .get("carId")
        .map(|_| call.query.id("carId"))
        .transpose()?;
    let bid = call
        .query
        .get("bidId")
        .map(|_| call.query.id("bidId"))
        .transpose()?;
    let items: Vec<Value> = all(call.state, "distribution_bids")
        .filter(|d| d.get("isDeleted") != Some(&json!(true)))
        .filter(|d| car.is_none() || d.get("carId").and_then(Value::as_u64) == car)
        .filter(|d| bid.is_none() || d.get("bidId").and_then(Value::as_u64) == bid)
        .map(|d| {
            json!({
                "id": d.get("id"),
                "price": d.get("price"),
                "ndsTypeId": d.get("ndsTypeId"),
                "paymentTypeId": d.get("paymentTypeId"),
                "isVatTop": d.get("isVatTop"),
                "counterpartyId": d.get("counterpartyId"),
                "carId": d.get("carId"),
                "firstBidPoint": point_summary(d, false),
                "lastBidPoint": point_summary(d, true),
            })
        })
        .collect();
    Ok(Reply::Json(Value::Array(items)))
}

/// `cargorun.distribution_bids.external_statuses` (`Ids`, repeated or comma-separated;
/// unknown ids are left out).
pub fn dist_external_statuses(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let mut ids = Vec::new();
    for raw in call.query.all("ids") {
        ids.push(
            raw.parse::<u64>()
                .map_err(|_| bad(format!("The value '{raw}' is not valid for Ids.")))?,
        );
    }
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| call.state.get("distribution_bids", *id))
        .map(|d| {
            let bid = d
                .get("bidId")
                .and_then(Value::as_u64)
                .and_then(|b| call.state.get("bids", b));
            let of_bid = |k: &str| bid.and_then(|b| b.get(k)).cloned().unwrap_or(Value::Null);
            json!({
                "id": d.get("id"),
                "externalStatus": d.get("externalStatus"),
                "externalStatusChangedById": null,
                "driver": of_bid("driver"),
                "car": of_bid("car"),
                "trailer": of_bid("trailer"),
            })
        })
        .collect();
    odata_reply(call, items, false)
}

/// `cargorun.distribution_bids.get`.
pub fn dist_get(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let id = call.path_id()?;
    call.state
        .get("distribution_bids", id)
        .map(|d| Reply::Json(Value::Object(d.clone())))
        .ok_or_else(|| CargorunError::not_found(format!("Заказ с id {id} не найден.")))
}

/// `cargorun.distribution_bids.get_for_bid`: the order the bid was made from.
pub fn dist_get_for_bid(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let bid = call.path_id()?;
    call.state
        .tables
        .get("distribution_bids")
        .and_then(|t| {
            t.values()
                .find(|d| d.get("bidId").and_then(Value::as_u64) == Some(bid))
        })
        .map(|d| Reply::Json(Value::Object(d.clone())))
        .ok_or_else(|| CargorunError::not_found(format!("Заказ для заявки {bid} не найден.")))
}

/// `cargorun.distribution_bids.cancel` (`{id, comment}`; the Swagger's `cancelComment` is
/// read too).
pub fn dist_cancel(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = dist_id(call.state, &body, false)?;
    let d = call
        .state
        .get("distribution_bids", id)
        .cloned()
        .unwrap_or_default();
    if status_of(&d) == "Canceled" {
        return Err(bad(format!("Заказ {id} уже отменён.")));
    }
    let comment = body
        .get("comment")
        .or_else(|| body.get("cancelComment"))
        .cloned()
        .unwrap_or(Value::Null);
    set(
        call.state,
        "distribution_bids",
        id,
        json!({"status": "Canceled", "cancelComment": comment}),
    );
    Ok(Reply::Empty)
}

/// `cargorun.distribution_bids.delete`: only an order no bid was made from.
pub fn dist_delete(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = dist_id(call.state, &body, false)?;
    let d = call
        .state
        .get("distribution_bids", id)
        .cloned()
        .unwrap_or_default();
    if let Some(bid) = d.get("bidId").and_then(Value::as_u64) {
        return Err(bad(format!(
            "Заказ {id} нельзя удалить: по нему создана заявка {bid}."
        )));
    }
    set(
        call.state,
        "distribution_bids",
        id,
        json!({"isDeleted": true}),
    );
    Ok(Reply::Empty)
}

/// `cargorun.distribution_bids.restore`.
pub fn dist_restore(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = dist_id(call.state, &body, true)?;
    if !call
        .state
        .get("distribution_bids", id)
        .is_some_and(is_deleted)
    {
        return Err(bad(format!("Заказ {id} не удалён.")));
    }
    set(
        call.state,
        "distribution_bids",
        id,
        json!({"isDeleted": false}),
    );
    Ok(Reply::Empty)
}

/// `cargorun.distribution_bids.revert`: a cancelled order back to `New` ("Без заявки").
pub fn dist_revert(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = dist_id(call.state, &body, false)?;
    let d = call
        .state
        .get("distribution_bids", id)
        .cloned()
        .unwrap_or_default();
    if status_of(&d) != "Canceled" {
        return Err(bad(format!(
            "Заказ {id} в статусе {} не отменён: вернуть можно только отменённый.",
            status_of(&d)
        )));
    }
    set(
        call.state,
        "distribution_bids",
        id,
        json!({"status": "New"}),
    );
    Ok(Reply::Empty)
}

/// The control API's distribution: the order gets the bid and becomes `InProcess`.
pub fn distribute(state: &mut Inner, id: u64, bid: u64) -> Result<Value, CargorunError> {
    let d = state
        .get("distribution_bids", id)
        .ok_or_else(|| bad(format!("Заказ с id {id} не найден.")))?;
    if status_of(d) != "New" || is_deleted(d) {
        return Err(bad(format!(
            "Заказ {id} в статусе {} не распределить.",
            status_of(d)
        )));
    }
    let car = state
        .get("bids", bid)
        .ok_or_else(|| bad(format!("Заявка с id {bid} не найдена.")))?
        .get("carId")
        .cloned()
        .unwrap_or(Value::Null);
    set(
        state,
        "distribution_bids",
        id,
        json!({"status": "InProcess", "bidId": bid, "carId": car}),
    );
    set(state, "bids", bid, json!({"distributionBidId": id}));
    Ok(state
        .get("distribution_bids", id)
        .map(|d| Value::Object(d.clone()))
        .unwrap_or(Value::Null))
}
