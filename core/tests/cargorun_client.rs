//! Every CARGO.RUN typed call through the generic client against the sandbox's emulator:
//! signing in happens by itself, each call is checked by what it did (read back where the
//! service lets us), the pages' rules refuse bad bodies before anything is sent, and a
//! coverage check: the sandbox's per-id call counter holds all 74 ids of ENDPOINTS.md.

mod common;

use logibridge::endpoints::cargorun::SERVICE;
use logibridge::{Client, Error, ErrorKind};
use logibridge_sandbox::Sandbox;
use common::control::control;
use serde_json::{json, Value};

fn client(sb: &Sandbox) -> Client {
    Client::for_service("cargorun").unwrap().credential("username", sb.cargorun_username()).credential("password", sb.cargorun_password()).base_url(sb.cargorun_url()).build().unwrap()
}

async fn call(c: &Client, id: &str, params: Value) -> Value {
    match c.call(id, params).await {
        Ok(v) => v,
        Err(e) => panic!("{id}: {e}"),
    }
}

fn id_of(v: &Value) -> i64 {
    v.as_i64().or_else(|| v["id"].as_i64()).unwrap_or_else(|| panic!("no id in {v}"))
}

/// Ids in a list answer.
fn ids(list: &Value) -> Vec<i64> {
    list.as_array().unwrap_or_else(|| panic!("not a list: {list}")).iter().filter_map(|o| o["id"].as_i64()).collect()
}

const INN: &str = "7707083893";

fn point(order: i64, kind: &str, lon: f64, lat: f64) -> Value {
    json!({"id": 0, "order": order, "type": kind, "planEnterDate": "2026-07-15T13:58:00+03:00",
           "geozone": {"id": 0, "location": {"type": "Point", "coordinates": [lon, lat]}, "address": "Россия", "radius": 2000, "type": "BidPoint"}})
}

#[tokio::test]
async fn every_typed_call_reaches_the_sandbox_and_does_what_it_says() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    control(&sb, reqwest::Method::DELETE, "cargorun/calls", None).await;

    // Directories: drivers, cars, trailers.
    let driver = id_of(&call(&c, "cargorun.drivers.apply", json!({"driver": {"id": 0, "firstName": "Иван", "lastName": "Петров", "phoneNumber": "8 (999) 123-45-67"}})).await);
    let drivers = call(&c, "cargorun.drivers.list", json!({"filter": format!("id eq {driver}")})).await;
    assert_eq!(ids(&drivers), [driver]);
    assert_eq!(drivers[0]["phoneNumber"], "+79991234567", "the phone went out normalised: {drivers}");
    let car = id_of(&call(&c, "cargorun.cars.apply", json!({"car": {"id": 0, "number": "А001АА77"}})).await);
    let trailer = id_of(&call(&c, "cargorun.trailers.apply", json!({"trailer": {"id": 0, "number": "ВВ123477"}})).await);
    let for_edit = call(&c, "cargorun.cars.get_for_edit", json!({"id": car})).await;
    assert_eq!(for_edit["number"], "А001АА77");
    assert!(ids(&call(&c, "cargorun.cars.list", json!({})).await).contains(&car));
    assert!(ids(&call(&c, "cargorun.trailers.list", json!({"with_deleted": true})).await).contains(&trailer));
    let spare = id_of(&call(&c, "cargorun.drivers.apply", json!({"driver": {"id": 0, "firstName": "Пётр", "lastName": "Сидоров", "phoneNumber": "+7 999 765 43 21"}})).await);
    call(&c, "cargorun.drivers.delete", json!({"id": spare})).await;
    assert!(!ids(&call(&c, "cargorun.drivers.list", json!({})).await).contains(&spare));
    assert!(ids(&call(&c, "cargorun.drivers.list", json!({"with_deleted": true})).await).contains(&spare));
    call(&c, "cargorun.drivers.restore", json!({"id": spare})).await;
    assert!(ids(&call(&c, "cargorun.drivers.list", json!({})).await).contains(&spare));
    let spare_car = id_of(&call(&c, "cargorun.cars.apply", json!({"car": {"id": 0, "number": "Е777КХ99"}})).await);
    call(&c, "cargorun.cars.delete", json!({"id": spare_car})).await;
    let spare_trailer = id_of(&call(&c, "cargorun.trailers.apply", json!({"trailer": {"id": 0, "number": "АА000077"}})).await);
    call(&c, "cargorun.trailers.delete", json!({"id": spare_trailer})).await;
    assert!(!ids(&call(&c, "cargorun.trailers.list", json!({})).await).contains(&spare_trailer));

    // Counterparties, their contracts and points; legal persons.
    let cp = id_of(&call(&c, "cargorun.counterparties.apply", json!({"counterparty": {"id": 0, "name": "ООО Груз", "inn": INN}})).await);
    assert_eq!(call(&c, "cargorun.counterparties.get", json!({"id": cp})).await["name"], "ООО Груз");
    assert!(ids(&call(&c, "cargorun.counterparties.list", json!({"filter": "name eq 'ООО Груз'"})).await).contains(&cp));
    let contract = id_of(&call(&c, "cargorun.contracts.apply", json!({"contract": {"id": 0, "counterpartyId": cp, "number": "Д-1", "date": "2026-06-30"}})).await);
    let got = call(&c, "cargorun.contracts.get", json!({"counterparty_id": cp, "contract_id": contract})).await;
    assert_eq!(got["date"], "2026-06-30", "a contract date is date-only: {got}");
    assert_eq!(ids(&call(&c, "cargorun.contracts.list", json!({"counterparty_id": cp})).await), [contract]);
    call(&c, "cargorun.contracts.delete", json!({"id": contract, "counterparty_id": cp})).await;
    let pt = id_of(
        &call(&c, "cargorun.counterparty_points.apply", json!({"point": {"id": 0, "counterpartyId": cp, "geozone": {"id": 0, "location": {"latitude": 55.75, "longitude": 37.62}, "address": "Москва", "type": "CounterpartyPoint"}}}))
            .await,
    );
    let got = call(&c, "cargorun.counterparty_points.get", json!({"id": pt})).await;
    assert_eq!(got["geozone"]["location"]["coordinates"], json!([37.62, 55.75]), "{{latitude, longitude}} went out as GeoJSON [lon, lat]: {got}");
    assert_eq!(ids(&call(&c, "cargorun.counterparty_points.list", json!({"counterparty_id": cp})).await), [pt]);
    call(&c, "cargorun.counterparty_points.delete", json!({"id": pt})).await;
    call(&c, "cargorun.counterparty_points.restore", json!({"id": pt, "counterparty_id": cp})).await;
    let spare_cp = id_of(&call(&c, "cargorun.counterparties.apply", json!({"counterparty": {"id": 0, "name": "ИП Лишний", "inn": "500100732259"}})).await);
    call(&c, "cargorun.counterparties.delete", json!({"id": spare_cp})).await;
    let lp = id_of(&call(&c, "cargorun.legal_persons.apply", json!({"legal_person": {"id": 0, "name": "ООО Мы", "inn": INN}})).await);
    assert!(ids(&call(&c, "cargorun.legal_persons.list", json!({})).await).contains(&lp));
    call(&c, "cargorun.legal_persons.delete", json!({"id": lp})).await;

    // Catalogs (seeded by the sandbox).
    for id in ["cargorun.catalogs.get_simple", "cargorun.catalogs.get", "cargorun.catalogs.list", "cargorun.catalogs.items"] {
        let list = call(&c, id, json!({})).await;
        assert!(!list.as_array().unwrap().is_empty(), "{id}: {list}");
    }

    // A bid through its life: New → Started, completed by the sandbox, read back.
    let bid_body = json!({"id": 0, "cargoOwnerDictionaryItemId": cp, "paymentTypeId": 41, "ndsTypeId": 129493473, "price": "45000.50", "externalId": "1C-0001",
        "driver": {"id": driver}, "carOption": {"carId": car}, "trailerOption": {"trailerId": trailer},
        "bidPoints": [point(0, "LoadPoint", 47.47, 55.86), point(1, "UnloadPoint", 55.95, 54.70)]});
    let bid = id_of(&call(&c, "cargorun.bids.apply", json!({"bid": bid_body})).await);
    let got = call(&c, "cargorun.bids.get", json!({"bid_id": bid})).await;
    assert_eq!((got["status"].as_str(), got["price"].as_f64()), (Some("New"), Some(45000.5)), "{got}");
    assert_eq!(got["bidPoints"][0]["planEnterDate"], "2026-07-15T10:58:00Z", "a date-time with an offset went out in UTC: {got}");
    call(&c, "cargorun.bids.patch", json!({"patch": {"bidId": bid, "id": bid, "price": 47000}})).await;
    assert_eq!(call(&c, "cargorun.bids.get", json!({"bid_id": bid, "main_data_only": true})).await["price"].as_f64(), Some(47000.0));
    call(&c, "cargorun.bids.set_status", json!({"bid_id": bid, "status": "Started"})).await;
    control(&sb, reqwest::Method::POST, &format!("cargorun/bids/{bid}/complete"), Some(json!({"mileage": 812}))).await;
    assert_eq!(call(&c, "cargorun.bids.get", json!({"bid_id": bid})).await["status"], "Done");
    call(&c, "cargorun.bids.apply_payment", json!({"bid_id": bid, "payment": {"paymentStatus": "Paid", "factPaymentDate": "2026-06-30"}})).await;
    let synced = call(&c, "cargorun.bids.list_for_external", json!({"filter": format!("id eq {bid}"), "count": true})).await;
    assert_eq!(ids(&synced), [bid]);
    assert_eq!(synced[0]["payment"]["paymentStatus"], "Paid", "{synced}");
    let mileage = call(&c, "cargorun.cars.mileage", json!({"car_id": car, "start": "2026-01-01", "end": "2027-12-31T23:59:59"})).await;
    assert!(mileage["mileage"].is_number(), "{mileage}");
    assert!(call(&c, "cargorun.bids.trailer_replacements", json!({"bid_id": bid})).await.is_array());
    assert!(call(&c, "cargorun.bids.documents", json!({"bid_id": bid})).await.is_array());
    call(&c, "cargorun.bids.revert", json!({"bid_id": bid})).await;
    assert_eq!(call(&c, "cargorun.bids.get", json!({"bid_id": bid})).await["status"], "New");
    call(&c, "cargorun.bids.set_status", json!({"bid_id": bid, "status": "Started"})).await;
    call(&c, "cargorun.bids.force_complete", json!({"completion": {"bidId": bid, "mileage": 900, "useOdometerMileage": false, "reason": "водитель без связи"}})).await;
    assert_eq!(call(&c, "cargorun.bids.get", json!({"bid_id": bid})).await["status"], "Done");
    let second = id_of(&call(&c, "cargorun.bids.apply", json!({"bid": bid_body})).await);
    call(&c, "cargorun.bids.cancel", json!({"bid_id": second})).await;
    assert_eq!(call(&c, "cargorun.bids.get", json!({"bid_id": second})).await["status"], "Canceled");
    let third = id_of(&call(&c, "cargorun.bids.apply", json!({"bid": bid_body})).await);
    call(&c, "cargorun.bids.delete", json!({"bid_id": third})).await;
    call(&c, "cargorun.bids.restore", json!({"bid_id": third})).await;

    // Distribution bids.
    let applied = call(&c, "cargorun.distribution_bids.apply", json!({"items": [{"id": 0, "externalStatus": "None", "externalId": "ЗК-1", "bidPoints": [point(0, "LoadPoint", 47.47, 55.86), point(1, "UnloadPoint", 55.95, 54.70)]}]})).await;
    let listed = call(&c, "cargorun.distribution_bids.list_for_external", json!({"filter": "externalId eq 'ЗК-1'"})).await;
    let dist = ids(&listed)[0];
    assert!(applied.is_null() || applied.is_array() || applied.is_number() || applied.is_object(), "{applied}");
    assert_eq!(call(&c, "cargorun.distribution_bids.get", json!({"id": dist})).await["externalId"], "ЗК-1");
    control(&sb, reqwest::Method::POST, &format!("cargorun/distribution_bids/{dist}/distribute"), Some(json!({"bid_id": bid}))).await;
    assert!(call(&c, "cargorun.distribution_bids.get_for_bid", json!({"bid_id": bid})).await.is_object());
    assert!(call(&c, "cargorun.distribution_bids.external_info", json!({"bid_id": bid})).await.is_array());
    assert!(call(&c, "cargorun.distribution_bids.external_statuses", json!({"ids": [dist]})).await.is_array());
    call(&c, "cargorun.distribution_bids.cancel", json!({"id": dist, "comment": "нет машины"})).await;
    call(&c, "cargorun.distribution_bids.revert", json!({"id": dist})).await;
    call(&c, "cargorun.distribution_bids.apply", json!({"items": [{"id": 0, "externalStatus": "None", "externalId": "ЗК-2", "bidPoints": [point(0, "LoadPoint", 47.47, 55.86), point(1, "UnloadPoint", 55.95, 54.70)]}]})).await;
    let spare = ids(&call(&c, "cargorun.distribution_bids.list_for_external", json!({"filter": "externalId eq 'ЗК-2'"})).await)[0];
    call(&c, "cargorun.distribution_bids.delete", json!({"id": spare})).await;
    call(&c, "cargorun.distribution_bids.restore", json!({"id": spare})).await;

    // Trackers, ETRN titles, the geocoder.
    let trackers = call(&c, "cargorun.trackers.list", json!({})).await;
    let tracker = ids(&trackers)[0];
    call(&c, "cargorun.trackers.attach", json!({"attachment": {"id": tracker, "entityId": car, "type": "Car"}})).await;
    call(&c, "cargorun.trackers.attach", json!({"attachment": {"id": tracker, "entityId": null, "type": "Car"}})).await;
    let titles = call(&c, "cargorun.etrn.titles", json!({})).await;
    let title = ids(&titles)[0];
    assert_eq!(call(&c, "cargorun.etrn.title", json!({"title_id": title})).await["id"], title);
    call(&c, "cargorun.etrn.apply_status", json!({"id": title, "status": "Accepted"})).await;
    let found = call(&c, "cargorun.map.geocode", json!({"address": "Москва", "count": 3})).await;
    assert!(found["suggestions"].is_array(), "{found}");

    // Employees.
    let user = id_of(&call(&c, "cargorun.employees.apply_user", json!({"user": {"id": 0, "email": "logist@example.com", "firstName": "Лог", "lastName": "Истов", "phoneNumber": "79990001122", "password": "secret-pass", "sendLoginData": false, "connectionState": "Offline"}})).await);
    assert!(ids(&call(&c, "cargorun.employees.list", json!({})).await).contains(&user));
    call(&c, "cargorun.employees.add_role", json!({"role": {"userId": user, "role": "TruckingOrganizationManager"}})).await;
    call(&c, "cargorun.employees.remove_role", json!({"role": {"userId": user, "role": "TruckingOrganizationManager"}})).await;
    call(&c, "cargorun.employees.ban", json!({"user_id": user})).await;
    call(&c, "cargorun.employees.unban", json!({"user_id": user})).await;
    call(&c, "cargorun.employees.invite", json!({"invitation": {"email": "new@example.com"}})).await;
    let invited = call(&c, "cargorun.employees.invitations", json!({})).await;
    call(&c, "cargorun.employees.remove_invite", json!({"user_id": ids(&invited)[0]})).await;
    call(&c, "cargorun.employees.add_role", json!({"role": {"userId": user, "role": "TruckingOrganizationHeadLogist"}})).await;
    let logists = call(&c, "cargorun.employees.logists", json!({})).await;
    assert_eq!(ids(&logists), [user]);
    assert_eq!(call(&c, "cargorun.employees.logist", json!({"id": ids(&logists)[0]})).await["id"], ids(&logists)[0]);

    // Signing in again by hand inside the service's cooldown is its 429, with the wait, and
    // the client remembers it; renewing by hand answers with the tokens masked.
    let err = c.call("cargorun.auth.generate_token", json!({"user_name": sb.cargorun_username(), "password": sb.cargorun_password()})).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert!(matches!(err, Error::Http { status: 429, retry_after: Some(_), .. }), "{err:?}");
    let renewed = call(&c, "cargorun.auth.refresh_token", json!({"access_token": "***", "refresh_token": "***"})).await;
    assert_eq!(renewed["refreshToken"], "***", "{renewed}");
    assert!(!renewed.to_string().contains("eyJ"), "{renewed}");
    call(&c, "cargorun.drivers.list", json!({"top": 1})).await;

    // Coverage: every row reached the emulator.
    let calls = control(&sb, reqwest::Method::GET, "cargorun/calls", None).await;
    let missing: Vec<&str> = SERVICE.endpoints.iter().map(|e| e.id).filter(|id| calls[*id].as_u64().unwrap_or(0) == 0).collect();
    assert!(missing.is_empty(), "never reached the sandbox: {missing:?}");
    assert_eq!(SERVICE.endpoints.len(), 74);
}

#[tokio::test]
async fn lists_walk_pages_of_fifty_with_the_x_meta_count_total() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    for i in 0..120 {
        call(&c, "cargorun.cars.apply", json!({"car": {"id": 0, "number": format!("М{i:03}ММ77")}})).await;
    }
    let mut pages = c.pages::<Value>(logibridge::endpoints::cargorun::CARS_LIST, json!({"orderby": "id"}));
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        sizes.push(page.len());
        seen.extend(page.iter().filter_map(|o| o["id"].as_i64()));
    }
    assert_eq!(sizes, [50, 50, 20]);
    assert_eq!(pages.total(), Some(120));
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 120);
    let requests = control(&sb, reqwest::Method::GET, "cargorun/calls", None).await;
    assert_eq!(requests["cargorun.cars.list"], 3);
}

#[tokio::test]
async fn the_pages_rules_refuse_a_bad_body_before_anything_is_sent() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    control(&sb, reqwest::Method::DELETE, "cargorun/calls", None).await;
    let bid = |points: Value| json!({"bid": {"id": 0, "cargoOwnerDictionaryItemId": 1, "paymentTypeId": 1, "ndsTypeId": 1, "price": 1, "driver": {"id": 1}, "carOption": {"carId": 1}, "trailerOption": {"trailerId": 1}, "bidPoints": points}});
    let one_point = bid(json!([point(0, "LoadPoint", 47.47, 55.86)]));
    let mut naive = point(0, "LoadPoint", 47.47, 55.86);
    naive["planEnterDate"] = json!("2026-07-15T10:58:00");
    let cases = [
        ("cargorun.bids.apply", one_point, "bidPoints"),
        ("cargorun.drivers.apply", json!({"driver": {"id": 0, "firstName": "И", "lastName": "П", "phoneNumber": "12345"}}), "phone"),
        ("cargorun.counterparties.apply", json!({"counterparty": {"id": 0, "name": "ООО", "inn": "7707083894"}}), "inn"),
        ("cargorun.bids.apply", bid(json!([point(0, "LoadPoint", 55.86, 147.47), point(1, "UnloadPoint", 55.95, 54.70)])), "[lon, lat]"),
        ("cargorun.bids.apply", bid(json!([naive, point(1, "UnloadPoint", 55.95, 54.70)])), "offset"),
        ("cargorun.drivers.list", json!({"top": 51}), "50"),
    ];
    for (id, params, says) in cases {
        let e: Error = c.call(id, params.clone()).await.unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Validation | ErrorKind::InvalidArgument), "{id}: {e:?}");
        assert!(e.to_string().contains(says), "{id} {params}: {e}");
    }
    // The adapters' refusals read in Russian too (the 1C face shows message_ru only).
    let e = c.call("cargorun.drivers.apply", json!({"driver": {"id": 0, "firstName": "И", "lastName": "П", "phoneNumber": "12345"}})).await.unwrap_err();
    assert!(e.message_ru().contains("не российский номер") && !e.message_ru().contains("is not a Russian"), "{}", e.message_ru());
    assert!(!e.to_string().contains('‖') && e.to_string().contains("phoneNumber"), "{e}");
    let e = c.call("cargorun.bids.apply", bid(json!([point(0, "WeirdPoint", 47.47, 55.86), point(1, "UnloadPoint", 55.95, 54.70)]))).await.unwrap_err();
    assert!(e.to_string().contains("WeirdPoint") && e.message_ru().contains("нет среди значений"), "{e} / {}", e.message_ru());
    let calls = control(&sb, reqwest::Method::GET, "cargorun/calls", None).await;
    let sent: u64 = calls.as_object().unwrap().iter().filter(|(k, _)| !k.starts_with("cargorun.auth")).map(|(_, v)| v.as_u64().unwrap_or(0)).sum();
    assert_eq!(sent, 0, "nothing reached the service: {calls}");
}

#[tokio::test]
async fn a_sign_in_by_id_answers_with_the_tokens_masked() {
    let sb = Sandbox::start().unwrap();
    control(&sb, reqwest::Method::POST, "cargorun/settings", Some(json!({"cooldown_seconds": 0}))).await;
    let c = client(&sb);
    call(&c, "cargorun.cars.list", json!({})).await;
    let signed = call(&c, "cargorun.auth.generate_token", json!({"user_name": sb.cargorun_username(), "password": sb.cargorun_password()})).await;
    assert_eq!((signed["accessToken"].as_str(), signed["refreshToken"].as_str()), (Some("***"), Some("***")), "{signed}");
    assert!(!signed.to_string().contains("eyJ"), "{signed}");
    call(&c, "cargorun.cars.list", json!({})).await;
}

#[tokio::test]
async fn the_typed_client_writes_models_and_reads_them_back() {
    use logibridge::cargorun::{self as cr, BidStatus, Query};
    let sb = Sandbox::start().unwrap();
    let c = cr::Client::builder(sb.cargorun_username(), sb.cargorun_password()).base_url(sb.cargorun_url()).build().unwrap();
    let mut driver = cr::DriverEditModel::default();
    driver.id = Some(0);
    driver.first_name = Some("Иван".into());
    driver.last_name = Some("Петров".into());
    driver.phone_number = Some("+7 999 123 45 67".into());
    let driver_id = c.drivers().apply(&driver).await.unwrap().expect("an id");
    let listed = c.drivers().list(Query::new().filter(format!("id eq {driver_id}"))).collect_all().await.unwrap();
    assert_eq!(listed.len(), 1);
    let car: cr::CarEditModel = serde_json::from_value(json!({"id": 0, "number": "А001АА77"})).unwrap();
    let car_id = c.cars().apply(&car).await.unwrap().unwrap();
    let trailer: cr::TrailerEditModel = serde_json::from_value(json!({"id": 0, "number": "ВВ123477"})).unwrap();
    let trailer_id = c.trailers().apply(&trailer).await.unwrap().unwrap();
    let cp: cr::CounterpartyEditModel = serde_json::from_value(json!({"id": 0, "name": "ООО Груз", "inn": INN})).unwrap();
    let cp_id = c.counterparties().apply(&cp).await.unwrap().unwrap();
    assert_eq!(c.counterparty(cp_id).await.unwrap().name.as_deref(), Some("ООО Груз"));
    let bid: cr::BidTruckingEditModel = logibridge::serde_ext::in_callers_form(|| {
        serde_json::from_value(json!({"id": 0, "cargoOwnerDictionaryItemId": cp_id, "paymentTypeId": 41, "ndsTypeId": 129493473, "price": 45000,
            "driver": {"id": driver_id}, "carOption": {"carId": car_id}, "trailerOption": {"trailerId": trailer_id},
            "bidPoints": [point(0, "LoadPoint", 47.47, 55.86), point(1, "UnloadPoint", 55.95, 54.70)]}))
    })
    .unwrap();
    let bid_id = c.apply_bid(&bid).await.unwrap().unwrap();
    c.set_bid_status(bid_id, BidStatus::Started).await.unwrap();
    control(&sb, reqwest::Method::POST, &format!("cargorun/bids/{bid_id}/complete"), None).await;
    assert_eq!(c.bid(bid_id).await.unwrap().status, Some(BidStatus::Done));
    let synced = c.bids_for_external(Query::new().filter("updatedAt ge 2000-01-01T00:00:00Z").orderby("updatedAt, id")).collect_all().await.unwrap();
    assert!(synced.iter().any(|b| b.id == Some(bid_id)));
    let err = c.cars().restore(car_id).await.unwrap_err();
    assert!(err.to_string().contains("no restore call"), "{err}");
}

/// A service that signs in and answers `Car/GetList` with `pages(skip)`'s items and the
/// total `total` in `X-MetaCount` (when given).
async fn fake_lists(total: Option<u64>, pages: fn(u64) -> Vec<Value>) -> (Client, common::Log) {
    let (url, log) = common::serve(move |seen| {
        if seen.target.contains("GenerateToken") {
            return common::Reply::json(200, json!({"accessToken": "opaque-access", "refreshToken": "opaque-refresh"}));
        }
        let skip = seen.target.split("%24skip=").nth(1).or_else(|| seen.target.split("$skip=").nth(1)).and_then(|s| s.split('&').next()).and_then(|s| s.parse().ok()).unwrap_or(0);
        let reply = common::Reply::json(200, Value::Array(pages(skip)));
        match total {
            Some(t) => reply.header("X-MetaCount", &t.to_string()),
            None => reply,
        }
    })
    .await;
    let c = Client::for_service("cargorun").unwrap().credential("username", "u").credential("password", "p").base_url(format!("{url}cr/")).build().unwrap();
    (c, log)
}

#[tokio::test]
async fn a_service_that_ignores_skip_stops_the_walk_with_an_error_instead_of_repeating_pages() {
    let (c, log) = fake_lists(Some(120), |_| (0..50).map(|i| json!({"id": i + 1})).collect()).await;
    let mut pages = c.pages::<Value>(logibridge::endpoints::cargorun::CARS_LIST, json!({}));
    assert_eq!(pages.next_page().await.unwrap().unwrap().len(), 50);
    let err = pages.next_page().await.unwrap_err();
    assert!(err.to_string().contains("ignore the paging"), "{err}");
    assert!(pages.next_page().await.unwrap().is_none(), "the walk is over");
    assert_eq!(log.lock().unwrap().iter().filter(|s| s.target.contains("GetList")).count(), 2);
}

#[tokio::test]
async fn the_announced_total_ends_a_walk_whose_last_page_is_full() {
    let (c, log) = fake_lists(Some(100), |skip| (skip..skip + 50).map(|i| json!({"id": i + 1})).collect()).await;
    let all = c.pages::<Value>(logibridge::endpoints::cargorun::CARS_LIST, json!({})).collect_all().await.unwrap();
    assert_eq!(all.len(), 100);
    assert_eq!(log.lock().unwrap().iter().filter(|s| s.target.contains("GetList")).count(), 2, "no third request for an empty page");
}

#[tokio::test]
async fn a_secret_typed_as_an_endpoint_id_does_not_come_back_and_stars_before_a_sign_in_send_nothing() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb);
    control(&sb, reqwest::Method::DELETE, "cargorun/calls", None).await;
    let e = c.call(&format!("cargorun.{}", sb.cargorun_password()), json!({})).await.unwrap_err();
    for text in [e.to_string(), e.message_ru(), e.to_json().to_string()] {
        assert!(!text.contains(sb.cargorun_password()), "{text}");
    }
    // An id that is merely unknown still names the ids the client has, unmasked (the
    // sandbox's password shares "cargorun" with them).
    let e = c.call("cargorun.drivers.purge", json!({})).await.unwrap_err();
    assert!(e.to_string().contains("cargorun.drivers.delete"), "{e}");
    let e = c.call("cargorun.auth.refresh_token", json!({"access_token": "***", "refresh_token": "***"})).await.unwrap_err();
    assert!(e.to_string().contains("none to renew"), "{e}");
    let calls = control(&sb, reqwest::Method::GET, "cargorun/calls", None).await;
    assert_eq!(calls, json!({}), "nothing was sent");
}
