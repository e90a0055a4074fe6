//! The Carreta emulator against the document, over real HTTP.

use std::time::{Duration, Instant};

use logibridge_sandbox::{carreta_catalogue_codes, carreta_catalogue_len, Sandbox};
use reqwest::blocking::Client;
use serde_json::{json, Value};

struct Env {
    sb: Sandbox,
    http: Client,
}

impl Env {
    fn new() -> Env {
        Env {
            sb: Sandbox::start().expect("sandbox starts"),
            http: Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.sb.carreta_url(), path)
    }

    fn call(&self, req: reqwest::blocking::RequestBuilder) -> (u16, Value) {
        let resp = req.send().expect("request sent");
        let status = resp.status().as_u16();
        let text = resp.text().unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    fn get(&self, path: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let mut q = vec![("api_key", self.sb.carreta_api_key())];
        q.extend_from_slice(query);
        self.call(self.http.get(self.url(path)).query(&q))
    }

    fn order_raw(
        &self,
        body: impl Into<reqwest::blocking::Body>,
        query: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut q = vec![("api_key", self.sb.carreta_api_key())];
        q.extend_from_slice(query);
        self.call(
            self.http
                .post(self.url("order/"))
                .query(&q)
                .header("Content-Type", "application/json")
                .body(body),
        )
    }

    fn order(&self, body: &Value) -> (u16, Value) {
        self.order_raw(body.to_string(), &[])
    }

    fn search(&self, q: &str) -> Vec<Value> {
        let (status, body) = self.get("search/", &[("q", q)]);
        assert_eq!(status, 200, "{body}");
        body["objects"].as_array().unwrap().clone()
    }

    /// An OC47 row with this qty and min_qty, with `order_qty` set.
    fn oc47(&self, qty: &str, min_qty: i64, order_qty: i64) -> Value {
        let mut row = self
            .search("OC47")
            .into_iter()
            .find(|r| r["code"] == "OC47" && r["qty"] == qty && r["min_qty"] == min_qty)
            .unwrap_or_else(|| panic!("no OC47 row with qty {qty} min_qty {min_qty}"));
        row["order_qty"] = json!(order_qty);
        row
    }

    fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}_control/{}", self.sb.base_url(), path));
        if let Some(b) = body {
            req = req.json(&b);
        }
        self.call(req)
    }
}

fn error_of(v: &Value) -> &str {
    v["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error in {v}"))
}

#[test]
fn auth_accounts_and_profile() {
    let env = Env::new();
    let (s, b) = env.call(
        env.http
            .get(env.url("profile/"))
            .query(&[("api_key", "wrong")]),
    );
    assert_eq!((s, b), (401, json!({"error": "Unauthorized."})));
    let (s, _) = env.call(env.http.get(env.url("search/?q=oc47")));
    assert_eq!(s, 401);

    let (s, b) = env.get("profile/", &[]);
    assert_eq!(s, 200);
    let keys: Vec<&String> = b.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["balance", "city", "email", "name", "phone"]);
    assert_eq!(b["balance"], "7.14");
    assert_eq!(b["phone"], "+7-987-1234567");
    // Trailing slash is optional.
    assert_eq!(env.get("profile", &[]).1, b);

    let (s, b2) = env.get("profile/", &[("account", "1002")]);
    assert_eq!(s, 200);
    assert_ne!(b2, b);
    assert_eq!(
        env.get("profile/", &[("account", "9999")]),
        (403, json!({"error": "Account not found."}))
    );
    assert_eq!(
        env.get("search/", &[("q", "oc47"), ("account", "9999")]).0,
        403
    );
}

#[test]
fn search_oc47_matches_the_document() {
    let env = Env::new();
    let rows = env.search("oc47");
    let doc = rows
        .iter()
        .find(|r| r["source"] == "57")
        .expect("the document's example offer");
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "_",
            "code",
            "desc",
            "is_cross",
            "maker",
            "min_qty",
            "name",
            "period_max",
            "period_min",
            "price",
            "qty",
            "stat",
            "source"
        ]
    );
    assert_eq!(doc["code"], "OC47");
    assert_eq!(doc["maker"], "KNECHT/MAHLE");
    assert_eq!(doc["name"], "Фильтр масляный");
    assert_eq!(doc["price"], "152.02");
    assert_eq!(doc["qty"], "500");
    assert_eq!(doc["min_qty"], 1);
    assert_eq!(
        (doc["period_min"].as_i64(), doc["period_max"].as_i64()),
        (Some(7), Some(7))
    );
    assert_eq!(doc["is_cross"], false);
    assert!(doc["_"].as_str().unwrap().len() > 20);

    let exact: Vec<&Value> = rows.iter().filter(|r| r["is_cross"] == false).collect();
    assert!(exact.len() >= 5 && exact.iter().all(|r| r["code"] == "OC47"));
    let cross: Vec<&Value> = rows.iter().filter(|r| r["is_cross"] == true).collect();
    assert!(!cross.is_empty() && cross.iter().all(|r| r["code"] != "OC47"));
    // Exact offers first.
    let first_cross = rows.iter().position(|r| r["is_cross"] == true).unwrap();
    assert!(rows[first_cross..].iter().all(|r| r["is_cross"] == true));

    let qtys: Vec<&str> = rows.iter().map(|r| r["qty"].as_str().unwrap()).collect();
    for form in ["500", "<10", ">50", "Есть", "под заказ", "10", "3"] {
        assert!(qtys.contains(&form), "qty form {form} missing");
    }
    let mins: Vec<i64> = rows
        .iter()
        .map(|r| r["min_qty"].as_i64().unwrap())
        .collect();
    for m in [1, 2, 4, 10] {
        assert!(mins.contains(&m), "min_qty {m} missing");
    }
    assert!(rows.iter().any(|r| r["stat"].is_null()));
    assert!(rows.iter().any(|r| r["stat"].is_i64()));
    assert!(rows
        .iter()
        .all(|r| r["price"].as_str().unwrap().parse::<f64>().is_ok()));

    for q in ["OC 47", "oc-47", "Oc.47"] {
        assert_eq!(env.search(q), rows, "query {q}");
    }
    assert!(env.search("").is_empty());
    assert_eq!(env.get("search/", &[]).1, json!({"objects": []}));
    assert!(env.search("NO-SUCH-PART").is_empty());
}

#[test]
fn catalogue_has_at_least_fifty_offers_and_many_makers() {
    let env = Env::new();
    assert!(carreta_catalogue_len() >= 50);
    let mut total = 0;
    let mut makers = std::collections::BTreeSet::new();
    for code in carreta_catalogue_codes() {
        let rows = env.search(&code);
        let exact = rows.iter().filter(|r| r["is_cross"] == false).count();
        assert!(exact > 0, "{code}");
        total += exact;
        makers.extend(
            rows.iter()
                .map(|r| r["maker"].as_str().unwrap().to_string()),
        );
    }
    assert_eq!(total, carreta_catalogue_len());
    for m in ["KNECHT/MAHLE", "MANN-FILTER", "BOSCH", "KITTO"] {
        assert!(makers.contains(m), "{m}");
    }
}

#[test]
fn order_body_checks() {
    let env = Env::new();
    let (s, b) = env.order_raw("not json", &[]);
    assert_eq!(s, 400);
    assert!(error_of(&b).contains("JSON"), "{b}");
    let (s, b) = env.order_raw("[1, 2]", &[]);
    assert_eq!(s, 400);
    assert!(error_of(&b).contains("object"), "{b}");

    let row = env.oc47("500", 1, 1);
    for field in [
        "_",
        "code",
        "maker",
        "name",
        "price",
        "period_min",
        "period_max",
        "min_qty",
        "qty",
        "order_qty",
    ] {
        let mut body = row.clone();
        body.as_object_mut().unwrap().remove(field);
        let (s, b) = env.order(&body);
        assert_eq!(s, 400, "{field}");
        assert!(error_of(&b).contains(field), "{field}: {b}");
    }

    // Tampering with any signed field breaks the signature.
    for (field, value) in [
        ("price", json!("1.00")),
        ("code", json!("OC48")),
        ("maker", json!("MAHLE")),
        ("name", json!("Фильтр")),
        ("qty", json!("50000")),
        ("min_qty", json!(2)),
        ("period_min", json!(1)),
        ("period_max", json!(1)),
        ("source", json!("12")),
        ("_", json!("AAAA")),
    ] {
        let mut body = row.clone();
        body[field] = value;
        assert_eq!(
            env.order(&body),
            (400, json!({"error": "Invalid signature."})),
            "{field}"
        );
    }

    // The document's minimal body (no source, desc, is_cross, stat), in another field order,
    // with an unknown extra field, is accepted.
    let minimal = json!({
        "zzz_unknown": [1, 2, 3],
        "order_qty": 2,
        "qty": row["qty"], "min_qty": row["min_qty"], "period_max": row["period_max"],
        "period_min": row["period_min"], "price": row["price"], "name": row["name"],
        "maker": row["maker"], "code": row["code"], "_": row["_"],
    });
    let (s, b) = env.order(&minimal);
    assert_eq!(s, 201, "{b}");
    let keys: Vec<&String> = b.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "code",
            "comment",
            "client_comment",
            "created",
            "id",
            "maker",
            "name",
            "number",
            "order_qty",
            "period_max",
            "period_min",
            "price",
            "status",
            "status_display",
            "total"
        ]
    );
    assert_eq!(b["price"], "152.02");
    assert_eq!(b["total"], "304.04");
    assert_eq!(b["order_qty"], 2);
    assert_eq!(b["status"], 2);
    assert_eq!(b["status_display"], "Получен в заказ");
    let id = b["id"].as_i64().unwrap();
    assert!(id >= 189330);
    assert_eq!(b["number"], format!("A{id}-1"));
    let created = b["created"].as_str().unwrap();
    assert!(chrono_like(created), "{created}");
    // The full search row back works too.
    assert_eq!(env.order(&row).0, 201);
}

/// "2014-10-23T16:18:31.315072"
fn chrono_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 26
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'.'
        && s.chars().filter(|c| c.is_ascii_digit()).count() == 20
}

#[test]
fn order_qty_rules_at_their_boundaries() {
    let env = Env::new();
    // (qty, min_qty, accepted, rejected)
    let cases: &[(&str, i64, &[i64], &[i64])] = &[
        ("<10", 1, &[1, 9], &[10, 0, -1]),
        ("10", 2, &[2, 10], &[12, 3]),
        ("3", 1, &[3], &[4]),
        ("500", 1, &[500], &[501]),
        (">50", 1, &[1, 51, 10000], &[10001, 0]),
        (">50", 4, &[4, 10000], &[6, 2]),
        ("Есть", 1, &[10000], &[10001]),
        ("Есть", 10, &[10, 10000], &[5, 15]),
        ("под заказ", 1, &[], &[1]),
    ];
    for &(qty, min, ok, bad) in cases {
        for &n in ok {
            let (s, b) = env.order(&env.oc47(qty, min, n));
            assert_eq!(s, 201, "qty {qty} min {min} order {n}: {b}");
        }
        for &n in bad {
            let (s, b) = env.order(&env.oc47(qty, min, n));
            assert_eq!(s, 400, "qty {qty} min {min} order {n}: {b}");
            let msg = error_of(&b);
            assert!(msg.contains("order_qty") || msg.contains("qty"), "{msg}");
        }
    }
}

#[test]
fn client_comment_is_counted_in_characters() {
    let env = Env::new();
    let mut body = env.oc47("500", 1, 1);
    body["client_comment"] = json!("Я".repeat(50)); // 100 bytes, 50 characters
    let (s, b) = env.order(&body);
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["client_comment"], "Я".repeat(50));
    body["client_comment"] = json!("Я".repeat(51));
    let (s, b) = env.order(&body);
    assert_eq!(s, 400);
    assert!(error_of(&b).contains("client_comment"));
}

#[test]
fn listing_pages_filters_and_test_orders() {
    let env = Env::new();
    let row = env.oc47(">50", 1, 1);
    let mut ids = Vec::new();
    for i in 0..105 {
        let mut body = row.clone();
        body["client_comment"] = json!(format!("c{}", i % 3));
        let (s, b) = env.order(&body);
        assert_eq!(s, 201);
        ids.push(b["id"].as_i64().unwrap());
    }
    let mut test_body = row.clone();
    test_body["client_comment"] = json!("c0");
    let (s, t) = env.order_raw(test_body.to_string(), &[("test", "on")]);
    assert_eq!(s, 201);
    assert_eq!(t["test"], true);
    // A test order can be read back but is never listed.
    let test_id = t["id"].as_i64().unwrap();
    assert_eq!(env.get(&format!("order/{test_id}/"), &[]).0, 200);

    let page = |q: &[(&str, &str)]| -> Vec<i64> {
        let (s, b) = env.get("order/", q);
        assert_eq!(s, 200, "{b}");
        b["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .collect()
    };
    let p1 = page(&[]);
    let newest_first: Vec<i64> = ids.iter().rev().copied().collect();
    assert_eq!(p1, newest_first[..100]);
    assert_eq!(page(&[("page", "1")]), p1);
    assert_eq!(page(&[("page", "2")]), newest_first[100..]);
    assert!(page(&[("page", "3")]).is_empty());
    assert!(!p1.contains(&test_id));
    for bad in ["0", "-1", "abc"] {
        assert_eq!(env.get("order/", &[("page", bad)]).0, 400, "{bad}");
    }

    let c0 = page(&[("client_comment", "c0")]);
    assert_eq!(c0.len(), 35);
    assert!(!c0.contains(&test_id));
    let c01 = page(&[("client_comment", "c0"), ("client_comment", "c1")]);
    assert_eq!(c01.len(), 70);
    assert!(page(&[("client_comment", "c")]).is_empty());

    // Another account sees none of it.
    assert!(page(&[("account", "1002")]).is_empty());
    assert_eq!(
        env.get(&format!("order/{}/", ids[0]), &[("account", "1002")]),
        (404, json!({"error": "Not found."}))
    );
}

#[test]
fn order_get_history_and_advance() {
    let env = Env::new();
    let row = env.oc47("500", 1, 1);
    let (_, created) = env.order(&row);
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        env.get(&format!("order/{id}/"), &[]),
        (200, created.clone())
    );
    assert_eq!(env.get(&format!("order/{id}"), &[]).1, created);
    assert_eq!(
        env.get("order/1/", &[]),
        (404, json!({"error": "Not found."}))
    );
    assert_eq!(env.get("order/abc/history/", &[]).0, 404);

    let (s, h) = env.get(&format!("order/{id}/history/"), &[]);
    assert_eq!(s, 200);
    let h = h["objects"].as_array().unwrap().clone();
    assert_eq!(h.len(), 1);
    assert_eq!(
        h[0]["comment"],
        "Создан со статусом \"Получен в заказ\" на сумму 152.02 руб."
    );
    assert!(chrono_like(h[0]["created"].as_str().unwrap()));

    let adv = |body: Option<Value>| {
        env.control(
            reqwest::Method::POST,
            &format!("carreta/orders/{id}/advance"),
            body,
        )
    };
    let (s, o) = adv(None);
    assert_eq!((s, o["status"].as_i64()), (200, Some(3)));
    assert_eq!(o["status_display"], "В работе");
    let (_, o) = adv(Some(json!({})));
    assert_eq!(o["status"], 11);
    let (_, o) = adv(Some(json!({"status": 5})));
    assert_eq!(o["status"], 5);
    let (_, o) = adv(None);
    assert_eq!(
        (o["status"].as_i64(), o["status_display"].as_str()),
        (Some(7), Some("Выдан (Отправлен)"))
    );
    assert_eq!(adv(None).0, 409);
    assert_eq!(adv(Some(json!({"status": 99}))).0, 400);
    assert_eq!(
        env.control(reqwest::Method::POST, "carreta/orders/1/advance", None)
            .0,
        404
    );
    assert_eq!(env.get(&format!("order/{id}/"), &[]).1["status"], 7);

    let (_, h) = env.get(&format!("order/{id}/history"), &[]);
    let comments: Vec<&str> = h["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["comment"].as_str().unwrap())
        .collect();
    assert_eq!(comments.len(), 5);
    assert!(comments[1].contains("В работе"));
    assert!(comments[4].contains("Выдан"));
}

#[test]
fn fault_injection() {
    let env = Env::new();
    let (s, _) = env.control(
        reqwest::Method::POST,
        "faults",
        Some(json!({"path_prefix": "/carreta/v1/search", "status": 503, "count": 2, "retry_after": "1"})),
    );
    assert_eq!(s, 201);
    // Other paths are unaffected.
    assert_eq!(env.get("profile/", &[]).0, 200);
    for _ in 0..2 {
        let resp = env
            .http
            .get(env.url("search/"))
            .query(&[("api_key", env.sb.carreta_api_key()), ("q", "oc47")])
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 503);
        assert_eq!(resp.headers()["retry-after"], "1");
    }
    assert_eq!(env.get("search/", &[("q", "oc47")]).0, 200);

    // A raw body, then a delay-only fault.
    env.control(
        reqwest::Method::POST,
        "faults",
        Some(json!({"path_prefix": "/carreta/v1/profile", "status": 502, "body": "<html>Bad Gateway</html>"})),
    );
    assert_eq!(
        env.get("profile/", &[]),
        (502, json!("<html>Bad Gateway</html>"))
    );
    env.control(
        reqwest::Method::POST,
        "faults",
        Some(json!({"path_prefix": "/carreta/", "delay_ms": 300})),
    );
    let t = Instant::now();
    assert_eq!(env.get("profile/", &[]).0, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));

    env.control(
        reqwest::Method::POST,
        "faults",
        Some(json!({"path_prefix": "/carreta/", "status": 500, "count": 100})),
    );
    assert_eq!(env.control(reqwest::Method::DELETE, "faults", None).0, 204);
    assert_eq!(env.get("profile/", &[]).0, 200);
    assert_eq!(
        env.control(reqwest::Method::GET, "health", None),
        (200, json!("ok"))
    );
}

#[test]
fn request_log_masks_the_key() {
    let env = Env::new();
    env.get("search/", &[("q", "oc47")]);
    let mut bad = env.oc47("<10", 1, 10);
    bad["client_comment"] = json!("x");
    assert_eq!(env.order(&bad).0, 400);
    env.control(reqwest::Method::GET, "health", None);

    let (s, log) = env.control(reqwest::Method::GET, "requests", None);
    assert_eq!(s, 200);
    let log = log.as_array().unwrap();
    // search, search (inside oc47), order; control calls are not logged.
    assert_eq!(log.len(), 3, "{log:?}");
    assert_eq!(
        log[0],
        json!({"method": "GET", "path": "/carreta/v1/search/", "query": "api_key=***&q=oc47", "status": 200})
    );
    assert_eq!(log[2]["method"], "POST");
    assert_eq!(log[2]["path"], "/carreta/v1/order/");
    assert_eq!(log[2]["status"], 400);
    assert!(!serde_json::to_string(log)
        .unwrap()
        .contains(env.sb.carreta_api_key()));

    assert_eq!(
        env.control(reqwest::Method::DELETE, "requests", None).0,
        204
    );
    assert_eq!(
        env.control(reqwest::Method::GET, "requests", None).1,
        json!([])
    );
}

#[test]
fn pricelist_streams_without_a_key() {
    let env = Env::new();
    let resp = env
        .http
        .get(format!(
            "{}carreta/pricelist.csv?rows=500&seed=3",
            env.sb.base_url()
        ))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "text/csv; charset=windows-1251"
    );
    let bytes = resp.bytes().unwrap();
    let mut direct = Vec::new();
    logibridge_sandbox::pricelist::write_pricelist(&mut direct, 500, 3).unwrap();
    assert_eq!(bytes.as_ref(), direct.as_slice());
    assert_eq!(env.get("../pricelist.csv", &[("rows", "x")]).0, 400);
}

#[test]
fn pricelist_rows_are_capped_with_a_400_naming_rows() {
    let env = Env::new();
    let max = logibridge_sandbox::pricelist::MAX_ROWS;
    for rows in [(max + 1).to_string(), "99999999999".to_owned()] {
        let resp = env
            .http
            .get(format!("{}carreta/pricelist.csv", env.sb.base_url()))
            .query(&[("rows", rows.as_str())])
            .send()
            .unwrap();
        // The status comes first: an endless stream must fail here, not hang reading it.
        assert_eq!(resp.status().as_u16(), 400, "rows={rows}");
        let body: Value = resp.json().unwrap();
        assert_eq!(
            body,
            json!({ "error": format!("rows must be at most {max}.") })
        );
    }
    let (status, _) = env.get("../pricelist.csv", &[("rows", "3")]);
    assert_eq!(status, 200, "a small list is still served");
}

#[test]
fn starts_and_stops_inside_another_runtime() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let addr = rt.block_on(async {
        let sb = Sandbox::start().unwrap();
        let addr = sb.addr();
        assert!(sb.carreta_url().ends_with("/carreta/v1/"));
        sb.stop();
        addr
    });
    // The port is released after stop.
    assert!(std::net::TcpStream::connect(addr).is_err());
}

/// The document's own examples (`tests/fixtures/carreta/`, shared with the core's model
/// tests): every field an example shows, the sandbox's answer has too, with the same JSON
/// type. The core and the sandbox implement the rules separately; both are held to these.
#[test]
fn answers_carry_every_field_of_the_documents_examples() {
    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/../tests/fixtures/carreta/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }
    fn same_shape(example: &Value, answer: &Value, what: &str) {
        let (Some(ex), Some(ans)) = (example.as_object(), answer.as_object()) else {
            panic!("{what}: not an object: {answer}")
        };
        for (k, v) in ex {
            let got = ans
                .get(k)
                .unwrap_or_else(|| panic!("{what}: the sandbox's answer lacks {k:?}: {answer}"));
            let kind = |v: &Value| match v {
                Value::Null => "null",
                Value::Bool(_) => "bool",
                Value::Number(_) => "number",
                Value::String(_) => "string",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
            };
            assert_eq!(kind(v), kind(got), "{what}.{k}: {got}");
        }
    }
    let env = Env::new();
    let (_, profile) = env.get("profile/", &[]);
    same_shape(&fixture("profile.json"), &profile, "profile");
    let offers = env.search("OC47");
    same_shape(&fixture("search.json")["objects"][0], &offers[0], "search");
    let (status, order) = env.order(&env.oc47("500", 1, 1));
    assert!(status == 201 || status == 200, "{order}");
    same_shape(&fixture("order.json"), &order, "order");
    let (_, history) = env.get(&format!("order/{}/history/", order["id"]), &[]);
    same_shape(
        &fixture("history.json")["objects"][0],
        &history["objects"][0],
        "history",
    );
    let (_, bad) = env.call(
        env.http
            .get(env.url("profile/"))
            .query(&[("api_key", "wrong")]),
    );
    same_shape(&fixture("unauthorized.json"), &bad, "401");
}

/// A sandbox on a pool of workers (`threads`: 2, and 0 = one per core) answers what the
/// one-thread sandbox answers, under concurrent clients: the same search bytes, and every
/// order created from several threads at once listed exactly once, newest first.
#[test]
fn a_pool_of_workers_serves_what_one_thread_serves() {
    let one = Env::new();
    let reference = one.search("OC47");
    for threads in [2, 0] {
        let config = logibridge_sandbox::SandboxConfig {
            threads,
            ..Default::default()
        };
        let env = Env {
            sb: Sandbox::start_with(config).expect("a pooled sandbox starts"),
            http: Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
        };
        assert_eq!(env.search("OC47"), reference, "threads {threads}");
        let row = env.oc47(">50", 1, 1);
        let found = reference.len();
        let created: Vec<i64> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..4)
                .map(|w| {
                    let (env, row) = (&env, row.clone());
                    s.spawn(move || {
                        (0..30)
                            .map(|i| {
                                let mut body = row.clone();
                                body["client_comment"] = json!(format!("w{w}-{}", i % 2));
                                let (status, b) = env.order(&body);
                                assert_eq!(status, 201, "{b}");
                                assert_eq!(env.search("OC47").len(), found);
                                b["id"].as_i64().unwrap()
                            })
                            .collect::<Vec<i64>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect()
        });
        let mut expected = created.clone();
        expected.sort_unstable_by(|a, b| b.cmp(a));
        let listed: Vec<i64> = ["1", "2"]
            .iter()
            .flat_map(|p| {
                let (s, b) = env.get("order/", &[("page", p)]);
                assert_eq!(s, 200, "{b}");
                b["objects"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|o| o["id"].as_i64().unwrap())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(listed, expected, "threads {threads}");
        let (_, w1) = env.get(
            "order/",
            &[("client_comment", "w1-0"), ("client_comment", "w2-1")],
        );
        assert_eq!(
            w1["objects"].as_array().unwrap().len(),
            30,
            "threads {threads}"
        );
    }
}
