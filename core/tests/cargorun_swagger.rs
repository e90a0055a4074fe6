//! CARGO.RUN's whole Swagger against the sandbox:
//!
//! - the committed operation table is what `tools/cargorun_swagger_gen.py` writes today, and
//!   ENDPOINTS.md's id rule gives 959 distinct ids over the spec's paths (both skipped,
//!   saying so, when ../shared is absent);
//! - the generic rows are in the endpoint table beside the 74 typed ones, flagged, and an
//!   operation a typed row calls gets no second id;
//! - 50 generic operations chosen across the tags (GET and POST, path parameters, lists, a
//!   multipart upload) are called through `Client::call` and answered by the sandbox with
//!   bodies that pass their response schema;
//! - a wrong type in a body or a query is refused before anything is sent (the sandbox's
//!   request log stays empty), unknown properties are warned about and sent, or refused in
//!   strict mode, HEAD is refused, and method + path reaches both known and unknown paths.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use common::control::{control, requests};
use logibridge::cargorun::swagger::{self, Operation};
use logibridge::endpoints::{self, Location, Type};
use logibridge::{Client, Error};
use logibridge_sandbox::cargorun::generic;
use logibridge_sandbox::Sandbox;
use serde_json::{json, Map, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn shared_swagger() -> Option<PathBuf> {
    let p = repo().join("../shared/spec/cargorun/swagger.json");
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: {} is absent (the check needs the specs)", p.display());
        None
    }
}

fn client(sb: &Sandbox, strict: bool) -> Client {
    Client::for_service("cargorun").unwrap().credential("username", sb.cargorun_username()).credential("password", sb.cargorun_password()).base_url(sb.cargorun_url()).strict_schema(strict).build().unwrap()
}

async fn calls(sb: &Sandbox) -> Value {
    control(sb, reqwest::Method::GET, "cargorun/calls", None).await
}

#[test]
fn the_table_is_what_the_generator_writes_today() {
    if shared_swagger().is_none() {
        return;
    }
    let out = std::process::Command::new("python3").arg("tools/cargorun_swagger_gen.py").arg("--check").current_dir(repo()).output().expect("python3 runs");
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

#[test]
fn the_id_rule_gives_959_distinct_ids_over_the_swagger() {
    let table = swagger::table();
    let ids: BTreeSet<&str> = table.operations().iter().map(|op| op.id.as_str()).collect();
    assert_eq!((table.operations().len(), ids.len()), (959, 959));
    for reflection in ["Type", "Assembly", "MethodInfo", "RuntimeTypeHandle", "MemberInfo"] {
        assert!(table.schema(reflection).is_none(), "{reflection} is pruned");
    }
    let Some(path) = shared_swagger() else { return };
    let spec: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut from_spec = BTreeSet::new();
    let mut operations = 0;
    for (p, item) in spec["paths"].as_object().unwrap() {
        let methods: Vec<&String> = item.as_object().unwrap().keys().filter(|m| ["get", "post", "put", "delete", "head", "patch"].contains(&m.as_str())).collect();
        for m in &methods {
            operations += 1;
            if let Some(id) = swagger::generic_id(p, m, methods.len() > 1) {
                assert!(from_spec.insert(id.clone()), "{id} collides");
                let op = table.operation(&id).unwrap_or_else(|| panic!("{id} ({m} {p}) is not in the table"));
                assert_eq!((op.method.to_lowercase(), op.path.as_str()), (m.to_string(), p.as_str()));
            } else {
                assert!(p.starts_with("/Account/"), "only /Account/* goes without an id: {p}");
            }
        }
    }
    assert_eq!((operations, from_spec.len()), (962, 959), "three /Account/* operations duplicate /api/Account/*");
    assert_eq!(from_spec, ids.iter().map(|s| s.to_string()).collect());
}

#[test]
fn generic_rows_sit_beside_the_typed_ones_flagged() {
    let spec = &endpoints::cargorun::SERVICE;
    let generic = endpoints::generic(spec);
    assert_eq!(spec.endpoints.len(), 74);
    assert!(spec.endpoints.iter().all(|e| !e.is_generic()));
    assert!(generic.iter().all(|e| e.is_generic() && e.id.starts_with(swagger::ID_PREFIX) && e.names.python.is_empty() && e.names.onec_en.is_empty()));
    // Every operation is a generic row, the HEAD one, or the operation of a typed row.
    let table = swagger::table();
    let mut typed_twins = BTreeSet::new();
    for op in table.operations() {
        match (swagger::row(&op.id), swagger::row_for_operation(op)) {
            (Ok(Some(row)), (Some(same), None)) => assert!(std::ptr::eq(row, same) && endpoints::find(&op.id).is_some_and(|f| std::ptr::eq(f, row))),
            (Err(e), (None, None)) => assert!(op.method == "HEAD" && e.to_string().contains("HEAD"), "{e}"),
            (Err(e), (Some(_), Some(typed))) => {
                assert!(e.to_string().contains(typed.id) && endpoints::find(&op.id).is_none(), "{e}");
                typed_twins.insert(typed.id);
            }
            other => panic!("{}: {other:?}", op.id),
        }
    }
    assert_eq!(generic.len() + typed_twins.len() + 1, 959, "generic + typed twins + HEAD");
    assert!(typed_twins.len() >= 65, "most typed rows call a Swagger operation ({})", typed_twins.len());
    // The description: the typed rows (the faces' methods), then the generic ones apart.
    let described = endpoints::describe_service(spec);
    let kinds = |key: &str| described[key].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap().to_owned()).collect::<BTreeSet<_>>();
    assert_eq!((described["endpoints"].as_array().unwrap().len(), described["generic_endpoints"].as_array().unwrap().len()), (74, generic.len()));
    assert_eq!((kinds("endpoints"), kinds("generic_endpoints")), (BTreeSet::from(["typed".to_owned()]), BTreeSet::from(["generic".to_owned()])));
    assert_eq!(endpoints::describe_service(&endpoints::carreta::SERVICE)["generic_endpoints"], json!([]));
    let rows = described["generic_endpoints"].as_array().unwrap();
    let tracker = rows.iter().find(|r| r["id"] == "cargorun.swagger.trackers.get.by_id").unwrap();
    assert_eq!((tracker["tag"].as_str(), tracker["params"][0]["type"].as_str(), tracker["params"][0]["in"].as_str()), (Some("Trackers"), Some("integer"), Some("path")));
    // An unknown id's error lists the typed ids and counts the generic ones.
    let e = endpoints::require("cargorun.swagger.nothing.here").unwrap_err();
    assert!(e.to_string().contains("cargorun.bids.get") && e.to_string().contains(&format!("{} generic ids", generic.len())), "{e}");
}

/// A value for a path or query parameter of the row's type.
fn param_value(ty: Type) -> Value {
    match ty {
        Type::Integer => json!(1),
        Type::Decimal => json!(2.5),
        Type::Bool => json!(false),
        Type::DateTime => json!("2026-01-23T21:00:00+03:00"),
        Type::Date => json!("2026-01-23"),
        Type::Enum(names) => json!(names[0]),
        _ => json!("x"),
    }
}

/// A body the operation's schema accepts: the sandbox's sample, files for a multipart
/// operation's binary fields.
fn body_for(op: &Operation) -> Option<Value> {
    let body = op.body.as_ref()?;
    if !op.is_multipart() {
        return Some(generic::sample(&body.schema, 0));
    }
    let mut fields = Map::new();
    for (name, schema) in body.schema["properties"].as_object().into_iter().flatten() {
        let v = if schema["format"] == "binary" {
            swagger::file_value("act.pdf", Some("application/pdf"), b"%PDF-1.7 sandbox")
        } else if schema["type"] == "array" && schema["items"]["format"] == "binary" {
            json!([swagger::file_value("a.txt", None, b"one"), swagger::file_value("b.txt", None, b"two")])
        } else {
            generic::sample(schema, 0)
        };
        fields.insert(name.clone(), v);
    }
    Some(Value::Object(fields))
}

fn params_for(ep: &endpoints::Endpoint) -> Value {
    let op = ep.swagger.unwrap();
    let mut p = Map::new();
    for param in ep.params {
        match param.location {
            Location::Path | Location::Query if !param.name.starts_with('$') => {
                let v = param_value(param.ty);
                p.insert(param.name.into(), if param.repeated { json!([v.clone(), v]) } else { v });
            }
            Location::Body => {
                p.insert("body".into(), body_for(op).unwrap());
            }
            _ => {}
        }
    }
    Value::Object(p)
}

/// 50 generic rows, round-robin over the tags (each tag's rows in the Swagger's order),
/// with a multipart one among them.
fn fifty() -> Vec<&'static endpoints::Endpoint> {
    let mut by_tag: BTreeMap<&str, Vec<&'static endpoints::Endpoint>> = BTreeMap::new();
    for ep in endpoints::generic(&endpoints::cargorun::SERVICE) {
        by_tag.entry(ep.swagger.unwrap().tag.as_str()).or_default().push(ep);
    }
    let multipart = endpoints::generic(&endpoints::cargorun::SERVICE).iter().copied().find(|e| e.swagger.unwrap().is_multipart()).unwrap();
    let mut chosen = vec![multipart];
    'rounds: for round in 0.. {
        let mut any = false;
        for rows in by_tag.values() {
            if let Some(ep) = rows.get(round) {
                any = true;
                if !chosen.iter().any(|c| std::ptr::eq(*c, *ep)) {
                    chosen.push(ep);
                }
                if chosen.len() == 50 {
                    break 'rounds;
                }
            }
        }
        assert!(any, "fewer than 50 generic rows");
    }
    chosen
}

#[tokio::test]
async fn fifty_generic_operations_across_tags_answer_from_the_sandbox() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, true);
    let chosen = fifty();
    let tags: BTreeSet<&str> = chosen.iter().map(|e| e.swagger.unwrap().tag.as_str()).collect();
    assert!(tags.len() >= 40, "{} tags", tags.len());
    assert!(chosen.iter().any(|e| e.method == endpoints::Method::Get) && chosen.iter().any(|e| e.method == endpoints::Method::Post));
    assert!(chosen.iter().any(|e| e.params.iter().any(|p| p.location == Location::Path)), "a path parameter");
    assert!(chosen.iter().any(|e| e.params.iter().any(|p| p.repeated) || e.swagger.unwrap().body.as_ref().is_some_and(|b| b.schema["type"] == "array")), "a list");
    for ep in &chosen {
        let op = ep.swagger.unwrap();
        let params = params_for(ep);
        let got = c.call(ep.id, params.clone()).await.unwrap_or_else(|e| panic!("{} ({} {}) with {params}: {e}", ep.id, op.method, op.path));
        let sandbox_op = generic::operations().iter().find(|o| o.id == op.id).unwrap();
        assert_eq!(got, generic::answer(sandbox_op).unwrap_or(Value::Null), "{}", ep.id);
        if let Some(schema) = &op.response {
            swagger::validate(schema, &got, "answer", true).unwrap_or_else(|v| panic!("{}: the answer fails its schema: {v:?}", ep.id));
        }
    }
    let counted = calls(&sb).await;
    for ep in &chosen {
        assert_eq!(counted[ep.id], 1, "{} is in the sandbox's request log once: {counted}", ep.id);
    }
}

#[test]
fn every_sandbox_answer_passes_its_response_schema() {
    let mut checked = 0;
    for op in generic::operations() {
        let core_op = swagger::table().operation(&op.id).unwrap();
        if let (Some(answer), Some(schema)) = (generic::answer(op), &core_op.response) {
            swagger::validate(schema, &answer, "answer", true).unwrap_or_else(|v| panic!("{}: {v:?}", op.id));
            checked += 1;
        }
    }
    assert!(checked > 400, "{checked} answers checked");
}

#[tokio::test]
async fn a_wrong_type_is_refused_before_anything_is_sent() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, false);
    control(&sb, reqwest::Method::DELETE, "requests", None).await;
    // A POST whose body has an integer property: a tracker.
    let post = endpoints::find("cargorun.swagger.trackers.apply").expect("POST /api/Trackers/Apply is generic");
    let schema = &post.swagger.unwrap().body.as_ref().unwrap().schema;
    let mut body = generic::sample(schema, 0);
    let (int_field, _) = swagger::table().schema(schema["$ref"].as_str().unwrap()).unwrap()["properties"].as_object().unwrap().iter().find(|(_, s)| s["type"] == "integer").expect("an integer property");
    body[int_field.as_str()] = json!("seven");
    let e = c.call(post.id, json!({"body": body})).await.unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e:?}");
    assert_eq!((e.field(), e.code()), (Some(format!("body.{int_field}").as_str()), "schema.type"), "{e}");
    assert!(e.message_ru().contains("целым"), "{}", e.message_ru());
    // A query parameter of the wrong type.
    let get = endpoints::find("cargorun.swagger.trackers.get.by_id").unwrap();
    let e = c.call(get.id, json!({"id": "seventeen"})).await.unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("id"), "param.integer"), "{e}");
    let with_enum = endpoints::generic(&endpoints::cargorun::SERVICE).iter().find(|e| e.params.iter().any(|p| p.location == Location::Query && matches!(p.ty, Type::Enum(_)))).unwrap();
    let enum_param = with_enum.params.iter().find(|p| matches!(p.ty, Type::Enum(_))).unwrap();
    let e = c.call(with_enum.id, json!({enum_param.name: "NoSuchName"})).await.unwrap_err();
    assert_eq!((e.field(), e.code()), (Some(enum_param.name), "param.enum"), "{e}");
    assert!(requests(&sb).await.is_empty(), "nothing was sent, not even a sign-in");
    assert_eq!(calls(&sb).await, json!({}));
}

/// Collects what the core logs, for the warning test.
#[derive(Clone, Default)]
struct Logged(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Logged {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn unknown_properties_are_sent_with_a_warning_or_refused_when_strict() {
    let sb = Sandbox::start().unwrap();
    let logged = Logged::default();
    let sink = logged.clone();
    let subscriber = tracing_subscriber::fmt().with_writer(move || sink.clone()).with_ansi(false).with_max_level(tracing::Level::WARN).finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let ep = endpoints::find("cargorun.swagger.trackers.apply").unwrap();
    let mut body = generic::sample(&ep.swagger.unwrap().body.as_ref().unwrap().schema, 0);
    body["colour"] = json!("red");
    client(&sb, false).call(ep.id, json!({"body": body.clone()})).await.unwrap();
    let text = String::from_utf8_lossy(&logged.0.lock().unwrap()).into_owned();
    assert!(text.contains("body.colour") && text.contains("not in the Swagger schema"), "{text}");
    assert_eq!(calls(&sb).await[ep.id], 1);
    let e = client(&sb, true).call(ep.id, json!({"body": body})).await.unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("body.colour"), "schema.unknown"), "{e}");
    assert_eq!(calls(&sb).await[ep.id], 1, "the strict call was not sent");
    let e = Client::for_service("cargorun").unwrap().option("strict_schema", json!("yes")).build().unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("strict_schema"), "option.type"));
    let e = Client::for_service("carreta").unwrap().credential("api_key", "k").strict_schema(true).build().unwrap_err();
    assert_eq!(e.code(), "option.unknown", "{e}");
}

#[tokio::test]
async fn head_and_other_methods_are_refused_before_sending() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, false);
    control(&sb, reqwest::Method::DELETE, "requests", None).await;
    let e = c.call("cargorun.swagger.home.ping", json!({})).await.unwrap_err();
    assert!(e.to_string().contains("HEAD /api/Home/Ping") && e.message_ru().contains("не поддерживается"), "{e}");
    for method in ["HEAD", "PATCH", "OPTIONS"] {
        let e = c.call_path(method, "/api/Home/Ping", json!({})).await.unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("method"), "param.method"), "{method}: {e}");
    }
    let e = c.call_path("POST", "/api/Trackers/Get/5", json!({})).await.unwrap_err();
    assert!(e.to_string().contains("GET only"), "the Swagger has the path as GET: {e}");
    for bad in ["", "https://evil.example/api", "//evil.example/api", "/api/Trackers/Get/5?x=1", "/api/../../_control/reset"] {
        let e = c.call_path("GET", bad, json!({})).await.unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("path"), "param.path"), "{bad:?}: {e}");
    }
    assert!(requests(&sb).await.is_empty());
}

#[tokio::test]
async fn method_and_path_reach_known_paths_checked_and_unknown_ones_as_given() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, false);
    // Known, any case: sent as its generic row, counted under its id.
    let got = c.call_path("get", "API/trackers/GET/17", json!({})).await.unwrap();
    let op = generic::operations().iter().find(|o| o.id == "cargorun.swagger.trackers.get.by_id").unwrap();
    assert_eq!(got, generic::answer(op).unwrap());
    assert_eq!(calls(&sb).await["cargorun.swagger.trackers.get.by_id"], 1);
    // Known, and checked: the path's integer, a body property's type.
    let e = c.call_path("GET", "/api/Trackers/Get/seventeen", json!({})).await.unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("id"), "param.integer"), "{e}");
    let e = c.call_path("POST", "/api/Trackers/Attach", json!({"body": []})).await.unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("body"), "schema.type"), "{e}");
    // The operation of a typed row: checked against the Swagger too, and answered.
    let e = c.call_path("GET", "/api/bids/Get/abc", json!({})).await.unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("bidId"), "param.integer"), "{e}");
    // Unknown to the Swagger: sent as given, with the token (the sandbox does not serve it).
    control(&sb, reqwest::Method::DELETE, "requests", None).await;
    let e = c.call_path("POST", "/api/waybill/Bids/Sign", json!({"query": {"bidId": 17, "ids": [1, 2]}, "body": {"bidId": 17}})).await.unwrap_err();
    assert_eq!(e.status(), Some(404), "{e}");
    assert!(e.to_string().contains("cargorun.path.post"), "{e}");
    let seen = requests(&sb).await;
    let last = seen.last().unwrap();
    assert_eq!((last["method"].as_str(), last["path"].as_str(), last["query"].as_str()), (Some("POST"), Some("/cargorun/api/waybill/Bids/Sign"), Some("bidId=17&ids=1&ids=2")), "{seen:?}");
    let e = c.call_path("POST", "/api/waybill/Bids/Sign", json!({"query": {"nested": {"a": 1}}})).await.unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("query.nested"), "param.type"), "{e}");
    let e = c.call_path("POST", "/api/waybill/Bids/Sign", json!({"bdy": {}})).await.unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("bdy"), "param.unknown"), "{e}");
}

#[tokio::test]
async fn a_multipart_operation_sends_its_files() {
    let sb = Sandbox::start().unwrap();
    let c = client(&sb, false);
    let ep = endpoints::generic(&endpoints::cargorun::SERVICE).iter().copied().find(|e| e.swagger.unwrap().is_multipart()).unwrap();
    let params = params_for(ep);
    c.call(ep.id, params.clone()).await.unwrap_or_else(|e| panic!("{}: {e}", ep.id));
    assert_eq!(calls(&sb).await[ep.id], 1);
    // A file field given as text is refused before sending (a multipart file is an object).
    let (file_field, _) = ep.swagger.unwrap().body.as_ref().unwrap().schema["properties"].as_object().unwrap().iter().find(|(_, s)| s["format"] == "binary").unwrap();
    let mut body = params["body"].clone();
    body[file_field.as_str()] = json!("just text");
    let e = c.call(ep.id, json!({"body": body})).await.unwrap_err();
    assert_eq!((e.field(), e.code()), (Some(format!("body.{file_field}").as_str()), "schema.format"), "{e}");
    assert_eq!(calls(&sb).await[ep.id], 1);
    // The sandbox refuses a multipart operation sent as JSON (what the encoder avoids).
    let token_free = reqwest::Client::new().post(format!("{}{}", sb.cargorun_url(), ep.path)).json(&json!({})).send().await.unwrap();
    assert_eq!(token_free.status(), 401, "the generic operations need the token too");
}
