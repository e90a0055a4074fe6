//! Every Carreta call through the transport against the sandbox, and every error path.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use logibridge::carreta::{Client, ListOrders, NewOrder, Offer, OrderStatus, QtyKind};
use logibridge::{Error, ErrorKind};
use logibridge_sandbox::Sandbox;
use common::control::{control, fault, requests};
use serde_json::{json, Value};

const CANARY: &str = "canary-key-7f3a9c";

fn client(sb: &Sandbox) -> Client {
    Client::builder(sb.carreta_api_key()).base_url(sb.carreta_url()).build().unwrap()
}

fn offer_with(offers: &[Offer], pred: impl Fn(&Offer) -> bool) -> Offer {
    offers.iter().find(|o| pred(o)).cloned().expect("the sandbox catalogue covers this case")
}

#[tokio::test]
async fn profile_search_and_the_documented_offer() {
    let sb = Sandbox::start().unwrap();
    let shop = client(&sb);
    let p = shop.profile().await.unwrap();
    assert!(!p.phone.is_empty());
    let offers = shop.search("oc47").await.unwrap();
    let doc = offer_with(&offers, |o| o.code == "OC47" && o.maker == "KNECHT/MAHLE" && o.price.to_string() == "152.02");
    assert_eq!((doc.name.as_str(), doc.qty.raw(), doc.min_qty), ("Фильтр масляный", "500", 1));
    assert!(offers.iter().any(|o| o.is_cross), "analogues are offered too");
    assert!(shop.search("no-such-part-xyz").await.unwrap().is_empty());
}

#[tokio::test]
async fn order_lifecycle_create_list_get_history() {
    let sb = Sandbox::start().unwrap();
    let shop = client(&sb);
    let offers = shop.search("oc47").await.unwrap();
    let offer = offer_with(&offers, |o| o.qty.max_order().unwrap_or(0) >= o.min_qty as u64 * 2);
    let qty = offer.min_qty as i64 * 2;
    let created = shop.create_order(&NewOrder::from_offer(&offer, qty).client_comment("ЗАКАЗ-ТЕСТ-1")).await.unwrap();
    assert_eq!(created.order_qty as i64, qty);
    assert_eq!(created.total, offer.price * rust_decimal::Decimal::from(qty));
    assert_eq!(created.client_comment, "ЗАКАЗ-ТЕСТ-1");

    let listed = shop.list_orders(&ListOrders::new().client_comment("ЗАКАЗ-ТЕСТ-1")).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, created.id);

    let got = shop.get_order(created.id).await.unwrap();
    assert_eq!(got, created);

    control(&sb, reqwest::Method::POST, &format!("carreta/orders/{}/advance", created.id), None).await;
    let advanced = shop.get_order(created.id).await.unwrap();
    assert_ne!(advanced.status, created.status);
    assert!(!matches!(advanced.status, OrderStatus::Unknown(_)));
    let history = shop.order_history(created.id).await.unwrap();
    assert!(history.len() >= 2, "{history:?}");
    assert!(history[0].created <= history[history.len() - 1].created);
}

#[tokio::test]
async fn test_orders_and_accounts() {
    let sb = Sandbox::start().unwrap();
    let shop = client(&sb);
    let offer = shop.search("oc47").await.unwrap().remove(0);
    let order = NewOrder::from_offer(&offer, offer.min_qty as i64).client_comment("T-ONLY");
    let test = shop.create_test_order(&order).await.unwrap();
    assert!(test.id > 0);
    let posted: Vec<Value> = requests(&sb).await.into_iter().filter(|r| r["method"] == "POST").collect();
    assert!(posted.last().unwrap()["query"].as_str().unwrap().contains("test=on"));

    let other = shop.with_account(Some("1002".into()));
    other.create_order(&order).await.unwrap();
    assert_eq!(other.list_orders(&ListOrders::new().client_comment("T-ONLY")).await.unwrap().len(), 1);
    let q: Vec<Value> = requests(&sb).await;
    assert!(q.last().unwrap()["query"].as_str().unwrap().contains("account=1002"));
}

#[tokio::test]
async fn rejected_orders_never_reach_the_network() {
    let sb = Sandbox::start().unwrap();
    let shop = client(&sb);
    let offers = shop.search("oc47").await.unwrap();
    control(&sb, reqwest::Method::DELETE, "requests", None).await;

    let less = offer_with(&offers, |o| matches!(o.qty.kind(), QtyKind::LessThan(_)));
    let QtyKind::LessThan(n) = less.qty.kind() else { unreachable!() };
    let err = shop.create_order(&NewOrder::from_offer(&less, n as i64)).await.unwrap_err();
    assert_eq!((err.kind(), err.code(), err.field()), (ErrorKind::Validation, "order_qty.not_less_than_qty", Some("order_qty")));

    let multi = offer_with(&offers, |o| o.min_qty > 1);
    let err = shop.create_order(&NewOrder::from_offer(&multi, multi.min_qty as i64 + 1)).await.unwrap_err();
    assert_eq!(err.code(), "order_qty.not_multiple_of_min_qty");

    let long = NewOrder::from_offer(&offers[0], offers[0].min_qty as i64).client_comment("я".repeat(51));
    assert_eq!(shop.create_order(&long).await.unwrap_err().code(), "client_comment.too_long");

    assert!(requests(&sb).await.is_empty(), "nothing may be sent for a rejected order");
}

#[tokio::test]
async fn the_server_rejects_what_the_client_cannot_see() {
    let sb = Sandbox::start().unwrap();
    let shop = client(&sb);
    let offer = shop.search("oc47").await.unwrap().remove(0);
    let mut tampered = NewOrder::from_offer(&offer, offer.min_qty as i64);
    tampered.price -= rust_decimal::Decimal::ONE;
    let err = shop.create_order(&tampered).await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Http, Some(400)));
    assert!(err.to_string().to_lowercase().contains("signature"), "{err}");
}

#[tokio::test]
async fn pagination_walks_every_page_newest_first() {
    let sb = Sandbox::start().unwrap();
    let shop = client(&sb);
    let offer = offer_with(&shop.search("oc47").await.unwrap(), |o| matches!(o.qty.kind(), QtyKind::InStock | QtyKind::MoreThan(_)) && o.min_qty == 1);
    for i in 0..105 {
        shop.create_order(&NewOrder::from_offer(&offer, 1).client_comment(format!("P{i}"))).await.unwrap();
    }
    let page1 = shop.list_orders(&ListOrders::new()).await.unwrap();
    assert_eq!(page1.len(), 100);
    assert_eq!(page1[0].client_comment, "P104");
    let page2 = shop.list_orders(&ListOrders::new().page(2)).await.unwrap();
    assert_eq!(page2.len(), 5);
    let all: Vec<_> = shop.orders(ListOrders::new()).into_stream().collect().await;
    let ids: Vec<u64> = all.into_iter().map(|o| o.unwrap().id).collect();
    assert_eq!(ids.len(), 105);
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first, no repeats");
    let filtered = shop.list_orders(&ListOrders::new().client_comment("P1").client_comment("P7")).await.unwrap();
    assert_eq!(filtered.len(), 2);
    let e = shop.list_orders(&ListOrders::new().page(0)).await.unwrap_err();
    assert_eq!((e.kind(), e.field(), e.code()), (ErrorKind::InvalidArgument, Some("page"), "param.min"));
}

#[tokio::test]
async fn idempotent_calls_are_retried_on_transient_failures() {
    let sb = Sandbox::start().unwrap();
    let shop = client(&sb);
    fault(&sb, json!({"path_prefix": "/carreta/v1/profile", "status": 503, "count": 2, "retry_after": "0"})).await;
    shop.profile().await.expect("two 503s then success within 2 retries");
    let hits = requests(&sb).await.into_iter().filter(|r| r["path"].as_str().unwrap().contains("profile")).count();
    assert_eq!(hits, 3);

    fault(&sb, json!({"path_prefix": "/carreta/v1/profile", "status": 502, "count": 3, "retry_after": "0"})).await;
    let err = shop.profile().await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Server, Some(502)));

    fault(&sb, json!({"path_prefix": "/carreta/v1/profile", "status": 500, "count": 1})).await;
    assert_eq!(shop.with_max_retries(0).profile().await.unwrap_err().status(), Some(500));
}

#[tokio::test]
async fn orders_are_never_retried_blindly() {
    let sb = Sandbox::start().unwrap();
    let shop = client(&sb);
    let offer = shop.search("oc47").await.unwrap().remove(0);
    control(&sb, reqwest::Method::DELETE, "requests", None).await;
    fault(&sb, json!({"path_prefix": "/carreta/v1/order", "status": 503, "count": 1, "retry_after": "0"})).await;
    let err = shop.create_order(&NewOrder::from_offer(&offer, offer.min_qty as i64)).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    let posts = requests(&sb).await.into_iter().filter(|r| r["method"] == "POST").count();
    assert_eq!(posts, 1, "a create is sent once");
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let sb = Sandbox::start().unwrap();
    let shop = client(&sb);
    fault(&sb, json!({"path_prefix": "/carreta/v1/search", "status": 429, "count": 1, "retry_after": "1"})).await;
    let started = Instant::now();
    shop.search("oc47").await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950), "{:?}", started.elapsed());

    fault(&sb, json!({"path_prefix": "/carreta/v1/search", "status": 429, "count": 5, "retry_after": "0"})).await;
    assert_eq!(shop.search("oc47").await.unwrap_err().kind(), ErrorKind::RateLimited);
}

#[tokio::test]
async fn timeouts_and_connect_errors_are_typed() {
    let sb = Sandbox::start().unwrap();
    let slow = Client::builder(sb.carreta_api_key()).base_url(sb.carreta_url()).timeout(Duration::from_millis(300)).max_retries(0).build().unwrap();
    fault(&sb, json!({"path_prefix": "/carreta/v1/profile", "delay_ms": 1500, "count": 1})).await;
    assert_eq!(slow.profile().await.unwrap_err().kind(), ErrorKind::Timeout);

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let nowhere = Client::builder("k").base_url(format!("http://{closed}/v1/")).max_retries(1).build().unwrap();
    let err = nowhere.profile().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
}

#[tokio::test]
async fn api_errors_carry_the_services_message() {
    let sb = Sandbox::start().unwrap();
    let bad = Client::builder("wrong-key").base_url(sb.carreta_url()).build().unwrap();
    let err = bad.profile().await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::Auth, Some(401)));
    assert!(err.to_string().contains("Unauthorized."), "{err}");

    let shop = client(&sb);
    let err = shop.get_order(999_999_999).await.unwrap_err();
    assert_eq!((err.kind(), err.status()), (ErrorKind::NotFound, Some(404)));

    fault(&sb, json!({"path_prefix": "/carreta/v1/search", "status": 200, "count": 1, "body": r#"{"objects": [{"_": "s", "code": "X", "maker": "M", "min_qty": 1, "name": "n", "period_min": 1, "period_max": 2, "price": "abc", "qty": "1"}]}"#})).await;
    let err = shop.search("x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    let Error::Decode { path, .. } = &err else { unreachable!() };
    assert!(path.starts_with("objects[0]"), "{path}");
}

/// A canary key through every error path: no Display, Debug, JSON form or log line may
/// contain it.
#[tokio::test]
async fn secrets_never_appear_in_errors_or_logs() {
    let logs = Arc::new(Mutex::new(Vec::<u8>::new()));
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || SharedWriter(sink.clone()))
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sb = Sandbox::start().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let shop = Client::builder(CANARY).base_url(sb.carreta_url()).timeout(Duration::from_millis(300)).build().unwrap();
    let mut errors: Vec<Error> = Vec::new();
    // 401 (the sandbox does not know the canary key).
    errors.push(shop.profile().await.unwrap_err());
    // Retries, 5xx, timeout, decode.
    fault(&sb, json!({"path_prefix": "/carreta/v1/", "status": 503, "count": 3, "retry_after": "0"})).await;
    errors.push(shop.search("oc47").await.unwrap_err());
    fault(&sb, json!({"path_prefix": "/carreta/v1/", "delay_ms": 1000, "count": 3})).await;
    errors.push(shop.with_max_retries(0).profile().await.unwrap_err());
    control(&sb, reqwest::Method::DELETE, "faults", None).await;
    fault(&sb, json!({"path_prefix": "/carreta/v1/", "status": 200, "count": 1, "body": "not json"})).await;
    errors.push(shop.profile().await.unwrap_err());
    // Connect error.
    let nowhere = Client::builder(CANARY).base_url(format!("http://{closed}/v1/")).max_retries(0).build().unwrap();
    errors.push(nowhere.profile().await.unwrap_err());
    // Validation and invalid argument through the generic entry.
    let any = logibridge::Client::from(shop.clone());
    errors.push(any.call("carreta.order.create", json!({"order": {"_": "s"}})).await.unwrap_err());
    errors.push(any.call("carreta.nope.nope", Value::Null).await.unwrap_err());

    let kinds: Vec<ErrorKind> = errors.iter().map(Error::kind).collect();
    for want in [ErrorKind::Auth, ErrorKind::Server, ErrorKind::Timeout, ErrorKind::Decode, ErrorKind::Transport, ErrorKind::InvalidArgument] {
        assert!(kinds.contains(&want), "missing {want:?} in {kinds:?}");
    }
    for e in &errors {
        for text in [e.to_string(), format!("{e:?}"), e.to_json().to_string(), e.message_ru()] {
            assert!(!text.contains(CANARY), "secret leaked: {text}");
        }
    }
    assert!(!format!("{shop:?}").contains(CANARY));
    let log = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(log.contains("api_key=***"), "the log shows the redacted URL");
    assert!(!log.contains(CANARY), "secret leaked into the log");
}

#[derive(Clone)]
struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_generic_entry_reaches_every_carreta_call() {
    let sb = Sandbox::start().unwrap();
    let any = logibridge::Client::from(client(&sb));
    let profile = any.call("carreta.profile.get", Value::Null).await.unwrap();
    assert!(profile["balance"].is_string());
    let offers = any.call("carreta.search.query", json!({"q": "OC47"})).await.unwrap();
    let first = offers[0].clone();
    let mut order = first.clone();
    order["order_qty"] = first["min_qty"].clone();
    order["client_comment"] = json!("GEN-1");
    let created = any.call("carreta.order.create", json!({"order": order})).await.unwrap();
    let id = created["id"].as_u64().unwrap();
    assert_eq!(any.call("carreta.order.get", json!({"id": id})).await.unwrap()["id"], id);
    assert!(!any.call("carreta.order.history", json!({"id": id})).await.unwrap().as_array().unwrap().is_empty());
    let listed = any.call("carreta.order.list", json!({"client_comment": ["GEN-1"], "all": true})).await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let text = any.call_json("carreta.order.list", r#"{"page": 1}"#).await.unwrap();
    assert!(text.starts_with('['));

    let e = any.call("carreta.search.query", json!({"query": "oc47"})).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("query"), "{e}");
    assert_eq!(any.call_json("carreta.search.query", "{not json").await.unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(any.call("ireca.goods.list", Value::Null).await.unwrap_err().kind(), ErrorKind::InvalidArgument);
    let mut bad = first.clone();
    bad["order_qty"] = json!(0);
    assert_eq!(any.call("carreta.order.create", json!({"order": bad})).await.unwrap_err().code(), "order_qty.min");
}

#[test]
fn the_blocking_facade_works_and_refuses_inside_a_runtime() {
    let sb = Sandbox::start().unwrap();
    let shop = logibridge::blocking::Carreta::new(client(&sb));
    assert!(!shop.search("oc47").unwrap().is_empty());
    let offer = shop.search("oc47").unwrap().remove(0);
    let order = shop.create_order(&NewOrder::from_offer(&offer, offer.min_qty as i64)).unwrap();
    let all: Vec<_> = shop.orders(ListOrders::new()).collect::<Result<_, _>>().unwrap();
    assert_eq!(all.len(), 1);
    assert!(!shop.order_history(order.id).unwrap().is_empty());
    // One client, many threads.
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let s = shop.clone();
            std::thread::spawn(move || s.profile().unwrap())
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let err = rt.block_on(async { shop.profile() }).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn the_generic_entry_pages_through_a_price_list() {
    let dir = std::env::temp_dir().join(format!("lb-pl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("list.csv");
    logibridge_sandbox::pricelist::write_pricelist(std::fs::File::create(&path).unwrap(), 250, 7).unwrap();
    let any = logibridge::Client::from(Client::builder("k").build().unwrap());
    let path_str = path.to_str().unwrap();
    let mut total = 0;
    let mut offset = Value::from(0);
    let mut lines = Vec::new();
    while !offset.is_null() {
        let page = any.call("carreta.pricelist.parse", json!({"path": path_str, "offset": offset, "limit": 100})).await.unwrap();
        let rows = page["rows"].as_array().unwrap();
        total += rows.len();
        lines.extend(rows.iter().map(|r| r["line"].as_u64().unwrap()));
        offset = page["next_offset"].clone();
    }
    let direct: Vec<u64> = logibridge::pricelist::open(&path).unwrap().map(|r| r.unwrap().line).collect();
    assert_eq!(total, direct.len());
    assert_eq!(lines, direct, "pages cover every row once, in order");
    let missing = any.call("carreta.pricelist.parse", json!({"path": dir.join("nope.csv").to_str().unwrap()})).await.unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::InvalidArgument);
    std::fs::remove_dir_all(&dir).ok();
}
