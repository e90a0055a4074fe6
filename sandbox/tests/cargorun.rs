//! The CARGO.RUN Logistics 2.0 emulator against the pages (`cargorun/latest/`), over real
//! HTTP: the token calls (issue, refresh, expiry, 401, the 429 cooldown), the sandbox clock,
//! every directory's apply/delete/restore/list cycle, the bid status machine, OData with
//! `X-MetaCount`, case-insensitive paths, and every one of the 74 typed ids.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;

use logibridge_sandbox::{cargorun::served_ids, Sandbox, SandboxConfig};
use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::{json, Value};

/// The 74 typed ids of ENDPOINTS.md § CARGO.RUN with their method and path (the Swagger's
/// spelling; `{id}` is filled in by the test).
const CALLS: &[(&str, &str, &str)] = &[
    (
        "cargorun.auth.generate_token",
        "POST",
        "api/Account/GenerateToken",
    ),
    (
        "cargorun.auth.refresh_token",
        "POST",
        "api/Account/RefreshToken",
    ),
    ("cargorun.drivers.apply", "POST", "api/Driver/Apply"),
    ("cargorun.drivers.delete", "POST", "api/Driver/Delete"),
    ("cargorun.drivers.restore", "POST", "api/Driver/Restore"),
    ("cargorun.drivers.list", "GET", "api/Driver/GetList"),
    ("cargorun.cars.apply", "POST", "api/Car/Apply"),
    ("cargorun.cars.delete", "POST", "api/Car/Delete"),
    ("cargorun.cars.list", "GET", "api/Car/GetList"),
    ("cargorun.cars.get_for_edit", "GET", "api/Car/GetForEdit"),
    (
        "cargorun.cars.mileage",
        "GET",
        "api/Car/GetCarMileageForPeriod",
    ),
    ("cargorun.trailers.apply", "POST", "api/Trailer/Apply"),
    ("cargorun.trailers.delete", "POST", "api/Trailer/Delete"),
    ("cargorun.trailers.list", "GET", "api/Trailer/GetList"),
    (
        "cargorun.counterparties.apply",
        "POST",
        "api/CargoOwnerDictionary/Apply",
    ),
    (
        "cargorun.counterparties.delete",
        "POST",
        "api/CargoOwnerDictionary/Delete",
    ),
    (
        "cargorun.counterparties.list",
        "GET",
        "api/CargoOwnerDictionary/Get",
    ),
    (
        "cargorun.counterparties.get",
        "GET",
        "api/CargoOwnerDictionary/Get({id})",
    ),
    (
        "cargorun.contracts.apply",
        "POST",
        "api/CargoOwnerDictionary/ApplyContract",
    ),
    (
        "cargorun.contracts.list",
        "GET",
        "api/CargoOwnerDictionary/GetContracts",
    ),
    (
        "cargorun.contracts.get",
        "GET",
        "api/CargoOwnerDictionary/GetContract",
    ),
    (
        "cargorun.contracts.delete",
        "POST",
        "api/CargoOwnerDictionary/DeleteContract",
    ),
    (
        "cargorun.counterparty_points.apply",
        "POST",
        "api/CargoOwnerDictionary/ApplyCounterpartyPoint",
    ),
    (
        "cargorun.counterparty_points.list",
        "GET",
        "api/CargoOwnerDictionary/GetCounterpartyPoints",
    ),
    (
        "cargorun.counterparty_points.get",
        "GET",
        "api/CargoOwnerDictionary/GetCounterpartyPoint/{id}",
    ),
    (
        "cargorun.counterparty_points.delete",
        "POST",
        "api/CargoOwnerDictionary/DeleteCounterpartyPoint",
    ),
    (
        "cargorun.counterparty_points.restore",
        "POST",
        "api/CargoOwnerDictionary/RestoreCounterpartyPoint",
    ),
    (
        "cargorun.legal_persons.apply",
        "POST",
        "api/LegalPersons/Apply",
    ),
    (
        "cargorun.legal_persons.delete",
        "POST",
        "api/LegalPersons/Delete",
    ),
    (
        "cargorun.legal_persons.list",
        "GET",
        "api/LegalPersons/GetList",
    ),
    (
        "cargorun.catalogs.get_simple",
        "GET",
        "api/Catalogs/GetSimple",
    ),
    ("cargorun.catalogs.get", "GET", "api/Catalogs/Get"),
    ("cargorun.catalogs.list", "GET", "api/Catalogs/GetCatalogs"),
    ("cargorun.catalogs.items", "GET", "api/Catalogs/GetItems"),
    ("cargorun.bids.apply", "POST", "api/TruckingBids/Apply"),
    ("cargorun.bids.patch", "POST", "api/TruckingBids/Patch"),
    (
        "cargorun.bids.set_status",
        "POST",
        "api/TruckingBids/SetStatus",
    ),
    (
        "cargorun.bids.force_complete",
        "POST",
        "api/TruckingBids/ForceComplete",
    ),
    ("cargorun.bids.revert", "POST", "api/TruckingBids/Revert"),
    (
        "cargorun.bids.apply_payment",
        "POST",
        "api/TruckingBids/ApplyBidPayment",
    ),
    (
        "cargorun.bids.trailer_replacements",
        "GET",
        "api/TruckingBids/GetTrailerReplacements",
    ),
    ("cargorun.bids.cancel", "POST", "api/Bids/Cancel"),
    ("cargorun.bids.delete", "POST", "api/Bids/Delete"),
    ("cargorun.bids.restore", "POST", "api/Bids/Restore"),
    ("cargorun.bids.get", "GET", "api/bids/Get/{id}"),
    (
        "cargorun.bids.list_for_external",
        "GET",
        "api/bids/GetListForExternal",
    ),
    (
        "cargorun.bids.documents",
        "GET",
        "api/bids/GetBidDocumentAssignmentsForBid",
    ),
    (
        "cargorun.distribution_bids.apply",
        "POST",
        "api/DistributionBids/Apply",
    ),
    (
        "cargorun.distribution_bids.list_for_external",
        "GET",
        "api/DistributionBids/GetListForExternal",
    ),
    (
        "cargorun.distribution_bids.external_info",
        "GET",
        "api/DistributionBids/GetListOfExternalInfo",
    ),
    (
        "cargorun.distribution_bids.external_statuses",
        "GET",
        "api/DistributionBids/GetListForExternalStatuses",
    ),
    (
        "cargorun.distribution_bids.get",
        "GET",
        "api/DistributionBids/Get/{id}",
    ),
    (
        "cargorun.distribution_bids.get_for_bid",
        "GET",
        "api/DistributionBids/GetForBid/{id}",
    ),
    (
        "cargorun.distribution_bids.cancel",
        "POST",
        "api/DistributionBids/Cancel",
    ),
    (
        "cargorun.distribution_bids.delete",
        "POST",
        "api/DistributionBids/Delete",
    ),
    (
        "cargorun.distribution_bids.restore",
        "POST",
        "api/DistributionBids/Restore",
    ),
    (
        "cargorun.distribution_bids.revert",
        "POST",
        "api/DistributionBids/Revert",
    ),
    ("cargorun.trackers.list", "GET", "api/Trackers/Get"),
    ("cargorun.trackers.attach", "POST", "api/Trackers/Attach"),
    ("cargorun.etrn.titles", "GET", "api/1c/Bills/GetTitles"),
    ("cargorun.etrn.title", "GET", "api/1c/Bills/GetTitle"),
    (
        "cargorun.etrn.apply_status",
        "POST",
        "api/1c/Bills/ApplyStatus",
    ),
    ("cargorun.map.geocode", "POST", "api/Map/GetAddresses"),
    (
        "cargorun.employees.list",
        "GET",
        "api/OrganizationEmployees/GetList",
    ),
    (
        "cargorun.employees.apply_user",
        "POST",
        "api/OrganizationEmployees/ApplyUser",
    ),
    (
        "cargorun.employees.invite",
        "POST",
        "api/OrganizationEmployees/Invite",
    ),
    (
        "cargorun.employees.remove_invite",
        "POST",
        "api/OrganizationEmployees/RemoveInvite",
    ),
    (
        "cargorun.employees.invitations",
        "GET",
        "api/OrganizationEmployees/GetInvitationList",
    ),
    (
        "cargorun.employees.add_role",
        "POST",
        "api/OrganizationEmployees/AddUserRole",
    ),
    (
        "cargorun.employees.remove_role",
        "POST",
        "api/OrganizationEmployees/RemoveUserRole",
    ),
    (
        "cargorun.employees.ban",
        "POST",
        "api/OrganizationEmployees/Ban",
    ),
    (
        "cargorun.employees.unban",
        "POST",
        "api/OrganizationEmployees/Unban",
    ),
    (
        "cargorun.employees.logists",
        "GET",
        "api/OrganizationEmployees/GetLogists",
    ),
    (
        "cargorun.employees.logist",
        "GET",
        "api/OrganizationEmployees/GetLogist",
    ),
];

/// An answer: status, headers we look at, body text and its JSON (`Null` when empty or
/// not JSON).
#[derive(Debug)]
struct Answer {
    status: u16,
    meta_count: Option<usize>,
    retry_after: Option<u64>,
    content_type: String,
    text: String,
    json: Value,
}

struct Env {
    sb: Sandbox,
    http: Client,
    token: Mutex<String>,
    refresh: Mutex<String>,
    hit: Mutex<BTreeSet<String>>,
}

fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()
        .unwrap()
}

impl Env {
    /// A fresh sandbox, signed in.
    fn new() -> Env {
        let env = Env::bare();
        let a = env.sign_in();
        assert_eq!(a.status, 200, "{a:?}");
        env
    }

    /// A fresh sandbox, not signed in.
    fn bare() -> Env {
        Env {
            sb: Sandbox::start().expect("sandbox starts"),
            http: client(),
            token: Mutex::new(String::new()),
            refresh: Mutex::new(String::new()),
            hit: Mutex::new(BTreeSet::new()),
        }
    }

    fn sign_in(&self) -> Answer {
        let a = self.send_with(
            "POST",
            "api/Account/GenerateToken",
            None,
            Some(json!({"userName": self.sb.cargorun_username(), "password": self.sb.cargorun_password()})),
        );
        if a.status == 200 {
            *self.token.lock().unwrap() = a.json["accessToken"].as_str().unwrap().to_string();
            *self.refresh.lock().unwrap() = a.json["refreshToken"].as_str().unwrap().to_string();
        }
        a
    }

    fn token(&self) -> String {
        self.token.lock().unwrap().clone()
    }

    fn send_with(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.sb.cargorun_url()));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().expect("request sent");
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let meta_count = header("X-MetaCount").map(|v| v.parse().unwrap());
        let retry_after = header("Retry-After").map(|v| v.parse().unwrap());
        let content_type = header("Content-Type").unwrap_or_default();
        let status = resp.status().as_u16();
        let text = resp.text().unwrap();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            meta_count,
            retry_after,
            content_type,
            text,
            json,
        }
    }

    /// A call with the current token.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.send_with(method, path, Some(&self.token()), body)
    }

    fn get(&self, path: &str) -> Answer {
        self.call("GET", path, None)
    }

    fn post(&self, path: &str, body: Value) -> Answer {
        self.call("POST", path, Some(body))
    }

    /// A typed call by id (method and path from [`CALLS`], `{id}` filled, `query`
    /// appended), expected to succeed; the id is recorded for the coverage test.
    fn ok(&self, id: &str, path_id: Option<u64>, query: &str, body: Option<Value>) -> Answer {
        let (_, method, path) = CALLS
            .iter()
            .find(|(i, _, _)| *i == id)
            .unwrap_or_else(|| panic!("{id}"));
        let mut path = path.replace("{id}", &path_id.map(|i| i.to_string()).unwrap_or_default());
        if !query.is_empty() {
            path = format!("{path}?{query}");
        }
        let a = self.call(method, &path, body);
        assert_eq!(a.status, 200, "{id} {path}: {a:?}");
        self.hit.lock().unwrap().insert(id.to_string());
        a
    }

    fn control(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(
            method,
            format!("{}_control/cargorun/{path}", self.sb.base_url()),
        );
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        (
            status,
            serde_json::from_str(&resp.text().unwrap()).unwrap_or(Value::Null),
        )
    }

    fn calls(&self) -> BTreeMap<String, u64> {
        serde_json::from_value(self.control("GET", "calls", None).1).unwrap()
    }

    fn id_of(a: &Answer) -> u64 {
        a.json.as_u64().unwrap_or_else(|| panic!("an id: {a:?}"))
    }

    fn driver(&self, first: &str) -> u64 {
        let a = self.ok("cargorun.drivers.apply", None, "", Some(json!({"id": 0, "firstName": first, "lastName": "Водителев", "phoneNumber": "+79990000001"})));
        Env::id_of(&a)
    }

    fn car(&self, number: &str) -> u64 {
        Env::id_of(&self.ok(
            "cargorun.cars.apply",
            None,
            "",
            Some(json!({"id": 0, "number": number})),
        ))
    }

    fn trailer(&self, number: &str) -> u64 {
        Env::id_of(&self.ok(
            "cargorun.trailers.apply",
            None,
            "",
            Some(json!({"id": 0, "number": number})),
        ))
    }

    fn counterparty(&self, name: &str) -> u64 {
        Env::id_of(&self.ok(
            "cargorun.counterparties.apply",
            None,
            "",
            Some(json!({"id": 0, "name": name, "inn": "1234567890"})),
        ))
    }

    /// A bid body as bids.md's example shapes it, over the given directory ids.
    fn bid_body(&self, driver: u64, car: u64, trailer: u64, counterparty: u64) -> Value {
        let point = |order: u64, kind: &str, lon: f64, lat: f64| {
            json!({"id": 0, "order": order, "type": kind, "planEnterDate": "2026-07-15T10:58:00Z",
                   "geozone": {"id": 0, "location": {"type": "Point", "coordinates": [lon, lat]},
                               "address": "Россия", "radius": 2000, "type": "BidPoint"}})
        };
        json!({
            "id": 0, "cargoOwnerDictionaryItemId": counterparty, "paymentTypeId": 41,
            "ndsTypeId": 129493473, "price": 45000, "externalId": "1C-0001",
            "driver": {"id": driver}, "carOption": {"carId": car}, "trailerOption": {"trailerId": trailer},
            "bidPoints": [point(0, "LoadPoint", 47.47, 55.86), point(1, "UnloadPoint", 55.95, 54.70)],
        })
    }

    /// A new bid over fresh directory objects: (bid, driver, car, trailer).
    fn bid(&self) -> (u64, u64, u64, u64) {
        let (d, c, t, cp) = (
            self.driver("Иван"),
            self.car("А001АА77"),
            self.trailer("ВВ123477"),
            self.counterparty("ООО Груз"),
        );
        let a = self.ok(
            "cargorun.bids.apply",
            None,
            "",
            Some(self.bid_body(d, c, t, cp)),
        );
        (Env::id_of(&a), d, c, t)
    }

    fn status(&self, bid: u64) -> String {
        self.get(&format!("api/bids/Get/{bid}")).json["status"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

fn jwt_payload(token: &str) -> Value {
    use base64::Engine;
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "header.payload.signature: {token}");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[1])
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

// ---- auth ----

#[test]
fn generate_token_answers_a_jwt_whose_exp_is_thirty_minutes_on() {
    let env = Env::bare();
    let a = env.sign_in();
    assert_eq!(a.status, 200, "{a:?}");
    let payload = jwt_payload(a.json["accessToken"].as_str().unwrap());
    let (iat, exp) = (
        payload["iat"].as_i64().unwrap(),
        payload["exp"].as_i64().unwrap(),
    );
    assert_eq!(exp - iat, 30 * 60, "auth.md §3.1: 30 minutes");
    assert_eq!(payload["name"], env.sb.cargorun_username());
    assert!(payload["sub"].is_string());
    assert!(a.json["refreshToken"]
        .as_str()
        .is_some_and(|r| !r.is_empty()));
    assert_eq!(
        a.json["currentUser"]["userName"],
        env.sb.cargorun_username()
    );
    assert_eq!(env.get("api/Driver/GetList").status, 200);
}

#[test]
fn wrong_credentials_are_a_400_in_plain_text() {
    let env = Env::bare();
    for body in [
        json!({"userName": env.sb.cargorun_username(), "password": "wrong"}),
        json!({"userName": "someone@else", "password": env.sb.cargorun_password()}),
        json!({"userName": env.sb.cargorun_username()}),
    ] {
        let a = env.send_with("POST", "api/Account/GenerateToken", None, Some(body));
        assert_eq!(a.status, 400, "{a:?}");
        assert!(a.content_type.starts_with("text/plain"), "{a:?}");
        assert!(!a.text.is_empty());
    }
}

#[test]
fn a_second_generate_token_within_the_cooldown_is_a_429_with_retry_after() {
    let env = Env::new();
    let a = env.sign_in();
    assert_eq!(a.status, 429, "{a:?}");
    let wait = a.retry_after.expect("Retry-After");
    assert!((1..=60).contains(&wait), "{wait}");
    // After the wait on the sandbox clock, signing in works again.
    env.control("POST", "clock", Some(json!({"advance_seconds": wait})));
    assert_eq!(env.sign_in().status, 200);
    // The cooldown is a setting.
    env.control("POST", "settings", Some(json!({"cooldown_seconds": 0})));
    assert_eq!(env.sign_in().status, 200);
}

#[test]
fn every_call_but_the_token_ones_needs_a_valid_bearer_token() {
    let env = Env::new();
    for token in [None, Some("not-a-token"), Some("a.b.c")] {
        let a = env.send_with("GET", "api/Driver/GetList", token, None);
        assert_eq!(a.status, 401, "{token:?}: {a:?}");
        assert!(a.text.is_empty());
    }
    // A token of another sandbox (same shape, same key) is not this one's.
    let other = Env::new();
    assert_eq!(
        env.send_with("GET", "api/Driver/GetList", Some(&other.token()), None)
            .status,
        401
    );
    assert_eq!(env.get("api/Driver/GetList").status, 200);
    // Every typed call but the two token ones, without a token.
    for (id, method, path) in CALLS.iter().filter(|c| !c.0.starts_with("cargorun.auth.")) {
        let a = env.send_with(method, &path.replace("{id}", "1"), None, Some(json!({})));
        assert_eq!(a.status, 401, "{id}: {a:?}");
    }
}

#[test]
fn the_token_expires_on_the_sandbox_clock_and_refresh_gives_a_new_pair_once() {
    let env = Env::new();
    let old = env.token();
    let refresh = env.refresh.lock().unwrap().clone();
    env.control("POST", "clock", Some(json!({"advance_seconds": 30 * 60})));
    assert_eq!(
        env.get("api/Driver/GetList").status,
        401,
        "expired after 30 min"
    );
    let body = json!({"accessToken": old, "refreshToken": refresh});
    let a = env.send_with("POST", "api/Account/RefreshToken", None, Some(body.clone()));
    assert_eq!(a.status, 200, "{a:?}");
    let new = a.json["accessToken"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(
        env.send_with("GET", "api/Driver/GetList", Some(&new), None)
            .status,
        200
    );
    // A refresh token is used once.
    let again = env.send_with("POST", "api/Account/RefreshToken", None, Some(body));
    assert_eq!(again.status, 401);
    let unknown = env.send_with(
        "POST",
        "api/Account/RefreshToken",
        None,
        Some(json!({"accessToken": new, "refreshToken": "nope"})),
    );
    assert_eq!(unknown.status, 401);
    let calls = env.calls();
    assert_eq!(calls["cargorun.auth.refresh_token"], 3);
    assert_eq!(calls["cargorun.auth.generate_token"], 1);
}

#[test]
fn the_lifetime_is_a_setting_and_expire_all_ends_every_token_now() {
    let env = Env::bare();
    let (s, v) = env.control(
        "POST",
        "settings",
        Some(json!({"token_lifetime_seconds": 120})),
    );
    assert_eq!((s, v["token_lifetime_seconds"].as_i64()), (200, Some(120)));
    env.sign_in();
    let p = jwt_payload(&env.token());
    assert_eq!(p["exp"].as_i64().unwrap() - p["iat"].as_i64().unwrap(), 120);
    assert_eq!(env.get("api/Driver/GetList").status, 200);
    let (s, v) = env.control("POST", "tokens/expire", None);
    assert_eq!((s, v["expired"].as_u64()), (200, Some(1)));
    assert_eq!(env.get("api/Driver/GetList").status, 401);
    // The refresh token still works unless revoked too.
    let refresh = env.refresh.lock().unwrap().clone();
    let a = env.send_with(
        "POST",
        "api/Account/RefreshToken",
        None,
        Some(json!({"accessToken": env.token(), "refreshToken": refresh})),
    );
    assert_eq!(a.status, 200);
    env.control(
        "POST",
        "tokens/expire",
        Some(json!({"refresh_tokens": true})),
    );
    let r = a.json["refreshToken"].as_str().unwrap();
    let b = env.send_with(
        "POST",
        "api/Account/RefreshToken",
        None,
        Some(json!({"accessToken": a.json["accessToken"], "refreshToken": r})),
    );
    assert_eq!(b.status, 401);
}

#[test]
fn control_bodies_with_unknown_fields_or_bad_values_are_refused() {
    let env = Env::bare();
    assert_eq!(
        env.control("POST", "settings", Some(json!({"lifetime": 5})))
            .0,
        400
    );
    assert_eq!(
        env.control(
            "POST",
            "settings",
            Some(json!({"token_lifetime_seconds": 0}))
        )
        .0,
        400
    );
    assert_eq!(
        env.control("POST", "clock", Some(json!({"advance_seconds": "x"})))
            .0,
        400
    );
}

#[test]
fn the_clock_moves_updated_at() {
    let env = Env::new();
    let id = env.driver("Пётр");
    let before = env.get("api/Driver/GetList").json[0]["updatedAt"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, clock) = env.control("POST", "clock", Some(json!({"advance_seconds": 86_400})));
    assert_eq!(clock["offset_seconds"], 86_400);
    // A day later the token has expired (and the cooldown is over): sign in again.
    assert_eq!(env.get("api/Driver/GetList").status, 401);
    assert_eq!(env.sign_in().status, 200);
    env.ok("cargorun.drivers.apply", None, "", Some(json!({"id": id, "firstName": "Пётр", "lastName": "Иванов", "phoneNumber": "+79990000002"})));
    let d = env.get("api/Driver/GetList").json[0].clone();
    let after = d["updatedAt"].as_str().unwrap();
    assert!(after > before.as_str(), "{before} → {after}");
    assert_eq!(
        d["createdAt"].as_str().unwrap(),
        before,
        "createdAt is kept"
    );
    assert_eq!(after, clock["now"].as_str().unwrap());
}

/// Reviewer's case: rows seeded in one tick, then mutated with every change chained into
/// the tick before it. A change must still move each row's own `updatedAt` forward, or no
/// sync by `updatedAt` could see it while `versions` counts it.
#[test]
fn a_mutation_always_moves_the_rows_updated_at_forward() {
    let env = Env::new();
    let (status, seeded) = env.control("POST", "seed", Some(json!({"table": "bids", "count": 5, "ticks": 1})));
    assert_eq!(status, 200, "{seeded}");
    let ids: Vec<u64> = seeded["ids"].as_array().unwrap().iter().take(3).map(|v| v.as_u64().unwrap()).collect();
    let versions = |env: &Env| -> std::collections::BTreeMap<u64, String> {
        let (_, v) = env.control("GET", "versions?table=bids", None);
        v.as_array().unwrap().iter().map(|r| (r["id"].as_u64().unwrap(), r["updatedAt"].as_str().unwrap().to_owned())).collect()
    };
    let before = versions(&env);
    let (status, changed) = env.control("POST", "mutate", Some(json!({"table": "bids", "count": 3, "ids": ids, "seed": 1, "same_tick_percent": 100})));
    assert_eq!(status, 200, "{changed}");
    let after = versions(&env);
    for id in &ids {
        assert!(after[id] > before[id], "bid {id}: {} → {}", before[id], after[id]);
    }
}

// ---- directories ----

#[test]
fn every_directory_creates_updates_deletes_restores_and_lists() {
    let env = Env::new();
    let cp = env.counterparty("ООО Ромашка");
    // (apply, delete, restore or "", list, list query, body)
    let cases: Vec<(&str, &str, &str, &str, String, Value)> = vec![
        (
            "drivers.apply",
            "drivers.delete",
            "drivers.restore",
            "drivers.list",
            String::new(),
            json!({"firstName": "Анна", "lastName": "Рулёва", "phoneNumber": "+79991112233"}),
        ),
        (
            "cars.apply",
            "cars.delete",
            "",
            "cars.list",
            String::new(),
            json!({"number": "Е777КХ77"}),
        ),
        (
            "trailers.apply",
            "trailers.delete",
            "",
            "trailers.list",
            String::new(),
            json!({"number": "АВ1234 77"}),
        ),
        (
            "counterparties.apply",
            "counterparties.delete",
            "",
            "counterparties.list",
            String::new(),
            json!({"name": "ООО Лютик", "inn": "7700000000", "kpp": null}),
        ),
        (
            "legal_persons.apply",
            "legal_persons.delete",
            "",
            "legal_persons.list",
            String::new(),
            json!({"name": "ООО Перевозчик"}),
        ),
        (
            "contracts.apply",
            "contracts.delete",
            "",
            "contracts.list",
            format!("counterpartyId={cp}"),
            json!({"counterpartyId": cp, "name": "Основной", "number": "Д-100", "date": "2026-07-01"}),
        ),
        (
            "counterparty_points.apply",
            "counterparty_points.delete",
            "counterparty_points.restore",
            "counterparty_points.list",
            format!("counterpartyId={cp}"),
            json!({"counterpartyId": cp, "name": "Склад", "geozone": {"id": 0, "type": "CounterpartyPoint"}}),
        ),
    ];
    for (apply, delete, restore, list, query, body) in cases {
        let id_of = |s: &str| format!("cargorun.{s}");
        let mut create = body.clone();
        create["id"] = json!(0);
        let id = Env::id_of(&env.ok(&id_of(apply), None, "", Some(create)));
        let listed = env.ok(&id_of(list), None, &query, None);
        let rows = listed
            .json
            .get("collection")
            .unwrap_or(&listed.json)
            .clone();
        let row = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{list}: {rows}"))
            .clone();
        assert_eq!(row["isDeleted"], false);
        assert!(
            row["createdAt"].is_string() && row["updatedAt"].is_string(),
            "{row}"
        );
        assert!(listed.meta_count.is_some(), "{list}: X-MetaCount");
        // Update: id > 0 replaces; an unknown id is a 400 in plain text.
        let mut update = body.clone();
        update["id"] = json!(id);
        update["comment"] = json!("изменён");
        assert_eq!(
            Env::id_of(&env.ok(&id_of(apply), None, "", Some(update.clone()))),
            id
        );
        update["id"] = json!(999_999);
        let (_, m, p) = CALLS.iter().find(|c| c.0 == id_of(apply)).unwrap();
        let unknown = env.call(m, p, Some(update));
        assert_eq!(unknown.status, 400, "{apply}: {unknown:?}");
        assert!(unknown.content_type.starts_with("text/plain"));
        // Delete is soft: gone from the list, back with withDeleted.
        let mut del = json!({"id": id});
        if query.starts_with("counterpartyId") {
            del["counterpartyId"] = json!(cp);
        }
        env.ok(&id_of(delete), None, "", Some(del.clone()));
        let rows_of = |q: &str| {
            let a = env.ok(&id_of(list), None, q, None);
            a.json
                .get("collection")
                .unwrap_or(&a.json)
                .as_array()
                .unwrap()
                .clone()
        };
        assert!(
            !rows_of(&query).iter().any(|r| r["id"] == id),
            "{list} hides deleted"
        );
        let sep = if query.is_empty() { "" } else { "&" };
        let with = rows_of(&format!("{query}{sep}withDeleted=true"));
        let deleted = with
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{list}: withDeleted"));
        assert_eq!(deleted["isDeleted"], true, "{list}: a soft delete");
        if !restore.is_empty() {
            env.ok(&id_of(restore), None, "", Some(del));
            assert!(rows_of(&query).iter().any(|r| r["id"] == id), "{restore}");
        }
    }
}

#[test]
fn required_fields_of_minimal_requirements_are_named_in_the_400() {
    let env = Env::new();
    for (path, body, field) in [
        (
            "api/Driver/Apply",
            json!({"id": 0, "firstName": "А", "lastName": "Б"}),
            "phoneNumber",
        ),
        (
            "api/Driver/Apply",
            json!({"id": 0, "firstName": " ", "lastName": "Б", "phoneNumber": "+79990000000"}),
            "firstName",
        ),
        ("api/Car/Apply", json!({"id": 0}), "number"),
        (
            "api/Trailer/Apply",
            json!({"id": 0, "number": null}),
            "number",
        ),
        (
            "api/CargoOwnerDictionary/Apply",
            json!({"id": 0, "name": "ООО"}),
            "inn",
        ),
        (
            "api/CargoOwnerDictionary/ApplyContract",
            json!({"id": 0}),
            "counterpartyId",
        ),
    ] {
        let a = env.post(path, body);
        assert_eq!(a.status, 400, "{path}: {a:?}");
        assert!(a.text.contains(field), "{path}: {}", a.text);
    }
    let cp = env.counterparty("ООО");
    let a = env.post(
        "api/CargoOwnerDictionary/ApplyContract",
        json!({"id": 0, "counterpartyId": cp, "date": "2026-07-01T00:00:00Z"}),
    );
    assert_eq!(a.status, 400, "a contract date is date-only: {a:?}");
    assert!(a.text.contains("date"));
}

#[test]
fn a_driver_car_or_trailer_of_an_active_bid_cannot_be_deleted() {
    let env = Env::new();
    let (bid, driver, car, trailer) = env.bid();
    // A started bid holds them (a New one is a draft).
    env.ok(
        "cargorun.bids.set_status",
        None,
        "",
        Some(json!({"bidId": bid, "status": "Started"})),
    );
    for (path, id) in [
        ("api/Driver/Delete", driver),
        ("api/Car/Delete", car),
        ("api/Trailer/Delete", trailer),
    ] {
        let a = env.post(path, json!({"id": id}));
        assert_eq!(a.status, 400, "{path}: {a:?}");
        assert!(a.text.contains(&bid.to_string()), "{}", a.text);
    }
    env.ok(
        "cargorun.bids.cancel",
        None,
        "",
        Some(json!({"bidId": bid})),
    );
    assert_eq!(
        env.post("api/Driver/Delete", json!({"id": driver})).status,
        200
    );
}

// ---- bids ----

#[test]
fn a_bid_needs_two_points_a_loading_and_an_unloading_and_known_ids() {
    let env = Env::new();
    let (d, c, t, cp) = (
        env.driver("И"),
        env.car("К001"),
        env.trailer("П001"),
        env.counterparty("ООО"),
    );
    let good = env.bid_body(d, c, t, cp);
    let mut cases = Vec::new();
    let mut one = good.clone();
    one["bidPoints"].as_array_mut().unwrap().pop();
    cases.push((one, "bidPoints"));
    let mut two_loads = good.clone();
    two_loads["bidPoints"][1]["type"] = json!("LoadPoint");
    cases.push((two_loads, "UnloadPoint"));
    let mut no_zone = good.clone();
    no_zone["bidPoints"][0]
        .as_object_mut()
        .unwrap()
        .remove("geozone");
    cases.push((no_zone, "bidPoints[0].geozone"));
    let mut no_price = good.clone();
    no_price.as_object_mut().unwrap().remove("price");
    cases.push((no_price, "price"));
    let mut no_driver = good.clone();
    no_driver.as_object_mut().unwrap().remove("driver");
    cases.push((no_driver, "driver"));
    let mut ghost = good.clone();
    ghost["carOption"]["carId"] = json!(424242);
    cases.push((ghost, "carOption"));
    let mut bad_type = good.clone();
    bad_type["paymentTypeId"] = json!(7);
    cases.push((bad_type, "paymentTypeId"));
    for (body, field) in cases {
        let a = env.post("api/TruckingBids/Apply", body);
        assert_eq!(a.status, 400, "{field}: {a:?}");
        assert!(a.text.contains(field), "{field}: {}", a.text);
    }
    // An empty-mileage bid needs no price or counterparty (bids.md).
    let mut empty = good.clone();
    for f in [
        "price",
        "cargoOwnerDictionaryItemId",
        "paymentTypeId",
        "ndsTypeId",
    ] {
        empty.as_object_mut().unwrap().remove(f);
    }
    empty["isEmptyMileageBid"] = json!(true);
    assert_eq!(env.post("api/TruckingBids/Apply", empty).status, 200);
    let created = env.post("api/TruckingBids/Apply", good);
    assert_eq!(created.status, 200);
    let bid = env
        .get(&format!("api/bids/Get/{}", Env::id_of(&created)))
        .json;
    assert_eq!(bid["status"], "New");
    assert_eq!(bid["driverId"], d);
    assert!(
        bid["bidPoints"][0]["id"].as_u64().unwrap() > 0,
        "points get ids"
    );
}

#[test]
fn the_scenario_example_is_accepted_with_ids_from_the_directories() {
    // scenario-external-to-cr.md §4's example, its directory ids replaced: points and
    // geozones without ids or geozone type, the price as text, ndsTypeId 40.
    let env = Env::new();
    let (d, c, t, cp) = (
        env.driver("Сц"),
        env.car("С001"),
        env.trailer("С002"),
        env.counterparty("ООО Сценарий"),
    );
    let zone = |lon: f64, lat: f64, city: &str| {
        json!({"location": {"type": "Point", "coordinates": [lon, lat]}, "address": format!("Россия, {city}"),
               "city": city, "radius": 0})
    };
    let mut body = json!({
        "id": 0, "cargoOwnerDictionaryItemId": cp, "paymentTypeId": 41, "ndsTypeId": 40, "price": "234000",
        "cargos": [{"name": "ТНП", "typeId": 707, "extendedProperties": []}],
        "typeOptions": [{"entityOptionId": 14655740, "id": 14655282}],
        "bidPoints": [
            {"order": 0, "type": "LoadPoint", "planEnterDate": "2021-01-07 04:33", "geozone": zone(52.41, 55.71, "Набережные Челны")},
            {"order": 1, "type": "UnloadPoint", "planEnterDate": "2021-01-07 13:33", "geozone": zone(48.39, 54.30, "Ульяновск"), "cargoOwnerDictionaryItemId": null},
        ],
        "driver": {"id": d}, "carOption": {"carId": c}, "trailerOption": {"trailerId": t},
    });
    let id = Env::id_of(&env.ok("cargorun.bids.apply", None, "", Some(body.clone())));
    let bid = env.get(&format!("api/bids/Get/{id}")).json;
    assert_eq!(bid["status"], "New");
    assert!(bid["bidPoints"][1]["id"].as_u64().unwrap() > 0);
    body["bidPoints"][1]["geozone"]
        .as_object_mut()
        .unwrap()
        .remove("location");
    let a = env.post("api/TruckingBids/Apply", body);
    assert_eq!(a.status, 400);
    assert!(
        a.text.contains("bidPoints[1].geozone.location"),
        "{}",
        a.text
    );
}

#[test]
fn the_bid_status_machine_allows_what_statuses_md_allows_and_refuses_the_rest() {
    let env = Env::new();
    let (bid, ..) = env.bid();
    let post = |path: &str, body: Value| env.post(path, body).status;
    // Delete only from New; revert from New is refused.
    assert_eq!(post("api/TruckingBids/Revert", json!({"bidId": bid})), 400);
    assert_eq!(
        post(
            "api/TruckingBids/ForceComplete",
            json!({"bidId": bid, "mileage": 10})
        ),
        400,
        "not started"
    );
    assert_eq!(
        post(
            "api/TruckingBids/SetStatus",
            json!({"bidId": bid, "status": "Done"})
        ),
        400,
        "Done is ForceComplete's"
    );
    assert_eq!(
        post(
            "api/TruckingBids/SetStatus",
            json!({"bidId": bid, "status": "Started"})
        ),
        200
    );
    assert_eq!(env.status(bid), "Started");
    assert_eq!(
        post("api/Bids/Delete", json!({"bidId": bid})),
        400,
        "delete only from New"
    );
    assert_eq!(
        post(
            "api/TruckingBids/SetStatus",
            json!({"bidId": bid, "status": "Planned"})
        ),
        400
    );
    assert_eq!(
        post(
            "api/TruckingBids/ForceComplete",
            json!({"bidId": bid, "mileage": 321.5, "useOdometerMileage": false})
        ),
        200
    );
    let done = env.get(&format!("api/bids/Get/{bid}")).json;
    assert_eq!(done["status"], "Done");
    assert_eq!(done["factMileage"], 321.5);
    assert!(done["bidPoints"][0]["enteredAt"].is_string());
    assert_eq!(
        post("api/Bids/Cancel", json!({"bidId": bid})),
        400,
        "a done bid is not cancelled"
    );
    assert_eq!(post("api/TruckingBids/Revert", json!({"bidId": bid})), 200);
    assert_eq!(env.status(bid), "New");
    assert_eq!(post("api/Bids/Cancel", json!({"bidId": bid})), 200);
    assert_eq!(env.status(bid), "Cancelled");
    assert_eq!(post("api/Bids/Cancel", json!({"bidId": bid})), 400);
    assert_eq!(
        post(
            "api/TruckingBids/SetStatus",
            json!({"bidId": bid, "status": "Started"})
        ),
        400
    );
    assert_eq!(post("api/TruckingBids/Revert", json!({"bidId": bid})), 200);
    assert_eq!(post("api/Bids/Delete", json!({"bidId": bid})), 200);
    assert_eq!(
        post(
            "api/TruckingBids/SetStatus",
            json!({"bidId": bid, "status": "Started"})
        ),
        400,
        "deleted"
    );
    assert_eq!(post("api/Bids/Restore", json!({"bidId": bid})), 200);
    assert_eq!(
        post("api/Bids/Restore", json!({"id": bid})),
        400,
        "not deleted any more"
    );
    assert_eq!(
        post(
            "api/TruckingBids/SetStatus",
            json!({"bidId": bid, "status": "Planned"})
        ),
        200
    );
    assert_eq!(env.status(bid), "Planned");
}

#[test]
fn a_second_started_bid_on_the_same_car_becomes_planned() {
    let env = Env::new();
    let (first, d, c, t) = env.bid();
    let cp = env.counterparty("ООО");
    let second = Env::id_of(&env.post("api/TruckingBids/Apply", env.bid_body(d, c, t, cp)));
    env.post(
        "api/TruckingBids/SetStatus",
        json!({"bidId": first, "status": "Started"}),
    );
    env.post(
        "api/TruckingBids/SetStatus",
        json!({"bidId": second, "status": "Started"}),
    );
    assert_eq!(env.status(first), "Started");
    assert_eq!(
        env.status(second),
        "Planned",
        "statuses.md: the vehicle has an active bid"
    );
}

#[test]
fn the_control_api_completes_a_started_bid_with_fact_times_and_mileage() {
    let env = Env::new();
    let (bid, _, car, _) = env.bid();
    let (s, _) = env.control(
        "POST",
        &format!("bids/{bid}/complete"),
        Some(json!({"mileage": 812})),
    );
    assert_eq!(s, 409, "a New bid is not completed");
    env.post(
        "api/TruckingBids/SetStatus",
        json!({"bidId": bid, "status": "Started"}),
    );
    let (s, done) = env.control(
        "POST",
        &format!("bids/{bid}/complete"),
        Some(json!({"mileage": 812})),
    );
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["status"], "Done");
    assert_eq!(done["factMileage"], 812.0);
    for p in done["bidPoints"].as_array().unwrap() {
        assert!(
            p["enteredAt"].as_str().unwrap() < p["loadUnloadedAt"].as_str().unwrap(),
            "{p}"
        );
    }
    let mileage = env.get(&format!("api/Car/GetCarMileageForPeriod?carId={car}&start=2000-01-01T00:00:00&end=2100-01-01T00:00:00"));
    assert_eq!(mileage.json["mileage"], 812.0);
    assert_eq!(env.control("POST", "bids/999999/complete", None).0, 404);
}

#[test]
fn patch_payment_and_trailer_replacement() {
    let env = Env::new();
    let (bid, ..) = env.bid();
    env.ok(
        "cargorun.bids.patch",
        None,
        "",
        Some(json!({"bidId": bid, "price": 50000})),
    );
    assert_eq!(
        env.get(&format!("api/bids/Get?id={bid}")).json["price"],
        50000
    );
    let bad = env.post("api/TruckingBids/ApplyBidPayment", json!({"bidId": bid, "payment": {"paymentStatus": "Paid", "factPaymentDate": "2026-06-30T00:00:00Z"}}));
    assert_eq!(bad.status, 400, "payment dates are date-only");
    let bad = env.post(
        "api/TruckingBids/ApplyBidPayment",
        json!({"bidId": bid, "payment": {"paymentStatus": "Settled"}}),
    );
    assert_eq!(bad.status, 400);
    env.ok("cargorun.bids.apply_payment", None, "", Some(json!({"bidId": bid, "payment": {"paymentStatus": "Paid", "factPaymentDate": "2026-06-30"}})));
    assert_eq!(
        env.get(&format!("api/bids/Get/{bid}")).json["payment"]["paymentStatus"],
        "Paid"
    );
    env.post(
        "api/TruckingBids/SetStatus",
        json!({"bidId": bid, "status": "Started"}),
    );
    let other = env.trailer("НН000077");
    env.ok(
        "cargorun.bids.patch",
        None,
        "",
        Some(json!({"bidId": bid, "trailerId": other})),
    );
    let r = env.ok(
        "cargorun.bids.trailer_replacements",
        None,
        &format!("bidId={bid}"),
        None,
    );
    assert_eq!(r.json.as_array().unwrap().len(), 1);
    assert_eq!(r.json[0]["newTrailerId"], other);
    assert_eq!(r.json[0]["newTrailerNumber"], "НН000077");
}

// ---- OData ----

#[test]
fn odata_filter_orderby_top_skip_count_and_x_metacount() {
    let env = Env::new();
    for (first, phone) in [
        ("Борис", "+79990000011"),
        ("Алла", "+79990000012"),
        ("Вера", "+79990000013"),
        ("Глеб", "+79990000014"),
    ] {
        env.ok(
            "cargorun.drivers.apply",
            None,
            "",
            Some(json!({"id": 0, "firstName": first, "lastName": "O'Hara", "phoneNumber": phone})),
        );
    }
    let names = |a: &Answer| -> Vec<String> {
        a.json
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["firstName"].as_str().unwrap().to_string())
            .collect()
    };
    let a = env.get("api/Driver/GetList?$orderby=firstName desc&$top=2&$skip=1&$count=true");
    assert_eq!(names(&a), ["Вера", "Борис"]);
    assert_eq!(a.meta_count, Some(4), "the count before $top/$skip");
    let a = env.get("api/Driver/GetList?$filter=firstName ne 'Алла' and (phoneNumber eq '%2B79990000011' or phoneNumber gt '%2B79990000013')&$orderby=phoneNumber");
    assert_eq!(names(&a), ["Борис", "Глеб"]);
    assert_eq!(a.meta_count, Some(2));
    let a = env.get("api/Driver/GetList?$filter=lastName eq 'O''Hara' and isDeleted eq false&$orderby=lastName, firstName");
    assert_eq!(names(&a), ["Алла", "Борис", "Вера", "Глеб"]);
    // Date-times: everything was updated at or before now on the sandbox clock.
    let (_, clock) = env.control("GET", "clock", None);
    let now = clock["now"].as_str().unwrap();
    let a = env.get(&format!("api/Driver/GetList?$filter=updatedAt le {now}"));
    assert_eq!(a.meta_count, Some(4));
    let a = env.get(&format!("api/Driver/GetList?$filter=updatedAt gt {now}"));
    assert_eq!(a.meta_count, Some(0));
    // Enum names as strings, on the bid sync.
    let (bid, ..) = env.bid();
    env.post(
        "api/TruckingBids/SetStatus",
        json!({"bidId": bid, "status": "Started"}),
    );
    let a = env.get("api/bids/GetListForExternal?$filter=status eq 'Started'&$orderby=updatedAt&$top=50&$skip=0");
    assert_eq!(a.json.as_array().unwrap().len(), 1);
    assert_eq!(a.json[0]["id"], bid);
    assert_eq!(a.meta_count, Some(1));
}

#[test]
fn a_malformed_filter_or_paging_is_a_400_in_plain_text() {
    let env = Env::new();
    for q in [
        "$filter=firstName eq",
        "$filter=firstName eq 'open",
        "$filter=(id eq 1",
        "$filter=id eqq 1",
        "$top=-1",
        "$skip=x",
        "$orderby=id sideways",
        "$expand=user",
    ] {
        let a = env.get(&format!("api/Driver/GetList?{q}"));
        assert_eq!(a.status, 400, "{q}: {a:?}");
        assert!(a.content_type.starts_with("text/plain"), "{q}");
        assert!(!a.text.is_empty());
    }
}

// ---- routing ----

#[test]
fn paths_are_case_insensitive_and_only_get_and_post_are_served() {
    let env = Env::new();
    env.driver("Лев");
    for path in [
        "api/driver/getlist",
        "API/DRIVER/GETLIST",
        "api/Driver/GetList/",
        "Api/dRiVeR/getList",
    ] {
        let a = env.get(path);
        assert_eq!(a.status, 200, "{path}");
        assert_eq!(a.json.as_array().unwrap().len(), 1);
    }
    let cp = env.counterparty("ООО");
    assert_eq!(
        env.get(&format!("api/cargoownerdictionary/get({cp})")).json["id"],
        cp
    );
    assert_eq!(
        env.get(&format!("api/CargoOwnerDictionary/Get%28{cp}%29"))
            .json["id"],
        cp
    );
    let put = env.call("PUT", "api/Driver/Apply", Some(json!({})));
    assert_eq!(put.status, 405);
    let delete = env.call("DELETE", "api/driver/getlist", None);
    assert_eq!(delete.status, 405);
    assert_eq!(env.get("api/Driver/Nothing").status, 404);
    assert_eq!(env.post("api/Driver/GetList", json!({})).status, 405);
}

// ---- coverage ----

#[test]
fn every_typed_id_is_answered() {
    let env = Env::new();
    let served: BTreeSet<String> = served_ids().into_iter().collect();
    let listed: BTreeSet<String> = CALLS.iter().map(|c| c.0.to_string()).collect();
    assert_eq!(CALLS.len(), 74);
    assert_eq!(served, listed, "the emulator's table and this list");

    env.control("POST", "settings", Some(json!({"cooldown_seconds": 0})));
    let signed = env.ok(
        "cargorun.auth.generate_token",
        None,
        "",
        Some(
            json!({"userName": env.sb.cargorun_username(), "password": env.sb.cargorun_password()}),
        ),
    );
    let refreshed = env.ok("cargorun.auth.refresh_token", None, "", Some(json!({"accessToken": signed.json["accessToken"], "refreshToken": signed.json["refreshToken"]})));
    *env.token.lock().unwrap() = refreshed.json["accessToken"].as_str().unwrap().to_string();

    let cp = env.counterparty("ООО Покрытие");
    env.ok(
        "cargorun.counterparties.list",
        None,
        "onlyInsolvent=false&$top=50",
        None,
    );
    env.ok("cargorun.counterparties.get", Some(cp), "", None);
    let contract = Env::id_of(&env.ok(
        "cargorun.contracts.apply",
        None,
        "",
        Some(json!({"id": 0, "counterpartyId": cp, "date": "2026-07-01"})),
    ));
    env.ok(
        "cargorun.contracts.list",
        None,
        &format!("counterpartyId={cp}"),
        None,
    );
    env.ok(
        "cargorun.contracts.get",
        None,
        &format!("counterpartyId={cp}&contractId={contract}"),
        None,
    );
    env.ok(
        "cargorun.contracts.delete",
        None,
        "",
        Some(json!({"id": contract, "counterpartyId": cp})),
    );
    let point = Env::id_of(&env.ok(
        "cargorun.counterparty_points.apply",
        None,
        "",
        Some(json!({"id": 0, "counterpartyId": cp, "geozone": {"id": 0}})),
    ));
    env.ok(
        "cargorun.counterparty_points.list",
        None,
        &format!("counterpartyId={cp}"),
        None,
    );
    env.ok("cargorun.counterparty_points.get", Some(point), "", None);
    env.ok(
        "cargorun.counterparty_points.delete",
        None,
        "",
        Some(json!({"id": point})),
    );
    env.ok(
        "cargorun.counterparty_points.restore",
        None,
        "",
        Some(json!({"id": point, "counterpartyId": cp, "instanceId": 0})),
    );
    let lp = Env::id_of(&env.ok(
        "cargorun.legal_persons.apply",
        None,
        "",
        Some(json!({"id": 0, "name": "ООО Мы"})),
    ));
    env.ok("cargorun.legal_persons.list", None, "", None);
    env.ok(
        "cargorun.legal_persons.delete",
        None,
        "",
        Some(json!({"id": lp})),
    );
    env.ok(
        "cargorun.catalogs.get_simple",
        None,
        "catalogType=carType&showObsolete=true",
        None,
    );
    env.ok("cargorun.catalogs.get", None, "", None);
    env.ok("cargorun.catalogs.list", None, "", None);
    let item = env.ok("cargorun.catalogs.items", None, "$filter=id eq 41", None);
    assert_eq!(item.json[0]["displayName"], "Безналичный расчёт");

    let (bid, driver, car, trailer) = env.bid();
    env.ok(
        "cargorun.drivers.list",
        None,
        "checkOnline=false&withDeleted=false",
        None,
    );
    env.ok("cargorun.cars.list", None, "", None);
    env.ok(
        "cargorun.cars.get_for_edit",
        None,
        &format!("id={car}"),
        None,
    );
    env.ok("cargorun.trailers.list", None, "withDeleted=true", None);
    env.ok(
        "cargorun.bids.patch",
        None,
        "",
        Some(json!({"bidId": bid, "comment": "patched"})),
    );
    env.ok(
        "cargorun.bids.apply_payment",
        None,
        "",
        Some(json!({"bidId": bid, "payment": {"paymentStatus": "NotPaid"}})),
    );
    env.ok("cargorun.bids.get", Some(bid), "", None);
    env.ok(
        "cargorun.bids.list_for_external",
        None,
        "$orderby=updatedAt&$top=50&$skip=0",
        None,
    );
    env.ok(
        "cargorun.bids.documents",
        None,
        &format!("bidId={bid}"),
        None,
    );
    env.ok(
        "cargorun.bids.set_status",
        None,
        "",
        Some(json!({"bidId": bid, "status": "Started"})),
    );
    env.ok(
        "cargorun.bids.trailer_replacements",
        None,
        &format!("bidId={bid}"),
        None,
    );
    let titles = env.ok(
        "cargorun.etrn.titles",
        None,
        "$filter=status eq 'ReceivedOrCreated'",
        None,
    );
    let title = titles.json["collection"][0]["id"]
        .as_u64()
        .expect("a title for the started bid");
    env.ok(
        "cargorun.etrn.title",
        None,
        &format!("titleId={title}&bidId={bid}"),
        None,
    );
    env.ok(
        "cargorun.etrn.apply_status",
        None,
        "",
        Some(json!({"id": title, "status": "Accepted"})),
    );
    env.ok(
        "cargorun.bids.force_complete",
        None,
        "",
        Some(json!({"bidId": bid, "mileage": 10, "useOdometerMileage": false})),
    );
    env.ok(
        "cargorun.cars.mileage",
        None,
        &format!("carId={car}&start=2000-01-01T00:00:00&end=2100-01-01T00:00:00"),
        None,
    );
    env.ok(
        "cargorun.bids.revert",
        None,
        "",
        Some(json!({"bidId": bid})),
    );
    env.ok(
        "cargorun.bids.cancel",
        None,
        "",
        Some(json!({"bidId": bid})),
    );
    env.ok(
        "cargorun.bids.revert",
        None,
        "",
        Some(json!({"bidId": bid})),
    );
    env.ok(
        "cargorun.bids.delete",
        None,
        "",
        Some(json!({"bidId": bid})),
    );
    env.ok(
        "cargorun.bids.restore",
        None,
        "",
        Some(json!({"bidId": bid})),
    );

    let trackers = env.ok("cargorun.trackers.list", None, "", None);
    let tracker = trackers.json[0]["id"].as_u64().unwrap();
    env.ok(
        "cargorun.trackers.attach",
        None,
        "",
        Some(json!({"id": tracker, "entityId": car, "type": "Car"})),
    );
    env.ok(
        "cargorun.trackers.attach",
        None,
        "",
        Some(json!({"id": tracker, "entityId": null, "type": "Car"})),
    );
    let geo = env.ok(
        "cargorun.map.geocode",
        None,
        "",
        Some(json!({"address": "Уфа, Сарапульская", "count": 5})),
    );
    assert_eq!(geo.json["suggestions"][0]["address"]["city"], "Уфа");

    let point = |kind: &str| json!({"id": 0, "order": 0, "type": kind, "geozone": {"id": 0, "location": {"type": "Point", "coordinates": [37.6, 55.7]}, "type": "BidPoint"}});
    let ids = env.ok("cargorun.distribution_bids.apply", None, "", Some(json!({"items": [{"id": 0, "externalStatus": "None", "price": 1000, "bidPoints": [point("LoadPoint"), point("UnloadPoint")]}]})));
    let order = ids.json[0].as_u64().unwrap();
    env.ok(
        "cargorun.distribution_bids.list_for_external",
        None,
        "$top=50",
        None,
    );
    env.ok("cargorun.distribution_bids.get", Some(order), "", None);
    env.ok(
        "cargorun.distribution_bids.cancel",
        None,
        "",
        Some(json!({"id": order, "comment": "не нужен"})),
    );
    env.ok(
        "cargorun.distribution_bids.revert",
        None,
        "",
        Some(json!({"id": order})),
    );
    env.ok(
        "cargorun.distribution_bids.delete",
        None,
        "",
        Some(json!({"id": order})),
    );
    env.ok(
        "cargorun.distribution_bids.restore",
        None,
        "",
        Some(json!({"id": order})),
    );
    let bid2 = Env::id_of(&env.post(
        "api/TruckingBids/Apply",
        env.bid_body(driver, car, trailer, cp),
    ));
    let (s, _) = env.control(
        "POST",
        &format!("distribution_bids/{order}/distribute"),
        Some(json!({"bid_id": bid2})),
    );
    assert_eq!(s, 200);
    env.ok(
        "cargorun.distribution_bids.get_for_bid",
        Some(bid2),
        "",
        None,
    );
    let info = env.ok(
        "cargorun.distribution_bids.external_info",
        None,
        &format!("CarId={car}&BidId={bid2}"),
        None,
    );
    assert_eq!(info.json[0]["id"], order);
    let st = env.ok(
        "cargorun.distribution_bids.external_statuses",
        None,
        &format!("Ids={order}"),
        None,
    );
    assert_eq!(st.json[0]["externalStatus"], "None");

    let user = Env::id_of(&env.ok("cargorun.employees.apply_user", None, "", Some(json!({"id": 0, "email": "logist@example.com", "firstName": "Лог", "lastName": "Истов", "password": "secret-pass"}))));
    let users = env.ok("cargorun.employees.list", None, "", None);
    assert!(
        !users.text.contains("secret-pass"),
        "a password is never answered"
    );
    env.ok(
        "cargorun.employees.add_role",
        None,
        "",
        Some(json!({"userId": user, "role": "TruckingOrganizationHeadLogist"})),
    );
    env.ok("cargorun.employees.logists", None, "", None);
    env.ok(
        "cargorun.employees.logist",
        None,
        &format!("id={user}"),
        None,
    );
    env.ok(
        "cargorun.employees.remove_role",
        None,
        "",
        Some(json!({"userId": user, "role": "TruckingOrganizationHeadLogist"})),
    );
    env.ok(
        "cargorun.employees.ban",
        None,
        "",
        Some(json!({"userId": user})),
    );
    env.ok(
        "cargorun.employees.unban",
        None,
        "",
        Some(json!({"userId": user})),
    );
    let invited = Env::id_of(&env.ok(
        "cargorun.employees.invite",
        None,
        "",
        Some(json!({"email": "new@example.com"})),
    ));
    env.ok("cargorun.employees.invitations", None, "", None);
    env.ok(
        "cargorun.employees.remove_invite",
        None,
        "",
        Some(json!({"userId": invited})),
    );

    // The directories last: their deletes need the bids out of the way.
    env.ok(
        "cargorun.drivers.delete",
        None,
        "",
        Some(json!({"id": driver})),
    );
    env.ok(
        "cargorun.drivers.restore",
        None,
        "",
        Some(json!({"id": driver})),
    );
    env.ok(
        "cargorun.counterparties.delete",
        None,
        "",
        Some(json!({"id": env.counterparty("ООО Ушедший")})),
    );
    env.ok(
        "cargorun.cars.delete",
        None,
        "",
        Some(json!({"id": env.car("У000УУ")})),
    );
    env.ok(
        "cargorun.trailers.delete",
        None,
        "",
        Some(json!({"id": env.trailer("У000УУ")})),
    );

    let hit = env.hit.lock().unwrap().clone();
    let missing: Vec<&String> = listed.difference(&hit).collect();
    assert!(missing.is_empty(), "ids not called: {missing:?}");
    // The service-side counter saw every id too.
    let counted: BTreeSet<String> = env.calls().into_keys().collect();
    assert!(
        listed.is_subset(&counted),
        "{:?}",
        listed.difference(&counted).collect::<Vec<_>>()
    );
}

#[test]
fn credentials_are_configured_and_never_blank() {
    let config = SandboxConfig {
        cargorun_username: "me@example.com".into(),
        cargorun_password: "pw".into(),
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start_with(config).unwrap();
    assert!(sb.cargorun_url().ends_with("/cargorun/"));
    let http = client();
    let sign = |user: &str, pw: &str| {
        http.post(format!("{}api/Account/GenerateToken", sb.cargorun_url()))
            .json(&json!({"userName": user, "password": pw}))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(
        sign(
            logibridge_sandbox::DEFAULT_CARGORUN_USERNAME,
            logibridge_sandbox::DEFAULT_CARGORUN_PASSWORD
        ),
        400
    );
    assert_eq!(
        sign("ME@example.com", "pw"),
        200,
        "the user name in any case"
    );
    for (user, pw) in [("", "pw"), (" ", "pw"), ("me", "")] {
        let config = SandboxConfig {
            cargorun_username: user.into(),
            cargorun_password: pw.into(),
            ..SandboxConfig::default()
        };
        let err = Sandbox::start_with(config).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("cargorun_"), "{err}");
    }
}

#[test]
fn reset_brings_back_the_start() {
    let env = Env::new();
    env.driver("До сброса");
    env.control("POST", "clock", Some(json!({"advance_seconds": 60})));
    env.control("POST", "settings", Some(json!({"token_lifetime_seconds": 5, "cooldown_seconds": 1})));
    assert_eq!(env.control("POST", "reset", None).0, 204);
    assert_eq!(env.control("GET", "clock", None).1["offset_seconds"], 0);
    let (_, settings) = env.control("GET", "settings", None);
    assert_eq!(settings, json!({"token_lifetime_seconds": 1800, "cooldown_seconds": 60}));
    assert!(env.calls().is_empty());
    assert_eq!(env.get("api/Driver/GetList").status, 401, "tokens are gone");
    assert_eq!(env.sign_in().status, 200, "no cooldown left over");
    assert_eq!(env.get("api/Driver/GetList").json, json!([]));
}
