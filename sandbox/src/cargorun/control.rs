//! The control API's CARGO.RUN side (paths and bodies in the [module doc](super)): the
//! sandbox clock, the token settings, expiring every token, the per-id call counter,
//! completing a bid, distributing an order, reset.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::control::decode;
use crate::{ApiError, AppState, IdParam};

type Shared = Arc<AppState>;

fn body_or_default<T: for<'de> Deserialize<'de> + Default>(
    what: &str,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let body = body?;
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        decode(what, &body)
    }
}

/// Body of `POST /_control/cargorun/clock`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockBody {
    advance_seconds: i64,
}

/// Body of `POST /_control/cargorun/settings`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    token_lifetime_seconds: Option<i64>,
    cooldown_seconds: Option<i64>,
}

/// Body of `POST /_control/cargorun/tokens/expire`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpireBody {
    #[serde(default)]
    refresh_tokens: bool,
}

/// Body of `POST /_control/cargorun/bids/{id}/complete`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompleteBody {
    mileage: Option<f64>,
}

/// Body of `POST /_control/cargorun/distribution_bids/{id}/distribute`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DistributeBody {
    bid_id: u64,
}

/// Mileage of a bid the control API completes without one, in km.
pub const DEFAULT_MILEAGE: f64 = 100.0;

/// The control routes of this emulator.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/_control/cargorun/clock", get(clock).post(advance_clock))
        .route(
            "/_control/cargorun/settings",
            get(settings).post(set_settings),
        )
        .route("/_control/cargorun/tokens/expire", post(expire))
        .route("/_control/cargorun/calls", get(calls).delete(clear_calls))
        .route("/_control/cargorun/bids/{id}/complete", post(complete))
        .route(
            "/_control/cargorun/distribution_bids/{id}/distribute",
            post(distribute),
        )
        .route("/_control/cargorun/reset", post(reset))
}

fn clock_answer(inner: &super::state::Inner) -> Json<Value> {
    Json(json!({"now": inner.clock.stamp(), "offset_seconds": inner.clock.offset_seconds}))
}

async fn clock(State(app): State<Shared>) -> Json<Value> {
    clock_answer(&app.cargorun.lock())
}

async fn advance_clock(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body: ClockBody = decode("clock body", &body?)?;
    let mut inner = app.cargorun.lock();
    inner.clock.offset_seconds = inner
        .clock
        .offset_seconds
        .checked_add(body.advance_seconds)
        .filter(|o| o.abs() < 100 * 365 * 86_400)
        .ok_or_else(|| {
            ApiError::bad_request("advance_seconds moves the clock more than 100 years.")
        })?;
    Ok(clock_answer(&inner))
}

fn settings_answer(inner: &super::state::Inner) -> Json<Value> {
    Json(json!({
        "token_lifetime_seconds": inner.auth.token_lifetime_seconds,
        "cooldown_seconds": inner.auth.cooldown_seconds,
    }))
}

async fn settings(State(app): State<Shared>) -> Json<Value> {
    settings_answer(&app.cargorun.lock())
}

async fn set_settings(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body: SettingsBody = body_or_default("settings body", body)?;
    if body.token_lifetime_seconds.is_some_and(|s| s < 1) {
        return Err(ApiError::bad_request(
            "token_lifetime_seconds must be at least 1.",
        ));
    }
    if body.cooldown_seconds.is_some_and(|s| s < 0) {
        return Err(ApiError::bad_request(
            "cooldown_seconds must not be negative.",
        ));
    }
    let mut inner = app.cargorun.lock();
    if let Some(s) = body.token_lifetime_seconds {
        inner.auth.token_lifetime_seconds = s;
    }
    if let Some(s) = body.cooldown_seconds {
        inner.auth.cooldown_seconds = s;
    }
    Ok(settings_answer(&inner))
}

async fn expire(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let body: ExpireBody = body_or_default("expire body", body)?;
    let mut inner = app.cargorun.lock();
    let now = inner.clock.now();
    let expired = inner.auth.expire_all(now, body.refresh_tokens);
    Ok(Json(json!({"expired": expired})))
}

async fn calls(State(app): State<Shared>) -> Json<Value> {
    Json(json!(app.cargorun.lock().calls))
}

async fn clear_calls(State(app): State<Shared>) -> StatusCode {
    app.cargorun.lock().calls.clear();
    StatusCode::NO_CONTENT
}

async fn complete(
    State(app): State<Shared>,
    id: IdParam,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = id.or_not_found()?;
    let body: CompleteBody = body_or_default("complete body", body)?;
    let mileage = body.mileage.unwrap_or(DEFAULT_MILEAGE);
    if !(mileage.is_finite() && mileage >= 0.0) {
        return Err(ApiError::bad_request(
            "mileage must be a non-negative number.",
        ));
    }
    let mut inner = app.cargorun.lock();
    if inner.get("bids", id).is_none() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("No bid {id}."),
        ));
    }
    super::bids::complete(&mut inner, id, mileage, &[])
        .map_err(|e| ApiError::new(StatusCode::CONFLICT, e.text))?;
    Ok(Json(
        inner
            .get("bids", id)
            .map(|b| Value::Object(b.clone()))
            .unwrap_or(Value::Null),
    ))
}

async fn distribute(
    State(app): State<Shared>,
    id: IdParam,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = id.or_not_found()?;
    let body: DistributeBody = decode("distribute body", &body?)?;
    let mut inner = app.cargorun.lock();
    super::bids::distribute(&mut inner, id, body.bid_id)
        .map(Json)
        .map_err(|e| ApiError::new(StatusCode::CONFLICT, e.text))
}

async fn reset(State(app): State<Shared>) -> StatusCode {
    app.cargorun.reset();
    StatusCode::NO_CONTENT
}
