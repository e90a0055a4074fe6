//! The order journals and the couriers' geo points.
//!
//! - Change journal (`journal?entityId=`): one entry per change of an order. A creation is
//!   `{"event": "create", ..., "beforeItem": null, "afterItem": null}` as the document shows;
//!   an update is `"update"` with only the changed attributes before and after.
//! - Status journal (`orders/journalStatuses?orderId=`): one entry per delivery status an
//!   order takes (its first included), with where the change happened.
//! - Locations (`locations?courierId=`): the points a courier reported while working.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::spelling::{odd_key, spell};
use super::state::{now, Data, Page};
use super::{Call, IrecaError, Reply};

/// Who made a change, for the journals.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The change journal's `source`.
    pub source: String,
    /// The courier, when the app made the change.
    pub courier_id: Option<String>,
    /// Where: (latitude, longitude, accuracy in metres).
    pub point: (f64, f64, u32),
}

impl Actor {
    /// A change through this API.
    pub fn api() -> Actor {
        Actor {
            source: "API".into(),
            courier_id: None,
            point: (0.0, 0.0, 0),
        }
    }

    /// A change in the courier's app (the document's source text).
    pub fn courier(courier_id: String, point: (f64, f64, u32)) -> Actor {
        Actor {
            source: "Application: iRECA Courier".into(),
            courier_id: Some(courier_id),
            point,
        }
    }
}

/// Values compared as the service would store them (spelling aside).
fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    let norm = |v: Option<&Value>| v.map(|v| spell(&json!({ "v": v }), false)["v"].clone());
    norm(a) == norm(b)
}

/// Journals the change of order `key` from `before` to `after`; returns whether anything
/// changed.
pub fn record(
    data: &mut Data,
    key: &str,
    before: Option<&Value>,
    after: &Value,
    actor: &Actor,
) -> bool {
    let created_at = now();
    let (event, before_item, after_item) = match before {
        None => ("create", Value::Null, Value::Null),
        Some(before) => {
            let (mut b, mut a) = (Map::new(), Map::new());
            let empty = Map::new();
            let old = before.as_object().unwrap_or(&empty);
            let new = after.as_object().unwrap_or(&empty);
            for name in old.keys().chain(new.keys()) {
                if !same(old.get(name), new.get(name)) && !a.contains_key(name) {
                    b.insert(name.clone(), old.get(name).cloned().unwrap_or(Value::Null));
                    a.insert(name.clone(), new.get(name).cloned().unwrap_or(Value::Null));
                }
            }
            if a.is_empty() {
                return false;
            }
            ("update", Value::Object(b), Value::Object(a))
        }
    };
    data.change_journal.push((
        key.to_string(),
        json!({
            "event": event,
            "source": actor.source,
            "courierId": actor.courier_id,
            "createdAt": created_at,
            "beforeItem": before_item,
            "afterItem": after_item,
        }),
    ));
    let status = after.get("deliveryStatusId");
    if before.is_none() || !same(before.and_then(|b| b.get("deliveryStatusId")), status) {
        let (latitude, longitude, accuracy) = actor.point;
        data.status_journal
            .entry(key.to_string())
            .or_default()
            .push(json!({
                "statusId": status.cloned().unwrap_or(Value::Null),
                "returnReasonId": after.get("returnReasonId").cloned().unwrap_or(Value::Null),
                "longitude": longitude,
                "latitude": latitude,
                "accuracy": accuracy,
                "createdAt": created_at,
            }));
    }
    true
}

/// `ireca.orders.status_journal`: 404 for an order that never existed.
pub fn status_journal(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let key = call.required("orderId")?;
    let data = call.state.data();
    let entries = data
        .status_journal
        .get(key)
        .ok_or_else(IrecaError::not_found)?;
    Ok(Reply::Json(
        StatusCode::OK,
        spell(&Value::Array(entries.clone()), odd_key(key)),
    ))
}

/// The entries of `log` for the key in parameter `key`, created at or after the date in
/// parameter `since` (if any), paged.
fn keyed_since(
    call: &Call<'_>,
    key: &str,
    since: &str,
    log: fn(&Data) -> &Vec<(String, Value)>,
) -> Result<Reply, IrecaError> {
    let key = call.required(key)?;
    let since = call.optional(since);
    let page = Page::from_params(call.params)?;
    let data = call.state.data();
    let entries = log(&data)
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, e)| e)
        // The dates sort as text: `YYYY-MM-DD HH:MM:SS`.
        .filter(|e| since.is_none_or(|s| e["createdAt"].as_str() >= Some(s)));
    let items = page.slice(entries).into_iter().cloned().collect();
    Ok(Reply::Json(StatusCode::OK, Value::Array(items)))
}

/// `ireca.journal.list`: an order's changes, from `startedAt` on, paged.
pub fn change_journal(call: &Call<'_>) -> Result<Reply, IrecaError> {
    keyed_since(call, "entityId", "startedAt", |d| &d.change_journal)
}

/// `ireca.locations.list`: a courier's points, from `createdAt` on, paged.
pub fn locations(call: &Call<'_>) -> Result<Reply, IrecaError> {
    keyed_since(call, "courierId", "createdAt", |d| &d.locations)
}
