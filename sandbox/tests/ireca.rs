//! The iRECA Courier emulator against the document (`ireca-courier-api.apib`), over real
//! HTTP: every endpoint id, the Bearer check, the error shape, paging, soft delete, the
//! journals, the update-many whitelist, callbacks (delivered, retried) and the courier.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use logibridge_sandbox::{ireca::served_ids, Sandbox, SandboxConfig, MAX_BODY_BYTES};
use reqwest::blocking::{Client, Response};
use reqwest::Method;
use serde_json::{json, Value};

/// The ten CRUD resources of ENDPOINTS.md, as (name, path, key).
const RESOURCES: &[(&str, &str, &str)] = &[
    ("goods", "goods", "goodId"),
    ("specificities", "specificities", "specificityId"),
    ("warehouses", "warehouses", "warehouseId"),
    ("couriers", "couriers", "courierId"),
    ("roles", "userRoles", "roleId"),
    ("clients", "clients", "clientId"),
    ("suppliers", "suppliers", "supplierId"),
    ("return_reasons", "orderReturnReasons", "reasonId"),
    ("payment_types", "paymentTypes", "paymentTypeId"),
    ("taxes", "taxes", "taxId"),
];

const CRUD_ACTIONS: &[&str] = &["create", "get", "list", "update", "replace", "delete"];

/// The thirty other ids of ENDPOINTS.md.
const OTHER_IDS: &[&str] = &[
    "ireca.locations.list",
    "ireca.orders.create",
    "ireca.orders.create_refund",
    "ireca.orders.get",
    "ireca.orders.list",
    "ireca.orders.update",
    "ireca.orders.update_many",
    "ireca.orders.replace",
    "ireca.orders.delete",
    "ireca.orders.set_callback",
    "ireca.orders.status_journal",
    "ireca.receipts.payment",
    "ireca.receipts.refund",
    "ireca.receipts.correction",
    "ireca.atol.replace_settings",
    "ireca.pechka54.get_settings",
    "ireca.journal.list",
    "ireca.permissions.list",
    "ireca.permissions.replace",
    "ireca.licenses.list",
    "ireca.licenses.close",
    "ireca.licenses.set_callback",
    "ireca.bank_terminal_logs.list",
    "ireca.fiscal_registrator_logs.list",
    "ireca.dictionary.order_statuses",
    "ireca.dictionary.delivery_statuses",
    "ireca.dictionary.close_types",
    "ireca.dictionary.tax_types",
    "ireca.dictionary.calc_types",
    "ireca.dictionary.permissions",
];

/// The 90 ids this crate commits to.
fn committed_ids() -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = RESOURCES
        .iter()
        .flat_map(|(name, _, _)| {
            CRUD_ACTIONS
                .iter()
                .map(move |a| format!("ireca.{name}.{a}"))
        })
        .collect();
    ids.extend(OTHER_IDS.iter().map(|s| s.to_string()));
    ids
}

struct Env {
    sb: Sandbox,
    http: Client,
    hit: Mutex<BTreeSet<String>>,
}

impl Env {
    fn new() -> Env {
        Env {
            sb: Sandbox::start().expect("sandbox starts"),
            http: Client::builder()
                .timeout(Duration::from_secs(30))
                .no_proxy()
                .build()
                .unwrap(),
            hit: Mutex::new(BTreeSet::new()),
        }
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Response {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.sb.ireca_url()));
        if let Some(t) = token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        if let Some(b) = body {
            req = req.header("Content-Type", "application/json").body(b);
        }
        req.send().expect("request sent")
    }

    /// A call with the token: (status, JSON body or `Null` when empty).
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let resp = self.send(
            method,
            path,
            Some(self.sb.ireca_token()),
            body.map(|b| b.to_string().into_bytes()),
        );
        let status = resp.status().as_u16();
        let text = resp.text().unwrap();
        if text.is_empty() {
            return (status, Value::Null);
        }
        let value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status} {text:?}: {e}"));
        (status, value)
    }

    /// A call that reaches endpoint `id`, recorded as hit; asserts the status.
    fn id(&self, id: &str, method: &str, path: &str, body: Option<Value>, want: u16) -> Value {
        let (status, value) = self.call(method, path, body);
        assert_eq!(status, want, "{id}: {method} {path} → {value}");
        self.hit.lock().unwrap().insert(id.to_string());
        value
    }

    fn control(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}_control/{path}", self.sb.base_url()))
            .json(&body)
            .send()
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(Value::Null))
    }

    fn courier(&self, order: &str, action: &str, extra: Value) -> (u16, Value) {
        let mut body = json!({"orderId": order, "action": action});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.control("ireca/courier", body)
    }
}

/// Asserts the document's error shape, `{"error": true, "message": "..."}` as JSON, and
/// returns (status, message).
fn ireca_error(resp: Response) -> (u16, String) {
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = resp.text().unwrap();
    assert!(status >= 400, "not an error: {status} {text}");
    assert!(
        ctype.starts_with("application/json"),
        "{status}: {ctype:?} {text:?}"
    );
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status} {text:?}: {e}"));
    let obj = body.as_object().unwrap_or_else(|| panic!("{body}"));
    assert_eq!(obj.len(), 2, "{status}: {body}");
    assert_eq!(obj["error"], true, "{status}: {body}");
    let message = obj["message"].as_str().unwrap_or_else(|| panic!("{body}"));
    assert!(!message.trim().is_empty(), "{body}");
    (status, message.to_string())
}

/// Asserts that `v` has every one of `fields` (the document's attributes of an answer).
fn has_fields(v: &Value, fields: &[&str]) {
    for field in fields {
        assert!(v.get(*field).is_some(), "{field} missing in {v}");
    }
}

fn id_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("not an id: {other}"),
    }
}

fn amount(v: &Value) -> f64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        Value::Number(n) => n.as_f64().unwrap(),
        other => panic!("not an amount: {other}"),
    }
}

/// The document's create example of each resource, with key 9001.
fn create_body(name: &str) -> Value {
    match name {
        "goods" => {
            json!({"parentId": null, "goodId": "9001", "article": "G-1", "taxId": "8284", "calcId": 0, "title": "Варенье яблочное FL", "unit": "г", "weight": "370", "multiplicity": 1, "price": 179.5, "description": "", "imageUrl": "http://example.com/image.png", "imageBigUrl": "http://example.com/image_big.png"})
        }
        "specificities" => {
            json!({"specificityId": 9001, "parentId": null, "title": "Новая характеристика", "value": "Новое значение", "price": "250.00", "imageUrl": "", "imageBigUrl": "", "article": "DP-385-7"})
        }
        "warehouses" => {
            json!({"warehouseId": "9001", "title": "Новый склад", "firstname": "Иван", "lastname": "Венских", "phone": "+79063998463", "city": "Saint-Petersburg", "street": "Nevsky", "house": "10", "apartment": "55", "description": "Наш новый склад"})
        }
        "couriers" => {
            json!({"courierId": 9001, "title": "Новый курьер", "email": "courier@email.ru", "phone": "+79062893689", "roleId": null, "sourcePassword": "1", "inn": "1234567890"})
        }
        "roles" => json!({"roleId": 9001, "title": "Новая роль пользователя приложения"}),
        "clients" => {
            json!({"clientId": 9001, "title": "Компания нового клиента", "firstname": "Дмитрий", "lastname": "Новиков", "birthday": "1989-03-11", "addressEntity": {"city": "Санкт-Петербург", "street": "пр-кт Заневский", "home": "25", "apartment": "3"}, "inn": "111122223333", "phone": "+7(812)2354788", "email": "ivanow@email.com", "description": "Наш новый клиент"})
        }
        "suppliers" => {
            json!({"supplierId": "9001", "title": "Новый поставщик", "taxId": "5", "inn": "1234567890", "phone": "+79062558463", "address": "Санкт-Петербург, ул. Передовиков, дом 25, кв.16", "description": "Описание"})
        }
        "return_reasons" => json!({"reasonId": 9001, "title": "Новая причина отказа"}),
        "payment_types" => {
            json!({"paymentTypeId": 9001, "closeTypeId": 2, "title": "Банковская карта 3"})
        }
        "taxes" => json!({"taxId": "9001", "title": "10%/110%"}),
        other => panic!("no body for {other}"),
    }
}

/// The document's order create example with this id.
fn order_body(id: &str) -> Value {
    json!({
        "orderId": id, "codeAlias": "G-1", "statusId": 0, "deliveryStatusId": 6, "isAgreed": 0,
        "returnReasonId": null, "courierId": "55752", "clientId": "3271", "supplierId": null,
        "paymentId": "4113", "amountToPay": 539.78, "prePaymentSum": 0, "cash": 1000.00,
        "addressFromEntity": {"postindex": "195279", "city": "Санкт-Петербург", "street": "ул. Передовиков", "home": "дом 25", "apartment": "кв 16", "latitude": 59.947851, "longitude": 30.4599682, "isUseGoogleGeo": false},
        "addressToEntity": {"postindex": "197136", "city": "Санкт-Петербург", "street": "Чкаловский пр.", "home": "15литА", "apartment": "кв 19", "latitude": 0, "longitude": 0, "isUseGoogleGeo": true},
        "phone": "+79123456789", "deliveryTimeFrom": "2021-05-15 13:21:13", "deliveryTimeTo": "2021-05-15 15:21:13",
        "description": "Новый заказ",
        "goods": [{"goodId": "355864", "count": 1, "price": 539.78, "total": 539.78, "discountTotal": 0, "position": 1, "description": "Описание позиции", "unit": "г", "weight": 100, "taxId": 1, "countryCode": "276", "customDeclarationCode": "10113110/070719/0097367", "warehouses": [{"warehouseId": "1099", "count": 1.0}], "specificities": [{"specificityId": "24", "price": 5.00, "count": 1.0}]}]
    })
}

/// The document's refund example with this id.
fn refund_body(id: &str) -> Value {
    let mut body = order_body(id);
    body["statusId"] = json!(1);
    body["deliveryStatusId"] = json!(7);
    body["isRefund"] = json!(true);
    body["payments"] = json!([
        {"paymentId": "1", "paymentTypeId": "4113", "price": 200.00, "paidIn": "2020-09-08 08:29:59"},
        {"paymentId": "2", "paymentTypeId": "4114", "price": 339.78, "paidIn": "2020-09-09 08:29:59", "cardMask": "************3333", "rrn": "025152870125", "cardAuth": "012345"}
    ]);
    body
}

/// A listener standing in for the integrator's callback URL: answers the statuses of
/// `script` in turn (then 201) and keeps every body it was sent.
struct Listener {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Listener {
    fn start(script: Vec<u16>) -> Listener {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/callback", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let seen = bodies.clone();
        std::thread::spawn(move || {
            let mut script = script.into_iter();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    continue;
                }
                seen.lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
                let status = script.next().unwrap_or(201);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        Listener { url, bodies }
    }

    /// Waits (up to a minute, so a slow machine does not fail the test) for `n` bodies.
    fn wait_for(&self, n: usize) -> Vec<Value> {
        let give_up = Instant::now() + Duration::from_secs(60);
        loop {
            let bodies = self.bodies.lock().unwrap().clone();
            if bodies.len() >= n || Instant::now() > give_up {
                return bodies;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn the_ids_served_are_the_ninety_of_endpoints_md() {
    let served: BTreeSet<String> = served_ids().into_iter().collect();
    assert_eq!(served.len(), 90);
    assert_eq!(served, committed_ids());
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/ENDPOINTS.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "skipped the ENDPOINTS.md comparison: {} not present",
            path.display()
        );
        return;
    };
    let section = text
        .split("## iRECA Courier")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("an iRECA section");
    let mut documented = BTreeSet::new();
    let mut in_resources = false;
    for line in section.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 3 {
            in_resources = false;
            continue;
        }
        if cells[1] == "resource" {
            in_resources = true;
            continue;
        }
        if in_resources && !cells[1].starts_with("---") {
            for action in CRUD_ACTIONS {
                documented.insert(format!("ireca.{}.{action}", cells[1]));
            }
        } else if cells[1].starts_with("ireca.") {
            documented.insert(cells[1].to_string());
        }
    }
    assert_eq!(documented.len(), 90, "{documented:?}");
    assert_eq!(served, documented);
}

#[test]
fn every_id_answers_as_the_document_shows() {
    let env = Env::new();
    let e = &env;
    // The ten CRUD resources, one generic walk.
    for (name, path, key) in RESOURCES {
        let id = |a: &str| format!("ireca.{name}.{a}");
        e.id(
            &id("create"),
            "POST",
            path,
            Some(json!([create_body(name)])),
            201,
        );
        let got = e.id(&id("get"), "GET", &format!("{path}?{key}=9001"), None, 200);
        let title = if *name == "payment_types" {
            "Банковская карта 3"
        } else {
            ""
        };
        if !title.is_empty() {
            assert_eq!(got["title"], title);
        }
        let list = e.id(
            &id("list"),
            "GET",
            &format!("{path}?page=0&count=500"),
            None,
            200,
        );
        let rows = list.as_array().expect("a list is an array");
        let mine = rows
            .iter()
            .find(|r| r.get(*key).map(id_text).as_deref() == Some("9001"))
            .unwrap_or_else(|| panic!("{name}: 9001 not listed in {list}"));
        assert_eq!(mine["isActive"], 1, "{name}: {mine}");
        assert_eq!(
            e.id(
                &id("update"),
                "PUT",
                &format!("{path}?{key}=9001"),
                Some(json!({"title": "updated"})),
                204
            ),
            Value::Null
        );
        let got = e.call("GET", &format!("{path}?{key}=9001"), None).1;
        assert_eq!(got["title"], "updated", "{name}");
        let mut replaced = create_body(name);
        replaced["title"] = json!("replaced");
        e.id(
            &id("replace"),
            "POST",
            &format!("{path}/replace"),
            Some(json!([replaced])),
            204,
        );
        assert_eq!(
            e.call("GET", &format!("{path}?{key}=9001"), None).1["title"],
            "replaced",
            "{name}"
        );
        e.id(
            &id("delete"),
            "DELETE",
            &format!("{path}?{key}=9001"),
            None,
            204,
        );
        assert_eq!(
            e.call("GET", &format!("{path}?{key}=9001"), None).1["isActive"],
            0,
            "{name}"
        );
    }
    // Orders.
    e.id(
        "ireca.orders.create",
        "POST",
        "orders",
        Some(json!([order_body("1")])),
        201,
    );
    e.id(
        "ireca.orders.create_refund",
        "POST",
        "orders?isRefund=1",
        Some(json!([refund_body("2")])),
        201,
    );
    let order = e.id("ireca.orders.get", "GET", "orders?orderId=1", None, 200);
    assert_eq!(id_text(&order["orderId"]), "1");
    assert_eq!(order["isRefund"], 0);
    let list = e.id(
        "ireca.orders.list",
        "GET",
        "orders?page=0&count=10",
        None,
        200,
    );
    assert_eq!(list.as_array().unwrap().len(), 2);
    e.id(
        "ireca.orders.update",
        "PUT",
        "orders?orderId=1",
        Some(json!({"description": "Доставить до двери (updated)"})),
        201,
    );
    e.id(
        "ireca.orders.update_many",
        "PUT",
        "orders/multipleUpdate",
        Some(json!({"orderIds": ["1"], "attributes": {"courierId": "55753"}})),
        204,
    );
    let mut replaced = order_body("1");
    replaced["codeAlias"] = json!("G-2 (replaced)");
    e.id(
        "ireca.orders.replace",
        "POST",
        "orders/replace",
        Some(json!([replaced])),
        201,
    );
    e.id(
        "ireca.orders.set_callback",
        "POST",
        "orders/callback",
        Some(json!({"url": "http://127.0.0.1:9/none", "isActive": 0})),
        201,
    );
    let journal = e.id(
        "ireca.orders.status_journal",
        "GET",
        "orders/journalStatuses?orderId=1",
        None,
        200,
    );
    assert_eq!(journal[0]["statusId"], 6, "{journal}");
    has_fields(
        &journal[0],
        &[
            "statusId",
            "returnReasonId",
            "longitude",
            "latitude",
            "accuracy",
            "createdAt",
        ],
    );
    let changes = e.id(
        "ireca.journal.list",
        "GET",
        "journal?entityId=1&page=0&count=10",
        None,
        200,
    );
    assert_eq!(changes[0]["event"], "create");
    assert_eq!(changes[1]["event"], "update");
    // Receipts: none before a courier closes the order; then the documented attributes.
    let (status, _) = e.call("GET", "orderReceipts?orderId=1", None);
    assert_eq!(status, 404);
    assert_eq!(e.courier("1", "take", json!({})).0, 200);
    assert_eq!(e.courier("1", "close", json!({})).0, 200);
    let receipt = e.id(
        "ireca.receipts.payment",
        "GET",
        "orderReceipts?orderId=1",
        None,
        200,
    );
    has_fields(
        &receipt,
        &[
            "orderId",
            "serialNumber",
            "shiftNumber",
            "fn",
            "fdNumber",
            "receiptNumber",
            "fiscalSign",
            "dateTimeReceipt",
        ],
    );
    assert_eq!(e.courier("2", "close", json!({})).0, 200);
    let refund = e.id(
        "ireca.receipts.refund",
        "GET",
        "orderReturnReceipts?orderId=2",
        None,
        200,
    );
    assert_eq!(id_text(&refund["orderId"]), "2");
    let corrections = e.id(
        "ireca.receipts.correction",
        "GET",
        "correctionReceipts?courierId=55752&page=0&count=10",
        None,
        200,
    );
    for field in [
        "correctionReceiptId",
        "courierId",
        "serialNumber",
        "amount",
        "commandExecutedAt",
    ] {
        assert!(
            corrections[0].get(field).is_some(),
            "{field} in {corrections}"
        );
    }
    // Three points of courier 55752 (take and close of order 1, close of order 2), paged.
    let locations = e.id(
        "ireca.locations.list",
        "GET",
        "locations?courierId=55752&page=0&count=2",
        None,
        200,
    );
    assert_eq!(locations.as_array().unwrap().len(), 2, "{locations}");
    assert_eq!(
        e.call("GET", "locations?courierId=55752&page=1&count=2", None)
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
    has_fields(
        &locations[0],
        &[
            "orderId",
            "deliveryStatusId",
            "returnReasonId",
            "longitude",
            "latitude",
            "accuracy",
            "createdAt",
        ],
    );
    e.id(
        "ireca.atol.replace_settings",
        "POST",
        "atolOnlineSettings/replace",
        Some(json!({"settingId": 1, "login": "login", "password": "1234", "kktGroup": "group_code_19642", "isProduction": 1, "company": {"inn": "1234567890", "taxSystem": "usn_income"}, "agent": {"type": "another"}})),
        201,
    );
    let pechka = e.id(
        "ireca.pechka54.get_settings",
        "GET",
        "pechka54Settings",
        None,
        200,
    );
    assert!(pechka["url"].is_string(), "{pechka}");
    let permissions = e.id(
        "ireca.permissions.list",
        "GET",
        "permissions?roleId=908&permissionId=registratorShiftOpen",
        None,
        200,
    );
    assert_eq!(permissions.as_array().unwrap().len(), 1, "{permissions}");
    assert_eq!(permissions[0]["roleTitle"], "Курьер");
    e.id(
        "ireca.permissions.replace",
        "POST",
        "permissions/replace",
        Some(json!([{"roleId": 908, "actionId": "registratorShiftOpen", "isAllowed": "0"}])),
        204,
    );
    let permissions = e
        .call(
            "GET",
            "permissions?roleId=908&permissionId=registratorShiftOpen",
            None,
        )
        .1;
    assert_eq!(permissions[0]["isAllowed"], "0");
    let licenses = e.id("ireca.licenses.list", "GET", "licenses", None, 200);
    assert_eq!(licenses["licenseTotal"], 50);
    assert_eq!(licenses["licenses"][0]["deviceId"], "3ebf391b3c596bc8");
    e.id(
        "ireca.licenses.set_callback",
        "POST",
        "licenses/callback",
        Some(json!({"url": "http://example.com/session-closed-callback", "isActive": 0})),
        201,
    );
    e.id(
        "ireca.licenses.close",
        "POST",
        "licenses/close?deviceId=3ebf391b3c596bc8",
        None,
        204,
    );
    assert_eq!(e.call("GET", "licenses", None).1["licenseUse"], 0);
    let logs = e.id(
        "ireca.bank_terminal_logs.list",
        "GET",
        "bankTerminalLogs?courierId=55752&page=0&count=5",
        None,
        200,
    );
    has_fields(
        &logs[0],
        &[
            "terminalLogId",
            "courierId",
            "errorCode",
            "errorText",
            "cardNumber",
            "paymentSystem",
            "serialNumber",
            "amount",
            "orderId",
            "transactionCreatedAt",
        ],
    );
    let logs = e.id(
        "ireca.fiscal_registrator_logs.list",
        "GET",
        "fiscalRegistratorLogs?orderId=209897&page=0&count=5",
        None,
        200,
    );
    has_fields(
        &logs[0],
        &[
            "frId",
            "courierId",
            "errorCode",
            "errorText",
            "serialNumber",
            "amount",
            "orderId",
            "commandExecutedAt",
        ],
    );
    assert_eq!(
        e.call("GET", "bankTerminalLogs?courierId=1&page=0&count=5", None)
            .1,
        json!([])
    );
    // Dictionaries, with the document's values (copied from it here, not from the code).
    let dictionaries = [
        (
            "ireca.dictionary.order_statuses",
            "dictionary/orderStatuses",
            json!([
            {"statusId": 0, "title": "Не оплачен"}, {"statusId": 1, "title": "Оплачен"}]),
        ),
        (
            "ireca.dictionary.delivery_statuses",
            "dictionary/orderDeliveryStatuses",
            json!([
            {"statusId": 6, "title": "Подготовлен"}, {"statusId": 7, "title": "Заказ взят курьером"},
            {"statusId": 9, "title": "Заказ доставлен"}, {"statusId": 10, "title": "Заказ закрыт"},
            {"statusId": 11, "title": "Заказ отменен"}]),
        ),
        (
            "ireca.dictionary.close_types",
            "dictionary/closeTypes",
            json!([
            {"closeTypeId": 1, "title": "Наличные"}, {"closeTypeId": 2, "title": "Банковская карта"}]),
        ),
        (
            "ireca.dictionary.tax_types",
            "dictionary/taxTypes",
            json!([
            {"title":"20%"}, {"title":"10%"}, {"title":"20%/120%"}, {"title":"10%/110%"}, {"title":"0%"}]),
        ),
        (
            "ireca.dictionary.calc_types",
            "dictionary/goodCalcTypes",
            json!([
            {"calcId":0,"title":"Не используется"}, {"calcId":1,"title":"Товар, кроме подакцизного"},
            {"calcId":4,"title":"Услуга"}]),
        ),
        (
            "ireca.dictionary.permissions",
            "dictionary/permissions",
            json!([
            {"description": "Открывает смену для ФР", "permissionId": "registratorShiftOpen"},
            {"description": "Закрывает смену ФР", "permissionId": "registratorShiftClose"},
            {"description": "Печать чека коррекции", "permissionId": "printCorrectionReceipt"},
            {"description": "Изменение настроек приложения", "permissionId": "changeSettings"},
            {"description": "Отмена заказа", "permissionId": "orderCancel"},
            {"description": "Редактирование места расчетов", "permissionId": "updateAddressTo"},
            {"description": "Внесение наличных", "permissionId": "cashIn"},
            {"description": "Изъятие наличных", "permissionId": "cashOut"},
            {"description": "Отчет по заказу", "permissionId": "orderReport"},
            {"description": "Редактирование позиций доставленного заказа", "permissionId": "deliveredOrderItemUpdate"}]),
        ),
    ];
    for (id, path, documented) in dictionaries {
        assert_eq!(e.id(id, "GET", path, None, 200), documented, "{id}");
    }
    e.id(
        "ireca.orders.delete",
        "DELETE",
        "orders?orderId=1",
        None,
        204,
    );
    let (status, _) = e.call("GET", "orders?orderId=1", None);
    assert_eq!(status, 404);
    let hit = e.hit.lock().unwrap().clone();
    assert_eq!(
        hit,
        committed_ids(),
        "ids not hit: {:?}",
        committed_ids().difference(&hit).collect::<Vec<_>>()
    );
}

/// One request that reaches each id (method, path), for the checks every id shares.
fn one_request_per_id() -> Vec<(String, &'static str, String)> {
    let mut rows = Vec::new();
    for (name, path, key) in RESOURCES {
        let id = |a: &str| format!("ireca.{name}.{a}");
        rows.push((id("create"), "POST", path.to_string()));
        rows.push((id("get"), "GET", format!("{path}?{key}=1")));
        rows.push((id("list"), "GET", path.to_string()));
        rows.push((id("update"), "PUT", format!("{path}?{key}=1")));
        rows.push((id("replace"), "POST", format!("{path}/replace")));
        rows.push((id("delete"), "DELETE", format!("{path}?{key}=1")));
    }
    let others: &[(&str, &str, &str)] = &[
        ("ireca.locations.list", "GET", "locations?courierId=7"),
        ("ireca.orders.create", "POST", "orders"),
        ("ireca.orders.create_refund", "POST", "orders?isRefund=1"),
        ("ireca.orders.get", "GET", "orders?orderId=1"),
        ("ireca.orders.list", "GET", "orders"),
        ("ireca.orders.update", "PUT", "orders?orderId=1"),
        ("ireca.orders.update_many", "PUT", "orders/multipleUpdate"),
        ("ireca.orders.replace", "POST", "orders/replace"),
        ("ireca.orders.delete", "DELETE", "orders?orderId=1"),
        ("ireca.orders.set_callback", "POST", "orders/callback"),
        (
            "ireca.orders.status_journal",
            "GET",
            "orders/journalStatuses?orderId=1",
        ),
        ("ireca.receipts.payment", "GET", "orderReceipts?orderId=1"),
        (
            "ireca.receipts.refund",
            "GET",
            "orderReturnReceipts?orderId=1",
        ),
        ("ireca.receipts.correction", "GET", "correctionReceipts"),
        (
            "ireca.atol.replace_settings",
            "POST",
            "atolOnlineSettings/replace",
        ),
        ("ireca.pechka54.get_settings", "GET", "pechka54Settings"),
        ("ireca.journal.list", "GET", "journal?entityId=1"),
        ("ireca.permissions.list", "GET", "permissions"),
        ("ireca.permissions.replace", "POST", "permissions/replace"),
        ("ireca.licenses.list", "GET", "licenses"),
        ("ireca.licenses.close", "POST", "licenses/close?deviceId=x"),
        ("ireca.licenses.set_callback", "POST", "licenses/callback"),
        ("ireca.bank_terminal_logs.list", "GET", "bankTerminalLogs"),
        (
            "ireca.fiscal_registrator_logs.list",
            "GET",
            "fiscalRegistratorLogs",
        ),
        (
            "ireca.dictionary.order_statuses",
            "GET",
            "dictionary/orderStatuses",
        ),
        (
            "ireca.dictionary.delivery_statuses",
            "GET",
            "dictionary/orderDeliveryStatuses",
        ),
        (
            "ireca.dictionary.close_types",
            "GET",
            "dictionary/closeTypes",
        ),
        ("ireca.dictionary.tax_types", "GET", "dictionary/taxTypes"),
        (
            "ireca.dictionary.calc_types",
            "GET",
            "dictionary/goodCalcTypes",
        ),
        (
            "ireca.dictionary.permissions",
            "GET",
            "dictionary/permissions",
        ),
    ];
    for (id, method, path) in others {
        rows.push((id.to_string(), method, path.to_string()));
    }
    rows
}

#[test]
fn every_id_wants_the_bearer_token() {
    let env = Env::new();
    let rows = one_request_per_id();
    assert_eq!(
        rows.iter().map(|r| r.0.clone()).collect::<BTreeSet<_>>(),
        committed_ids()
    );
    for (id, method, path) in &rows {
        for token in [None, Some("wrong"), Some(" ")] {
            let (status, _) = ireca_error(env.send(method, path, token, Some(b"[]".to_vec())));
            assert_eq!(status, 401, "{id} with {token:?}");
        }
    }
    // The scheme is case-insensitive; another scheme is not a Bearer token.
    let url = format!("{}dictionary/closeTypes", env.sb.ireca_url());
    let ok = env
        .http
        .get(&url)
        .header("Authorization", format!("bearer {}", env.sb.ireca_token()))
        .send()
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let basic = env
        .http
        .get(&url)
        .header("Authorization", format!("Basic {}", env.sb.ireca_token()))
        .send()
        .unwrap();
    assert_eq!(ireca_error(basic).0, 401);
}

#[test]
fn the_token_is_configured_and_never_blank() {
    let config = SandboxConfig {
        ireca_token: "my-token".into(),
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start_with(config).unwrap();
    assert_eq!(sb.ireca_token(), "my-token");
    assert!(sb.ireca_url().ends_with("/ireca/api/v1/"));
    let http = Client::new();
    let url = format!("{}taxes", sb.ireca_url());
    let ok = http.get(&url).bearer_auth("my-token").send().unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let default = http
        .get(&url)
        .bearer_auth(logibridge_sandbox::DEFAULT_IRECA_TOKEN)
        .send()
        .unwrap();
    assert_eq!(default.status().as_u16(), 401);
    for blank in ["", "  "] {
        let config = SandboxConfig {
            ireca_token: blank.into(),
            ..SandboxConfig::default()
        };
        let err = Sandbox::start_with(config).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("ireca_token"), "{err}");
    }
}

#[test]
fn errors_on_ireca_routes_have_the_documents_shape() {
    let env = Env::new();
    let token = Some(env.sb.ireca_token());
    // Unknown paths under the prefix, and around it.
    let (status, _) = ireca_error(env.send("GET", "no/such/thing", token, None));
    assert_eq!(status, 404);
    for path in ["ireca", "ireca/", "ireca/api/v1", "ireca/api/v2/goods"] {
        let resp = env
            .http
            .get(format!("{}{path}", env.sb.base_url()))
            .send()
            .unwrap();
        assert_eq!(ireca_error(resp).0, 404, "{path}");
    }
    // A keyed call with a blank key is that call, refused; not a list.
    let (status, message) = ireca_error(env.send("GET", "orders?orderId=", token, None));
    assert_eq!(status, 400);
    assert!(message.contains("orderId"), "{message}");
    // A method the path does not serve, with the methods it does.
    let resp = env.send("PATCH", "goods", token, None);
    let allow = resp
        .headers()
        .get("allow")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(ireca_error(resp).0, 405);
    assert_eq!(allow.as_deref(), Some("DELETE, GET, POST, PUT"));
    // Over the body limit.
    let big = vec![b' '; MAX_BODY_BYTES + 1];
    let (status, message) = ireca_error(env.send("POST", "goods", token, Some(big)));
    assert_eq!(status, 413);
    assert!(message.contains(&MAX_BODY_BYTES.to_string()), "{message}");
    // Not JSON, not an array, a missing required attribute, a duplicate.
    let (status, _) = ireca_error(env.send("POST", "goods", token, Some(b"{not json".to_vec())));
    assert_eq!(status, 400);
    let (status, _) = ireca_error(env.send(
        "POST",
        "goods",
        token,
        Some(create_body("goods").to_string().into_bytes()),
    ));
    assert_eq!(status, 400);
    let mut no_title = create_body("goods");
    no_title.as_object_mut().unwrap().remove("title");
    let (status, message) = ireca_error(env.send(
        "POST",
        "goods",
        token,
        Some(json!([no_title]).to_string().into_bytes()),
    ));
    assert_eq!(status, 400);
    assert!(message.contains("title"), "{message}");
    let dup = json!([{"taxId": "8285", "title": "10%"}])
        .to_string()
        .into_bytes();
    let (status, message) = ireca_error(env.send("POST", "taxes", token, Some(dup)));
    assert_eq!(status, 400);
    assert!(message.contains("8285"), "{message}");
    // A missing model: the document's message.
    let (status, message) = ireca_error(env.send("GET", "goods?goodId=424242", token, None));
    assert_eq!((status, message.as_str()), (404, "Модель не существует"));
    for (method, path) in [
        ("PUT", "taxes?taxId=424242"),
        ("DELETE", "taxes?taxId=424242"),
        ("GET", "orders?orderId=424242"),
    ] {
        let (status, _) = ireca_error(env.send(method, path, token, Some(b"{}".to_vec())));
        assert_eq!(status, 404, "{method} {path}");
    }
    // A keyed call without its key.
    let (status, message) = ireca_error(env.send("DELETE", "taxes", token, None));
    assert_eq!(status, 400);
    assert!(message.contains("taxId"), "{message}");
    // Carreta keeps its own shape beside.
    let carreta = env
        .http
        .get(format!("{}no/such/", env.sb.carreta_url()))
        .send()
        .unwrap();
    assert_eq!(carreta.status().as_u16(), 404);
    assert!(carreta.json::<Value>().unwrap()["error"].is_string());
    // An injected fault on an iRECA path answers in the iRECA shape by default.
    let (status, _) = env.control(
        "faults",
        json!({"path_prefix": "/ireca/api/v1/taxes", "status": 503}),
    );
    assert_eq!(status, 201);
    let (status, message) = ireca_error(env.send("GET", "taxes", token, None));
    assert_eq!((status, message.as_str()), (503, "Injected fault."));
}

#[test]
fn lists_are_paged_with_the_count_capped_at_500() {
    let env = Env::new();
    let goods: Vec<Value> = (0..25)
        .map(|i| {
            let mut g = create_body("goods");
            g["goodId"] = json!(format!("{}", 7000 + i));
            g
        })
        .collect();
    assert_eq!(env.call("POST", "goods", Some(Value::Array(goods))).0, 201);
    // 4 seeded goods + 25.
    let page = |q: &str| {
        let (status, v) = env.call("GET", &format!("goods?{q}"), None);
        assert_eq!(status, 200, "{q}: {v}");
        v.as_array()
            .unwrap()
            .iter()
            .map(|g| id_text(&g["goodId"]))
            .collect::<Vec<_>>()
    };
    assert_eq!(page("").len(), 20, "default count");
    let first = page("page=0&count=20");
    let second = page("page=1&count=20");
    assert_eq!((first.len(), second.len()), (20, 9));
    assert!(first.iter().all(|g| !second.contains(g)));
    assert!(page("page=2&count=20").is_empty());
    assert_eq!(page("page=0&count=500").len(), 29);
    for bad in ["count=501", "count=0", "count=x", "page=-1"] {
        let (status, message) = ireca_error(env.send(
            "GET",
            &format!("goods?{bad}"),
            Some(env.sb.ireca_token()),
            None,
        ));
        assert_eq!(status, 400, "{bad}");
        let name = bad.split('=').next().unwrap();
        assert!(message.contains(name), "{bad}: {message}");
    }
    let (status, _) =
        ireca_error(env.send("GET", "orders?count=501", Some(env.sb.ireca_token()), None));
    assert_eq!(status, 400);
}

#[test]
fn delete_is_soft_and_replace_brings_back() {
    let env = Env::new();
    assert_eq!(
        env.call("DELETE", "paymentTypes?paymentTypeId=4114", None)
            .0,
        204
    );
    let (_, list) = env.call("GET", "paymentTypes", None);
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| id_text(&p["paymentTypeId"]) == "4114")
        .unwrap()
        .clone();
    assert_eq!(row["isActive"], 0);
    assert_eq!(row["title"], "Банковская карта");
    // The document's get example of a payment type has no id: the emulator answers the same.
    let (status, got) = env.call("GET", "paymentTypes?paymentTypeId=4114", None);
    assert_eq!(status, 200);
    assert_eq!(got["isActive"], 0);
    assert!(got.get("paymentTypeId").is_none(), "{got}");
    assert_eq!(
        env.call(
            "POST",
            "paymentTypes/replace",
            Some(json!([{"paymentTypeId": "4114", "title": "Карта", "closeTypeId": 2}]))
        )
        .0,
        204
    );
    let (_, got) = env.call("GET", "paymentTypes?paymentTypeId=4114", None);
    assert_eq!(
        (got["isActive"].clone(), got["title"].clone()),
        (json!(1), json!("Карта"))
    );
    // Replace of an id unknown creates it, with the create rules.
    assert_eq!(
        env.call(
            "POST",
            "taxes/replace",
            Some(json!([{"taxId": "77", "title": "5%"}]))
        )
        .0,
        204
    );
    assert_eq!(env.call("GET", "taxes?taxId=77", None).1["title"], "5%");
    let (status, message) = ireca_error(
        env.send(
            "POST",
            "couriers/replace",
            Some(env.sb.ireca_token()),
            Some(
                json!([{"courierId": 77, "title": "Без почты"}])
                    .to_string()
                    .into_bytes(),
            ),
        ),
    );
    assert_eq!(status, 400);
    assert!(message.contains("email"), "{message}");
}

#[test]
fn answers_spell_ids_and_money_both_ways() {
    let env = Env::new();
    assert_eq!(
        env.call(
            "POST",
            "orders",
            Some(json!([order_body("1"), order_body("2")]))
        )
        .0,
        201
    );
    let (_, list) = env.call("GET", "orders", None);
    let list = list.as_array().unwrap();
    let kinds = |f: &dyn Fn(&Value) -> &Value| {
        list.iter()
            .map(|o| if f(o).is_string() { "string" } else { "number" })
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(
        kinds(&|o| &o["orderId"]).len(),
        2,
        "orderId in both forms: {list:?}"
    );
    assert_eq!(
        kinds(&|o| &o["amountToPay"]).len(),
        2,
        "amountToPay in both forms"
    );
    for o in list {
        assert_eq!(amount(&o["amountToPay"]), 539.78);
        assert_eq!(o["isAgreed"], 0, "flags are 0/1");
        assert!(o["statusId"].is_number());
    }
    // The same order is spelt the same way every time.
    assert_eq!(
        env.call("GET", "orders?orderId=1", None).1,
        env.call("GET", "orders?orderId=1", None).1
    );
}

#[test]
fn orders_follow_the_documents_rules() {
    let env = Env::new();
    let token = Some(env.sb.ireca_token());
    let post = |path: &str, body: Value| {
        env.send("POST", path, token, Some(body.to_string().into_bytes()))
    };
    for (what, change) in [
        ("courierId", json!({"courierId": null})),
        (
            "deliveryTimeTo",
            json!({"deliveryTimeTo": "15.05.2021 15:21"}),
        ),
        ("amountToPay", json!({"amountToPay": "много"})),
    ] {
        let mut body = order_body("5");
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, message) = ireca_error(post("orders", json!([body])));
        assert_eq!(status, 400, "{what}");
        assert!(message.contains(what), "{what}: {message}");
    }
    let mut two_warehouses = order_body("5");
    two_warehouses["goods"][0]["warehouses"] =
        json!([{"warehouseId": "1099", "count": 1}, {"warehouseId": "1100", "count": 1}]);
    assert_eq!(ireca_error(post("orders", json!([two_warehouses]))).0, 400);
    let mut no_total = order_body("5");
    no_total["goods"][0]
        .as_object_mut()
        .unwrap()
        .remove("total");
    let (status, message) = ireca_error(post("orders", json!([no_total])));
    assert_eq!(status, 400);
    assert!(message.contains("total"), "{message}");
    let mut no_payments = refund_body("5");
    no_payments.as_object_mut().unwrap().remove("payments");
    let (status, message) = ireca_error(post("orders?isRefund=1", json!([no_payments])));
    assert_eq!(status, 400);
    assert!(message.contains("payments"), "{message}");
    assert_eq!(
        env.call("GET", "orders?orderId=5", None).0,
        404,
        "nothing was stored"
    );
    // Created: the document's get form, filled from the catalogue.
    assert_eq!(
        env.call("POST", "orders", Some(json!([order_body("5")]))).0,
        201
    );
    assert_eq!(
        ireca_error(post("orders", json!([order_body("5")]))).0,
        400,
        "a second create of 5"
    );
    let (_, order) = env.call("GET", "orders?orderId=5", None);
    assert_eq!(
        order["addressTo"],
        "Санкт-Петербург Чкаловский пр. 15литА кв 19"
    );
    assert_eq!(order["client"]["lastname"], "Иванов");
    assert_eq!(order["goods"][0]["title"], "Кофе carte noire");
    assert_eq!(order["goods"][0]["warehouses"][0]["title"], "Главный склад");
    assert_eq!(
        order["goods"][0]["specificities"][0]["title"],
        "Пакет (полиэтиленовый)"
    );
    assert_eq!(id_text(&order["originalPaymentId"]), "4113");
    for field in [
        "receiptStatusId",
        "frReceiptStatusId",
        "frUsedPaymentId",
        "payments",
        "returnedOrder",
        "isRefund",
        "isReturned",
        "isEdited",
        "canceledItems",
    ] {
        let holder = if field == "canceledItems" {
            &order["goods"][0]
        } else {
            &order
        };
        assert!(holder.get(field).is_some(), "{field} in {order}");
    }
    // A refund.
    assert_eq!(
        env.call("POST", "orders?isRefund=1", Some(json!([refund_body("6")])))
            .0,
        201
    );
    let (_, refund) = env.call("GET", "orders?orderId=6", None);
    assert_eq!(refund["isRefund"], 1);
    assert_eq!(refund["payments"].as_array().unwrap().len(), 2);
}

#[test]
fn every_change_is_journaled() {
    let env = Env::new();
    assert_eq!(
        env.call("POST", "orders", Some(json!([order_body("7")]))).0,
        201
    );
    // An update that changes nothing journals nothing.
    assert_eq!(
        env.call(
            "PUT",
            "orders?orderId=7",
            Some(json!({"phone": "+79123456789"}))
        )
        .0,
        201
    );
    assert_eq!(
        env.call(
            "PUT",
            "orders?orderId=7",
            Some(json!({"statusId": "1", "phone": "+70000000000"}))
        )
        .0,
        201
    );
    let (_, journal) = env.call("GET", "journal?entityId=7", None);
    let journal = journal.as_array().unwrap();
    assert_eq!(journal.len(), 2, "{journal:?}");
    assert_eq!(journal[0]["beforeItem"], Value::Null);
    assert_eq!(journal[0]["afterItem"], Value::Null);
    assert_eq!(journal[1]["event"], "update");
    assert_eq!(journal[1]["source"], "API");
    assert_eq!(
        journal[1]["beforeItem"],
        json!({"statusId": 0, "phone": "+79123456789"})
    );
    assert_eq!(
        journal[1]["afterItem"],
        json!({"statusId": "1", "phone": "+70000000000"})
    );
    // The status journal moves with the delivery status only.
    let (_, statuses) = env.call("GET", "orders/journalStatuses?orderId=7", None);
    assert_eq!(statuses.as_array().unwrap().len(), 1);
    assert_eq!(
        env.call(
            "PUT",
            "orders?orderId=7",
            Some(json!({"deliveryStatusId": 7}))
        )
        .0,
        201
    );
    let (_, statuses) = env.call("GET", "orders/journalStatuses?orderId=7", None);
    let codes: Vec<i64> = statuses
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["statusId"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [6, 7]);
    // startedAt after every entry: nothing.
    let (_, later) = env.call(
        "GET",
        "journal?entityId=7&startedAt=2999-01-01%2000:00:00",
        None,
    );
    assert_eq!(later, json!([]));
    assert_eq!(
        env.call("GET", "orders/journalStatuses?orderId=999", None)
            .0,
        404
    );
    assert_eq!(
        ireca_error(env.send("GET", "journal", Some(env.sb.ireca_token()), None)).0,
        400
    );
}

#[test]
fn update_many_changes_only_the_whitelist() {
    let env = Env::new();
    assert_eq!(
        env.call(
            "POST",
            "orders",
            Some(json!([order_body("11"), order_body("12")]))
        )
        .0,
        201
    );
    let before = env.call("GET", "orders?orderId=11", None).1;
    for attribute in ["amountToPay", "description", "goods", "addressToEntity"] {
        let (status, message) = ireca_error(
            env.send(
                "PUT",
                "orders/multipleUpdate",
                Some(env.sb.ireca_token()),
                Some(
                    json!({"orderIds": ["11"], "attributes": {"statusId": 1, attribute: "x"}})
                        .to_string()
                        .into_bytes(),
                ),
            ),
        );
        assert_eq!(status, 400, "{attribute}");
        assert!(message.contains(attribute), "{message}");
    }
    assert_eq!(
        env.call("GET", "orders?orderId=11", None).1,
        before,
        "nothing changed"
    );
    // An unknown order among the ids: 404 and no change to the others.
    let (status, _) = env.call(
        "PUT",
        "orders/multipleUpdate",
        Some(json!({"orderIds": ["11", "404"], "attributes": {"statusId": 1}})),
    );
    assert_eq!(status, 404);
    assert_eq!(env.call("GET", "orders?orderId=11", None).1, before);
    // The document's example: all seven attributes, two orders.
    let (status, _) = env.call(
        "PUT",
        "orders/multipleUpdate",
        Some(json!({"orderIds": ["11", 12], "attributes": {
            "statusId": 1, "deliveryStatusId": 11, "returnReasonId": "5276", "courierId": "55750",
            "addressTo": "Санкт-Петербург, ул. Передовиков, дом 25, кв 19",
            "deliveryTimeFrom": "2021-06-15 13:21:13", "deliveryTimeTo": "2021-06-15 15:21:13"}})),
    );
    assert_eq!(status, 204);
    for id in ["11", "12"] {
        let o = env.call("GET", &format!("orders?orderId={id}"), None).1;
        assert_eq!(o["deliveryStatusId"], 11);
        assert_eq!(id_text(&o["courierId"]), "55750");
        assert_eq!(
            o["addressTo"],
            "Санкт-Петербург, ул. Передовиков, дом 25, кв 19"
        );
        assert_eq!(o["deliveryTimeTo"], "2021-06-15 15:21:13");
        assert_eq!(amount(&o["amountToPay"]), 539.78);
    }
}

#[test]
fn order_changes_are_posted_to_the_callback_and_retried() {
    let env = Env::new();
    let listener = Listener::start(vec![500]);
    assert_eq!(
        env.call(
            "POST",
            "orders/callback",
            Some(json!({"url": listener.url, "isActive": 1}))
        )
        .0,
        201
    );
    assert_eq!(
        env.call("POST", "orders", Some(json!([order_body("21")])))
            .0,
        201
    );
    let bodies = listener.wait_for(2);
    assert_eq!(
        bodies.len(),
        2,
        "the first delivery failed with 500 and was retried: {bodies:?}"
    );
    assert_eq!(bodies[0], bodies[1]);
    let items = bodies[0]["items"].as_array().expect("{\"items\": [...]}");
    assert_eq!(items.len(), 1);
    assert_eq!(id_text(&items[0]["orderId"]), "21");
    assert_eq!(
        items[0],
        env.call("GET", "orders?orderId=21", None).1,
        "the order as the API shows it"
    );
    let log_url = format!("{}_control/ireca/callbacks", env.sb.base_url());
    let give_up = Instant::now() + Duration::from_secs(60);
    let log = loop {
        // The sandbox logs an attempt once it has the answer, just after the listener has
        // the body.
        let log = env
            .http
            .get(&log_url)
            .send()
            .unwrap()
            .json::<Value>()
            .unwrap();
        if log.as_array().unwrap().len() >= 2 || Instant::now() > give_up {
            break log;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let results: Vec<(Value, Value)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["attempt"].clone(), a["result"].clone()))
        .collect();
    assert_eq!(results, [(json!(1), json!(500)), (json!(2), json!(201))]);
    // isActive 0 stops deliveries.
    assert_eq!(
        env.call(
            "POST",
            "orders/callback",
            Some(json!({"url": listener.url, "isActive": 0}))
        )
        .0,
        201
    );
    assert_eq!(
        env.call(
            "PUT",
            "orders?orderId=21",
            Some(json!({"description": "x"}))
        )
        .0,
        201
    );
    assert_eq!(env.courier("21", "take", json!({})).0, 200);
    let (status, message) = ireca_error(env.send(
        "POST",
        "orders/callback",
        Some(env.sb.ireca_token()),
        Some(br#"{"url": "ftp://x"}"#.to_vec()),
    ));
    assert_eq!(status, 400);
    assert!(message.contains("url"), "{message}");
    // Deliveries resume when the callback is active again: the next body is this change,
    // not one of the two made while it was off.
    assert_eq!(
        env.call(
            "POST",
            "orders/callback",
            Some(json!({"url": listener.url, "isActive": "1"}))
        )
        .0,
        201
    );
    assert_eq!(
        env.call(
            "PUT",
            "orders?orderId=21",
            Some(json!({"description": "y"}))
        )
        .0,
        201
    );
    let bodies = listener.wait_for(3);
    assert_eq!(bodies.len(), 3, "{bodies:?}");
    assert_eq!(bodies[2]["items"][0]["description"], "y");
}

#[test]
fn closing_a_session_posts_it_to_the_license_callback() {
    let env = Env::new();
    let listener = Listener::start(vec![]);
    assert_eq!(
        env.call(
            "POST",
            "licenses/callback",
            Some(json!({"url": listener.url, "isActive": 1}))
        )
        .0,
        201
    );
    let (status, session) = env.control(
        "ireca/sessions",
        json!({"courierId": 55752, "deviceId": "64fa00ec9ffc4b99", "deviceTitle": "Pixel"}),
    );
    assert_eq!(status, 201, "{session}");
    assert_eq!(env.call("GET", "licenses", None).1["licenseUse"], 2);
    assert_eq!(
        env.call("POST", "licenses/close?deviceId=64fa00ec9ffc4b99", None)
            .0,
        204
    );
    let bodies = listener.wait_for(1);
    let closed = &bodies[0];
    has_fields(
        closed,
        &[
            "sessionId",
            "courierId",
            "deviceId",
            "deviceTitle",
            "sessionStartAt",
            "sessionFinishAt",
        ],
    );
    assert_eq!(closed["deviceId"], "64fa00ec9ffc4b99");
    assert_eq!(
        env.call("POST", "licenses/close?deviceId=64fa00ec9ffc4b99", None)
            .0,
        404,
        "closed already"
    );
    let (status, _) = env.control(
        "ireca/sessions",
        json!({"courierId": 1, "deviceId": "x", "colour": "red"}),
    );
    assert_eq!(status, 400);
}

#[test]
fn a_courier_takes_delivers_closes_and_cancels() {
    let env = Env::new();
    let listener = Listener::start(vec![]);
    assert_eq!(
        env.call(
            "POST",
            "orders/callback",
            Some(json!({"url": listener.url}))
        )
        .0,
        201
    );
    assert_eq!(
        env.call(
            "POST",
            "orders",
            Some(json!([order_body("31"), order_body("32")]))
        )
        .0,
        201
    );
    assert_eq!(
        listener.wait_for(1).len(),
        1,
        "one callback for the create of two orders"
    );
    assert_eq!(
        listener.bodies.lock().unwrap()[0]["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Out of order: deliver before take.
    let (status, body) = env.courier("31", "deliver", json!({}));
    assert_eq!(status, 409, "{body}");
    let (status, taken) = env.courier("31", "take", json!({}));
    assert_eq!(status, 200, "{taken}");
    assert_eq!(taken["deliveryStatusId"], 7);
    assert_eq!(env.courier("31", "deliver", json!({})).0, 200);
    let receipt = json!({"fiscalSign": "3826513459", "receiptNumber": "77"});
    let (status, closed) = env.courier("31", "close", json!({"receipt": receipt}));
    assert_eq!(status, 200, "{closed}");
    assert_eq!(
        (
            closed["deliveryStatusId"].clone(),
            closed["statusId"].clone()
        ),
        (json!(10), json!(1))
    );
    assert_eq!(closed["frReceiptStatusId"], 1);
    assert_eq!(amount(&closed["payments"][0]["price"]), 539.78);
    let (_, printed) = env.call("GET", "orderReceipts?orderId=31", None);
    assert_eq!(printed["fiscalSign"], "3826513459");
    assert_eq!(printed["receiptNumber"], "77");
    assert_eq!(
        env.courier("31", "cancel", json!({"returnReasonId": "5276"}))
            .0,
        409,
        "closed is final"
    );
    // Journals: statuses 6, 7, 9, 10 where the courier was; three app changes.
    let (_, statuses) = env.call("GET", "orders/journalStatuses?orderId=31", None);
    let codes: Vec<i64> = statuses
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["statusId"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [6, 7, 9, 10]);
    assert_eq!(statuses[3]["accuracy"], 10);
    let (_, journal) = env.call("GET", "journal?entityId=31", None);
    let app: Vec<&Value> = journal
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"] == "Application: iRECA Courier")
        .collect();
    assert_eq!(app.len(), 3);
    assert_eq!(id_text(&app[0]["courierId"]), "55752");
    assert_eq!(app[0]["beforeItem"]["deliveryStatusId"], 6);
    assert_eq!(app[0]["afterItem"]["deliveryStatusId"], 7);
    let (_, points) = env.call("GET", "locations?courierId=55752", None);
    assert_eq!(points.as_array().unwrap().len(), 3);
    // Cancel needs a return reason that exists.
    assert_eq!(env.courier("32", "cancel", json!({})).0, 400);
    assert_eq!(
        env.courier("32", "cancel", json!({"returnReasonId": 1})).0,
        400
    );
    let (status, cancelled) = env.courier("32", "cancel", json!({"returnReasonId": 5279}));
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["deliveryStatusId"], 11);
    assert_eq!(id_text(&cancelled["returnReasonId"]), "5279");
    let (_, statuses) = env.call("GET", "orders/journalStatuses?orderId=32", None);
    assert_eq!(id_text(&statuses[1]["returnReasonId"]), "5279");
    // One callback per step: create, take, deliver, close, cancel.
    let bodies = listener.wait_for(5);
    assert_eq!(bodies.len(), 5);
    assert_eq!(bodies[4]["items"][0]["deliveryStatusId"], 11);
    // The control body is strict.
    assert_eq!(env.courier("32", "fly", json!({})).0, 400);
    assert_eq!(env.courier("32", "take", json!({"speed": 1})).0, 400);
    assert_eq!(env.courier("999", "take", json!({})).0, 404);
    assert_eq!(
        env.courier("31", "close", json!({"receipt": {"colour": 1}}))
            .0,
        400
    );
}
