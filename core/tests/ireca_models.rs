//! Every JSON body of the iRECA Courier document decodes into its model and re-encodes to
//! the same values in the documented form.
//!
//! The bodies live in `tests/fixtures/ireca/`, one file each, numbered in document order
//! and named after the endpoint id and direction (see its README). They are extracted from
//! `../shared/spec/ireca-courier-api.apib`: `LB_BLESS=1 cargo test -p logibridge --test
//! ireca_models` rewrites them from the document when it is present; without it the
//! committed fixtures are what is tested, and the cross-check against the document says it
//! was skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use logibridge::ireca::{self, wire, Id};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// Re-encodes a body after decoding it into `T` (a list of `T` for `many`), and reports the
/// fields that no typed field took (found in the models' `extra` maps).
type Codec = fn(&[u8]) -> Result<(Value, Vec<String>), String>;

fn one<T: DeserializeOwned + Serialize + std::fmt::Debug>(body: &[u8]) -> Result<(Value, Vec<String>), String> {
    let m: T = wire::from_slice("fixture", body).map_err(|e| e.to_string())?;
    Ok((serde_json::to_value(&m).map_err(|e| e.to_string())?, extra_keys(&format!("{m:?}"))))
}

fn many<T: DeserializeOwned + Serialize + std::fmt::Debug>(body: &[u8]) -> Result<(Value, Vec<String>), String> {
    one::<Vec<T>>(body)
}

/// The keys of non-empty `extra` maps in a model's `Debug` text (`extra: {"key": …`).
fn extra_keys(debug: &str) -> Vec<String> {
    debug.match_indices("extra: {\"").map(|(i, m)| debug[i + m.len()..].split('"').next().unwrap_or_default().to_owned()).collect()
}

/// The document's 74 bodies in order: fixture name (without `NN-` and `.json`) and model.
const BODIES: &[(&str, Codec)] = &[
    ("locations.list.response", many::<ireca::Location>),
    ("orders.create.request", many::<ireca::Order>),
    ("orders.create_refund.request", many::<ireca::Order>),
    ("orders.get.response", one::<ireca::Order>),
    ("orders.list.response", many::<ireca::Order>),
    ("orders.update.request", one::<ireca::Order>),
    ("orders.update_many.request", one::<ireca::MultipleUpdate>),
    ("orders.replace.request", many::<ireca::Order>),
    ("orders.set_callback.request", one::<ireca::CallbackSettings>),
    ("callback.order.request", one::<ireca::OrderCallback>),
    ("orders.status_journal.response.trailing-comma-fixed", many::<ireca::StatusJournalEntry>),
    ("atol.replace_settings.request", one::<ireca::AtolSettings>),
    ("journal.list.response", many::<ireca::ChangeJournalEntry>),
    ("goods.create.request", many::<ireca::Good>),
    ("goods.get.response", one::<ireca::Good>),
    ("goods.list.response", many::<ireca::Good>),
    ("goods.update.request", one::<ireca::Good>),
    ("goods.replace.request", many::<ireca::Good>),
    ("specificities.create.request", many::<ireca::Specificity>),
    ("specificities.get.response", one::<ireca::Specificity>),
    ("specificities.list.response", many::<ireca::Specificity>),
    ("specificities.update.request", one::<ireca::Specificity>),
    ("specificities.replace.request", many::<ireca::Specificity>),
    ("warehouses.create.request", many::<ireca::Warehouse>),
    ("warehouses.get.response", one::<ireca::Warehouse>),
    ("warehouses.list.response", many::<ireca::Warehouse>),
    ("warehouses.update.request", one::<ireca::Warehouse>),
    ("warehouses.replace.request", many::<ireca::Warehouse>),
    ("couriers.create.request", many::<ireca::Courier>),
    ("couriers.get.response", one::<ireca::Courier>),
    ("couriers.list.response", many::<ireca::Courier>),
    ("couriers.update.request", one::<ireca::Courier>),
    ("couriers.replace.request", many::<ireca::Courier>),
    ("roles.create.request", many::<ireca::Role>),
    ("roles.get.response", one::<ireca::Role>),
    ("roles.list.response", many::<ireca::Role>),
    ("roles.update.request", one::<ireca::Role>),
    ("roles.replace.request", many::<ireca::Role>),
    ("permissions.list.response", many::<ireca::Permission>),
    ("permissions.replace.request", many::<ireca::Permission>),
    ("clients.create.request", many::<ireca::Customer>),
    ("clients.get.response", one::<ireca::Customer>),
    ("clients.list.response", many::<ireca::Customer>),
    ("clients.update.request", one::<ireca::Customer>),
    ("clients.replace.request", many::<ireca::Customer>),
    ("suppliers.create.request", many::<ireca::Supplier>),
    ("suppliers.get.response", one::<ireca::Supplier>),
    ("suppliers.list.response", many::<ireca::Supplier>),
    ("suppliers.update.request", one::<ireca::Supplier>),
    ("suppliers.replace.request", many::<ireca::Supplier>),
    ("licenses.list.response", one::<ireca::Licenses>),
    ("licenses.set_callback.request", one::<ireca::CallbackSettings>),
    ("callback.license_session.request", one::<ireca::LicenseSession>),
    ("return_reasons.create.request", many::<ireca::ReturnReason>),
    ("return_reasons.get.response", one::<ireca::ReturnReason>),
    ("return_reasons.list.response", many::<ireca::ReturnReason>),
    ("return_reasons.update.request", one::<ireca::ReturnReason>),
    ("return_reasons.replace.request", many::<ireca::ReturnReason>),
    ("payment_types.create.request", many::<ireca::PaymentType>),
    ("payment_types.get.response", one::<ireca::PaymentType>),
    ("payment_types.list.response", many::<ireca::PaymentType>),
    ("payment_types.update.request", one::<ireca::PaymentType>),
    ("payment_types.replace.request", many::<ireca::PaymentType>),
    ("taxes.create.request", many::<ireca::Tax>),
    ("taxes.get.response", one::<ireca::Tax>),
    ("taxes.list.response", many::<ireca::Tax>),
    ("taxes.update.request", one::<ireca::Tax>),
    ("taxes.replace.request", many::<ireca::Tax>),
    ("dictionary.order_statuses.response", many::<ireca::OrderStatus>),
    ("dictionary.delivery_statuses.response", many::<ireca::DeliveryStatus>),
    ("dictionary.close_types.response", many::<ireca::CloseType>),
    ("dictionary.tax_types.response", many::<ireca::TaxType>),
    ("dictionary.calc_types.response", many::<ireca::CalcType>),
    ("dictionary.permissions.response", many::<ireca::PermissionInfo>),
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn fixture_dir() -> PathBuf {
    repo().join("tests/fixtures/ireca")
}

fn spec_path() -> PathBuf {
    repo().join("../shared/spec/ireca-courier-api.apib")
}

fn file_name(i: usize, name: &str) -> String {
    format!("{:02}-{name}.json", i + 1)
}

fn fixtures() -> Vec<(String, Vec<u8>, Codec)> {
    BODIES
        .iter()
        .enumerate()
        .map(|(i, (name, codec))| {
            let file = file_name(i, name);
            let body = std::fs::read(fixture_dir().join(&file)).unwrap_or_else(|e| panic!("{file}: {e} (LB_BLESS=1 regenerates the fixtures)"));
            (file, body, *codec)
        })
        .collect()
}

/// The JSON bodies of the document in order, as printed. A body starts on a line opening
/// with `{` or `[` (not a `[https://…]` or `[**GET**…]` link, nor the prose line
/// `{"error" => true, …}`) and runs until its brackets balance.
fn extract(apib: &str) -> Vec<String> {
    let lines: Vec<&str> = apib.lines().collect();
    let mut bodies = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim();
        let opens = l.starts_with('{') || l.starts_with('[');
        let link = l.starts_with("[http") || l.starts_with("[**") || l.starts_with("[/");
        if opens && !link && !l.contains("=>") {
            let (mut depth, mut in_str, mut esc) = (0i32, false, false);
            let start = i;
            loop {
                for c in lines[i].chars() {
                    match (in_str, esc, c) {
                        (true, true, _) => esc = false,
                        (true, false, '\\') => esc = true,
                        (true, false, '"') => in_str = false,
                        (true, false, _) => {}
                        (false, _, '"') => in_str = true,
                        (false, _, '[' | '{') => depth += 1,
                        (false, _, ']' | '}') => depth -= 1,
                        _ => {}
                    }
                }
                if depth == 0 {
                    break;
                }
                i += 1;
            }
            bodies.push(lines[start..=i].join("\n") + "\n");
        }
        i += 1;
    }
    bodies
}

/// Removes commas that close nothing (`"createdAt": "…",\n}`), outside strings; returns
/// the text and how many were removed.
fn strip_trailing_commas(text: &str) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    let (mut out, mut removed, mut in_str, mut esc) = (String::new(), 0, false, false);
    for (i, &c) in chars.iter().enumerate() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
        } else if c == '"' {
            in_str = true;
        } else if c == ',' && matches!(chars[i + 1..].iter().find(|c| !c.is_whitespace()), Some('}' | ']')) {
            removed += 1;
            continue;
        }
        out.push(c);
    }
    (out, removed)
}

/// The document's bodies, the one with trailing commas fixed, paired with their fixture
/// names; panics if the document no longer has the 74 bodies this table describes.
fn from_spec(apib: &str) -> Vec<(String, String)> {
    let bodies = extract(apib);
    assert_eq!(bodies.len(), BODIES.len(), "the document has {} JSON bodies, the table {}", bodies.len(), BODIES.len());
    bodies
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let name = BODIES[i].0;
            let fixed = if serde_json::from_str::<Value>(&text).is_ok() {
                text
            } else {
                let (fixed, removed) = strip_trailing_commas(&text);
                assert!(removed > 0 && serde_json::from_str::<Value>(&fixed).is_ok(), "body {} ({name}) is not JSON even without trailing commas", i + 1);
                fixed
            };
            (file_name(i, name), fixed)
        })
        .collect()
}

#[test]
fn fixtures_are_the_documents_bodies() {
    let Ok(apib) = std::fs::read_to_string(spec_path()) else {
        eprintln!("skipped: {} is absent; the committed fixtures are tested as they are", spec_path().display());
        return;
    };
    let fresh = from_spec(&apib);
    let fixed: Vec<&str> = fresh.iter().filter(|(n, _)| n.contains("trailing-comma-fixed")).map(|(n, _)| n.as_str()).collect();
    let needed: Vec<String> = extract(&apib).iter().enumerate().filter(|(_, b)| serde_json::from_str::<Value>(b).is_err()).map(|(i, _)| file_name(i, BODIES[i].0)).collect();
    assert_eq!(fixed, needed, "the fixtures named trailing-comma-fixed must be exactly the bodies that needed the fix");
    if std::env::var_os("LB_BLESS").is_some() {
        std::fs::create_dir_all(fixture_dir()).unwrap();
        for (name, text) in &fresh {
            std::fs::write(fixture_dir().join(name), text).unwrap();
        }
    }
    for (name, text) in &fresh {
        let committed = std::fs::read_to_string(fixture_dir().join(name)).unwrap_or_default();
        assert!(&committed == text, "{name} differs from the document: run `LB_BLESS=1 cargo test -p logibridge --test ireca_models` and commit it");
    }
}

/// PHP's spellings made one: `null`, `""`, `{}` and keys holding them are gone (the models
/// write no `None`), numbers and numeric strings become their normalised decimal text
/// (`"679.570"` = `679.57`), `true/false` become `"1"/"0"`, date-times with a `T` or an
/// offset are not expected in the document and stay as they are.
fn canon(v: &Value) -> Option<Value> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(json!(if *b { "1" } else { "0" })),
        Value::Number(n) => Some(json!(Decimal::from_scientific(&n.to_string()).or_else(|_| n.to_string().parse()).unwrap().normalize().to_string())),
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(json!(logibridge::serde_ext::decimal::parse(s).map_or_else(|| s.clone(), |d| d.normalize().to_string()))),
        Value::Array(a) => Some(Value::Array(a.iter().map(|x| canon(x).unwrap_or(Value::Null)).collect())),
        Value::Object(m) => {
            let m: serde_json::Map<String, Value> = m.iter().filter_map(|(k, x)| canon(x).map(|c| (k.clone(), c))).collect();
            (!m.is_empty()).then_some(Value::Object(m))
        }
    }
}

/// Where two canonical values first differ, as a JSON path.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let (u, v) = (x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null));
                if let Some(d) = first_difference(u, v, &format!("{path}.{k}")) {
                    return Some(d);
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x.iter().zip(y).enumerate().find_map(|(i, (u, v))| first_difference(u, v, &format!("{path}[{i}]"))),
        _ => (a != b).then(|| format!("{path}: document {a}, model {b}")),
    }
}

#[test]
fn every_body_of_the_document_decodes_and_round_trips() {
    let all = fixtures();
    let (mut requests, mut responses, mut respelled) = (0, 0, BTreeMap::<String, usize>::new());
    let mut failures = Vec::new();
    let mut extras = BTreeMap::<String, Vec<String>>::new();
    for (file, body, codec) in &all {
        if file.contains(".request") {
            requests += 1;
        } else {
            responses += 1;
        }
        let (out, extra) = match codec(body) {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{file}: {e}"));
                continue;
            }
        };
        for k in extra {
            extras.entry(k).or_default().push(file.clone());
        }
        let doc: Value = serde_json::from_slice(body).unwrap();
        if let Some(d) = first_difference(&canon(&doc).unwrap_or(Value::Null), &canon(&out).unwrap_or(Value::Null), "$") {
            failures.push(format!("{file}: {d}"));
        }
        count_respellings(&doc, &out, "", &mut respelled);
    }
    assert!(failures.is_empty(), "{} of {} bodies failed:\n{}", failures.len(), all.len(), failures.join("\n"));
    assert_eq!(all.len(), 74, "the document has 74 JSON bodies");
    // Every field the document shows is a typed field of its model: none is left for `extra`.
    assert!(extras.is_empty(), "fields no model declares: {extras:?}");
    let respelled: Vec<String> = respelled.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
    println!("{} bodies decoded: {requests} request bodies, {responses} response bodies; re-encoded to the same values; fields written in the documented form where the document spelled them otherwise: {}", all.len(), respelled.join(", "));
}

/// Counts leaves whose JSON spelling the model changed (`"amountToPay": "679.57"` written
/// `679.57`), by field name: what the documented form normalised.
fn count_respellings(doc: &Value, out: &Value, key: &str, seen: &mut BTreeMap<String, usize>) {
    match (doc, out) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                if let Some(w) = y.get(k) {
                    count_respellings(v, w, k, seen);
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => x.iter().zip(y).for_each(|(v, w)| count_respellings(v, w, key, seen)),
        (a, b) if std::mem::discriminant(a) != std::mem::discriminant(b) => *seen.entry(key.to_owned()).or_default() += 1,
        _ => {}
    }
}

fn fixture(name: &str) -> Vec<u8> {
    let i = BODIES.iter().position(|(n, _)| *n == name).unwrap();
    std::fs::read(fixture_dir().join(file_name(i, name))).unwrap()
}

#[test]
fn order_create_is_written_in_the_documents_request_form() {
    let orders: Vec<ireca::Order> = wire::from_slice("fixture", &fixture("orders.create.request")).unwrap();
    let out = serde_json::to_value(&orders).unwrap();
    let o = &out[0];
    assert_eq!(o["orderId"], json!("1"), "ids keep their spelling");
    assert_eq!(o["statusId"], json!(0));
    assert_eq!(o["amountToPay"], json!(539.78), "money is a number");
    assert_eq!(o["cash"], json!(1000), "1000.00 is the number 1000");
    assert_eq!(o["isAgreed"], json!(0), "isAgreed is written 0/1");
    assert_eq!(o["addressFromEntity"]["isUseGoogleGeo"], json!(false), "isUseGoogleGeo is written true/false");
    assert_eq!(o["addressFromEntity"]["latitude"], json!("59.947851"), "address coordinates are written as text");
    assert_eq!(o["deliveryTimeFrom"], json!("2021-05-15 13:21:13"));
    assert_eq!(o["goods"][0]["warehouses"][0], json!({"count": 1, "warehouseId": "1099"}));
    assert_eq!(o["goods"][0]["specificities"][0], json!({"count": 1, "specificityId": "24", "price": 5}));
    assert!(o.get("returnReasonId").is_none() && o.get("supplierId").is_none(), "null is not written");

    let refund: Vec<ireca::Order> = wire::from_slice("fixture", &fixture("orders.create_refund.request")).unwrap();
    assert_eq!(refund[0].is_refund, Some(true));
    let out = serde_json::to_value(&refund).unwrap();
    assert_eq!(out[0]["isRefund"], json!(true), "isRefund is written true/false");
    assert_eq!(out[0]["payments"][1]["paidIn"], json!("2020-09-09 08:29:59"));
    assert_eq!(out[0]["payments"][0]["price"], json!(200));
}

#[test]
fn an_order_answer_reads_its_php_spellings_as_typed_values() {
    let o: ireca::Order = wire::from_slice("fixture", &fixture("orders.get.response")).unwrap();
    assert_eq!(o.order_id, Some(Id::from("209900")), "209900 equals \"209900\"");
    assert_eq!(o.amount_to_pay, Some("679.570".parse().unwrap()));
    assert_eq!(o.courier_id, None, "\"\" is no courier");
    assert_eq!(o.fr_used_payment_id, None);
    assert_eq!((o.is_agreed, o.is_refund), (Some(false), Some(false)));
    assert_eq!(o.delivery_time_to.unwrap().to_rfc3339(), "2021-04-28T12:34:00+00:00");
    let goods = o.goods.unwrap();
    assert_eq!(goods[0].return_reason_id, None, "{{}} is no return reason");
    assert_eq!(goods[0].weight, Some(Decimal::from(95)), "\"95\" is a weight");
    assert_eq!(goods[1].specificities.as_ref().unwrap()[0].specificity.article.as_deref(), Some("AM-3243"));
    assert_eq!(o.address_to_entity.unwrap().latitude.unwrap().to_string(), "59.92088839350768", "every digit of a coordinate");
    let perms: Vec<ireca::Permission> = wire::from_slice("fixture", &fixture("permissions.list.response")).unwrap();
    assert_eq!(perms[0].is_allowed, Some(true));
    assert_eq!(serde_json::to_value(&perms).unwrap()[0]["isAllowed"], json!("1"));
    let atol: ireca::AtolSettings = wire::from_slice("fixture", &fixture("atol.replace_settings.request")).unwrap();
    assert_eq!(atol.company.as_ref().unwrap().tax_system, Some(ireca::TaxSystem::UsnIncome));
    assert_eq!(atol.agent.as_ref().unwrap().kind, Some(ireca::AgentType::Another));
    let journal: Vec<ireca::ChangeJournalEntry> = wire::from_slice("fixture", &fixture("journal.list.response")).unwrap();
    assert_eq!(journal[1].event, Some(ireca::ChangeEvent::Update));
    assert_eq!(journal[1].after_item.as_ref().unwrap().fr_receipt_status_id, Some(Id::from(1u64)));
    assert_eq!(journal[0].before_item, None);
}

#[test]
fn get_modify_update_loses_no_unknown_field_at_any_depth() {
    let mut doc: Value = serde_json::from_slice(&fixture("orders.get.response")).unwrap();
    doc["newTopLevel"] = json!({"nested": [1, "two", null]});
    doc["addressToEntity"]["entrance"] = json!("3");
    doc["goods"][0]["newLineField"] = json!(12.5);
    doc["goods"][1]["specificities"][0]["newSpecField"] = json!(true);
    doc["client"]["middlename"] = json!("Петрович");
    let mut order: ireca::Order = wire::from_slice("fixture", doc.to_string().as_bytes()).unwrap();
    // The check that no documented field falls into `extra` sees these ones.
    let mut found = extra_keys(&format!("{order:?}"));
    found.sort();
    assert_eq!(found, ["entrance", "middlename", "newLineField", "newSpecField", "newTopLevel"]);
    order.description = Some("changed".into());
    let out = serde_json::to_value(&order).unwrap();
    assert_eq!(out["newTopLevel"], json!({"nested": [1, "two", null]}));
    assert_eq!(out["addressToEntity"]["entrance"], json!("3"));
    assert_eq!(out["goods"][0]["newLineField"], json!(12.5));
    assert_eq!(out["goods"][1]["specificities"][0]["newSpecField"], json!(true));
    assert_eq!(out["client"]["middlename"], json!("Петрович"));
    assert_eq!(out["description"], json!("changed"));
}

#[test]
fn unknown_enum_values_are_kept_not_refused() {
    let s: ireca::AtolSettings = serde_json::from_str(r#"{"company": {"taxSystem": "ausn"}, "agent": {"type": "marketplace"}}"#).unwrap();
    assert_eq!(s.company.as_ref().unwrap().tax_system, Some(ireca::TaxSystem::Unknown("ausn".into())));
    let out = serde_json::to_value(&s).unwrap();
    assert_eq!(out, json!({"company": {"taxSystem": "ausn"}, "agent": {"type": "marketplace"}}));
}

#[test]
fn passwords_never_show_in_debug() {
    let c: ireca::Courier = wire::from_slice("fixture", &fixture("couriers.get.response")).unwrap();
    assert!(!format!("{c:?}").contains("2321"), "sourcePassword leaked: {c:?}");
    assert_eq!(serde_json::to_value(&c).unwrap()["sourcePassword"], json!("2321"), "but it is sent");
    let a: ireca::AtolSettings = wire::from_slice("fixture", &fixture("atol.replace_settings.request")).unwrap();
    assert!(!format!("{a:?}").contains("\"1234\""), "password leaked: {a:?}");
}

#[test]
fn multiple_update_refuses_attributes_outside_the_whitelist() {
    let ok: ireca::MultipleUpdate = wire::from_slice("fixture", &fixture("orders.update_many.request")).unwrap();
    assert_eq!(ok.order_ids, vec![Id::from(209900u64)]);
    let e = wire::from_slice::<ireca::MultipleUpdate>("ireca.orders.update_many", br#"{"orderIds": ["1"], "attributes": {"phone": "+7"}}"#).unwrap_err();
    assert_eq!(e.kind(), logibridge::ErrorKind::Decode);
    assert!(e.to_string().contains("phone") && e.to_string().contains("attributes"), "{e}");
}

#[test]
fn money_beyond_a_floats_digits_survives_a_whole_order() {
    let body = br#"{"items": [{"orderId": 1, "amountToPay": 1234567890123456.785, "goods": [{"price": 0.10000000000000000555, "count": 3}]}]}"#;
    let orders = ireca::parse_order_callback(body).unwrap();
    assert_eq!(orders[0].amount_to_pay.unwrap().to_string(), "1234567890123456.785");
    assert_eq!(orders[0].goods.as_ref().unwrap()[0].price.unwrap().to_string(), "0.10000000000000000555");
    let out = serde_json::to_value(&orders[0]).unwrap();
    assert_eq!(out["amountToPay"], json!("1234567890123456.785"), "too many digits for a JSON number read as a float: written as text");
}

/// Five records have attribute lists in the document but no example body: each reads a
/// body made of exactly its listed attributes, every one into a typed field.
#[test]
fn records_without_an_example_body_read_their_attribute_lists() {
    fn check<T: DeserializeOwned + Serialize + std::fmt::Debug>(body: Value) -> T {
        let m: T = wire::from_slice("attributes", body.to_string().as_bytes()).unwrap();
        assert!(extra_keys(&format!("{m:?}")).is_empty(), "a listed attribute is not a typed field: {m:?}");
        m
    }
    let r: ireca::Receipt = check(json!({"orderId": 209897, "serialNumber": "0001", "shiftNumber": "12", "fn": "9999078900001234",
        "fdNumber": "345", "receiptNumber": "7", "fiscalSign": "1234567890", "dateTimeReceipt": "2021-04-28 11:34:00"}));
    assert_eq!(r.r#fn.as_deref(), Some("9999078900001234"));
    assert_eq!(serde_json::to_value(&r).unwrap()["fn"], json!("9999078900001234"));
    let c: ireca::CorrectionReceipt = check(json!({"correctionReceiptId": 5, "courierId": "55752", "serialNumber": "0001",
        "amount": "100.50", "commandExecutedAt": "2021-04-28 11:34:00"}));
    assert_eq!(c.amount.unwrap().to_string(), "100.50");
    let p: ireca::Pechka54Settings = check(json!({"url": "https://pechka54.example/hook"}));
    assert_eq!(p.url.as_deref(), Some("https://pechka54.example/hook"));
    let t: ireca::BankTerminalLog = check(json!({"terminalLogId": 1, "courierId": "55752", "errorCode": "4", "errorText": "Отказ",
        "cardNumber": "************3333", "paymentSystem": "MIR", "serialNumber": "T1", "amount": "539.78", "orderId": "209897",
        "transactionCreatedAt": "2021-04-28 11:34:00"}));
    assert_eq!(t.amount, Some("539.78".parse().unwrap()));
    let f: ireca::FiscalRegistratorLog = check(json!({"frId": 1, "courierId": "55752", "errorCode": "2", "errorText": "Нет бумаги",
        "serialNumber": "R1", "amount": 539.78, "orderId": "209897", "commandExecutedAt": "2021-04-28 11:34:00"}));
    assert_eq!(serde_json::to_value(&f).unwrap()["amount"], json!("539.78"), "log amounts are written as text (attribute list)");
}
