//! The directories that share the `Apply` pattern (directories.md §1, counterparties.md):
//! drivers, cars, trailers, counterparties with their contracts and points, legal persons.
//!
//! - `Apply` with `id` 0 (or absent, or null) creates and answers the new id as a JSON
//!   number (the pages give no answer: the sandbox's choice); `id` > 0 replaces the object
//!   (the pages: "передавайте актуальные значения"), an unknown id is a 400;
//! - the fields of minimal-requirements.md are required (present, not null, not blank):
//!   a 400 names the first one missing;
//! - `Delete` is soft (`isDeleted: true`); a driver, car, trailer or legal person used by
//!   a `Started` or `Planned` bid cannot be deleted (directories.md §2.2, §3.2, §4.2, §6.2);
//! - `Restore` clears `isDeleted`; lists leave deleted objects out unless `withDeleted=true`;
//! - `createdAt` and `updatedAt` come from the sandbox clock.

use serde_json::{json, Map, Value};

use super::odata::{Options, Row};
use super::state::{is_deleted, Inner};
use super::{Call, CargorunError, Reply};

/// One directory.
#[derive(Debug)]
pub struct Directory {
    /// The name in endpoint ids (`cargorun.drivers.apply` → `drivers`).
    pub name: &'static str,
    /// The table holding it.
    pub table: &'static str,
    /// How messages name one object.
    pub label: &'static str,
    /// Fields required on apply (minimal-requirements.md, counterparties.md).
    pub required: &'static [&'static str],
    /// Belongs to a counterparty: `counterpartyId` required and live, lists take it.
    pub of_counterparty: bool,
    /// The bid field that names an object of this directory (for the delete guard).
    pub used_by_bids: Option<&'static str>,
    /// Date-only fields (counterparties.md: a contract's `date`).
    pub dates: &'static [&'static str],
    /// The list answers `{totalCount, collection}` (the Swagger's `ICollatedCollection`).
    pub collated: bool,
}

/// The directories.
pub static DIRECTORIES: &[Directory] = &[
    Directory {
        name: "drivers",
        table: "drivers",
        label: "Водитель",
        required: &["firstName", "lastName", "phoneNumber"],
        of_counterparty: false,
        used_by_bids: Some("driverId"),
        dates: &[],
        collated: false,
    },
    Directory {
        name: "cars",
        table: "cars",
        label: "Автомобиль",
        required: &["number"],
        of_counterparty: false,
        used_by_bids: Some("carId"),
        dates: &[],
        collated: false,
    },
    Directory {
        name: "trailers",
        table: "trailers",
        label: "Прицеп",
        required: &["number"],
        of_counterparty: false,
        used_by_bids: Some("trailerId"),
        dates: &[],
        collated: false,
    },
    Directory {
        name: "counterparties",
        table: "counterparties",
        label: "Контрагент",
        required: &["name", "inn"],
        of_counterparty: false,
        used_by_bids: None,
        dates: &[],
        collated: false,
    },
    Directory {
        name: "contracts",
        table: "contracts",
        label: "Договор",
        required: &[],
        of_counterparty: true,
        used_by_bids: None,
        dates: &["date"],
        collated: true,
    },
    Directory {
        name: "counterparty_points",
        table: "counterparty_points",
        label: "Точка контрагента",
        required: &["geozone"],
        of_counterparty: true,
        used_by_bids: None,
        dates: &[],
        collated: true,
    },
    Directory {
        name: "legal_persons",
        table: "legal_persons",
        label: "Организация",
        required: &[],
        of_counterparty: false,
        used_by_bids: Some("legalPersonId"),
        dates: &[],
        collated: false,
    },
];

fn directory_of(call: &Call<'_>) -> Result<&'static Directory, CargorunError> {
    let name = call.endpoint.id.split('.').nth(1).unwrap_or("");
    DIRECTORIES.iter().find(|d| d.name == name).ok_or_else(|| {
        CargorunError::bad_request(format!("No directory for {}.", call.endpoint.id))
    })
}

/// An integer field of a body: absent or null is `None`, a non-integer a 400.
pub fn int_field(body: &Map<String, Value>, name: &str) -> Result<Option<u64>, CargorunError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .map(Some)
            .ok_or_else(|| {
                CargorunError::bad_request(format!("The value {v} is not valid for {name}."))
            }),
    }
}

/// A required integer field, or a 400 naming it.
pub fn required_int(body: &Map<String, Value>, name: &str) -> Result<u64, CargorunError> {
    int_field(body, name)?
        .ok_or_else(|| CargorunError::bad_request(format!("The {name} field is required.")))
}

/// The first of `fields` that is missing, null or blank, as a 400 naming it.
pub fn require(
    body: &Map<String, Value>,
    fields: &[&str],
    prefix: &str,
) -> Result<(), CargorunError> {
    for field in fields {
        let present = match body.get(*field) {
            None | Some(Value::Null) => false,
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
        };
        if !present {
            return Err(CargorunError::bad_request(format!(
                "The {prefix}{field} field is required."
            )));
        }
    }
    Ok(())
}

/// Whether a `Started` or `Planned` bid names `id` in `field`.
pub fn used_by_active_bid(state: &Inner, field: &str, id: u64) -> Option<u64> {
    state.tables.get("bids").and_then(|bids| {
        bids.values().find_map(|b| {
            let active = matches!(
                b.get("status").and_then(Value::as_str),
                Some("Started" | "Planned")
            );
            (active && !is_deleted(b) && b.get(field).and_then(Value::as_u64) == Some(id))
                .then(|| b.get("id").and_then(Value::as_u64).unwrap_or(0))
        })
    })
}

/// Stores `body` as a new object (`id` 0/absent) or over an existing one, keeping
/// `createdAt` and `isDeleted`; answers the id.
pub fn store(
    state: &mut Inner,
    table: &'static str,
    label: &str,
    mut body: Map<String, Value>,
) -> Result<u64, CargorunError> {
    let now = state.update_stamp();
    let id = match int_field(&body, "id")? {
        None | Some(0) => {
            let id = state.new_id();
            body.insert("createdAt".into(), json!(now));
            body.insert("isDeleted".into(), json!(false));
            id
        }
        Some(id) => {
            let old = state.get(table, id).ok_or_else(|| {
                CargorunError::bad_request(format!("{label} с id {id} не найден."))
            })?;
            for kept in ["createdAt", "isDeleted", "deletedAt"] {
                if let Some(v) = old.get(kept) {
                    body.insert(kept.into(), v.clone());
                }
            }
            id
        }
    };
    body.insert("id".into(), json!(id));
    body.insert("updatedAt".into(), json!(now));
    state.table(table).insert(id, body);
    Ok(id)
}

/// `cargorun.<directory>.apply`.
pub fn apply(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let d = directory_of(call)?;
    let body = call.object()?;
    require(&body, d.required, "")?;
    if d.of_counterparty {
        let parent = required_int(&body, "counterpartyId")?;
        if !call.state.live("counterparties", parent) {
            return Err(CargorunError::bad_request(format!(
                "Контрагент с id {parent} не найден."
            )));
        }
    }
    for field in d.dates {
        if let Some(v) = body.get(*field).filter(|v| !v.is_null()) {
            let ok = v
                .as_str()
                .is_some_and(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok());
            if !ok {
                return Err(CargorunError::bad_request(format!(
                    "The {field} field must be a date without time (YYYY-MM-DD), got {v}."
                )));
            }
        }
    }
    let id = store(call.state, d.table, d.label, body)?;
    Ok(Reply::Json(json!(id)))
}

/// The object a delete or restore body names (`{id}`, and `counterpartyId` where the
/// directory belongs to one and the body gives it), or a 400.
fn target(call: &Call<'_>, d: &Directory) -> Result<u64, CargorunError> {
    let body = call.object()?;
    let id = required_int(&body, "id")?;
    let obj = call
        .state
        .get(d.table, id)
        .ok_or_else(|| CargorunError::bad_request(format!("{} с id {id} не найден.", d.label)))?;
    if d.of_counterparty {
        if let Some(parent) = int_field(&body, "counterpartyId")? {
            if obj.get("counterpartyId").and_then(Value::as_u64) != Some(parent) {
                return Err(CargorunError::bad_request(format!(
                    "{} с id {id} не принадлежит контрагенту {parent}.",
                    d.label
                )));
            }
        }
    }
    Ok(id)
}

fn set_deleted(state: &mut Inner, table: &'static str, id: u64, deleted: bool) {
    let now = state.update_stamp();
    if let Some(obj) = state.table(table).get_mut(&id) {
        obj.insert("isDeleted".into(), json!(deleted));
        obj.insert("updatedAt".into(), json!(now));
        if table == "cars" {
            obj.insert(
                "deletedAt".into(),
                if deleted { json!(now) } else { Value::Null },
            );
        }
    }
}

/// `cargorun.<directory>.delete`.
pub fn delete(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let d = directory_of(call)?;
    let id = target(call, d)?;
    if let Some(field) = d.used_by_bids {
        if let Some(bid) = used_by_active_bid(call.state, field, id) {
            return Err(CargorunError::bad_request(format!(
                "{} с id {id} участвует в активной или запланированной заявке {bid} и не может быть удалён.",
                d.label
            )));
        }
    }
    set_deleted(call.state, d.table, id, true);
    Ok(Reply::Empty)
}

/// `cargorun.<directory>.restore`.
pub fn restore(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let d = directory_of(call)?;
    let id = target(call, d)?;
    set_deleted(call.state, d.table, id, false);
    Ok(Reply::Empty)
}

/// The OData options of a call, or a 400 naming the problem.
pub fn options(call: &Call<'_>) -> Result<Options, CargorunError> {
    // etrn.md lists `$select` for the titles; no other page does.
    let select = call.endpoint.id == "cargorun.etrn.titles";
    Options::read(|name| call.query.get(name), select).map_err(|e| CargorunError::bad_request(e.0))
}

/// A list answer: OData applied, `X-MetaCount` set; `{totalCount, collection}` when
/// `collated`.
pub fn odata_reply<'a, R: Into<Row<'a>>>(
    call: &Call<'_>,
    items: impl IntoIterator<Item = R>,
    collated: bool,
) -> Result<Reply, CargorunError> {
    let (page, total) = options(call)?.apply(items);
    Ok(if collated {
        Reply::Collated(page, total)
    } else {
        Reply::List(page, total)
    })
}

/// `cargorun.<directory>.list`.
pub fn list(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let d = directory_of(call)?;
    super::control::before_list(call.state, d.table);
    let with_deleted = call.query.flag("withDeleted")?;
    let only_insolvent = call.query.flag("onlyInsolvent")?;
    let parent = if d.of_counterparty {
        Some(call.query.id("counterpartyId")?)
    } else {
        None
    };
    let items = call
        .state
        .tables
        .get(d.table)
        .into_iter()
        .flat_map(|t| t.values())
        .filter(|o| with_deleted || !is_deleted(o))
        .filter(|o| !only_insolvent || o.get("isInsolvent").and_then(Value::as_bool) == Some(true))
        .filter(|o| parent.is_none() || o.get("counterpartyId").and_then(Value::as_u64) == parent);
    odata_reply(call, items, d.collated)
}

fn found(call: &Call<'_>, d: &Directory, id: u64) -> Result<Reply, CargorunError> {
    call.state
        .get(d.table, id)
        .map(|o| Reply::Json(Value::Object(o.clone())))
        .ok_or_else(|| CargorunError::not_found(format!("{} с id {id} не найден.", d.label)))
}

/// `cargorun.counterparties.get` (`Get({id})`), `cargorun.counterparty_points.get`
/// (`GetCounterpartyPoint/{id}`): the object, deleted ones included, or a 404.
pub fn get_by_path(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let d = directory_of(call)?;
    let id = call.path_id()?;
    found(call, d, id)
}

/// `cargorun.cars.get_for_edit` (`?id=`), `cargorun.contracts.get`
/// (`?counterpartyId=&contractId=`).
pub fn get_by_query(call: &mut Call<'_>) -> Result<Reply, CargorunError> {
    let d = directory_of(call)?;
    if d.of_counterparty {
        let parent = call.query.id("counterpartyId")?;
        let id = call.query.id("contractId")?;
        let belongs = call
            .state
            .get(d.table, id)
            .is_some_and(|o| o.get("counterpartyId").and_then(Value::as_u64) == Some(parent));
        if !belongs {
            return Err(CargorunError::not_found(format!(
                "{} с id {id} у контрагента {parent} не найден.",
                d.label
            )));
        }
        return found(call, d, id);
    }
    let id = call.query.id("id")?;
    found(call, d, id)
}
