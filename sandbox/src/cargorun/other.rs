//! The read-mostly calls: catalogs (custom-catalogs.md, directories.md §7), trackers
//! (trackers.md), ETRN titles for 1C (etrn.md §1), the geocoder (`Map/GetAddresses`) and
//! the organisation's employees (Swagger only), with the data they start from.
//!
//! The seed: four catalogs (payment types with the id 41 and VAT types with the ids
//! 129493473 and 40 that the examples of bids.md and scenario-external-to-cr.md send; car
//! types, trailer types; one obsolete item), three trackers (a car, a trailer and a phone, none attached), the signed-in user as the
//! one employee. ETRN titles appear when a bid starts (a `T1` in `ReceivedOrCreated`).
//! The geocoder knows a small fixed gazetteer of six places ([`GAZETTEER`]); a query
//! matches a place when one of its words (3 letters or more) is part of the address.

use serde_json::{json, Map, Value};

use super::directories::{int_field, odata_reply, require, required_int, store};
use super::state::{is_deleted, Inner};
use super::{Call, CargorunError, Reply};

fn bad(text: impl Into<String>) -> CargorunError {
    CargorunError::bad_request(text)
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(o) => o,
        _ => Map::new(),
    }
}

/// Fills the seeded tables.
pub fn seed(state: &mut Inner) {
    let now = state.clock.stamp();
    let item = |id: u64, name: &str, property: &str, deleted: bool| json!({"id": id, "displayName": name, "propertyName": property, "isDeleted": deleted, "externalId": null});
    let catalogs = [
        (
            11,
            "Типы оплаты",
            "paymentType",
            vec![
                item(41, "Безналичный расчёт", "paymentType", false),
                item(42, "Наличный расчёт", "paymentType", false),
            ],
        ),
        (
            12,
            "Ставки НДС",
            "ndsType",
            vec![
                item(129493473, "НДС 20%", "ndsType", false),
                item(40, "НДС 20% сверху", "ndsType", false),
                item(129493474, "Без НДС", "ndsType", false),
            ],
        ),
        (
            13,
            "Типы ТС",
            "carType",
            vec![
                item(501, "Тягач", "carType", false),
                item(502, "Фургон", "carType", false),
                item(503, "Седельный тягач (устар.)", "carType", true),
            ],
        ),
        (
            14,
            "Типы прицепов",
            "trailerType",
            vec![
                item(601, "Тент", "trailerType", false),
                item(602, "Рефрижератор", "trailerType", false),
            ],
        ),
    ];
    for (id, name, property, items) in catalogs {
        let c = json!({"id": id, "displayName": name, "propertyName": property, "type": "Simple",
                       "entityType": null, "description": null, "externalId": null, "version": "6f1d7c5e-2a8b-4c1e-9d3f-0a1b2c3d4e5f", "items": items});
        state.table("catalogs").insert(id, object(c));
    }
    for (id, number, kind) in [
        (701, "860000000000001", "Car"),
        (702, "860000000000002", "Trailer"),
        (703, "860000000000003", "Mobile"),
    ] {
        let t = json!({"id": id, "deviceNumber": number, "type": kind, "entityId": null,
                       "isDeleted": false, "createdAt": now, "updatedAt": now});
        state.table("trackers").insert(id, object(t));
    }
    let user = json!({"id": super::auth::USER_ID, "email": state.auth.username(), "phoneNumber": null,
                      "firstName": "Интеграция", "lastName": "Песочница", "patronymic": null,
                      "fullName": "Песочница Интеграция", "state": "Valid", "isDeleted": false,
                      "roleTypes": ["Administrator"], "createdAt": now, "updatedAt": now});
    state
        .table("employees")
        .insert(super::auth::USER_ID, object(user));
}

fn catalog_rows(call: &Call<'_>, with_items: bool, show_obsolete: bool) -> Vec<Value> {
    call.state
        .tables
        .get("catalogs")
        .into_iter()
        .flat_map(|t| t.values())
        .map(|c| {
            let mut c = c.clone();
            if with_items {
                if let Some(Value::Array(items)) = c.get_mut("items") {
                    items.retain(|i| show_obsolete || i.get("isDeleted") != Some(&json!(true)));
                }
            } else {
                c.remove("items");
            }
            Value::Object(c)
        })
        .collect()
}

/// `cargorun.catalogs.get_simple`: catalogs with items; `type`/`catalogType` picks one by
/// its system name or id; `showObsolete=true` keeps obsolete items.
pub fn catalogs_simple(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let show = call.query.flag("showObsolete")?;
    let wanted = call
        .query
        .get("catalogType")
        .or_else(|| call.query.get("type"))
        .map(str::to_string);
    let rows: Vec<Value> = catalog_rows(call, true, show)
        .into_iter()
        .filter(|c| {
            wanted.as_deref().is_none_or(|w| {
                c.get("propertyName")
                    .and_then(Value::as_str)
                    .is_some_and(|p| p.eq_ignore_ascii_case(w))
                    || c.get("id").map(Value::to_string).as_deref() == Some(w)
            })
        })
        .collect();
    odata_reply(call, rows, false)
}

/// `cargorun.catalogs.get`: every catalog with its items.
pub fn catalogs_with_items(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let rows = catalog_rows(call, true, false);
    odata_reply(call, rows, false)
}

/// `cargorun.catalogs.list`: the catalogs without items.
pub fn catalogs(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let rows = catalog_rows(call, false, false);
    odata_reply(call, rows, false)
}

/// `cargorun.catalogs.items`: every item of every catalog (`$filter=id eq N` turns a
/// `typeOptions[].id` into its `displayName`, custom-catalogs.md); obsolete ones with
/// `withDeleted=true`.
pub fn catalog_items(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let with_deleted = call.query.flag("withDeleted")?;
    let rows: Vec<Value> = catalog_rows(call, true, with_deleted)
        .into_iter()
        .flat_map(|c| {
            c.get("items")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    odata_reply(call, rows, false)
}

/// `cargorun.trackers.list` (`withDeleted`).
pub fn trackers(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let with_deleted = call.query.flag("withDeleted")?;
    let rows = call
        .state
        .tables
        .get("trackers")
        .into_iter()
        .flat_map(|t| t.values())
        .filter(|t| with_deleted || !is_deleted(t));
    odata_reply(call, rows, false)
}

/// `TrackerRelationType` and the directory an attached entity lives in.
const TRACKER_TYPES: &[(&str, Option<&str>)] = &[
    ("Default", None),
    ("Car", Some("cars")),
    ("Mobile", Some("drivers")),
    ("Trailer", Some("trailers")),
];

/// `cargorun.trackers.attach` `{id, entityId, type}`: `entityId: null` detaches
/// (trackers.md); the entity must be a live car, trailer or driver (for `Mobile`).
pub fn tracker_attach(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = required_int(&body, "id")?;
    if call.state.get("trackers", id).is_none() {
        return Err(bad(format!("Трекер с id {id} не найден.")));
    }
    require(&body, &["type"], "")?;
    let kind = body.get("type").and_then(Value::as_str).unwrap_or("");
    let Some((kind, table)) = TRACKER_TYPES
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(kind))
    else {
        return Err(bad(format!("The value '{kind}' is not valid for type.")));
    };
    let entity = int_field(&body, "entityId")?;
    if let (Some(entity), Some(table)) = (entity, table) {
        if !call.state.live(table, entity) {
            return Err(bad(format!(
                "entityId: объект {kind} с id {entity} не найден."
            )));
        }
    }
    let now = call.state.clock.stamp();
    if let Some(t) = call.state.table("trackers").get_mut(&id) {
        t.insert("entityId".into(), json!(entity));
        t.insert("type".into(), json!(kind));
        t.insert("updatedAt".into(), json!(now));
    }
    Ok(Reply::Empty)
}

/// `WaybillTitleStatus` (statuses.md §4), then the Swagger's older `TitleStatus` names.
const TITLE_STATUSES: &[&str] = &[
    "ReceivedOrCreated",
    "Accepted",
    "Signed",
    "Sent",
    "Processed",
    "Declined",
    "Failed",
    "Received",
    "SentToCrEBill",
];

/// A `T1` title in `ReceivedOrCreated` for a bid that starts.
pub fn open_title(state: &mut Inner, bid: u64) {
    let exists = state.tables.get("titles").is_some_and(|t| {
        t.values().any(|x| {
            x.get("bill")
                .and_then(|b| b.pointer("/bid/id"))
                .and_then(Value::as_u64)
                == Some(bid)
        })
    });
    if exists {
        return;
    }
    let external = state
        .get("bids", bid)
        .and_then(|b| b.get("externalId").cloned())
        .unwrap_or(Value::Null);
    let id = state.new_id();
    let bill = state.new_id();
    let title = json!({"id": id, "type": "T1", "status": "ReceivedOrCreated", "statusDate": state.clock.stamp(),
                       "bill": {"id": bill, "gisId": null, "bid": {"id": bid, "externalId": external}}});
    state.table("titles").insert(id, object(title));
}

/// `cargorun.etrn.titles`: `{totalCount, collection}` through OData.
pub fn titles(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let rows = call
        .state
        .tables
        .get("titles")
        .into_iter()
        .flat_map(|t| t.values());
    odata_reply(call, rows, true)
}

/// `cargorun.etrn.title`: by `titleId`, `bidId` and/or `bidExternalId` (at least one);
/// answers the title with its `remarks`.
pub fn title(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let title_id = call
        .query
        .get("titleId")
        .map(|_| call.query.id("titleId"))
        .transpose()?;
    let bid = call
        .query
        .get("bidId")
        .map(|_| call.query.id("bidId"))
        .transpose()?;
    let external = call.query.get("bidExternalId").map(str::to_string);
    if title_id.is_none() && bid.is_none() && external.is_none() {
        return Err(bad("One of titleId, bidId, bidExternalId is required."));
    }
    let found = call.state.tables.get("titles").and_then(|t| {
        t.values().find(|x| {
            title_id.is_none_or(|id| x.get("id").and_then(Value::as_u64) == Some(id))
                && bid.is_none_or(|b| {
                    x.get("bill")
                        .and_then(|b| b.pointer("/bid/id"))
                        .and_then(Value::as_u64)
                        == Some(b)
                })
                && external.as_deref().is_none_or(|e| {
                    x.get("bill")
                        .and_then(|b| b.pointer("/bid/externalId"))
                        .and_then(Value::as_str)
                        == Some(e)
                })
        })
    });
    let t = found.ok_or_else(|| CargorunError::not_found("Титул не найден."))?;
    Ok(Reply::Json(json!({
        "id": t.get("id"), "type": t.get("type"), "status": t.get("status"), "statusDate": t.get("statusDate"),
        "remarks": {"factEnteredAt": null, "factLeftAt": null, "factLoadUnloadAt": null, "note": null},
    })))
}

/// `cargorun.etrn.apply_status` `{id, status}`.
pub fn title_status(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = required_int(&body, "id")?;
    if call.state.get("titles", id).is_none() {
        return Err(bad(format!("Титул с id {id} не найден.")));
    }
    require(&body, &["status"], "")?;
    let status = body.get("status").and_then(Value::as_str).unwrap_or("");
    if !TITLE_STATUSES.contains(&status) {
        return Err(bad(format!(
            "The value '{status}' is not valid for status."
        )));
    }
    let now = call.state.clock.stamp();
    if let Some(t) = call.state.table("titles").get_mut(&id) {
        t.insert("status".into(), json!(status));
        t.insert("statusDate".into(), json!(now));
    }
    Ok(Reply::Empty)
}

/// The geocoder's places: (address, city, longitude, latitude, FIAS id).
pub const GAZETTEER: &[(&str, &str, f64, f64, &str)] = &[
    (
        "Россия, Москва, Тверская улица, 7",
        "Москва",
        37.611347,
        55.757718,
        "0c5b2444-70a0-4932-980c-b4dc0d3f02b5",
    ),
    (
        "Россия, Санкт-Петербург, Невский проспект, 28",
        "Санкт-Петербург",
        30.325359,
        59.935756,
        "c2deb16a-0330-4f05-821f-1d09c93331e6",
    ),
    (
        "Россия, Республика Башкортостан, Уфа, Сарапульская улица, 35",
        "Уфа",
        55.9507846,
        54.7017154,
        "7339e834-2cb4-4734-a4c7-1fca2c66e562",
    ),
    (
        "Россия, Чувашская Республика — Чувашия, Цивильск, улица Гагарина",
        "Цивильск",
        47.4720139,
        55.86623,
        "f9b0c0c8-4c0e-4bd1-9e4c-6a4d0e0e2e2a",
    ),
    (
        "Россия, Республика Татарстан, Казань, улица Баумана, 1",
        "Казань",
        49.106414,
        55.796127,
        "93b3df57-4c89-44df-ac42-96f05e9cd3b9",
    ),
    (
        "Россия, Свердловская область, Екатеринбург, проспект Ленина, 24",
        "Екатеринбург",
        60.605514,
        56.838011,
        "2763c110-cb8b-416a-9dac-ad28a55b4402",
    ),
];

/// `cargorun.map.geocode` `{address, count?}` → `{suggestions: [AddressViewModel]}`.
pub fn geocode(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    require(&body, &["address"], "")?;
    let address = body
        .get("address")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase();
    let count = int_field(&body, "count")?.unwrap_or(5) as usize;
    let words: Vec<String> = address
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_string)
        .collect();
    let suggestions: Vec<Value> = GAZETTEER
        .iter()
        .filter(|(full, ..)| {
            let full = full.to_lowercase();
            words.iter().any(|w| full.contains(w.as_str()))
        })
        .take(count)
        .enumerate()
        .map(|(i, (full, city, lon, lat, fias))| {
            // AddressViewModel: `address` is an AddressModel (the Swagger), `locationId` a string.
            json!({"displayName": full, "address": {"city": city, "fiasId": fias}, "inn": null, "kladrId": null,
                   "fiasId": fias, "geonameId": null, "locationId": (i + 1).to_string(),
                   "location": {"type": "Point", "coordinates": [lon, lat]},
                   "geocoderSourceType": "Yandex"})
        })
        .collect();
    Ok(Reply::Json(json!({"suggestions": suggestions})))
}

fn rows<'a>(call: &'a Call<'_>, table: &str) -> impl Iterator<Item = &'a Map<String, Value>> {
    call.state.tables.get(table).into_iter().flat_map(|t| t.values())
}

/// `cargorun.employees.list`.
pub fn employees(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let items = rows(call, "employees");
    odata_reply(call, items, false)
}

/// `cargorun.employees.apply_user`: `id` 0 creates; `email`, `firstName`, `lastName`
/// required; the password is never stored or answered.
pub fn apply_user(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let mut body = call.object()?;
    require(&body, &["email", "firstName", "lastName"], "")?;
    body.remove("password");
    let creating = int_field(&body, "id")?.unwrap_or(0) == 0;
    let old = int_field(&body, "id")?
        .and_then(|id| call.state.get("employees", id))
        .cloned();
    let full = format!(
        "{} {}",
        body.get("lastName").and_then(Value::as_str).unwrap_or(""),
        body.get("firstName").and_then(Value::as_str).unwrap_or("")
    );
    body.insert("fullName".into(), json!(full));
    if creating {
        body.insert("state".into(), json!("Valid"));
        body.insert("roleTypes".into(), json!([]));
    } else if let Some(old) = old {
        for kept in ["state", "roleTypes"] {
            if let Some(v) = old.get(kept) {
                body.insert(kept.into(), v.clone());
            }
        }
    }
    let id = store(call.state, "employees", "Сотрудник", body)?;
    Ok(Reply::Json(json!(id)))
}

/// `cargorun.employees.invite` `{email?, phoneNumber?}` (one of them): answers the
/// invitation's user id.
pub fn invite(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let email = body
        .get("email")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty());
    let phone = body
        .get("phoneNumber")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty());
    if email.is_none() && phone.is_none() {
        return Err(bad("The email or phoneNumber field is required."));
    }
    let invitation =
        json!({"id": 0, "email": email, "phoneNumber": phone, "state": "Invited", "roleTypes": []});
    let id = store(call.state, "invitations", "Приглашение", object(invitation))?;
    Ok(Reply::Json(json!(id)))
}

/// `cargorun.employees.remove_invite` `{userId}`.
pub fn remove_invite(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = required_int(&body, "userId")?;
    if call.state.table("invitations").remove(&id).is_none() {
        return Err(bad(format!("Приглашение пользователя {id} не найдено.")));
    }
    Ok(Reply::Empty)
}

/// `cargorun.employees.invitations`.
pub fn invitations(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let items = rows(call, "invitations");
    odata_reply(call, items, false)
}

fn change_role(call: &mut Call<'_>, add: bool) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = required_int(&body, "userId")?;
    require(&body, &["role"], "")?;
    let role = body.get("role").cloned().unwrap_or(Value::Null);
    let now = call.state.clock.stamp();
    let user = call
        .state
        .table("employees")
        .get_mut(&id)
        .ok_or_else(|| bad(format!("Сотрудник с id {id} не найден.")))?;
    let roles = user.entry("roleTypes").or_insert_with(|| json!([]));
    let Some(roles) = roles.as_array_mut() else {
        return Err(bad("roleTypes is not a list."));
    };
    let held = roles.contains(&role);
    match (add, held) {
        (true, false) => roles.push(role),
        (false, true) => roles.retain(|r| r != &role),
        (true, true) => return Err(bad(format!("У сотрудника {id} уже есть роль {role}."))),
        (false, false) => return Err(bad(format!("У сотрудника {id} нет роли {role}."))),
    }
    user.insert("updatedAt".into(), json!(now));
    Ok(Reply::Empty)
}

/// `cargorun.employees.add_role` `{userId, role}`.
pub fn add_role(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    change_role(call, true)
}

/// `cargorun.employees.remove_role` `{userId, role}`.
pub fn remove_role(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    change_role(call, false)
}

fn set_state(call: &mut Call<'_>, state: &str) -> Result<Reply, CargorunError> {
    let body = call.object()?;
    let id = required_int(&body, "userId")?;
    if id == super::auth::USER_ID && state == "Banned" {
        return Err(bad("Нельзя заблокировать самого себя."));
    }
    let now = call.state.clock.stamp();
    let user = call
        .state
        .table("employees")
        .get_mut(&id)
        .ok_or_else(|| bad(format!("Сотрудник с id {id} не найден.")))?;
    user.insert("state".into(), json!(state));
    user.insert("updatedAt".into(), json!(now));
    Ok(Reply::Empty)
}

/// `cargorun.employees.ban` `{userId}`: the user's `state` becomes `Banned` (`UserState`).
pub fn ban(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    set_state(call, "Banned")
}

/// `cargorun.employees.unban` `{userId}`: `state` back to `Valid`.
pub fn unban(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    set_state(call, "Valid")
}

fn is_logist(user: &Map<String, Value>) -> bool {
    user.get("roleTypes")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|r| r.as_str().is_some_and(|r| r.contains("Logist"))))
}

/// `cargorun.employees.logists`: the employees with the `Logist` role, with the number of
/// cars whose `logistId` names them.
pub fn logists(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let cars: Vec<Option<u64>> = call
        .state
        .tables
        .get("cars")
        .into_iter()
        .flat_map(|t| t.values())
        .filter(|c| !is_deleted(c))
        .map(|c| c.get("logistId").and_then(Value::as_u64))
        .collect();
    let items: Vec<Value> = call
        .state
        .tables
        .get("employees")
        .into_iter()
        .flat_map(|t| t.values())
        .filter(|u| is_logist(u))
        .map(|u| {
            let id = u.get("id").and_then(Value::as_u64);
            let count = cars.iter().filter(|c| **c == id && id.is_some()).count();
            json!({"id": id, "email": u.get("email"), "fullName": u.get("fullName"), "carsCount": count})
        })
        .collect();
    odata_reply(call, items, false)
}

/// `cargorun.employees.logist` (`?id=`): a logist, or a 404.
pub fn logist(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let id = call.query.id("id")?;
    let user = call
        .state
        .get("employees", id)
        .filter(|u| is_logist(u))
        .ok_or_else(|| CargorunError::not_found(format!("Логист с id {id} не найден.")))?;
    Ok(Reply::Json(
        json!({"id": id, "email": user.get("email"), "fullName": user.get("fullName")}),
    ))
}
