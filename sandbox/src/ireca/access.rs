//! Access settings of the app's roles, and the licenses (courier sessions on devices).
//!
//! - `permissions?roleId=&permissionId=`: the settings, filtered (the document also calls
//!   the second parameter `actionId`; both are read); `permissions/replace` sets or resets
//!   them for a role that exists and an action of the permissions dictionary, 204.
//! - `licenses`: `{"licenseUse", "licenseTotal", "licenses": [...]}`; `licenses/close?deviceId=`
//!   ends the device's session (204, 404 for a device without one) and posts the session to
//!   the license callback.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::callbacks::{self, Callback};
use super::dictionaries::{parsed, PERMISSIONS};
use super::spelling::{flag, key_of, spell};
use super::state::{now, Data};
use super::{Call, IrecaError, Reply};

/// Licenses the emulated account holds.
pub const LICENSE_TOTAL: u64 = 50;

fn action_description(action: &str) -> Option<String> {
    parsed(PERMISSIONS)
        .into_iter()
        .find(|p| p["permissionId"] == action)
        .and_then(|p| p["description"].as_str().map(str::to_string))
}

/// Every action allowed to the courier role, and the document's one open session.
pub fn seed(data: &mut Data) {
    for p in parsed(PERMISSIONS) {
        data.permissions.push(json!({
            "roleId": 908, "actionId": p["permissionId"], "roleTitle": "Курьер",
            "isAllowed": "1", "description": p["description"], "updatedAt": "2021-05-04 15:39:36"
        }));
    }
    data.next_session_id = 2;
    data.licenses.push(json!({
        "sessionId": 1, "courierId": 1, "deviceId": "3ebf391b3c596bc8",
        "deviceTitle": "asus ME301T", "sessionStartAt": "2017-05-14 13:21:13"
    }));
}

/// `ireca.permissions.list`.
pub fn permissions(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let want = |name: &str| call.optional(name);
    let role = want("roleId");
    let action = want("permissionId").or_else(|| want("actionId"));
    let data = call.state.data();
    let items = data
        .permissions
        .iter()
        .filter(|p| role.is_none_or(|r| key_of(&p["roleId"]).as_deref() == Some(r)))
        .filter(|p| action.is_none_or(|a| p["actionId"] == a))
        .cloned()
        .collect();
    Ok(Reply::Json(StatusCode::OK, Value::Array(items)))
}

/// `ireca.permissions.replace`.
pub fn permissions_replace(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let items = call.json_array()?;
    let mut data = call.state.data();
    let mut rows = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let role = item.get("roleId").and_then(key_of).ok_or_else(|| {
            IrecaError::bad_request(format!(
                "Элемент {i}: не задан обязательный атрибут roleId."
            ))
        })?;
        let title = data
            .tables
            .get("roles")
            .and_then(|t| t.get(&role))
            .and_then(|r| r["title"].as_str().map(str::to_string))
            .ok_or_else(IrecaError::not_found)?;
        let action = item.get("actionId").and_then(Value::as_str).unwrap_or("");
        let description = action_description(action).ok_or_else(|| {
            IrecaError::bad_request(format!(
                "Элемент {i}: actionId должен быть идентификатором из справочника настроек доступа."
            ))
        })?;
        let allowed = item.get("isAllowed").and_then(flag).ok_or_else(|| {
            IrecaError::bad_request(format!("Элемент {i}: isAllowed должен быть 0 или 1."))
        })?;
        rows.push(json!({
            "roleId": role, "actionId": action, "roleTitle": title,
            "isAllowed": if allowed { "1" } else { "0" }, "description": description,
            "updatedAt": now()
        }));
    }
    for row in rows {
        let slot = data.permissions.iter_mut().find(|p| {
            key_of(&p["roleId"]) == key_of(&row["roleId"]) && p["actionId"] == row["actionId"]
        });
        match slot {
            Some(p) => *p = row,
            None => data.permissions.push(row),
        }
    }
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}

/// `ireca.licenses.list`.
pub fn licenses(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let data = call.state.data();
    let sessions: Vec<Value> = data
        .licenses
        .iter()
        .map(|s| {
            // The list shows the session without its id, as the document does.
            let mut s: Map<String, Value> = s.as_object().cloned().unwrap_or_default();
            s.shift_remove("sessionId");
            Value::Object(s)
        })
        .collect();
    Ok(Reply::Json(
        StatusCode::OK,
        json!({
            "licenseUse": sessions.len(),
            "licenseTotal": LICENSE_TOTAL,
            "licenses": sessions,
        }),
    ))
}

/// `ireca.licenses.close`.
pub fn license_close(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let device = call.required("deviceId")?;
    let mut data = call.state.data();
    let at = data
        .licenses
        .iter()
        .position(|s| s["deviceId"] == device)
        .ok_or_else(IrecaError::not_found)?;
    let mut session = data.licenses.remove(at);
    if let Some(s) = session.as_object_mut() {
        s.insert("sessionFinishAt".into(), Value::String(now()));
    }
    if let Some(url) = Callback::target(&data.license_callback) {
        call.state
            .deliveries
            .send("license_session", url, spell(&session, false));
    }
    Ok(Reply::Empty(StatusCode::NO_CONTENT))
}

/// `ireca.licenses.set_callback`.
pub fn license_callback(call: &Call<'_>) -> Result<Reply, IrecaError> {
    let callback = callbacks::registration(call)?;
    call.state.data().license_callback = Some(callback);
    callbacks::registered()
}

/// Opens a session for a courier on a device (the control API's way to give the license
/// list and its callback something to show).
pub fn open_session(data: &mut Data, courier_id: &str, device_id: &str, title: &str) -> Value {
    let id = data.next_session_id;
    data.next_session_id += 1;
    let session = json!({
        "sessionId": id, "courierId": courier_id, "deviceId": device_id,
        "deviceTitle": title, "sessionStartAt": now()
    });
    data.licenses.retain(|s| s["deviceId"] != device_id);
    data.licenses.push(session.clone());
    session
}
