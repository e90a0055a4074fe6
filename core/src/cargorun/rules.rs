//! The rules CARGO.RUN's pages state about what a client sends, checked before anything is
//! sent: the required fields of each entity, a route of at least one loading and one
//! unloading point, money as JSON numbers, INN check digits, GeoJSON points as
//! `[longitude, latitude]` within range, and `$top` ≤ 50 on lists.
//!
//! The rules read bodies in their wire form — camelCase keys, after the model has written
//! them (phones as `+7XXXXXXXXXX`, date-times as `…Z` and named coordinates as GeoJSON are
//! converted there, in [`super::wire`]) — so a broken rule names its JSON path
//! (`bidPoints[1].geozone.location.coordinates`) and quotes its page and section, in English
//! and Russian. Pages are cited by their path under `cargorun/latest/` (the newest pages;
//! `CHANGES.md` there lists what moved).
//!
//! Where the pages contradict each other (`latest/CHANGES.md` §4), the rules decide so:
//! - **The empty-mileage flag** is the boolean `isEmptyMileageBid` in `api/bids.md` but an
//!   object `emptyMileageBid {logisticReasonTypeId, technicalReason}` in
//!   `minimal-requirements.md` §1 and `integration/scenario-external-to-cr.md` §4 (the
//!   Swagger has both fields). Either spelling marks an empty-mileage bid: see
//!   [`is_empty_mileage_bid`]. Both at once, saying opposite things, are refused.
//! - **A distribution bid's `bidPoints`** are optional in the model table
//!   (`api/distribution-bids.md` §1.1) but "minimum two: loading and unloading" in
//!   `minimal-requirements.md` §2, whose title is *creating* a distribution bid. So they are
//!   required when one is created (`id` 0), optional when one is updated (`id` > 0), and,
//!   whenever sent, a route of at least two points with a loading and an unloading one:
//!   see [`check_distribution_bid`].
//! - **A distribution bid point's `contactPerson.id`** is "Да" in the table, yet the same
//!   page's example sends contact persons by name and phone without one; the example is
//!   followed (the contact is described, not picked). A bid's points (`api/bids.md`) keep
//!   the id required: their example sends it.
//! - **Price as a string** (`"234000"` in `scenario-external-to-cr.md`) against numbers
//!   everywhere else and `formats.md` §6: money is a JSON number on the wire
//!   ([`check_money`]); the model writes it so.
//!
//! ```
//! use logibridge::cargorun::rules;
//! use serde_json::json;
//! let bid = json!({
//!     "id": 0, "cargoOwnerDictionaryItemId": 129647034, "paymentTypeId": 41, "ndsTypeId": 129493473, "price": 45000,
//!     "driver": {"id": 1478168}, "carOption": {"carId": 1465629}, "trailerOption": {"trailerId": 128820197},
//!     "bidPoints": [
//!         {"id": 0, "order": 0, "type": "LoadPoint", "geozone": {"id": 0, "type": "BidPoint", "location": {"type": "Point", "coordinates": [47.4720139, 55.86623]}}},
//!         {"id": 0, "order": 1, "type": "UnloadPoint", "geozone": {"id": 0, "type": "BidPoint", "location": {"type": "Point", "coordinates": [54.7017154, 55.9507846]}}}
//!     ]
//! });
//! rules::check_bid("", &bid).unwrap();
//! let mut swapped = bid.clone();
//! swapped["bidPoints"][1]["geozone"]["location"]["coordinates"] = json!([54.7017154, 155.9507846]);
//! let e = rules::check_bid("", &swapped).unwrap_err();
//! assert_eq!((e.field.as_str(), e.code), ("bidPoints[1].geozone.location.coordinates", "cargorun.coordinates_swapped"));
//! ```

use serde_json::{Map, Value};

use crate::error::ValidationError;
use crate::inn::check_inns;

/// A list of fields that must be given (not absent, not `null`, not a blank string:
/// `minimal-requirements.md` §7.2 «Поля, указанные как обязательные, не могут быть
/// `null`»), with the page that states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Required {
    /// What the list is for, in English (`"bid point"`).
    pub entity: &'static str,
    /// The wire (camelCase) names of the fields.
    pub fields: &'static [&'static str],
    /// The page and section that state the rule (under `cargorun/latest/`).
    pub source: &'static str,
}

/// A bid (`TruckingBids/Apply`): always required.
pub const BID: Required = Required {
    entity: "bid",
    fields: &["id", "driver", "carOption", "trailerOption", "bidPoints"],
    source: "api/bids.md §1.1 «Основные поля тела запроса»; minimal-requirements.md §1",
};

/// A bid's commercial fields: required except on an empty-mileage bid
/// («Да, кроме порожней заявки»; see [`is_empty_mileage_bid`]).
pub const BID_COMMERCIAL: Required = Required {
    entity: "bid (not empty-mileage)",
    fields: &["cargoOwnerDictionaryItemId", "paymentTypeId", "ndsTypeId", "price"],
    source: "api/bids.md §1.1 «Основные поля тела запроса» («Да, кроме порожней заявки»); minimal-requirements.md §1",
};

/// A bid's driver: the object is the driver's identifier («Идентификатор водителя»).
pub const BID_DRIVER: Required = Required { entity: "bid driver", fields: &["id"], source: "minimal-requirements.md §1 (`driver`: «Идентификатор водителя»)" };

/// A bid's car option: the object is the tractor's identifier.
pub const BID_CAR_OPTION: Required = Required { entity: "bid car option", fields: &["carId"], source: "minimal-requirements.md §1 (`carOption`: «Идентификатор автомобиля (тягача)»)" };

/// A bid's trailer option: the object is the semi-trailer's identifier.
pub const BID_TRAILER_OPTION: Required = Required { entity: "bid trailer option", fields: &["trailerId"], source: "minimal-requirements.md §1 (`trailerOption`: «Идентификатор полуприцепа»)" };

/// Each point of a bid's route.
pub const BID_POINT: Required = Required { entity: "bid point", fields: &["id", "order", "type", "geozone"], source: "api/bids.md §1.1 «Поля bidPoints[]»" };

/// A point's geozone (bids, distribution bids and counterparty points share
/// `MapObjectEditModel`). `location.coordinates` itself is optional in the table
/// («Нет»); when sent it is checked by [`check_position`].
pub const GEOZONE: Required = Required { entity: "geozone", fields: &["id", "location", "type"], source: "api/bids.md §1.1 «Поля bidPoints[].geozone»; api/distribution-bids.md §1.1 (same table)" };

/// A bid point's contact person, when one is sent: a reference to an existing one.
pub const CONTACT_PERSON: Required = Required { entity: "contact person", fields: &["id"], source: "api/bids.md §1.1 «Поля bidPoints[].contactPerson»" };

/// Each loading/unloading option of a point (bids and distribution bids).
pub const LOAD_OPTION: Required = Required { entity: "load option", fields: &["id"], source: "api/bids.md §1.1 «Поля bidPoints[].loadOptions[]»; api/distribution-bids.md §1.1" };

/// Each cargo of a bid (`0` for a new one).
pub const CARGO: Required = Required { entity: "cargo", fields: &["id"], source: "api/bids.md §1.1 «Поля cargos[]»" };

/// Each custom-catalog option (`typeOptions[]`) of a bid, its points and cargos, and of a
/// distribution bid (the same `TypeOptionModel`).
pub const TYPE_OPTION: Required = Required { entity: "type option", fields: &["id", "entityOptionId"], source: "api/bids.md §1.1 «Поля typeOptions[]»" };

/// A distribution bid (each item of `DistributionBids/Apply`).
pub const DISTRIBUTION_BID: Required = Required { entity: "distribution bid", fields: &["id", "externalStatus"], source: "api/distribution-bids.md §1.1 «Основные поля DistributionBidEditModel»" };

/// Each point of a distribution bid (`geozone` is optional there; when sent, [`GEOZONE`]).
pub const DISTRIBUTION_BID_POINT: Required = Required { entity: "distribution bid point", fields: &["id", "order", "type"], source: "api/distribution-bids.md §1.1 «Поля bidPoints[]»" };

/// A counterparty (`CargoOwnerDictionary/Apply`): `id` by the Apply pattern (0 creates),
/// `name` and `inn` by the minimal requirements (`kpp` is optional there).
pub const COUNTERPARTY: Required = Required { entity: "counterparty", fields: &["id", "name", "inn"], source: "minimal-requirements.md §3; api/counterparties.md §1.1 (`id`: 0 creates)" };

/// A counterparty's contract (`ApplyContract`). The table has no required column; a
/// contract «привязан к контрагенту», so its counterparty is required with the Apply `id`.
/// `legalPersonId` and `date` are typed non-nullable there but not stated as required:
/// not enforced.
pub const CONTRACT: Required = Required { entity: "contract", fields: &["id", "counterpartyId"], source: "api/counterparties.md §2 («Договоры привязаны к контрагенту»), §2.1" };

/// A counterparty point (`ApplyCounterpartyPoint`): its counterparty and its geozone (a
/// point is an address: «Точки контрагента используются для сохранения часто используемых
/// адресов»). `organizationId` and `lastUsedAt` are typed non-nullable but not stated as
/// required: not enforced.
pub const COUNTERPARTY_POINT: Required = Required { entity: "counterparty point", fields: &["id", "counterpartyId", "geozone"], source: "api/counterparties.md §3, §3.1" };

/// A driver (`driver/apply`).
pub const DRIVER: Required = Required { entity: "driver", fields: &["id", "firstName", "lastName", "phoneNumber"], source: "minimal-requirements.md §4; api/directories.md §1 (`id`: 0 creates)" };

/// A car (`car/apply`).
pub const CAR: Required = Required { entity: "car", fields: &["id", "number"], source: "minimal-requirements.md §5; api/directories.md §1 (`id`: 0 creates)" };

/// A trailer (`trailer/apply`).
pub const TRAILER: Required = Required { entity: "trailer", fields: &["id", "number"], source: "minimal-requirements.md §6; api/directories.md §1 (`id`: 0 creates)" };

/// A legal person (`legalpersons/apply`): the pages state no field but the Apply `id`.
pub const LEGAL_PERSON: Required = Required { entity: "legal person", fields: &["id"], source: "api/directories.md §1, §6.1" };

/// A bid's payment (`TruckingBids/ApplyBidPayment`).
pub const BID_PAYMENT: Required = Required { entity: "bid payment", fields: &["bidId", "payment"], source: "api/bids.md §5.4 «Тело запроса»" };

/// The payment inside [`BID_PAYMENT`].
pub const PAYMENT: Required = Required { entity: "payment", fields: &["paymentStatus"], source: "api/bids.md §5.4 («payment.paymentStatus — статус оплаты, обязательное поле»)" };

/// An ETRN title's new status (`1c/bills/applystatus`).
pub const TITLE_STATUS: Required = Required { entity: "title status", fields: &["id", "status"], source: "api/etrn.md §1.3 «Тело запроса»" };

/// A distribution bid to cancel (`distributionbids/cancel`).
pub const DISTRIBUTION_BID_CANCEL: Required = Required { entity: "distribution bid cancel", fields: &["id"], source: "api/distribution-bids.md §4.1" };

/// Every required-field list, for documentation and tests.
pub const ALL_REQUIRED: &[Required] = &[
    BID, BID_COMMERCIAL, BID_DRIVER, BID_CAR_OPTION, BID_TRAILER_OPTION, BID_POINT, GEOZONE, CONTACT_PERSON, LOAD_OPTION, CARGO, TYPE_OPTION,
    DISTRIBUTION_BID, DISTRIBUTION_BID_POINT, COUNTERPARTY, CONTRACT, COUNTERPARTY_POINT, DRIVER, CAR, TRAILER, LEGAL_PERSON, BID_PAYMENT, PAYMENT,
    TITLE_STATUS, DISTRIBUTION_BID_CANCEL,
];

/// The money fields of the typed calls' request bodies (the Swagger's `double` amounts:
/// bids, distribution bids, contracts, payments), checked at any depth by [`check_money`].
pub const MONEY_FIELDS: &[&str] = &["price", "hourlyPrice", "hiredCarPrice", "routeCost", "remainingPayment", "debtCeiling", "currentDebt", "priceWithoutVatOnTop"];

const MONEY_SOURCE: &str = "formats.md §6 «Денежные значения и ставки»";
const GEOJSON_SOURCE: &str = "api/bids.md §1.1 «Поля bidPoints[].geozone.location»: [долгота, широта]";
const ROUTE_SOURCE: &str = "api/bids.md §1.1 «Основные поля тела запроса»; minimal-requirements.md §1–2";

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// Given: present, not `null`, not a blank string.
fn is_given(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
    }
}

fn required_error(field: String, required: &Required, note: &str, note_ru: &str) -> ValidationError {
    ValidationError::new(
        field,
        "cargorun.required",
        format!("is required{note} ({})", required.source),
        format!("обязательно{note_ru} ({})", required.source),
    )
}

fn object<'a>(path: &str, value: &'a Value, entity: &str) -> Result<&'a Map<String, Value>, ValidationError> {
    value.as_object().ok_or_else(|| {
        ValidationError::new(path, "cargorun.object", format!("must be a JSON object ({entity})"), format!("должно быть JSON-объектом ({entity})"))
    })
}

/// Each field of `required` must be given in `object` (at `path`): not absent, `null` or a
/// blank string. `object` must be a JSON object.
///
/// ```
/// use logibridge::cargorun::rules::{check_required, CAR};
/// let e = check_required("", &serde_json::json!({"id": 0, "number": " "}), &CAR).unwrap_err();
/// assert_eq!((e.field.as_str(), e.code), ("number", "cargorun.required"));
/// assert!(e.message.contains("minimal-requirements.md §5"));
/// ```
pub fn check_required(path: &str, object_value: &Value, required: &Required) -> Result<(), ValidationError> {
    let o = object(path, object_value, required.entity)?;
    match required.fields.iter().find(|name| !is_given(o.get(**name))) {
        Some(name) => Err(required_error(join(path, name), required, "", "")),
        None => Ok(()),
    }
}

/// Each element of the list at `path.key`, when the list is given, against `required`.
fn check_each(path: &str, o: &Map<String, Value>, key: &str, required: &Required) -> Result<(), ValidationError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(items)) => items.iter().enumerate().try_for_each(|(i, item)| check_required(&index(&join(path, key), i), item, required)),
        Some(_) => Err(ValidationError::new(join(path, key), "cargorun.list", format!("must be a JSON list ({})", required.source), format!("должно быть JSON-списком ({})", required.source))),
    }
}

/// The object at `path.key`, when given (not absent or `null`), against `required`.
fn check_nested(path: &str, o: &Map<String, Value>, key: &str, required: &Required) -> Result<(), ValidationError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(()),
        Some(v) => check_required(&join(path, key), v, required),
    }
}

/// Whether `bid` is an empty-mileage bid (порожняя заявка), whose commercial fields
/// ([`BID_COMMERCIAL`]) are optional. The pages spell the flag two ways (`CHANGES.md` §4):
/// `"isEmptyMileageBid": true` (`api/bids.md` §1.1) or an `"emptyMileageBid": {…}` object
/// (`minimal-requirements.md` §1, `integration/scenario-external-to-cr.md` §4); either
/// counts. `isEmptyMileageBid: false` beside an `emptyMileageBid` object is refused
/// (`cargorun.empty_mileage_conflict`): the two spellings of one flag disagree. A flag of
/// the wrong JSON type is refused too (`formats.md` §7: booleans are `true`/`false`).
///
/// ```
/// use logibridge::cargorun::rules::is_empty_mileage_bid;
/// use serde_json::json;
/// assert!(is_empty_mileage_bid("", &json!({"isEmptyMileageBid": true})).unwrap());
/// assert!(is_empty_mileage_bid("", &json!({"emptyMileageBid": {"logisticReasonTypeId": 0, "technicalReason": "string"}})).unwrap());
/// assert!(!is_empty_mileage_bid("", &json!({"isEmptyMileageBid": false, "emptyMileageBid": null})).unwrap());
/// ```
pub fn is_empty_mileage_bid(path: &str, bid: &Value) -> Result<bool, ValidationError> {
    let o = object(path, bid, "bid")?;
    let flag = match o.get("isEmptyMileageBid") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            return Err(ValidationError::new(
                join(path, "isEmptyMileageBid"),
                "cargorun.boolean",
                "must be true or false (formats.md §7 «Boolean»)",
                "должно быть true или false (formats.md §7 «Boolean»)",
            ))
        }
    };
    let object_given = match o.get("emptyMileageBid") {
        None | Some(Value::Null) => false,
        Some(Value::Object(_)) => true,
        Some(_) => {
            return Err(ValidationError::new(
                join(path, "emptyMileageBid"),
                "cargorun.object",
                "must be an object {logisticReasonTypeId, technicalReason} (integration/scenario-external-to-cr.md §4 «Порожняя заявка»)",
                "должно быть объектом {logisticReasonTypeId, technicalReason} (integration/scenario-external-to-cr.md §4 «Порожняя заявка»)",
            ))
        }
    };
    match (flag, object_given) {
        (Some(false), true) => Err(ValidationError::new(
            join(path, "isEmptyMileageBid"),
            "cargorun.empty_mileage_conflict",
            "is false while emptyMileageBid is given: the pages spell the empty-mileage flag either way (api/bids.md §1.1; minimal-requirements.md §1); send one of them",
            "равно false, но передан emptyMileageBid: страницы пишут признак порожней заявки тем или другим способом (api/bids.md §1.1; minimal-requirements.md §1); передайте один из них",
        )),
        (Some(true), _) | (_, true) => Ok(true),
        _ => Ok(false),
    }
}

/// A point's `type` as a loading (1) or unloading (2) point: the name (any case) or the
/// documented code (`api/bids.md` §1.1 «Значения BidPointType»).
fn point_kind(v: Option<&Value>) -> Option<u8> {
    match v? {
        Value::Number(n) => match n.as_i64()? {
            1 => Some(1),
            2 => Some(2),
            _ => None,
        },
        Value::String(s) => {
            let s = s.trim();
            if s.eq_ignore_ascii_case("LoadPoint") || s == "1" {
                Some(1)
            } else if s.eq_ignore_ascii_case("UnloadPoint") || s == "2" {
                Some(2)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// A route (`bidPoints` at `path`): a list of at least two points with at least one
/// loading point (`LoadPoint`, code 1) and one unloading point (`UnloadPoint`, code 2)
/// among them («Маршрутные точки, минимум две: погрузка и выгрузка», `api/bids.md` §1.1,
/// `minimal-requirements.md` §1–2). Start, custom and service points may come in addition.
///
/// ```
/// use logibridge::cargorun::rules::check_route;
/// use serde_json::json;
/// assert!(check_route("bidPoints", &json!([{"type": "LoadPoint"}, {"type": 2}])).is_ok());
/// let e = check_route("bidPoints", &json!([{"type": "LoadPoint"}, {"type": "LoadPoint"}])).unwrap_err();
/// assert_eq!((e.field.as_str(), e.code), ("bidPoints", "cargorun.route"));
/// ```
pub fn check_route(path: &str, points: &Value) -> Result<(), ValidationError> {
    let route_error = |en: String, ru: String| ValidationError::new(path, "cargorun.route", format!("{en} ({ROUTE_SOURCE})"), format!("{ru} ({ROUTE_SOURCE})"));
    let Value::Array(points) = points else {
        return Err(route_error("must be a list of route points".into(), "должно быть списком точек маршрута".into()));
    };
    if points.len() < 2 {
        return Err(route_error(
            format!("has {} point(s); a route needs at least two: a loading point (LoadPoint) and an unloading point (UnloadPoint)", points.len()),
            format!("точек: {}; в маршруте нужно минимум две: погрузка (LoadPoint) и выгрузка (UnloadPoint)", points.len()),
        ));
    }
    let kinds: Vec<Option<u8>> = points.iter().map(|p| point_kind(p.get("type"))).collect();
    if !kinds.contains(&Some(1)) {
        return Err(route_error("has no loading point (type LoadPoint): a route needs one".into(), "нет точки погрузки (type LoadPoint): она обязательна в маршруте".into()));
    }
    if !kinds.contains(&Some(2)) {
        return Err(route_error("has no unloading point (type UnloadPoint): a route needs one".into(), "нет точки выгрузки (type UnloadPoint): она обязательна в маршруте".into()));
    }
    Ok(())
}

/// The nested references of a bid's point: its geozone, contact person, load options and
/// type options. `contact_id_required` is false for distribution bids (see the module doc).
fn check_point_parts(here: &str, point: &Map<String, Value>, contact_id_required: bool) -> Result<(), ValidationError> {
    check_nested(here, point, "geozone", &GEOZONE)?;
    if contact_id_required {
        check_nested(here, point, "contactPerson", &CONTACT_PERSON)?;
    }
    check_each(here, point, "loadOptions", &LOAD_OPTION)?;
    check_each(here, point, "typeOptions", &TYPE_OPTION)
}

/// The points of a bid (`api/bids.md` §1.1): each with [`BID_POINT`], its geozone with
/// [`GEOZONE`], its contact person (when sent) with an `id`, its load and type options with
/// their ids.
fn check_bid_points(path: &str, points: &Value) -> Result<(), ValidationError> {
    let Value::Array(points) = points else { return Ok(()) };
    for (i, p) in points.iter().enumerate() {
        let here = index(path, i);
        check_required(&here, p, &BID_POINT)?;
        check_point_parts(&here, object(&here, p, "bid point")?, true)?;
    }
    Ok(())
}

/// The cargos and type options of a bid, with their ids.
fn check_cargos_and_options(path: &str, o: &Map<String, Value>) -> Result<(), ValidationError> {
    check_each(path, o, "cargos", &CARGO)?;
    if let Some(Value::Array(cargos)) = o.get("cargos") {
        for (i, cargo) in cargos.iter().enumerate() {
            if let Value::Object(c) = cargo {
                check_each(&index(&join(path, "cargos"), i), c, "typeOptions", &TYPE_OPTION)?;
            }
        }
    }
    check_each(path, o, "typeOptions", &TYPE_OPTION)
}

/// Checks a bid to create or replace (`TruckingBids/Apply`, `BidTruckingEditModel`) at
/// `path`: [`BID`] always; [`BID_COMMERCIAL`] unless [`is_empty_mileage_bid`]; the driver's
/// `id`, the car option's `carId`, the trailer option's `trailerId`; a route
/// ([`check_route`]) whose points carry [`BID_POINT`] and a [`GEOZONE`]; the ids of contact
/// persons, load options, cargos and type options; money as numbers ([`check_money`]);
/// every GeoJSON point in range ([`check_coordinates`]). The first broken rule is returned.
///
/// The example of `api/bids.md` §1.1 passes. The one of
/// `integration/scenario-external-to-cr.md` §4 does not as written: its points and geozones
/// lack the `id` (0 for new) and the geozone `type` that `api/bids.md` §1.1 requires, and its
/// price is the string `"234000"`.
pub fn check_bid(path: &str, bid: &Value) -> Result<(), ValidationError> {
    check_required(path, bid, &BID)?;
    let o = object(path, bid, "bid")?;
    if !is_empty_mileage_bid(path, bid)? {
        if let Some(name) = BID_COMMERCIAL.fields.iter().find(|name| !is_given(o.get(**name))) {
            return Err(required_error(
                join(path, name),
                &BID_COMMERCIAL,
                " unless the bid is an empty-mileage bid (isEmptyMileageBid: true or an emptyMileageBid object)",
                ", если заявка не порожняя (isEmptyMileageBid: true или объект emptyMileageBid)",
            ));
        }
    }
    check_nested(path, o, "driver", &BID_DRIVER)?;
    check_nested(path, o, "carOption", &BID_CAR_OPTION)?;
    check_nested(path, o, "trailerOption", &BID_TRAILER_OPTION)?;
    let points_path = join(path, "bidPoints");
    let points = &o["bidPoints"];
    check_bid_points(&points_path, points)?;
    check_route(&points_path, points)?;
    check_cargos_and_options(path, o)?;
    check_money(path, bid)?;
    check_coordinates(path, bid)
}

/// Checks a partial bid update (`TruckingBids/Patch`) at `path`: nothing is required
/// (`api/bids.md` §1.2), but nested arrays are replaced whole («необходимо передать весь
/// массив bidPoints»), so `bidPoints`, when sent, is a full route as in [`check_bid`]; the
/// ids of cargos and type options when sent; money as numbers; points in range.
pub fn check_bid_patch(path: &str, patch: &Value) -> Result<(), ValidationError> {
    let o = object(path, patch, "bid patch")?;
    if let Some(points) = o.get("bidPoints").filter(|p| !p.is_null()) {
        let points_path = join(path, "bidPoints");
        check_bid_points(&points_path, points)?;
        check_route(&points_path, points)?;
    }
    check_cargos_and_options(path, o)?;
    check_money(path, patch)?;
    check_coordinates(path, patch)
}

/// Checks one distribution bid (`DistributionBidEditModel`) at `path`: [`DISTRIBUTION_BID`];
/// `bidPoints` required when it is created (`id` 0) and, whenever sent, a route
/// ([`check_route`]) whose points carry [`DISTRIBUTION_BID_POINT`], a [`GEOZONE`] when one is
/// sent, and the ids of load and type options (the contact person's `id` is not required:
/// see the module doc); type options with their ids; money as numbers; points in range.
///
/// The contradiction decided here: `api/distribution-bids.md` §1.1 marks `bidPoints`
/// «Нет» (optional), `minimal-requirements.md` §2 («Создание заказа») «минимум две:
/// погрузка и выгрузка».
pub fn check_distribution_bid(path: &str, bid: &Value) -> Result<(), ValidationError> {
    check_required(path, bid, &DISTRIBUTION_BID)?;
    let o = object(path, bid, "distribution bid")?;
    let points_path = join(path, "bidPoints");
    match o.get("bidPoints").filter(|p| !p.is_null()) {
        None if o.get("id").and_then(Value::as_i64) == Some(0) => {
            return Err(ValidationError::new(
                points_path,
                "cargorun.required",
                "is required when a distribution bid is created (id 0): at least two points, a loading and an unloading one (minimal-requirements.md §2; optional on update per api/distribution-bids.md §1.1)",
                "обязательно при создании заказа (id 0): минимум две точки, погрузка и выгрузка (minimal-requirements.md §2; при обновлении необязательно, api/distribution-bids.md §1.1)",
            ))
        }
        None => {}
        Some(points) => {
            if let Value::Array(list) = points {
                for (i, p) in list.iter().enumerate() {
                    let here = index(&points_path, i);
                    check_required(&here, p, &DISTRIBUTION_BID_POINT)?;
                    check_point_parts(&here, object(&here, p, "distribution bid point")?, false)?;
                }
            }
            check_route(&points_path, points)?;
        }
    }
    check_each(path, o, "typeOptions", &TYPE_OPTION)?;
    check_money(path, bid)?;
    check_coordinates(path, bid)
}

/// Checks the body of `DistributionBids/Apply` (`{"items": [...]}`, at `path`): `items` is
/// a list, each item checked by [`check_distribution_bid`] at `items[i]`.
pub fn check_distribution_bid_batch(path: &str, body: &Value) -> Result<(), ValidationError> {
    let o = object(path, body, "distribution bid batch")?;
    let items_path = join(path, "items");
    match o.get("items") {
        Some(Value::Array(items)) => items.iter().enumerate().try_for_each(|(i, item)| check_distribution_bid(&index(&items_path, i), item)),
        _ => Err(ValidationError::new(
            items_path,
            "cargorun.required",
            "is required: the list of distribution bids (api/distribution-bids.md §1.1 «Тело запроса»: DistributionBidBatchEditModel)",
            "обязательно: список заказов (api/distribution-bids.md §1.1 «Тело запроса»: DistributionBidBatchEditModel)",
        )),
    }
}

/// Checks a counterparty (`CargoOwnerDictionary/Apply`) at `path`: [`COUNTERPARTY`] and
/// every `inn` inside with its check digits ([`crate::inn`]).
///
/// The example of `api/counterparties.md` §1.1 has the placeholder INN `1234567890`, whose
/// check digit does not match (it would be 4): it is refused as `inn.checksum`.
pub fn check_counterparty(path: &str, counterparty: &Value) -> Result<(), ValidationError> {
    check_required(path, counterparty, &COUNTERPARTY)?;
    check_inns(path, counterparty)
}

/// Checks a legal person (`legalpersons/apply`) at `path`: [`LEGAL_PERSON`] and every `inn`
/// inside with its check digits.
pub fn check_legal_person(path: &str, legal_person: &Value) -> Result<(), ValidationError> {
    check_required(path, legal_person, &LEGAL_PERSON)?;
    check_inns(path, legal_person)
}

/// Checks a contract (`CargoOwnerDictionary/ApplyContract`) at `path`: [`CONTRACT`] and its
/// amounts (`debtCeiling`, `currentDebt`) as numbers.
pub fn check_contract(path: &str, contract: &Value) -> Result<(), ValidationError> {
    check_required(path, contract, &CONTRACT)?;
    check_money(path, contract)
}

/// Checks a counterparty point (`CargoOwnerDictionary/ApplyCounterpartyPoint`) at `path`:
/// [`COUNTERPARTY_POINT`], its geozone with [`GEOZONE`], its coordinates in range.
pub fn check_counterparty_point(path: &str, point: &Value) -> Result<(), ValidationError> {
    check_required(path, point, &COUNTERPARTY_POINT)?;
    check_nested(path, object(path, point, "counterparty point")?, "geozone", &GEOZONE)?;
    check_coordinates(path, point)
}

/// Checks a driver (`driver/apply`) at `path`: [`DRIVER`]. The phone's form
/// (`+7XXXXXXXXXX`, `formats.md` §3) is the model's to write.
pub fn check_driver(path: &str, driver: &Value) -> Result<(), ValidationError> {
    check_required(path, driver, &DRIVER)
}

/// Checks a car (`car/apply`) at `path`: [`CAR`].
pub fn check_car(path: &str, car: &Value) -> Result<(), ValidationError> {
    check_required(path, car, &CAR)
}

/// Checks a trailer (`trailer/apply`) at `path`: [`TRAILER`].
pub fn check_trailer(path: &str, trailer: &Value) -> Result<(), ValidationError> {
    check_required(path, trailer, &TRAILER)
}

/// Checks a bid payment (`TruckingBids/ApplyBidPayment`, `BidPaymentWrapperModel`) at
/// `path`: [`BID_PAYMENT`], the payment's [`PAYMENT`], `remainingPayment` as a number.
pub fn check_bid_payment(path: &str, body: &Value) -> Result<(), ValidationError> {
    check_required(path, body, &BID_PAYMENT)?;
    check_nested(path, object(path, body, "bid payment")?, "payment", &PAYMENT)?;
    check_money(path, body)
}

/// Checks an ETRN title status change (`1c/bills/applystatus`) at `path`: [`TITLE_STATUS`].
pub fn check_title_status(path: &str, body: &Value) -> Result<(), ValidationError> {
    check_required(path, body, &TITLE_STATUS)
}

/// Checks a distribution bid cancellation (`distributionbids/cancel`) at `path`:
/// [`DISTRIBUTION_BID_CANCEL`].
pub fn check_distribution_bid_cancel(path: &str, body: &Value) -> Result<(), ValidationError> {
    check_required(path, body, &DISTRIBUTION_BID_CANCEL)
}

/// Every money field ([`MONEY_FIELDS`]) anywhere in `value` (at `path`) must be a JSON
/// number or `null`: «только число, без строк; без символа валюты; разделитель — точка»
/// (`formats.md` §6). A string is refused naming the field: `cargorun.money_string` when it
/// holds a number (send that number instead: `scenario-external-to-cr.md`'s `"234000"`),
/// `cargorun.money` otherwise.
///
/// ```
/// use logibridge::cargorun::rules::check_money;
/// use serde_json::json;
/// assert!(check_money("", &json!({"price": 12000.5, "payment": {"remainingPayment": 0}})).is_ok());
/// let e = check_money("", &json!({"price": "234000"})).unwrap_err();
/// assert_eq!((e.field.as_str(), e.code), ("price", "cargorun.money_string"));
/// let e = check_money("items[0]", &json!({"hiredCarPrice": "115 000 ₽"})).unwrap_err();
/// assert_eq!((e.field.as_str(), e.code), ("items[0].hiredCarPrice", "cargorun.money"));
/// ```
pub fn check_money(path: &str, value: &Value) -> Result<(), ValidationError> {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let here = join(path, key);
                if MONEY_FIELDS.contains(&key.as_str()) {
                    check_amount(&here, v)?;
                } else {
                    check_money(&here, v)?;
                }
            }
            Ok(())
        }
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, v)| check_money(&index(path, i), v)),
        _ => Ok(()),
    }
}

fn check_amount(field: &str, v: &Value) -> Result<(), ValidationError> {
    match v {
        Value::Null | Value::Number(_) => Ok(()),
        Value::String(s) if s.trim().parse::<f64>().is_ok_and(f64::is_finite) => {
            let shown = crate::shown_input(s);
            Err(ValidationError::new(
                field,
                "cargorun.money_string",
                format!("is the string \"{shown}\"; money is sent as a JSON number ({}), not a string ({MONEY_SOURCE})", s.trim()),
                format!("передано строкой «{shown}»; денежные значения передаются JSON-числом ({}), не строкой ({MONEY_SOURCE})", s.trim()),
            ))
        }
        other => {
            let shown = match other {
                Value::String(s) => format!("\"{}\"", crate::shown_input(s)),
                Value::Bool(b) => b.to_string(),
                Value::Array(_) => "a list".into(),
                _ => "an object".into(),
            };
            let shown_ru = match other {
                Value::Array(_) => "список".into(),
                Value::Object(_) => "объект".into(),
                _ => shown.clone(),
            };
            Err(ValidationError::new(
                field,
                "cargorun.money",
                format!("{shown} is not an amount: money is a JSON number, without a currency sign, with a point as the decimal separator, e.g. 12000.5 ({MONEY_SOURCE})"),
                format!("{shown_ru} — не сумма: денежные значения передаются JSON-числом, без символа валюты, с точкой как разделителем, например 12000.5 ({MONEY_SOURCE})"),
            ))
        }
    }
}

/// Checks a longitude and latitude (degrees): longitude in −180..180, latitude in −90..90.
/// A latitude beyond ±90 whose pair reads well the other way round (the longitude within
/// ±90) is reported as swapped (`cargorun.coordinates_swapped`): "looks like [lat, lon];
/// GeoJSON is [lon, lat]". Anything else out of range is `cargorun.coordinates_range`.
/// `field` is the JSON path shown.
///
/// A swapped pair with both values within ±90 (most of Russia: [55.75, 37.62] for Moscow)
/// cannot be told from a real point and passes; named `latitude`/`longitude` avoid that.
pub fn check_lon_lat(field: &str, lon: f64, lat: f64) -> Result<(), ValidationError> {
    if !(-90.0..=90.0).contains(&lat) {
        if (-180.0..=180.0).contains(&lat) && (-90.0..=90.0).contains(&lon) {
            return Err(ValidationError::new(
                field,
                "cargorun.coordinates_swapped",
                format!("[{lon}, {lat}] has latitude {lat}, beyond ±90: it looks like [lat, lon]; GeoJSON is [lon, lat], so send [{lat}, {lon}] ({GEOJSON_SOURCE})"),
                format!("в [{lon}, {lat}] широта {lat} — за пределами ±90: похоже на [широта, долгота]; в GeoJSON порядок [долгота, широта], передайте [{lat}, {lon}] ({GEOJSON_SOURCE})"),
            ));
        }
        return Err(ValidationError::new(
            field,
            "cargorun.coordinates_range",
            format!("latitude {lat} is beyond −90..90 ([lon, lat] = [{lon}, {lat}]; {GEOJSON_SOURCE})"),
            format!("широта {lat} вне диапазона −90..90 ([долгота, широта] = [{lon}, {lat}]; {GEOJSON_SOURCE})"),
        ));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(ValidationError::new(
            field,
            "cargorun.coordinates_range",
            format!("longitude {lon} is beyond −180..180 ([lon, lat] = [{lon}, {lat}]; {GEOJSON_SOURCE})"),
            format!("долгота {lon} вне диапазона −180..180 ([долгота, широта] = [{lon}, {lat}]; {GEOJSON_SOURCE})"),
        ));
    }
    Ok(())
}

/// Checks one GeoJSON position at `path`: `[longitude, latitude]` (an altitude may follow,
/// RFC 7946 §3.1.1), both numbers, in range ([`check_lon_lat`]). `null` passes (the field
/// is optional, `api/bids.md` §1.1 «Поля bidPoints[].geozone.location»).
///
/// ```
/// use logibridge::cargorun::rules::check_position;
/// use serde_json::json;
/// assert!(check_position("location.coordinates", &json!([37.6176, 55.7558])).is_ok());
/// let e = check_position("location.coordinates", &json!([55.7558, 137.6176])).unwrap_err();
/// assert!(e.message.contains("looks like [lat, lon]; GeoJSON is [lon, lat]"));
/// ```
pub fn check_position(path: &str, position: &Value) -> Result<(), ValidationError> {
    let shape_error = || {
        ValidationError::new(
            path,
            "cargorun.coordinates_shape",
            format!("must be a GeoJSON position [longitude, latitude]: two numbers ({GEOJSON_SOURCE})"),
            format!("должно быть позицией GeoJSON [долгота, широта]: два числа ({GEOJSON_SOURCE})"),
        )
    };
    match position {
        Value::Null => Ok(()),
        Value::Array(xs) if (2..=3).contains(&xs.len()) => {
            let numbers: Option<Vec<f64>> = xs.iter().map(Value::as_f64).collect();
            let numbers = numbers.ok_or_else(shape_error)?;
            check_lon_lat(path, numbers[0], numbers[1])
        }
        _ => Err(shape_error()),
    }
}

/// Positions nested at any depth (a polygon's `coordinates`: a list of positions, or of
/// rings of positions); `null` and empty lists pass.
fn check_positions(path: &str, value: &Value) -> Result<(), ValidationError> {
    match value {
        Value::Array(xs) if !xs.is_empty() && xs.iter().all(Value::is_number) => check_position(path, value),
        Value::Array(xs) => xs.iter().enumerate().try_for_each(|(i, x)| match x {
            Value::Array(_) => check_positions(&index(path, i), x),
            _ => check_position(&index(path, i), x),
        }),
        Value::Null => Ok(()),
        _ => check_position(path, value),
    }
}

/// Every coordinate anywhere in `value` (at `path`): each `location.coordinates` is one
/// GeoJSON position ([`check_position`]); any other `coordinates` (a geozone's polygon) holds
/// positions at any depth; an object with numeric `latitude` and `longitude` (`formats.md`
/// §4) has them in range.
pub fn check_coordinates(path: &str, value: &Value) -> Result<(), ValidationError> {
    match value {
        Value::Object(map) => {
            if let (Some(lat), Some(lon)) = (map.get("latitude").and_then(Value::as_f64), map.get("longitude").and_then(Value::as_f64)) {
                if !(-90.0..=90.0).contains(&lat) {
                    return Err(ValidationError::new(
                        join(path, "latitude"),
                        "cargorun.coordinates_range",
                        format!("{lat} is beyond −90..90 (formats.md §4 «Координаты»)"),
                        format!("{lat} вне диапазона −90..90 (formats.md §4 «Координаты»)"),
                    ));
                }
                if !(-180.0..=180.0).contains(&lon) {
                    return Err(ValidationError::new(
                        join(path, "longitude"),
                        "cargorun.coordinates_range",
                        format!("{lon} is beyond −180..180 (formats.md §4 «Координаты»)"),
                        format!("{lon} вне диапазона −180..180 (formats.md §4 «Координаты»)"),
                    ));
                }
            }
            for (key, v) in map {
                let here = join(path, key);
                match (key.as_str(), v) {
                    ("location", Value::Object(location)) => {
                        if let Some(c) = location.get("coordinates") {
                            check_position(&join(&here, "coordinates"), c)?;
                        }
                    }
                    ("coordinates", _) => check_positions(&here, v)?,
                    _ => check_coordinates(&here, v)?,
                }
            }
            Ok(())
        }
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, v)| check_coordinates(&index(path, i), v)),
        _ => Ok(()),
    }
}

/// The largest `$top` sent without an opt-out: lists are fetched 50 at a time.
pub const MAX_TOP: i64 = 50;

/// The name of the list calls' opt-out parameter that [`check_top`]'s message tells the
/// caller to pass.
pub const TOP_OPT_OUT: &str = "allow_large_top";

/// `$top` on a list call must be at most [`MAX_TOP`] (50) unless the caller opted out
/// (`allow_large`): the pages ask for pages of 50 and warn that unbounded or heavy queries
/// can get the user temporarily blocked (`integration/sync.md` §6, `integration/
/// scenario-cr-to-external.md` §7; ENDPOINTS.md § CARGO.RUN). `None` passes: the list rows
/// send their own `$top` of 50. A negative `$top` is refused whatever the opt-out.
///
/// ```
/// use logibridge::cargorun::rules::check_top;
/// assert!(check_top(Some(50), false).is_ok());
/// assert!(check_top(None, false).is_ok());
/// let e = check_top(Some(500), false).unwrap_err();
/// assert_eq!((e.field.as_str(), e.code), ("$top", "cargorun.top"));
/// assert!(e.message.contains("allow_large_top"));
/// assert!(check_top(Some(500), true).is_ok());
/// ```
pub fn check_top(top: Option<i64>, allow_large: bool) -> Result<(), ValidationError> {
    match top {
        Some(t) if t < 0 => Err(ValidationError::new("$top", "cargorun.top", format!("{t} is negative: $top is a number of records, 0 or more"), format!("{t} — отрицательное число: $top — количество записей, 0 или больше"))),
        Some(t) if t > MAX_TOP && !allow_large => Err(ValidationError::new(
            "$top",
            "cargorun.top",
            format!(
                "{t} is more than {MAX_TOP}: CARGO.RUN asks for lists in pages of {MAX_TOP} and may block the user for a while after heavy queries (integration/sync.md §6; integration/scenario-cr-to-external.md §7). Page with $skip, or pass {TOP_OPT_OUT}=true to send it anyway"
            ),
            format!(
                "{t} больше {MAX_TOP}: CARGO.RUN просит получать списки порциями по {MAX_TOP} записей и может временно заблокировать пользователя за тяжёлые запросы (integration/sync.md §6; integration/scenario-cr-to-external.md §7). Листайте через $skip или передайте {TOP_OPT_OUT}=true, чтобы всё же отправить"
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// `api/bids.md` §1.1 «Пример создания заявки», verbatim.
    const BIDS_MD_EXAMPLE: &str = r#"{
  "id": 0, "cargoOwnerDictionaryItemId": 129647034, "legalPersonId": 127039077, "paymentTypeId": 41, "ndsTypeId": 129493473,
  "price": 45000, "isVatTop": false, "contractNumber": "324352352352", "paymentPeriodType": "InCalendarDays",
  "responsibleId": 1466813, "isDriverForwarder": false, "isEmptyMileageBid": false, "createDocumentAssignment": false,
  "driver": {"id": 1478168}, "carOption": {"carId": 1465629}, "trailerOption": {"trailerId": 128820197},
  "bidPoints": [
    {"id": 0, "order": 0, "type": "LoadPoint", "comment": "Комментарий к первой точке", "planEnterDate": "2026-07-15T10:58:00",
     "cargoOwnerDictionaryItemId": 129647035,
     "geozone": {"id": 0, "location": {"type": "Point", "coordinates": [47.4720139, 55.86623]}, "city": "Цивильск",
       "address": "Россия, Чувашская Республика — Чувашия, Цивильск, улица Гагарина", "state": "Чувашская Республика — Чувашия",
       "county": "Цивильский муниципальный округ", "street": "улица Гагарина", "houseNumber": null,
       "federalDistrict": "Приволжский федеральный округ", "radius": 2000, "type": "BidPoint"},
     "contactPerson": {"id": 129417981, "phoneNumber": "+7 964 781-40-98", "name": "Александр Пушкин"},
     "loadOptions": [{"id": 4612889}], "typeOptions": [], "extendedProperties": []},
    {"id": 0, "order": 1, "type": "UnloadPoint", "comment": "Комментарий к выгрузке", "planEnterDate": "2026-07-16T11:10:00",
     "cargoOwnerDictionaryItemId": 129647014,
     "geozone": {"id": 0, "location": {"type": "Point", "coordinates": [55.9507846, 54.7017154]}, "city": "Уфа",
       "address": "Россия, Республика Башкортостан, Уфа, Сарапульская улица, 35", "state": "Республика Башкортостан",
       "county": "городской округ Уфа", "street": "Сарапульская улица", "houseNumber": "35",
       "federalDistrict": "Приволжский федеральный округ", "radius": 1999, "type": "BidPoint"},
     "contactPerson": {"id": 129417982, "phoneNumber": "8 914 781 07 01", "name": "Михаил Лермонтов"},
     "loadOptions": [{"id": 4612889}], "typeOptions": [], "extendedProperties": []}
  ],
  "cargos": [{"id": 0, "name": "Крышки", "weight": 20, "volume": 5, "length": 6, "height": 8, "width": 7, "typeId": 712,
    "packType": "Паллеты", "comment": "Комментарий к грузу", "extendedProperties": [], "typeOptions": []}],
  "extendedProperties": [{"propertyName": "CustomeFieldForDemo", "value": "Пример заполнения кастомного поля"}],
  "typeOptions": [], "documents": [], "accessPermitIds": []
}"#;

    /// `api/distribution-bids.md` §1.1 «Пример создания заказа», verbatim.
    const DISTRIBUTION_BIDS_MD_EXAMPLE: &str = r#"{"items": [{
  "id": 0, "externalStatus": "None", "counterpartyId": 129647035, "legalPersonId": 127039078, "responsibleId": 1466813,
  "price": 120000, "paymentTypeId": 41, "ndsTypeId": 129493473, "paymentPeriodType": "InCalendarDays", "paymentPeriodInDays": 30,
  "invoiceTriggerType": "ByOriginal", "trailerTypeId": 94325, "hasHiredCar": true, "isMandatory": true,
  "hiredCarCounterpartyId": 129647034, "hiredCarPrice": 115000, "hiredCarCompletedAt": "2026-07-15T00:00:00",
  "hiredCarNdsTypeId": 129493473, "hiredCarPaymentTypeId": 41, "hiredCarInvoiceTriggerType": "AtUnloading",
  "hiredCarPaymentPeriodType": "InCalendarDays", "hiredCarPaymentPeriodInDays": 30, "hiredCarId": 301, "hiredTrailerId": 182,
  "hiredDriverId": 242, "contractNumber": "324352352352", "comment": "Произвольный комментарий к заказу",
  "contactPerson": {"name": "Владимир Высоцкий", "phoneNumber": "+7 (962) 568-85-39"},
  "bidPoints": [
    {"id": 0, "order": 0, "type": "LoadPoint", "planEnterDate": "2026-07-13T13:55", "counterpartyId": 129647035,
     "comment": "Произвольный комментарий к точке загрузки",
     "geozone": {"id": 0, "location": {"type": "Point", "coordinates": [44.697292211870554, 43.03449472631854]},
       "address": "Россия, Республика Северная Осетия — Алания, Владикавказ, Пушкинская улица, 58А", "geocoderSourceType": "Yandex",
       "city": "Владикавказ", "state": "Республика Северная Осетия — Алания", "county": "городской округ Владикавказ",
       "street": "Пушкинская улица", "houseNumber": "58А", "federalDistrict": "Северо-Кавказский федеральный округ",
       "radius": null, "coordinates": null, "type": "BidPoint"},
     "contactPerson": {"phoneNumber": "+7 964 781-40-98", "name": "Александр Пушкин"},
     "loadOptions": [{"id": 4612889}, {"id": 4612891}, {"id": 4675966}], "extendedProperties": []},
    {"id": 0, "order": 1, "type": "UnloadPoint", "planEnterDate": "2026-07-15T00:00", "counterpartyId": 5225295,
     "comment": "Произвольный комментарий к точке выгрузки",
     "geozone": {"id": 0, "location": {"type": "Point", "coordinates": [52.224350311291346, 52.80040289067903]},
       "address": "Россия, Оренбургская область, Бузулук, улица Гая, 69", "geocoderSourceType": "Yandex", "city": "Бузулук",
       "state": "Оренбургская область", "county": "городской округ Бузулук", "street": "улица Гая", "houseNumber": "69",
       "federalDistrict": "Приволжский федеральный округ", "radius": null, "coordinates": null, "type": "BidPoint"},
     "contactPerson": {"phoneNumber": "8 914 781 07 01", "name": "Михаил Лермонтов"},
     "loadOptions": [{"id": 4612890}], "extendedProperties": []}
  ],
  "cargos": [{"id": 0, "name": "Кирпичи", "typeId": 713, "comment": "Произвольный комментарий к грузу", "packType": "паллеты",
    "volume": 18, "length": 82, "width": 13, "height": 8, "extendedProperties": []}],
  "extendedProperties": [{"propertyName": "CustomeFieldForDemo", "value": "Пример заполнения кастомного поля"}],
  "typeOptions": [], "documents": []
}]}"#;

    /// `integration/scenario-external-to-cr.md` §4 «Пример создания черновика заявки», verbatim.
    const SCENARIO_EXAMPLE: &str = r#"{
  "id": 0, "cargoOwnerId": 12345, "cargoOwnerDictionaryItemId": 10638021, "paymentTypeId": 41, "ndsTypeId": 40, "price": "234000",
  "cargos": [{"name": "ТНП", "typeId": 707, "extendedProperties": []}],
  "typeOptions": [{"entityOptionId": 14655740, "id": 14655282}],
  "bidPoints": [
    {"order": 0, "type": "LoadPoint", "planEnterDate": "2021-01-07 04:33",
     "geozone": {"location": {"type": "Point", "coordinates": [52.41153359413148, 55.71049164294613]},
       "address": "Россия, Республика Татарстан, Набережные Челны, Транспортный проезд, 15", "city": "Набережные Челны",
       "state": "Республика Татарстан", "county": "городской округ Набережные Челны", "street": "Транспортный проезд",
       "houseNumber": "15", "federalDistrict": "Приволжский федеральный округ", "radius": 0}},
    {"order": 1, "type": "UnloadPoint", "planEnterDate": "2021-01-07 13:33",
     "geozone": {"location": {"type": "Point", "coordinates": [48.39303731918335, 54.30654645200388]},
       "address": "Россия, Ульяновск, улица Минаева, 48Б", "city": "Ульяновск", "state": "Ульяновская область",
       "county": "городской округ Ульяновск", "street": "улица Минаева", "houseNumber": "48Б",
       "federalDistrict": "Приволжский федеральный округ", "radius": 0},
     "cargoOwnerDictionaryItemId": null}
  ],
  "driver": {"id": 16309296}, "carOption": {"carId": 10483431}, "trailerOption": {"trailerId": 17758587}
}"#;

    /// `api/counterparties.md` §1.1 «Пример», verbatim.
    const COUNTERPARTY_EXAMPLE: &str = r#"{
  "id": 0, "name": "ООО \"Грузополучатель\"", "inn": "1234567890", "kpp": "123456789", "ogrn": "1234567890123",
  "address": "г. Москва, ул. Примерная, д. 1", "mailingAddress": "г. Москва, ул. Примерная, д. 1", "bankName": "АО \"Банк\"",
  "bankId": "044525000", "settlementAccount": "40702810000000000000", "correspondentAccount": "30101810000000000000",
  "isInsolvent": false,
  "contactPerson": {"firstName": "Иван", "lastName": "Иванов", "phoneNumber": "79999999999", "email": "client@example.com"}
}"#;

    fn example(text: &str) -> Value {
        serde_json::from_str(text).expect("the embedded example is JSON")
    }

    /// The JSON blocks of a page under `../shared/spec/cargorun/latest/`, or `None` (with a
    /// message) when the specs are not beside the repository.
    fn page_examples(page: &str) -> Option<Vec<Value>> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/cargorun/latest").join(page);
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipped: ../shared/spec not present ({})", path.display());
            return None;
        };
        Some(text.split("```json").skip(1).filter_map(|block| serde_json::from_str(block.split("```").next()?).ok()).collect())
    }

    #[test]
    fn the_embedded_examples_are_the_pages_own() {
        for (page, embedded) in [
            ("api/bids.md", BIDS_MD_EXAMPLE),
            ("api/distribution-bids.md", DISTRIBUTION_BIDS_MD_EXAMPLE),
            ("integration/scenario-external-to-cr.md", SCENARIO_EXAMPLE),
            ("api/counterparties.md", COUNTERPARTY_EXAMPLE),
        ] {
            let Some(blocks) = page_examples(page) else { return };
            assert!(blocks.contains(&example(embedded)), "{page}: the embedded example differs from the page's");
        }
    }

    #[test]
    fn every_valid_example_of_the_pages_passes() {
        check_bid("", &example(BIDS_MD_EXAMPLE)).unwrap();
        check_distribution_bid_batch("", &example(DISTRIBUTION_BIDS_MD_EXAMPLE)).unwrap();
        // counterparties.md §2.1, §2.4, §3.4; bids.md §5.4; etrn.md §1.3; distribution-bids.md §4.1.
        check_contract("", &json!({"id": 0, "counterpartyId": 57398, "legalPersonId": 95143, "name": "Основной договор", "number": "Д-100", "date": "2026-07-01", "settlementCurrency": "RUB", "paymentPeriod": 10, "paymentTypeId": 1, "isMain": true})).unwrap();
        check_bid_payment("", &json!({"bidId": 0, "payment": {"paymentStatus": "Paid", "factPaymentDate": "2026-06-30", "planPaymentDate": "2026-07-05", "invoiceDate": "2026-06-29", "remainingPayment": 0, "comment": "Оплата получена"}})).unwrap();
        check_title_status("", &json!({"id": 0, "status": "Accepted", "bidId": 0, "bidExternalId": "string"})).unwrap();
        check_distribution_bid_cancel("", &json!({"id": 0, "comment": "Причина отмены"})).unwrap();
        // The counterparty example with a real INN (its own is a placeholder: see below).
        let mut counterparty = example(COUNTERPARTY_EXAMPLE);
        counterparty["inn"] = json!("7707083893");
        check_counterparty("", &counterparty).unwrap();
    }

    #[test]
    fn the_pages_invalid_examples_fail_where_the_pages_disagree() {
        // counterparties.md §1.1: "1234567890" has check digit 4, not 0.
        let e = check_counterparty("", &example(COUNTERPARTY_EXAMPLE)).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("inn", "inn.checksum"));
        // scenario-external-to-cr.md §4: points without the ids bids.md §1.1 requires ...
        let e = check_bid("", &example(SCENARIO_EXAMPLE)).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("bidPoints[0].id", "cargorun.required"));
        // ... and, with them, the price as a string (CHANGES.md §4).
        let mut bid = example(SCENARIO_EXAMPLE);
        for p in bid["bidPoints"].as_array_mut().unwrap() {
            p["id"] = json!(0);
            p["geozone"]["id"] = json!(0);
            p["geozone"]["type"] = json!("BidPoint");
        }
        bid["cargos"][0]["id"] = json!(0);
        let e = check_bid("", &bid).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("price", "cargorun.money_string"));
        bid["price"] = json!(234000);
        check_bid("", &bid).unwrap();
    }

    /// The rules read what the models write: the pages' examples, read into the generated
    /// models and written back (phones, date-times and coordinates converted there), pass.
    #[test]
    fn the_models_wire_form_of_the_examples_passes() {
        fn written<T: serde::de::DeserializeOwned + serde::Serialize>(text: &str) -> Value {
            let model: T = serde_json::from_str(text).expect("the example reads into its model");
            serde_json::to_value(&model).expect("the model writes")
        }
        check_bid("", &written::<crate::cargorun::BidTruckingEditModel>(BIDS_MD_EXAMPLE)).unwrap();
        check_distribution_bid_batch("", &written::<crate::cargorun::DistributionBidBatchEditModel>(DISTRIBUTION_BIDS_MD_EXAMPLE)).unwrap();
        // The scenario's string price is written as a number by the model; its points still lack their ids.
        let bid = written::<crate::cargorun::BidTruckingEditModel>(SCENARIO_EXAMPLE);
        assert_eq!(bid["price"], json!(234000));
        assert_eq!(check_bid("", &bid).unwrap_err().field, "bidPoints[0].id");
    }

    fn without(mut v: Value, pointer: &str) -> Value {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let target = v.pointer_mut(parent).unwrap();
        match target {
            Value::Object(o) => {
                o.remove(key);
            }
            Value::Array(a) => {
                a.remove(key.parse().unwrap());
            }
            _ => panic!("{pointer}"),
        }
        v
    }

    #[test]
    fn each_required_field_of_a_bid_is_named_when_missing_or_null() {
        let bid = example(BIDS_MD_EXAMPLE);
        for (pointer, field) in [
            ("/id", "id"),
            ("/driver", "driver"),
            ("/carOption", "carOption"),
            ("/trailerOption", "trailerOption"),
            ("/bidPoints", "bidPoints"),
            ("/cargoOwnerDictionaryItemId", "cargoOwnerDictionaryItemId"),
            ("/paymentTypeId", "paymentTypeId"),
            ("/ndsTypeId", "ndsTypeId"),
            ("/price", "price"),
            ("/driver/id", "driver.id"),
            ("/carOption/carId", "carOption.carId"),
            ("/trailerOption/trailerId", "trailerOption.trailerId"),
            ("/bidPoints/1/id", "bidPoints[1].id"),
            ("/bidPoints/1/order", "bidPoints[1].order"),
            ("/bidPoints/1/type", "bidPoints[1].type"),
            ("/bidPoints/1/geozone", "bidPoints[1].geozone"),
            ("/bidPoints/1/geozone/id", "bidPoints[1].geozone.id"),
            ("/bidPoints/1/geozone/location", "bidPoints[1].geozone.location"),
            ("/bidPoints/1/geozone/type", "bidPoints[1].geozone.type"),
            ("/bidPoints/0/contactPerson/id", "bidPoints[0].contactPerson.id"),
            ("/bidPoints/0/loadOptions/0/id", "bidPoints[0].loadOptions[0].id"),
            ("/cargos/0/id", "cargos[0].id"),
        ] {
            let e = check_bid("", &without(bid.clone(), pointer)).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), (field, "cargorun.required"), "{pointer}");
            assert!(e.message.contains(".md §") && e.message_ru.contains("обязательно"), "{e:?}");
            // null is not a value either (minimal-requirements.md §7.2).
            let mut nulled = bid.clone();
            if pointer.split('/').nth(1) != Some("bidPoints") || pointer.matches('/').count() > 1 {
                *nulled.pointer_mut(pointer).unwrap() = Value::Null;
                assert_eq!(check_bid("", &nulled).unwrap_err().field, field, "{pointer} = null");
            }
        }
        let mut bid = example(BIDS_MD_EXAMPLE);
        bid["typeOptions"] = json!([{"id": 1}]);
        assert_eq!(check_bid("", &bid).unwrap_err().field, "typeOptions[0].entityOptionId");
        let mut bid = example(BIDS_MD_EXAMPLE);
        bid["bidPoints"][0]["typeOptions"] = json!([{"entityOptionId": 1}]);
        assert_eq!(check_bid("x", &bid).unwrap_err().field, "x.bidPoints[0].typeOptions[0].id");
        let mut bid = example(BIDS_MD_EXAMPLE);
        bid["cargos"][0]["typeOptions"] = json!([{"id": 1}]);
        assert_eq!(check_bid("", &bid).unwrap_err().field, "cargos[0].typeOptions[0].entityOptionId");
    }

    #[test]
    fn an_empty_mileage_bid_needs_no_commercial_fields_in_either_spelling() {
        let mut bid = example(BIDS_MD_EXAMPLE);
        for name in BID_COMMERCIAL.fields {
            bid.as_object_mut().unwrap().remove(*name);
        }
        let e = check_bid("", &bid).unwrap_err();
        assert_eq!(e.field, "cargoOwnerDictionaryItemId");
        assert!(e.message.contains("empty-mileage") && e.message_ru.contains("порожн"));
        bid["isEmptyMileageBid"] = json!(true);
        check_bid("", &bid).unwrap();
        bid["isEmptyMileageBid"] = Value::Null;
        bid["emptyMileageBid"] = json!({"logisticReasonTypeId": 0, "technicalReason": "string"});
        check_bid("", &bid).unwrap();
        // Both spellings saying opposite things.
        bid["isEmptyMileageBid"] = json!(false);
        assert_eq!(check_bid("", &bid).unwrap_err().code, "cargorun.empty_mileage_conflict");
        bid["isEmptyMileageBid"] = json!("true");
        assert_eq!(check_bid("", &bid).unwrap_err().code, "cargorun.boolean");
        bid["isEmptyMileageBid"] = json!(true);
        bid["emptyMileageBid"] = json!("yes");
        assert_eq!(check_bid("", &bid).unwrap_err().field, "emptyMileageBid");
        // The empty-mileage relief covers only the commercial fields.
        let bid = without(json!({"isEmptyMileageBid": true, "driver": {"id": 1}, "carOption": {"carId": 1}, "trailerOption": {"trailerId": 1}, "bidPoints": [], "id": 0}), "/trailerOption");
        assert_eq!(check_bid("", &bid).unwrap_err().field, "trailerOption");
    }

    #[test]
    fn a_route_needs_two_points_one_loading_one_unloading_by_name_or_code() {
        let bid = example(BIDS_MD_EXAMPLE);
        let e = check_bid("", &without(bid.clone(), "/bidPoints/1")).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("bidPoints", "cargorun.route"));
        assert!(e.message.contains("has 1 point(s)"));
        let mut two_loads = bid.clone();
        two_loads["bidPoints"][1]["type"] = json!("LoadPoint");
        assert!(check_bid("", &two_loads).unwrap_err().message.contains("no unloading point"));
        let mut two_unloads = bid.clone();
        two_unloads["bidPoints"][0]["type"] = json!("UnloadPoint");
        assert!(check_bid("", &two_unloads).unwrap_err().message.contains("no loading point"));
        let mut codes = bid.clone();
        codes["bidPoints"][0]["type"] = json!(1);
        codes["bidPoints"][1]["type"] = json!(2);
        check_bid("", &codes).unwrap();
        let mut start_and_custom = bid.clone();
        start_and_custom["bidPoints"][0]["type"] = json!("StartPoint");
        start_and_custom["bidPoints"][1]["type"] = json!(3);
        assert_eq!(check_bid("", &start_and_custom).unwrap_err().code, "cargorun.route");
        let mut not_a_list = bid.clone();
        not_a_list["bidPoints"] = json!({"0": {}});
        assert_eq!(check_bid("", &not_a_list).unwrap_err().field, "bidPoints");
    }

    #[test]
    fn a_patch_requires_nothing_but_sends_a_whole_route() {
        check_bid_patch("", &json!({"id": 5, "comment": "x"})).unwrap();
        let e = check_bid_patch("", &json!({"id": 5, "bidPoints": [{"id": 1, "order": 0, "type": "LoadPoint", "geozone": {"id": 0, "location": {}, "type": "BidPoint"}}]})).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("bidPoints", "cargorun.route"));
        assert_eq!(check_bid_patch("", &json!({"price": "1,5"})).unwrap_err().code, "cargorun.money");
        let mut bid = example(BIDS_MD_EXAMPLE);
        bid["bidPoints"][1]["geozone"]["location"]["coordinates"] = json!([181, 54.7]);
        assert_eq!(check_bid_patch("", &json!({"bidPoints": bid["bidPoints"]})).unwrap_err().code, "cargorun.coordinates_range");
    }

    #[test]
    fn distribution_bids_need_points_on_create_and_a_route_whenever_sent() {
        let batch = example(DISTRIBUTION_BIDS_MD_EXAMPLE);
        let e = check_distribution_bid_batch("", &without(batch.clone(), "/items/0/bidPoints")).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("items[0].bidPoints", "cargorun.required"));
        assert!(e.message.contains("minimal-requirements.md §2") && e.message.contains("distribution-bids.md §1.1"));
        // An update (id > 0) may leave them out ...
        let mut update = without(batch.clone(), "/items/0/bidPoints");
        update["items"][0]["id"] = json!(77);
        check_distribution_bid_batch("", &update).unwrap();
        // ... but not send a broken route.
        let mut update = without(batch.clone(), "/items/0/bidPoints/0");
        update["items"][0]["id"] = json!(77);
        assert_eq!(check_distribution_bid_batch("", &update).unwrap_err().code, "cargorun.route");
        for (pointer, field) in [
            ("/items/0/id", "items[0].id"),
            ("/items/0/externalStatus", "items[0].externalStatus"),
            ("/items/0/bidPoints/1/id", "items[0].bidPoints[1].id"),
            ("/items/0/bidPoints/1/order", "items[0].bidPoints[1].order"),
            ("/items/0/bidPoints/1/geozone/location", "items[0].bidPoints[1].geozone.location"),
            ("/items/0/bidPoints/0/loadOptions/2/id", "items[0].bidPoints[0].loadOptions[2].id"),
        ] {
            let e = check_distribution_bid_batch("", &without(batch.clone(), pointer)).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), (field, "cargorun.required"), "{pointer}");
        }
        assert_eq!(check_distribution_bid_batch("", &without(batch.clone(), "/items/0/bidPoints/1/type")).unwrap_err().field, "items[0].bidPoints[1].type");
        // A geozone is optional on a distribution bid point.
        let mut no_geozone = without(batch.clone(), "/items/0/bidPoints/1/geozone");
        check_distribution_bid_batch("", &no_geozone).unwrap();
        no_geozone["items"][0]["hiredCarPrice"] = json!("115000");
        assert_eq!(check_distribution_bid_batch("", &no_geozone).unwrap_err().field, "items[0].hiredCarPrice");
        assert_eq!(check_distribution_bid_batch("", &json!({})).unwrap_err().field, "items");
    }

    #[test]
    fn directories_name_their_required_fields() {
        let cases: [(fn(&str, &Value) -> Result<(), ValidationError>, Value, &Required); 8] = [
            (check_counterparty, json!({"id": 0, "name": "ООО «Ромашка»", "inn": "7707083893"}), &COUNTERPARTY),
            (check_contract, json!({"id": 0, "counterpartyId": 57398}), &CONTRACT),
            (check_counterparty_point, json!({"id": 0, "counterpartyId": 57398, "geozone": {"id": 0, "type": "CounterpartyPoint", "location": {"coordinates": [37.6176, 55.7558]}}}), &COUNTERPARTY_POINT),
            (check_driver, json!({"id": 0, "firstName": "Иван", "lastName": "Иванов", "phoneNumber": "+79991234567"}), &DRIVER),
            (check_car, json!({"id": 0, "number": "А123ВС77"}), &CAR),
            (check_trailer, json!({"id": 0, "number": "АВ1234 77"}), &TRAILER),
            (check_legal_person, json!({"id": 0, "name": "ООО «Перевозчик»", "inn": "500100732259"}), &LEGAL_PERSON),
            (check_title_status, json!({"id": 1, "status": "Accepted"}), &TITLE_STATUS),
        ];
        for (check, valid, required) in cases {
            check("", &valid).unwrap();
            for field in required.fields {
                let e = check("card", &without(valid.clone(), &format!("/{field}"))).unwrap_err();
                assert_eq!((e.field, e.code), (format!("card.{field}"), "cargorun.required"), "{}", required.entity);
                assert!(e.message.contains(required.source) && e.message_ru.contains(required.source));
                let mut blank = valid.clone();
                blank[*field] = json!("  ");
                assert_eq!(check("", &blank).unwrap_err().field, *field, "{} blank", required.entity);
            }
            assert_eq!(check("card", &json!([valid])).unwrap_err().code, "cargorun.object");
        }
        let e = check_counterparty_point("", &json!({"id": 0, "counterpartyId": 1, "geozone": {"id": 0, "location": {}}})).unwrap_err();
        assert_eq!(e.field, "geozone.type");
        let e = check_bid_payment("", &json!({"bidId": 1, "payment": {"comment": "x"}})).unwrap_err();
        assert_eq!(e.field, "payment.paymentStatus");
        let e = check_bid_payment("", &json!({"bidId": 1, "payment": {"paymentStatus": "PartiallyPaid", "remainingPayment": "10 000"}})).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("payment.remainingPayment", "cargorun.money"));
        assert_eq!(check_contract("", &json!({"id": 0, "counterpartyId": 1, "debtCeiling": "1e6"})).unwrap_err().code, "cargorun.money_string");
    }

    #[test]
    fn inns_of_counterparties_and_legal_persons_are_checked() {
        let e = check_legal_person("", &json!({"id": 0, "inn": "500100732250"})).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("inn", "inn.checksum"));
        let e = check_counterparty("items[2]", &json!({"id": 0, "name": "ИП", "inn": "12345"})).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("items[2].inn", "inn.format"));
        // A legal person's INN is optional; a counterparty's is required.
        check_legal_person("", &json!({"id": 3})).unwrap();
        assert_eq!(check_counterparty("", &json!({"id": 0, "name": "X", "inn": ""})).unwrap_err().code, "cargorun.required");
    }

    #[test]
    fn money_is_a_number_at_any_depth() {
        check_money("", &json!({"price": null, "items": [{"hiredCarPrice": 115000.5}], "weight": "20"})).unwrap();
        let e = check_money("", &json!({"items": [{"price": 1}, {"price": true}]})).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("items[1].price", "cargorun.money"));
        assert!(e.message.contains("formats.md §6") && e.message_ru.contains("formats.md §6"));
        assert_eq!(check_money("", &json!({"price": "NaN"})).unwrap_err().code, "cargorun.money");
        assert_eq!(check_money("", &json!({"routeCost": {"value": 1}})).unwrap_err().code, "cargorun.money");
        let e = check_money("", &json!({"price": " 45000 "})).unwrap_err();
        assert!(e.message.contains("(45000)"), "{}", e.message);
    }

    #[test]
    fn coordinates_are_lon_lat_in_range_and_swaps_are_named() {
        let mut bid = example(BIDS_MD_EXAMPLE);
        // Цивильск is [47.47, 55.87]; written the other way round it is still in range.
        bid["bidPoints"][0]["geozone"]["location"]["coordinates"] = json!([55.86623, 47.4720139]);
        check_bid("", &bid).unwrap();
        bid["bidPoints"][1]["geozone"]["location"]["coordinates"] = json!([54.7017154, 155.9507846]);
        let e = check_bid("", &bid).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("bidPoints[1].geozone.location.coordinates", "cargorun.coordinates_swapped"));
        assert!(e.message.contains("looks like [lat, lon]; GeoJSON is [lon, lat]") && e.message.contains("send [155.9507846, 54.7017154]"));
        assert!(e.message_ru.contains("[широта, долгота]"));
        for (coordinates, code) in [
            (json!([190.0, 10.0]), "cargorun.coordinates_range"),
            (json!([100.0, 95.0]), "cargorun.coordinates_range"),
            (json!([10.0, -200.0]), "cargorun.coordinates_range"),
            (json!([55.9]), "cargorun.coordinates_shape"),
            (json!(["55.9", "54.7"]), "cargorun.coordinates_shape"),
            (json!([1, 2, 3, 4]), "cargorun.coordinates_shape"),
            (json!({"lat": 1}), "cargorun.coordinates_shape"),
        ] {
            bid["bidPoints"][1]["geozone"]["location"]["coordinates"] = coordinates.clone();
            assert_eq!(check_bid("", &bid).unwrap_err().code, code, "{coordinates}");
        }
        bid["bidPoints"][1]["geozone"]["location"]["coordinates"] = json!([55.9, 54.7, 120.0]);
        check_bid("", &bid).unwrap();
        // A geozone's polygon and named latitude/longitude.
        let polygon = json!({"geozone": {"coordinates": [[37.6, 55.7], [37.7, 55.8], [37.6, 95.0]]}});
        assert_eq!(check_coordinates("", &polygon).unwrap_err().field, "geozone.coordinates[2]");
        check_coordinates("", &json!({"geozone": {"coordinates": null, "location": {"coordinates": null}}})).unwrap();
        assert_eq!(check_coordinates("a", &json!({"latitude": 155.7, "longitude": 37.6})).unwrap_err().field, "a.latitude");
        assert_eq!(check_coordinates("", &json!({"latitude": 55.7, "longitude": -181})).unwrap_err().field, "longitude");
    }

    #[test]
    fn top_is_at_most_fifty_unless_opted_out() {
        for top in [0, 1, 50] {
            check_top(Some(top), false).unwrap();
        }
        let e = check_top(Some(51), false).unwrap_err();
        assert!(e.message.contains("block") && e.message_ru.contains("заблокировать") && e.message.contains(TOP_OPT_OUT));
        check_top(Some(10_000), true).unwrap();
        assert_eq!(check_top(Some(-1), true).unwrap_err().code, "cargorun.top");
        check_top(None, false).unwrap();
    }

    #[test]
    fn every_required_list_names_its_page() {
        for r in ALL_REQUIRED {
            assert!(r.source.contains(".md §"), "{}: {}", r.entity, r.source);
            assert!(!r.fields.is_empty());
        }
    }

    proptest! {
        /// Every in-range [lon, lat] passes.
        #[test]
        fn in_range_positions_pass(lon in -180.0f64..=180.0, lat in -90.0f64..=90.0) {
            prop_assert!(check_position("p", &json!([lon, lat])).is_ok());
        }

        /// A real point written as [lat, lon] whose longitude is beyond ±90 (the Far East,
        /// Chukotka) is named as swapped, and the pair turned round passes.
        #[test]
        fn swapped_pairs_beyond_ninety_are_named(lon in 90.000_001f64..=180.0, lat in -90.0f64..=90.0, west in any::<bool>()) {
            let lon = if west { -lon } else { lon };
            let e = check_position("p", &json!([lat, lon])).unwrap_err();
            prop_assert_eq!(e.code, "cargorun.coordinates_swapped");
            prop_assert!(check_position("p", &json!([lon, lat])).is_ok());
        }

        /// A longitude beyond ±180 or a latitude beyond ±180 is out of range, never "swapped".
        #[test]
        fn far_out_values_are_out_of_range(big in 180.000_001f64..1e9, small in -90.0f64..=90.0, negative in any::<bool>(), lat_first in any::<bool>()) {
            let big = if negative { -big } else { big };
            let pair = if lat_first { json!([small, big]) } else { json!([big, small]) };
            prop_assert_eq!(check_position("p", &pair).unwrap_err().code, "cargorun.coordinates_range");
        }
    }
}
