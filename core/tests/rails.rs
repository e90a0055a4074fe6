//! A service that exists only in this test — a spec and three rows, served by a tiny
//! in-test HTTP handler — called through the generic client with no code written for it:
//! the rails carry any service the table describes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use logibridge::endpoints::{AuthSpec, BodyKind, Credential, Endpoint, ErrorFormat, FaceNames, Location, Method, Paging, Param, Response, ServiceSpec, Shape, Type};
use logibridge::transport::AuthStrategy;
use logibridge::{Client, ErrorKind};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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
    errors: ErrorFormat { message_keys: &["message"] },
    endpoints: &[&THING_GET, &THING_LIST, &THING_CREATE],
};

/// What the handler saw: method, path with query, authorization header, body.
type Seen = Arc<Mutex<Vec<(String, String, String, String)>>>;

/// A tiny HTTP/1.1 handler on loopback: one request per connection, answers by method and
/// path, records every request.
async fn serve(token: &'static str) -> (String, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else { return };
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let header = |name: &str| head.lines().find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned())).unwrap_or_default();
                let len: usize = header("content-length").parse().unwrap_or(0);
                while buf.len() < head_end + len {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
                let mut first = head.lines().next().unwrap_or("").split(' ');
                let (method, target) = (first.next().unwrap_or("").to_owned(), first.next().unwrap_or("").to_owned());
                let auth = header("authorization");
                log.lock().unwrap().push((method.clone(), target.clone(), auth.clone(), body.clone()));
                let (status, reply) = if auth != format!("Bearer {token}") {
                    (401, json!({"message": "bad token"}))
                } else {
                    let path = target.split('?').next().unwrap_or("");
                    let page: u64 = target.split("page=").nth(1).and_then(|p| p.split('&').next()).and_then(|p| p.parse().ok()).unwrap_or(1);
                    match (method.as_str(), path) {
                        ("GET", "/api/things/7") => (200, json!({"id": 7, "name": "seven", "surprise": {"kept": true}})),
                        ("GET", "/api/things") => {
                            // Five things, two a page.
                            let items: Vec<Value> = (1..=5u64).skip(((page - 1) * 2) as usize).take(2).map(|i| json!({"id": i})).collect();
                            (200, json!({"items": items, "page": page}))
                        }
                        ("POST", "/api/things") => {
                            let mut v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                            v["id"] = json!(99);
                            (201, v)
                        }
                        _ => (404, json!({"message": "no such thing"})),
                    }
                };
                let text = reply.to_string();
                let response = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}", text.len());
                let _ = sock.write_all(response.as_bytes()).await;
            });
        }
    });
    (url, seen)
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
    let targets: Vec<&str> = seen.iter().map(|s| s.1.as_str()).collect();
    assert_eq!(targets, ["/api/things/7", "/api/things?tag=a&tag=b+c", "/api/things?tag=a&page=1", "/api/things?tag=a&page=2", "/api/things?tag=a&page=3", "/api/things?source=api"]);
    assert!(seen.iter().all(|s| s.2 == "Bearer tok-rails"));
    assert_eq!(serde_json::from_str::<Value>(&seen[5].3).unwrap(), json!({"name": "new", "price": "679.570", "kind": "Small"}));
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
    fn refresh(&self) -> BoxFuture<'_, logibridge::Result<bool>> {
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
    let auths: Vec<String> = seen.lock().unwrap().iter().map(|s| s.2.clone()).collect();
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
