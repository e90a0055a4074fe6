//! Every iRECA call through the typed client against the sandbox's emulator, the rules
//! checked before sending (nothing reaches the service), and a coverage check: the
//! sandbox's request log, mapped back onto the table, holds all 90 ids of ENDPOINTS.md.

mod common;

use std::collections::BTreeSet;
use std::fmt::Debug;

use logibridge::endpoints::{self, Endpoint, Location, Method};
use logibridge::ireca::{CallbackSettings, Catalogue, Client, LogFilter, MultipleUpdate, Order};
use logibridge::{Error, ErrorKind};
use logibridge_sandbox::Sandbox;
use common::control::{control, requests};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

const CANARY: &str = "ireca-canary-token-5d1e";

fn client(sb: &Sandbox) -> Client {
    Client::builder(sb.ireca_token()).base_url(sb.ireca_url()).build().unwrap()
}

async fn courier(sb: &Sandbox, order_id: &str, action: &str) -> Value {
    control(sb, reqwest::Method::POST, "ireca/courier", Some(json!({"orderId": order_id, "action": action}))).await
}

fn json_of<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

fn model<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

/// The six calls of one catalogue resource, each checked by reading back what it did.
async fn exercise<T: Serialize + DeserializeOwned + Debug>(cat: Catalogue<T>, key: &str, first: Value, second: Value) {
    let id = first[key].as_str().unwrap().to_owned();
    let second_id = second[key].as_str().unwrap().to_owned();
    cat.create(&[model::<T>(first.clone())]).await.unwrap_or_else(|e| panic!("{key} create: {e}"));
    let got = json_of(&cat.get(id.as_str()).await.unwrap());
    for (k, v) in first.as_object().unwrap() {
        let decimal = |v: &Value| logibridge::serde_ext::decimal::parse(&v.to_string().replace('"', "")).map(|d| d.normalize());
        match (decimal(v), decimal(&got[k])) {
            (Some(sent), Some(back)) => assert_eq!(sent, back, "{key} {id}: {k} read back"),
            _ if k != key && v.is_string() => assert_eq!(&got[k], v, "{key} {id}: {k} read back"),
            _ => {}
        }
    }
    let page = cat.page(0, 1).await.unwrap();
    assert_eq!(page.len(), 1, "{key}: count=1 gives one item");
    let all = cat.list().collect_all().await.unwrap();
    assert!(all.iter().any(|x| json_of(x)[key].as_str().map(str::to_owned).or_else(|| json_of(x)[key].as_u64().map(|n| n.to_string())) == Some(id.clone())), "{key} {id} listed");
    cat.update(id.as_str(), &model::<T>(json!({"title": "Изменено"}))).await.unwrap();
    assert_eq!(json_of(&cat.get(id.as_str()).await.unwrap())["title"], "Изменено", "{key}: update");
    cat.replace(&[model::<T>(second.clone()), model::<T>(json!({key: id, "title": "Заменено"}))]).await.unwrap();
    assert_eq!(json_of(&cat.get(id.as_str()).await.unwrap())["title"], "Заменено", "{key}: replace updates");
    cat.get(second_id.as_str()).await.unwrap_or_else(|e| panic!("{key}: replace creates: {e}"));
    cat.delete(id.as_str()).await.unwrap();
    let after = json_of(&cat.get(id.as_str()).await.unwrap());
    assert!(after["isActive"] == json!(false) || after["isActive"] == json!(0) || after["isActive"].is_null(), "{key}: soft delete: {after}");
}

fn new_order(id: &str) -> Order {
    model(json!({
        "orderId": id, "codeAlias": format!("T-{id}"), "statusId": 0, "deliveryStatusId": 6, "courierId": "55752", "clientId": "3271",
        "paymentId": "4113", "amountToPay": "12345678901234.57", "cash": 1000,
        "addressToEntity": {"postindex": "197136", "city": "Санкт-Петербург", "street": "Чкаловский пр.", "home": "15литА", "isUseGoogleGeo": true},
        "deliveryTimeFrom": "2021-05-15T16:21:13+03:00", "deliveryTimeTo": "2021-05-15 15:21:13",
        "goods": [{"goodId": "355864", "count": 1, "price": "12345678901234.57", "total": "12345678901234.57", "discountTotal": 0,
                   "warehouses": [{"warehouseId": "1099", "count": 1}]}],
        "integratorNote": {"keep": ["me", 1]}
    }))
}

/// The row a logged request reached: same method and path; among those, the one whose
/// required query parameters the request carries (a get over a list), fixed values matching.
fn row_of(method: &str, path: &str, query: &str) -> Option<&'static Endpoint> {
    let keys: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let has = |wire: &str, fixed: Option<&str>| keys.iter().any(|(k, v)| k == wire && fixed.is_none_or(|f| f == v));
    let candidates = endpoints::service("ireca").unwrap().endpoints.iter().filter(|e| e.method != Method::Local && e.method.as_str() == method && e.path == path);
    candidates
        .filter(|e| e.params.iter().filter(|p| p.location == Location::Query && (p.required || p.fixed.is_some())).all(|p| has(p.wire, p.fixed)))
        .max_by_key(|e| e.params.iter().filter(|p| p.location == Location::Query && (p.required || p.fixed.is_some())).count())
        .copied()
}

#[tokio::test]
async fn every_ireca_call_against_the_emulator() {
    let sb = Sandbox::start().unwrap();
    let ireca = client(&sb);
    let prefix = url::Url::parse(&sb.ireca_url()).unwrap().path().to_owned();

    // The document's integration order: dictionaries, taxes, payment types, return reasons.
    assert!(ireca.order_statuses().await.unwrap().len() >= 2);
    assert!(!ireca.delivery_statuses().await.unwrap().is_empty());
    assert!(!ireca.close_types().await.unwrap().is_empty());
    assert!(!ireca.tax_types().await.unwrap().is_empty());
    assert!(!ireca.calc_types().await.unwrap().is_empty());
    assert!(!ireca.permission_list().await.unwrap().is_empty());

    exercise(ireca.taxes(), "taxId", json!({"taxId": "9001", "title": "Тест"}), json!({"taxId": "9002", "title": "Тест 2"})).await;
    exercise(ireca.payment_types(), "paymentTypeId", json!({"paymentTypeId": "9001", "title": "СБП", "closeTypeId": 2}), json!({"paymentTypeId": "9002", "title": "x", "closeTypeId": 1})).await;
    exercise(ireca.return_reasons(), "reasonId", json!({"reasonId": "9001", "title": "Брак"}), json!({"reasonId": "9002", "title": "x"})).await;
    exercise(ireca.goods(), "goodId", json!({"goodId": "9001", "taxId": "8286", "title": "Чай", "price": "99.90", "unit": "г"}), json!({"goodId": "9002", "taxId": "8286", "title": "x", "price": 1})).await;
    exercise(ireca.specificities(), "specificityId", json!({"specificityId": "9001", "parentId": null, "title": "Пакет", "price": 5}), json!({"specificityId": "9002", "parentId": null, "title": "x", "price": 1})).await;
    exercise(ireca.warehouses(), "warehouseId", json!({"warehouseId": "9001", "title": "Склад 3", "city": "Москва"}), json!({"warehouseId": "9002", "title": "x"})).await;
    exercise(ireca.couriers(), "courierId", json!({"courierId": "9001", "title": "Иван", "email": "i@example.com", "phone": "+79990000000", "sourcePassword": "1234", "inn": "500100732259"}), json!({"courierId": "9002", "title": "x", "email": "x@example.com", "phone": "+7", "sourcePassword": "1"})).await;
    exercise(ireca.roles(), "roleId", json!({"roleId": "9001", "title": "Старший курьер"}), json!({"roleId": "9002", "title": "x"})).await;
    exercise(ireca.clients(), "clientId", json!({"clientId": "9001", "title": "ООО Тест", "firstname": "Анна", "lastname": "Петрова", "birthday": "1990-01-01", "inn": "7707083893"}), json!({"clientId": "9002", "title": "x", "firstname": "x", "lastname": "x", "birthday": "1990-01-02"})).await;
    exercise(ireca.suppliers(), "supplierId", json!({"supplierId": "9001", "title": "ИП Тест", "inn": "7830002293"}), json!({"supplierId": "9002", "title": "x"})).await;

    // Orders: exact money both ways, the GMT+0 form, unknown fields kept through get → update.
    ireca.create_orders(&[new_order("77001")]).await.unwrap();
    let order = ireca.order("77001").await.unwrap();
    assert_eq!(order.amount_to_pay.unwrap().to_string(), "12345678901234.57");
    assert_eq!(order.delivery_time_from.unwrap().to_rfc3339(), "2021-05-15T13:21:13+00:00");
    // The generic entry gives date-times in RFC 3339, UTC: what a face gets it can send back.
    let as_json = ireca.as_client().call("ireca.orders.get", json!({"order_id": "77001"})).await.unwrap();
    assert_eq!(as_json["deliveryTimeFrom"], "2021-05-15T13:21:13Z");
    ireca.as_client().call("ireca.orders.update", json!({"order_id": "77001", "changes": as_json})).await.unwrap();
    let mut changed = order.clone();
    changed.description = Some("Позвонить за час".into());
    ireca.update_order("77001", &changed).await.unwrap();
    let after = ireca.order("77001").await.unwrap();
    assert_eq!(after.description.as_deref(), Some("Позвонить за час"));
    assert_eq!(after.extra.get("integratorNote"), Some(&json!({"keep": ["me", 1]})), "unknown field kept");
    ireca.replace_orders(&[new_order("77002")]).await.unwrap();
    let update: MultipleUpdate = model(json!({"orderIds": ["77001", "77002"], "attributes": {"courierId": "55753"}}));
    ireca.update_orders(&update).await.unwrap();
    assert_eq!(ireca.order("77002").await.unwrap().courier_id.unwrap().to_string(), "55753");
    let ids: Vec<String> = ireca.orders().collect_all().await.unwrap().into_iter().filter_map(|o| o.order_id.map(|i| i.to_string())).collect();
    assert!(ids.contains(&"77001".to_owned()) && ids.contains(&"77002".to_owned()), "{ids:?}");

    // A courier works the order; the journals, the receipt and the callback follow.
    let settings: CallbackSettings = model(json!({"url": format!("{}_control/health", sb.base_url()), "isActive": true}));
    ireca.set_order_callback(&settings).await.unwrap();
    courier(&sb, "77001", "take").await;
    courier(&sb, "77001", "deliver").await;
    courier(&sb, "77001", "close").await;
    assert!(ireca.status_journal("77001").await.unwrap().len() >= 3);
    assert!(!ireca.change_journal("77001", None).collect_all().await.unwrap().is_empty());
    let since = chrono::DateTime::parse_from_rfc3339("2000-01-01T03:00:00+03:00").unwrap().to_utc();
    assert!(!ireca.change_journal("77001", Some(since)).collect_all().await.unwrap().is_empty());
    assert!(!ireca.locations("55753", None).collect_all().await.unwrap().is_empty());
    assert_eq!(ireca.payment_receipt("77001").await.unwrap().order_id.unwrap().to_string(), "77001");

    // A refund of it.
    let mut refund = new_order("77003");
    refund.payments = Some(vec![model(json!({"paymentId": "1", "paymentTypeId": "4113", "price": 10, "paidIn": "2021-05-15 13:00:00"}))]);
    ireca.create_refund_orders(&[refund]).await.unwrap();
    assert_eq!(ireca.order("77003").await.unwrap().is_refund, Some(true));
    courier(&sb, "77003", "take").await;
    courier(&sb, "77003", "close").await;
    ireca.refund_receipt("77003").await.unwrap();
    ireca.correction_receipts(None).collect_all().await.unwrap();
    ireca.correction_receipts(Some("55752".into())).collect_all().await.unwrap();

    // The document's own example carries INN 1234567890, whose check digit is wrong: refused
    // before sending; with a real INN it goes through.
    let mut atol: Value = serde_json::from_str(include_str!("../../tests/fixtures/ireca/12-atol.replace_settings.request.json")).unwrap();
    let e = ireca.replace_atol_settings(&model(atol.clone())).await.unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("settings.company.inn"), "inn.checksum"));
    atol["company"]["inn"] = json!("7707083893");
    ireca.replace_atol_settings(&model(atol)).await.unwrap();
    ireca.pechka54_settings().await.unwrap();
    let perms = ireca.permissions(Some("908".into()), Some("registratorShiftOpen")).await.unwrap();
    assert!(perms.len() <= 1);
    ireca.replace_permissions(&[model(json!({"roleId": 908, "actionId": "registratorShiftOpen", "isAllowed": false}))]).await.unwrap();
    control(&sb, reqwest::Method::POST, "ireca/sessions", Some(json!({"courierId": "55752", "deviceId": "dev-1"}))).await;
    let licenses = ireca.licenses().await.unwrap();
    assert!(licenses.license_use.unwrap() >= 1);
    ireca.close_license("dev-1").await.unwrap();
    ireca.set_session_callback(&settings).await.unwrap();
    ireca.bank_terminal_logs(&LogFilter::default()).collect_all().await.unwrap();
    ireca.fiscal_registrator_logs(&LogFilter { order_id: Some("209897".into()), courier_id: None }).collect_all().await.unwrap();
    ireca.delete_order("77002").await.unwrap();

    // Coverage: every service id of the table reached the emulator.
    let mut reached = BTreeSet::new();
    for r in requests(&sb).await {
        let path = r["path"].as_str().unwrap().strip_prefix(&prefix).unwrap_or_default().trim_matches('/').to_owned();
        if let Some(ep) = row_of(r["method"].as_str().unwrap(), &path, r["query"].as_str().unwrap_or_default()) {
            assert!((200..300).contains(&r["status"].as_u64().unwrap()), "{} answered {}", ep.id, r["status"]);
            reached.insert(ep.id);
        }
    }
    let all: BTreeSet<&str> = endpoints::service("ireca").unwrap().endpoints.iter().filter(|e| e.method != Method::Local).map(|e| e.id).collect();
    let missing: Vec<_> = all.difference(&reached).collect();
    assert!(missing.is_empty(), "ids never called: {missing:?}");
    println!("ireca: {} of {} service ids called against the emulator", reached.len(), all.len());
}

#[tokio::test]
async fn documented_rules_stop_a_call_before_it_is_sent() {
    let sb = Sandbox::start().unwrap();
    let ireca = client(&sb);
    let before = requests(&sb).await.len();

    let mut two_warehouses = new_order("1");
    two_warehouses.goods.as_mut().unwrap()[0].warehouses = Some(vec![model(json!({"warehouseId": 1, "count": 1})), model(json!({"warehouseId": 2, "count": 1}))]);
    let mut late = new_order("2");
    late.delivery_time_to = Some(chrono::DateTime::parse_from_rfc3339("2021-05-15T10:00:00Z").unwrap().to_utc());
    let mut no_city = new_order("3");
    no_city.address_to_entity.as_mut().unwrap().city = None;
    let mut bad_inn = new_order("4");
    bad_inn.client = Some(model(json!({"inn": "7707083894"})));
    for (order, field, code) in [
        (two_warehouses, "items[0].goods[0].warehouses", "ireca.one_warehouse"),
        (late, "items[0].deliveryTimeFrom", "ireca.delivery_window"),
        (no_city, "items[0].addressToEntity.city", "ireca.required"),
        (bad_inn, "items[0].client.inn", "inn.checksum"),
    ] {
        let e = ireca.create_orders(&[order]).await.unwrap_err();
        assert_eq!((e.kind(), e.field(), e.code()), (ErrorKind::Validation, Some(field), code), "{e}");
        assert!(!e.message_ru().is_empty());
    }
    let e = ireca.goods().page(0, 501).await.unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("count"), "param.max"));
    let e = ireca.as_client().call("ireca.orders.update_many", json!({"update": {"orderIds": ["1"], "attributes": {"amountToPay": 1}}})).await.unwrap_err();
    assert!(e.to_string().contains("amountToPay"), "{e}");
    let e = ireca.as_client().call("ireca.journal.list", json!({"entity_id": "1", "started_at": "2021-06-30 10:48:46"})).await.unwrap_err();
    assert_eq!(e.field(), Some("started_at"));
    // A date-time without an offset in a body is refused, not taken for GMT+0: a 1C or C
    // caller's local wall-clock time would be hours off.
    let mut naive = serde_json::to_value(&new_order("5")).unwrap();
    naive["deliveryTimeFrom"] = json!("2021-05-15 13:21:13");
    let e = ireca.as_client().call("ireca.orders.create", json!({"items": [naive]})).await.unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("items"), "param.model"), "{e}");
    assert!(e.to_string().contains("at [0].deliveryTimeFrom") && e.to_string().contains("no UTC offset"), "{e}");
    assert_eq!(requests(&sb).await.len(), before, "nothing was sent");
}

#[tokio::test]
async fn errors_carry_the_services_message_and_never_the_token() {
    let sb = Sandbox::start().unwrap();
    let ireca = client(&sb);
    let e = ireca.order("no-such-order").await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::NotFound, Some(404)), "{e}");
    assert!(e.to_string().contains("Модель не существует"), "{e}");

    // `{"error": true, …}` with a success status is an error all the same: a create that
    // answered it created nothing.
    let prefix0 = url::Url::parse(&sb.ireca_url()).unwrap().path().to_owned();
    let said = json!({"error": true, "message": "Модель уже существует"}).to_string();
    control(&sb, reqwest::Method::POST, "faults", Some(json!({"path_prefix": format!("{prefix0}taxes"), "status": 200, "body": said, "count": 1}))).await;
    let e = ireca.taxes().create(&[serde_json::from_value(json!({"taxId": "1"})).unwrap()]).await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Http, Some(200)), "{e}");
    assert!(e.to_string().contains("Модель уже существует"), "{e}");

    // A decode error quotes values cut short: no run of the token survives, whole or cut.
    // (The fault answers before the token is checked, so any long token will do.)
    let token = "8f3a0c1d9e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f";
    let long = Client::builder(token).base_url(sb.ireca_url()).build().unwrap();
    let prefix = url::Url::parse(&sb.ireca_url()).unwrap().path().to_owned();
    let body = json!({"goodId": token, "title": token, "price": format!("x{token}")}).to_string();
    control(&sb, reqwest::Method::POST, "faults", Some(json!({"path_prefix": format!("{prefix}goods"), "status": 200, "body": body, "count": 1}))).await;
    let e = long.goods().get(1).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    for text in [e.to_string(), format!("{e:?}"), e.message_ru()] {
        let chars: Vec<char> = token.chars().collect();
        for run in chars.windows(8) {
            let run: String = run.iter().collect();
            assert!(!text.contains(&run), "{run:?} of the token in {text}");
        }
    }

    let wrong = Client::builder(CANARY).base_url(sb.ireca_url()).build().unwrap();
    let e: Error = wrong.licenses().await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert!(format!("{wrong:?}").len() < 2000, "a client's Debug is a few lines, not its table");
    for text in [e.to_string(), format!("{e:?}"), e.message_ru(), format!("{wrong:?}")] {
        assert!(!text.contains(CANARY), "{text}");
    }
}
