//! The control API's iRECA side: a courier working an order, sessions, the callback log.
//!
//! - `POST /_control/ireca/courier` `{"orderId", "action": "take"|"deliver"|"close"|"cancel",
//!   "returnReasonId"?, "receipt"?}`: moves the order along the delivery statuses of the
//!   dictionary, as the courier's app would: take 6 → 7, deliver 7 → 9, close 7/9 → 10 (paid,
//!   receipt printed: a payment receipt, or a refund receipt for a refund order; `receipt`
//!   sets its attributes), cancel 6/7/9 → 11 with a return reason that exists. Each step
//!   writes both journals and a geo point and posts the order to the callback. An order
//!   already closed or cancelled is a 409; answers the order as the API shows it.
//! - `POST /_control/ireca/sessions` `{"courierId", "deviceId", "deviceTitle"?}`: opens a
//!   courier session (a license in use), answers it.
//! - `GET /_control/ireca/callbacks`: every callback delivery attempt, oldest first.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::access::open_session;
use super::fiscal::{print_receipt, RECEIPT_FIELDS};
use super::journal::Actor;
use super::orders::{self, commit, delivery_status, is_refund};
use super::spelling::{decimal, key_of};
use super::state::now;
use crate::control::decode;
use crate::{ApiError, AppState};

type Shared = Arc<AppState>;

/// Where a courier is when the order's address has no coordinates (Saint Petersburg).
const DEFAULT_POINT: (f64, f64) = (59.93863, 30.31413);
/// Accuracy of the app's geo points, metres.
const ACCURACY: u32 = 10;

/// Delivery statuses of the dictionary.
const PREPARED: i64 = 6;
const TAKEN: i64 = 7;
const DELIVERED: i64 = 9;
const CLOSED: i64 = 10;
const CANCELLED: i64 = 11;

/// What the courier does.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Takes the order from the warehouse: 6 → 7.
    Take,
    /// Hands it over: 7 → 9.
    Deliver,
    /// Takes the payment and prints the receipt: 7 or 9 → 10.
    Close,
    /// Cancels it with a return reason: 6, 7 or 9 → 11.
    Cancel,
}

impl Action {
    fn allowed_from(self) -> &'static [i64] {
        match self {
            Action::Take => &[PREPARED],
            Action::Deliver => &[TAKEN],
            Action::Close => &[TAKEN, DELIVERED],
            Action::Cancel => &[PREPARED, TAKEN, DELIVERED],
        }
    }

    fn target(self) -> i64 {
        match self {
            Action::Take => TAKEN,
            Action::Deliver => DELIVERED,
            Action::Close => CLOSED,
            Action::Cancel => CANCELLED,
        }
    }
}

/// Body of `POST /_control/ireca/courier`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CourierBody {
    order_id: Value,
    action: Action,
    #[serde(default)]
    return_reason_id: Option<Value>,
    #[serde(default)]
    receipt: Option<Map<String, Value>>,
}

/// Body of `POST /_control/ireca/sessions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SessionBody {
    courier_id: Value,
    device_id: String,
    #[serde(default)]
    device_title: Option<String>,
}

/// The control routes of this emulator.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/_control/ireca/courier", post(courier))
        .route("/_control/ireca/sessions", post(session))
        .route("/_control/ireca/callbacks", get(callback_log))
}

fn point_of(order: &Value) -> (f64, f64, u32) {
    let coord = |name: &str| {
        order["addressToEntity"]
            .get(name)
            .and_then(decimal)
            .and_then(|d| d.to_string().parse::<f64>().ok())
            .filter(|f| *f != 0.0)
    };
    match (coord("latitude"), coord("longitude")) {
        (Some(lat), Some(lon)) => (lat, lon, ACCURACY),
        _ => (DEFAULT_POINT.0, DEFAULT_POINT.1, ACCURACY),
    }
}

async fn courier(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body: CourierBody = decode("courier body", &body?)?;
    let key = key_of(&body.order_id)
        .ok_or_else(|| ApiError::bad_request("Invalid courier body: orderId must be an id."))?;
    if body.receipt.is_some() && body.action != Action::Close {
        return Err(ApiError::bad_request(
            "Invalid courier body: receipt goes with action \"close\" only.",
        ));
    }
    if let Some(name) = body
        .receipt
        .iter()
        .flat_map(|r| r.keys())
        .find(|k| !RECEIPT_FIELDS.contains(&k.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "Invalid courier body: unknown receipt field `{name}`, expected one of {}.",
            RECEIPT_FIELDS.join(", ")
        )));
    }
    let state = &app.ireca;
    let mut data = state.data();
    let current = data
        .orders
        .get(&key)
        .cloned()
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "No such iRECA order."))?;
    let from = delivery_status(&current).unwrap_or(PREPARED);
    if !body.action.allowed_from().contains(&from) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!(
                "Order {key} is in delivery status {from}; {:?} needs one of {:?}.",
                body.action,
                body.action.allowed_from()
            ),
        ));
    }
    let mut order = current.as_object().cloned().unwrap_or_default();
    order.insert("deliveryStatusId".into(), Value::from(body.action.target()));
    match body.action {
        Action::Cancel => {
            let reason = body
                .return_reason_id
                .as_ref()
                .and_then(key_of)
                .ok_or_else(|| {
                    ApiError::bad_request("Invalid courier body: cancel needs returnReasonId.")
                })?;
            let known = data
                .tables
                .get("return_reasons")
                .is_some_and(|t| t.contains_key(&reason));
            if !known {
                return Err(ApiError::bad_request(format!(
                    "Invalid courier body: return reason {reason} does not exist."
                )));
            }
            order.insert("returnReasonId".into(), Value::String(reason));
        }
        _ if body.return_reason_id.is_some() => {
            return Err(ApiError::bad_request(
                "Invalid courier body: returnReasonId goes with action \"cancel\" only.",
            ));
        }
        Action::Close => {
            let refund = is_refund(&current);
            let overrides = body.receipt.clone().unwrap_or_default();
            print_receipt(&mut data, &key, refund, &overrides);
            let payment_type = order.get("paymentId").cloned().unwrap_or(Value::Null);
            order.insert("statusId".into(), Value::from(1));
            order.insert("receiptStatusId".into(), Value::from(1));
            order.insert("frReceiptStatusId".into(), Value::from(1));
            order.insert("frUsedPaymentId".into(), payment_type.clone());
            let unpaid = order
                .get("payments")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty);
            if unpaid && !refund {
                let amount = order.get("amountToPay").cloned().unwrap_or(Value::Null);
                order.insert(
                    "payments".into(),
                    json!([{
                        "paymentId": format!("{key}-1"), "paymentTypeId": payment_type,
                        "price": amount, "paidIn": now()
                    }]),
                );
            }
        }
        Action::Take | Action::Deliver => {}
    }
    let order = Value::Object(order);
    let courier_id = order
        .get("courierId")
        .and_then(key_of)
        .unwrap_or_else(|| "0".into());
    let point = point_of(&order);
    data.locations.push((
        courier_id.clone(),
        json!({
            "orderId": order["orderId"], "deliveryStatusId": order["deliveryStatusId"],
            "returnReasonId": order.get("returnReasonId").cloned().unwrap_or(Value::Null),
            "longitude": point.1, "latitude": point.0, "accuracy": point.2,
            "createdAt": now()
        }),
    ));
    let actor = Actor::courier(courier_id, point);
    commit(state, &mut data, vec![(key.clone(), order)], &actor);
    Ok(Json(orders::answer(&key, &data.orders[&key])))
}

async fn session(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body: SessionBody = decode("session body", &body?)?;
    let courier = key_of(&body.courier_id)
        .ok_or_else(|| ApiError::bad_request("Invalid session body: courierId must be an id."))?;
    if body.device_id.trim().is_empty() {
        return Err(ApiError::bad_request(
            "Invalid session body: deviceId must not be empty.",
        ));
    }
    let title = body.device_title.unwrap_or_else(|| "sandbox device".into());
    let mut data = app.ireca.data();
    let session = open_session(&mut data, &courier, body.device_id.trim(), &title);
    Ok((StatusCode::CREATED, Json(session)))
}

async fn callback_log(State(app): State<Shared>) -> Json<Vec<Value>> {
    Json(app.ireca.deliveries.log())
}
