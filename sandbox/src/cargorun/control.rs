//! The control API's CARGO.RUN side (paths and bodies in the [module doc](super)): the
//! sandbox clock, the token settings, expiring every token, the per-id call counter,
//! completing a bid, distributing an order, reset; and, for sync tests, rows seeded and
//! changed with .NET's 7-digit `updatedAt`:
//!
//! - `POST /_control/cargorun/seed` `{"table": "bids", "count": N, "ticks": T}` →
//!   `{"ids": [...]}`: N minimal rows (`id`, `number`, `status: New`, `comment`,
//!   `createdAt`, `updatedAt`, `isDeleted: false`) spread round-robin over T consecutive
//!   100 ns ticks (T = 1: all in one tick). `table` is `bids` (default) or
//!   `distribution_bids`.
//! - `POST /_control/cargorun/mutate` `{"table"?, "count": N, "seed": S, "same_tick_percent"?: P, "ids"?: [..]}`
//!   → `{"mutated": [{"id", "updatedAt"}, ...]}`: N rows picked at random (a SplitMix64
//!   stream from `seed`, the same rows for the same seed and data), or the rows `ids`
//!   names in that order (an unknown one is a 400), get a new `comment` and
//!   `updatedAt`; each one, with probability P % (default 30), in the same tick as the
//!   change before it (so in the same millisecond too), else 1–3 ticks later; never before
//!   the sandbox clock's second.
//! - `POST /_control/cargorun/mutate_on_list` with the same body → the setting: before
//!   every list call on that table (`bids.list_for_external`,
//!   `distribution_bids.list_for_external`, a directory's list), N rows are mutated as
//!   above (the seed advancing), so data changes between any two pages. `count: 0` (or an
//!   empty body) turns it off; so does reset.
//! - `GET /_control/cargorun/versions?table=bids` → `[{"id", "updatedAt"}, ...]` by id:
//!   the truth a sync is checked against (deleted rows included).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
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
        .route("/_control/cargorun/seed", post(seed))
        .route("/_control/cargorun/mutate", post(mutate))
        .route("/_control/cargorun/mutate_on_list", get(mutate_on_list_setting).post(set_mutate_on_list))
        .route("/_control/cargorun/versions", get(versions))
}

/// Tables the seed, mutate and versions calls take.
const SYNC_TABLES: &[&str] = &["bids", "distribution_bids", "drivers", "cars", "trailers", "counterparties", "legal_persons"];

fn sync_table(name: Option<&str>) -> Result<&'static str, ApiError> {
    let name = name.unwrap_or("bids");
    SYNC_TABLES.iter().copied().find(|t| *t == name).ok_or_else(|| {
        ApiError::bad_request(format!("table must be one of {}, got '{name}'.", SYNC_TABLES.join(", ")))
    })
}

/// Body of `POST /_control/cargorun/seed`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedBody {
    table: Option<String>,
    count: u32,
    ticks: Option<u32>,
}

/// Body of `POST /_control/cargorun/mutate` and `/mutate_on_list`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MutateBody {
    table: Option<String>,
    count: u32,
    #[serde(default)]
    seed: u64,
    same_tick_percent: Option<u32>,
    /// These rows, in this order, instead of random ones (`/mutate` only).
    ids: Option<Vec<u64>>,
}

/// Rows mutated before each list call of a table (`/_control/cargorun/mutate_on_list`).
#[derive(Debug, Clone)]
pub struct MutateSpec {
    table: &'static str,
    count: u32,
    same_tick_percent: u32,
    /// The SplitMix64 state, advanced by every draw.
    rng: u64,
    /// Rows picked by the caller instead of at random.
    ids: Option<Vec<u64>>,
}

impl MutateSpec {
    fn of(body: MutateBody) -> Result<MutateSpec, ApiError> {
        let same_tick_percent = body.same_tick_percent.unwrap_or(30);
        if same_tick_percent > 100 {
            return Err(ApiError::bad_request("same_tick_percent must be 0 to 100."));
        }
        if body.count > 10_000 {
            return Err(ApiError::bad_request("count must be at most 10000."));
        }
        Ok(MutateSpec { table: sync_table(body.table.as_deref())?, count: body.count, same_tick_percent, rng: body.seed, ids: body.ids })
    }

    fn answer(&self) -> Value {
        json!({"table": self.table, "count": self.count, "same_tick_percent": self.same_tick_percent})
    }

    /// SplitMix64 (Steele, Lea, Flood 2014): a fixed, dependency-free stream, so a seed
    /// picks the same rows in every build.
    fn next(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Mutates `spec.count` random rows of `spec.table`: a new `comment` and `updatedAt`.
fn apply_mutations(inner: &mut super::state::Inner, spec: &mut MutateSpec) -> Vec<Value> {
    let ids: Vec<u64> = inner.tables.get(spec.table).map(|t| t.keys().copied().collect()).unwrap_or_default();
    let mut out = Vec::new();
    if ids.is_empty() {
        return out;
    }
    let chosen = spec.ids.clone();
    let count = chosen.as_ref().map_or(spec.count as usize, Vec::len);
    for i in 0..count {
        let id = match &chosen {
            Some(c) => c[i],
            None => ids[spec.below(ids.len() as u64) as usize],
        };
        let same_tick = spec.below(100) < u64::from(spec.same_tick_percent);
        let gap = 1 + spec.below(3) as u32;
        let current = inner.table(spec.table).get(&id).and_then(|r| r.get("updatedAt")).and_then(Value::as_str).and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
        let mut stamp = inner.tick_stamp(same_tick, gap);
        // A change always moves the row's own time forward: one left in the tick the row
        // already has (a same-tick chain reaching back to it) is invisible to any sync by
        // `updatedAt`, so the truth (`versions`) would hold changes no client can see.
        while current.is_some_and(|c| chrono::DateTime::parse_from_rfc3339(&stamp).is_ok_and(|t| t <= c)) {
            stamp = inner.tick_stamp(false, gap);
        }
        inner.mutations += 1;
        let n = inner.mutations;
        if let Some(row) = inner.table(spec.table).get_mut(&id) {
            row.insert("comment".into(), json!(format!("mutation {n}")));
            row.insert("updatedAt".into(), json!(stamp));
        }
        out.push(json!({"id": id, "updatedAt": stamp}));
    }
    out
}

/// Called by the list handlers: the mutations set for this table, if any.
pub(crate) fn before_list(inner: &mut super::state::Inner, table: &str) {
    let Some(mut spec) = inner.mutate_on_list.take() else { return };
    if spec.table == table {
        apply_mutations(inner, &mut spec);
    }
    inner.mutate_on_list = Some(spec);
}

async fn seed(State(app): State<Shared>, body: Result<Bytes, BytesRejection>) -> Result<Json<Value>, ApiError> {
    let body: SeedBody = decode("seed body", &body?)?;
    let table = sync_table(body.table.as_deref())?;
    if body.count > 10_000 {
        return Err(ApiError::bad_request("count must be at most 10000."));
    }
    let ticks = body.ticks.unwrap_or(1).max(1);
    let mut inner = app.cargorun.lock();
    let stamps: Vec<String> = (0..ticks).map(|_| inner.tick_stamp(false, 1)).collect();
    let created = inner.clock.stamp();
    let mut ids = Vec::new();
    for i in 0..body.count {
        let id = inner.new_id();
        let stamp = &stamps[(i % ticks) as usize];
        let row = json!({"id": id, "number": format!("SB-{id}"), "status": "New", "comment": "seeded",
                         "createdAt": created, "updatedAt": stamp, "isDeleted": false});
        if let Value::Object(row) = row {
            inner.table(table).insert(id, row);
        }
        ids.push(id);
    }
    Ok(Json(json!({"ids": ids, "ticks": stamps})))
}

async fn mutate(State(app): State<Shared>, body: Result<Bytes, BytesRejection>) -> Result<Json<Value>, ApiError> {
    let body: MutateBody = decode("mutate body", &body?)?;
    let mut spec = MutateSpec::of(body)?;
    let mut inner = app.cargorun.lock();
    let table = inner.tables.get(spec.table);
    if let Some(missing) = spec.ids.iter().flatten().find(|id| !table.is_some_and(|t| t.contains_key(id))) {
        return Err(ApiError::bad_request(format!("No row {missing} in {}.", spec.table)));
    }
    let mutated = apply_mutations(&mut inner, &mut spec);
    Ok(Json(json!({"mutated": mutated})))
}

async fn mutate_on_list_setting(State(app): State<Shared>) -> Json<Value> {
    let inner = app.cargorun.lock();
    Json(inner.mutate_on_list.as_ref().map(MutateSpec::answer).unwrap_or_else(|| json!({"count": 0})))
}

async fn set_mutate_on_list(State(app): State<Shared>, body: Result<Bytes, BytesRejection>) -> Result<Json<Value>, ApiError> {
    let body: MutateBody = body_or_default("mutate_on_list body", body)?;
    if body.ids.is_some() {
        return Err(ApiError::bad_request("ids is for /_control/cargorun/mutate only."));
    }
    let spec = MutateSpec::of(body)?;
    let mut inner = app.cargorun.lock();
    let answer = if spec.count == 0 { json!({"count": 0}) } else { spec.answer() };
    inner.mutate_on_list = (spec.count > 0).then_some(spec);
    Ok(Json(answer))
}

async fn versions(State(app): State<Shared>, RawQuery(q): RawQuery) -> Result<Json<Value>, ApiError> {
    let query = super::Query::parse(q.as_deref());
    let table = sync_table(query.get("table"))?;
    let inner = app.cargorun.lock();
    let rows: Vec<Value> = inner
        .tables
        .get(table)
        .into_iter()
        .flat_map(|t| t.values())
        .map(|r| json!({"id": r.get("id"), "updatedAt": r.get("updatedAt")}))
        .collect();
    Ok(Json(Value::Array(rows)))
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
