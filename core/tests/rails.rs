//! A service that exists only in this test — a spec and three rows, served by a tiny
//! in-test HTTP handler — called through the generic client with no code written for it:
//! the rails carry any service the table describes.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use logibridge::endpoints::{AuthSpec, BodyKind, Credential, DateFormat, Endpoint, ErrorFormat, FaceNames, Location, Method, Paging, Param, Response, ServiceSpec, Shape, Type};
use logibridge::transport::AuthStrategy;
use logibridge::{Client, ErrorKind};
use common::Reply;
use serde_json::{json, Value};

const P: &str = "railtest";

static THING_GET: Endpoint = Endpoint {
    params: &[Param::new("id", Location::Path, Type::Integer).required().range(Some(1), None)],
    names: FaceNames { python: "things.get", onec_en: "GetThing", onec_ru: "ПолучитьВещь" },
    ..Endpoint::new("railtest.things.get", P, Method::Get, "things/{id}")
};

static THING_LIST: Endpoint = Endpoint {
    params: &[
        Param::new("tag", Location::Query, Type::String).repeated(),
        Param::new("page", Location::Query, Type::Integer).range(Some(1), None),
        Param::new("all", Location::Library, Type::Bool),
    ],
    response: Response { shape: Shape { envelope: Some("items"), list: true }, ..Response::JSON },
    paging: Paging::PageNumber { param: "page", first: 1, size: 2 },
    names: FaceNames { python: "things.list", onec_en: "Things", onec_ru: "Вещи" },
    ..Endpoint::new("railtest.things.list", P, Method::Get, "things")
};

static THING_CREATE: Endpoint = Endpoint {
    params: &[
        Param::new("name", Location::BodyField, Type::String).required(),
        Param::new("price", Location::BodyField, Type::Decimal),
        Param::new("kind", Location::BodyField, Type::Enum(&["Small", "Large"])).default("\"Small\""),
        Param::new("source", Location::Query, Type::String).fixed("api"),
    ],
    body: BodyKind::Object,
    response: Response { success: &[201], ..Response::JSON },
    idempotent: false,
    names: FaceNames { python: "things.create", onec_en: "CreateThing", onec_ru: "СоздатьВещь" },
    ..Endpoint::new("railtest.things.create", P, Method::Post, "things")
};

static SPEC: ServiceSpec = ServiceSpec {
    prefix: P,
    name: "RailTest",
    default_base_url: "http://127.0.0.1:9/",
    auth: AuthSpec::Bearer { credential: "token" },
    credentials: &[Credential { name: "token", onec_en: "Token", onec_ru: "Токен", secret: true, required: true }],
    common_params: &[],
    errors: ErrorFormat::keys(&["message"]),
    dates: DateFormat::SpaceUtc,
    endpoints: &[&THING_GET, &THING_LIST, &THING_CREATE],
};

/// The in-test service: answers by method and path, checks the bearer token, records
/// every request.
async fn serve(token: &'static str) -> (String, common::Log) {
    let (url, log) = common::serve(move |s| {
        if s.header("authorization") != Some(&format!("Bearer {token}")) {
            return Reply::json(401, json!({"message": "bad token"}));
        }
        let path = s.target.split('?').next().unwrap_or("");
        let page: u64 = s.target.split("page=").nth(1).and_then(|p| p.split('&').next()).and_then(|p| p.parse().ok()).unwrap_or(1);
        match (s.method.as_str(), path) {
            ("GET", "/api/things/7") => Reply::json(200, json!({"id": 7, "name": "seven", "surprise": {"kept": true}})),
            ("GET", "/api/things") => {
                // Five things, two a page.
                let items: Vec<Value> = (1..=5u64).skip(((page - 1) * 2) as usize).take(2).map(|i| json!({"id": i})).collect();
                Reply::json(200, json!({"items": items, "page": page}))
            }
            ("POST", "/api/things") => {
                let mut v: Value = serde_json::from_slice(&s.body).unwrap_or(Value::Null);
                v["id"] = json!(99);
                Reply::json(201, v)
            }
            _ => Reply::json(404, json!({"message": "no such thing"})),
        }
    })
    .await;
    (format!("{url}api/"), log)
}

#[tokio::test]
async fn a_service_declared_in_the_test_is_called_through_the_generic_client() {
    let (url, seen) = serve("tok-rails").await;
    let client = Client::builder(&SPEC).credential("token", "tok-rails").base_url(&url).build().unwrap();

    let thing = client.call_endpoint(&THING_GET, json!({"id": "7"})).await.unwrap();
    assert_eq!(thing, json!({"id": 7, "name": "seven", "surprise": {"kept": true}}));

    let page = client.call_endpoint(&THING_LIST, json!({"tag": ["a", "b c"]})).await.unwrap();
    assert_eq!(page, json!([{"id": 1}, {"id": 2}]));
    let all = client.call_endpoint(&THING_LIST, json!({"tag": "a", "all": true})).await.unwrap();
    assert_eq!(all.as_array().unwrap().len(), 5, "three pages of 2, 2 and 1: {all}");

    let created = client.call_endpoint(&THING_CREATE, json!({"name": "new", "price": "679.570"})).await.unwrap();
    assert_eq!(created, json!({"name": "new", "price": "679.570", "kind": "Small", "id": 99}));

    let seen = seen.lock().unwrap().clone();
    let targets: Vec<&str> = seen.iter().map(|s| s.target.as_str()).collect();
    assert_eq!(targets, ["/api/things/7", "/api/things?tag=a&tag=b+c", "/api/things?tag=a&page=1", "/api/things?tag=a&page=2", "/api/things?tag=a&page=3", "/api/things?source=api"]);
    assert!(seen.iter().all(|s| s.header("authorization") == Some("Bearer tok-rails")));
    assert_eq!(serde_json::from_slice::<Value>(&seen[5].body).unwrap(), json!({"name": "new", "price": "679.570", "kind": "Small"}));
}

#[tokio::test]
async fn the_rows_rules_apply_before_anything_is_sent() {
    let (url, seen) = serve("tok").await;
    let client = Client::builder(&SPEC).credential("token", "tok").base_url(&url).build().unwrap();
    let cases = [
        (&THING_GET, json!({}), "id", "param.required"),
        (&THING_GET, json!({"id": 0}), "id", "param.min"),
        (&THING_GET, json!({"id": 7, "idd": 1}), "idd", "param.unknown"),
        (&THING_CREATE, json!({"name": "x", "kind": "Huge"}), "kind", "param.enum"),
        (&THING_CREATE, json!({"name": "x", "price": "cheap"}), "price", "param.type"),
        (&THING_CREATE, json!({"name": "x", "source": "me"}), "source", "param.fixed"),
        (&THING_LIST, json!({"tag": [1, {"x": 1}]}), "tag", "param.type"),
    ];
    for (ep, params, field, code) in cases {
        let e = client.call_endpoint(ep, params.clone()).await.unwrap_err();
        assert_eq!((e.kind(), e.field(), e.code()), (ErrorKind::InvalidArgument, Some(field), code), "{params}: {e}");
    }
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent");
    // Building: the credential is required, unknown options are named.
    let e = Client::builder(&SPEC).base_url(&url).build().unwrap_err();
    assert_eq!(e.field(), Some("token"));
    let e = Client::builder(&SPEC).credential("token", "t").option("tokn", json!("x")).build().unwrap_err();
    assert_eq!((e.field(), e.code()), (Some("tokn"), "option.unknown"));
    assert!(e.to_string().contains("token"), "{e}");
}

/// A token that is rejected once, then renewed: the auth strategy trait's refresh.
#[derive(Debug, Default)]
struct Renewing {
    generation: AtomicUsize,
}

impl AuthStrategy for Renewing {
    fn authorize<'a>(&'a self, _: &'a mut url::Url, headers: &'a mut reqwest::header::HeaderMap) -> BoxFuture<'a, logibridge::Result<()>> {
        let token = if self.generation.load(Ordering::SeqCst) == 0 { "expired" } else { "fresh" };
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        Box::pin(async { Ok(()) })
    }
    fn refresh<'a>(&'a self, _: &'a reqwest::header::HeaderMap) -> BoxFuture<'a, logibridge::Result<bool>> {
        Box::pin(async move { Ok(self.generation.fetch_add(1, Ordering::SeqCst) == 0) })
    }
    fn secrets(&self) -> Vec<String> {
        vec!["expired".into(), "fresh".into()]
    }
}

#[tokio::test]
async fn a_401_renews_the_credentials_once_and_retries() {
    let (url, seen) = serve("fresh").await;
    let auth = Arc::new(Renewing::default());
    let client = Client::builder(&SPEC).auth(auth.clone()).base_url(&url).build().unwrap();
    assert_eq!(client.call_endpoint(&THING_GET, json!({"id": 7})).await.unwrap()["id"], 7);
    let auths: Vec<String> = seen.lock().unwrap().iter().map(|s| s.header("authorization").unwrap_or("").to_owned()).collect();
    assert_eq!(auths, ["Bearer expired", "Bearer fresh"]);
    // A create is renewed too (the 401 means it was not applied), but only once.
    let (url, seen) = serve("never").await;
    let client = Client::builder(&SPEC).auth(Arc::new(Renewing::default())).base_url(&url).build().unwrap();
    let e = client.call_endpoint(&THING_CREATE, json!({"name": "x"})).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn the_description_round_trips_through_register() {
    let mut d = logibridge::endpoints::describe_service(&SPEC);
    d["prefix"] = "railtest_json".into();
    for e in d["endpoints"].as_array_mut().unwrap() {
        e["id"] = e["id"].as_str().unwrap().replace("railtest.", "railtest_json.").into();
        e["service"] = "railtest_json".into();
    }
    let spec = logibridge::endpoints::register(&d.to_string()).unwrap();
    for (a, b) in spec.endpoints.iter().zip(SPEC.endpoints) {
        assert_eq!(a.params, b.params, "{}", a.id);
        assert_eq!((a.method, a.path, a.body, a.paging, a.idempotent, a.names), (b.method, b.path, b.body, b.paging, b.idempotent, b.names));
        assert_eq!(a.response.shape, b.response.shape);
    }
    assert!(Client::for_service("railtest_json").unwrap().credential("token", "t").build().is_ok());
}

#[tokio::test]
async fn path_values_are_escaped_as_segments_and_paged_rows_take_all() {
    logibridge::endpoints::register(
        &json!({
            "prefix": "railpath", "name": "RailPath", "auth": {"kind": "bearer", "credential": "token"},
            "credentials": [{"name": "token"}],
            "endpoints": [
                {"id": "railpath.items.get", "method": "GET", "path": "items/{name}", "params": [{"name": "name", "in": "path", "required": true}]},
                {"id": "railpath.items.list", "method": "GET", "path": "items", "params": [{"name": "page", "in": "query", "type": "integer"}],
                 "response": {"envelope": "items", "list": true}, "paging": {"kind": "page_number", "param": "page", "first": 1, "size": 2}}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let (url, log) = common::serve(|s| {
        let page: usize = s.target.split("page=").nth(1).and_then(|p| p.parse().ok()).unwrap_or(1);
        let n = if page == 1 { 2 } else { 1 };
        Reply::json(200, json!({"items": (0..n).map(|i| json!({"i": i})).collect::<Vec<_>>()}))
    })
    .await;
    let client = Client::for_service("railpath").unwrap().credential("token", "t").base_url(&url).build().unwrap();
    for (value, sent) in [("a b", "/items/a%20b"), ("a/../b?c", "/items/a%2F..%2Fb%3Fc"), ("Ё", "/items/%D0%81")] {
        client.call("railpath.items.get", json!({ "name": value })).await.unwrap();
        assert_eq!(log.lock().unwrap().last().unwrap().target, sent);
    }
    let before = log.lock().unwrap().len();
    for value in ["", ".", ".."] {
        let e = client.call("railpath.items.get", json!({ "name": value })).await.unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("name"), "param.path"), "{value:?}: {e}");
    }
    assert_eq!(log.lock().unwrap().len(), before, "nothing was sent");
    let all = client.call("railpath.items.list", json!({"all": true})).await.unwrap();
    assert_eq!(all.as_array().unwrap().len(), 3);
    let e = Client::for_service("railpath").unwrap().credential("token", "t").base_url(format!("{url}?key=SECRET")).build().unwrap_err();
    assert_eq!(e.field(), Some("base_url"));
    assert!(!e.to_string().contains("SECRET") && e.to_string().starts_with("invalid argument: option \"base_url\""), "{e}");
}

/// What `describe_service` writes registers again (issue 10, found by the `describe` fuzz
/// target): a row lists the service's common parameters too, and registering took them for
/// a second declaration ("parameter account is declared twice").
#[test]
fn a_described_service_with_common_parameters_registers_again() {
    let mut d = logibridge::endpoints::describe_service(logibridge::endpoints::service("carreta").unwrap());
    assert!(!d["common_params"].as_array().unwrap().is_empty(), "the test needs a service with common parameters");
    d["prefix"] = "carretacopy".into();
    let rows = d["endpoints"].as_array_mut().unwrap();
    // A registered service has no library-side calls.
    rows.retain(|e| e["method"] != "LOCAL");
    for e in rows.iter_mut() {
        e["id"] = e["id"].as_str().unwrap().replace("carreta.", "carretacopy.").into();
        e["service"] = "carretacopy".into();
    }
    let spec = logibridge::endpoints::register(&d.to_string()).unwrap();
    let original = logibridge::endpoints::service("carreta").unwrap();
    assert_eq!(spec.common_params, original.common_params);
    for e in spec.endpoints {
        let twin = original.endpoints.iter().find(|o| o.id.strip_prefix("carreta.") == e.id.strip_prefix("carretacopy.")).unwrap();
        // Once each, in the same places (a Rust model reads back as JSON: a registered
        // service has no Rust types).
        let shape = |ps: &[logibridge::endpoints::Param]| ps.iter().map(|p| (p.name, p.wire, p.location, p.required, p.repeated)).collect::<Vec<_>>();
        assert_eq!(shape(e.params), shape(twin.params), "{}", e.id);
    }
}
