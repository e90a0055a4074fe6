//! "Not sent" versus "sent, outcome unknown", exactly-once Carreta order creation
//! (`create_order_once` / `carreta.order.create_once`), the 401 with its body, and the
//! Carreta chaos test — all against the sandbox and its answer-losing faults.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use logibridge::carreta::{Client, CreateOutcome, ListOrders, NewOrder, Offer};
use logibridge::ErrorKind;
use logibridge_sandbox::Sandbox;
use common::control::{control, fault, requests};
use serde_json::{json, Value};

fn client(sb: &Sandbox, timeout: Duration) -> Client {
    Client::builder(sb.carreta_api_key()).base_url(sb.carreta_url()).timeout(timeout).max_retries(0).build().unwrap()
}

async fn posts(sb: &Sandbox) -> Vec<Value> {
    requests(sb).await.into_iter().filter(|r| r["method"] == "POST").collect()
}

/// An offer that takes an order of its minimum.
async fn offer(shop: &Client) -> Offer {
    let offers = shop.search("oc47").await.unwrap();
    offers.into_iter().find(|o| o.qty.max_order().unwrap_or(0) >= o.min_qty as u64).expect("an orderable offer")
}

async fn orders_with(shop: &Client, comment: &str) -> Vec<logibridge::carreta::Order> {
    shop.list_orders(&ListOrders::new().client_comment(comment)).await.unwrap()
}

#[tokio::test]
async fn a_dropped_answer_is_outcome_unknown_and_create_once_recovers_without_a_second_post() {
    let sb = Sandbox::start().unwrap();
    let shop = client(&sb, Duration::from_secs(5));
    let offer = offer(&shop).await;
    let order = NewOrder::from_offer(&offer, offer.min_qty as i64).client_comment("lost-1");

    // The sandbox creates the order, then cuts the connection in the middle of the answer.
    fault(&sb, json!({"path_prefix": "/carreta/v1/order", "method": "POST", "drop_answer": true})).await;
    let err = shop.create_order(&order).await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert_eq!(err.to_json()["outcome_unknown"], json!(true));
    assert!(err.message_ru().contains("client_comment"), "{}", err.message_ru());
    assert_eq!(orders_with(&shop, "lost-1").await.len(), 1, "the order exists although its answer was lost");
    let logged = posts(&sb).await;
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["answer_lost"], json!(true));

    // create_order_once: the answer is lost again; the order is found by its comment, and
    // the create is not sent a second time.
    control(&sb, reqwest::Method::DELETE, "requests", None).await;
    let order2 = NewOrder::from_offer(&offer, offer.min_qty as i64).client_comment("lost-2");
    fault(&sb, json!({"path_prefix": "/carreta/v1/order", "method": "POST", "drop_answer": true})).await;
    let done = shop.create_order_once(&order2).await.unwrap();
    assert_eq!(done.outcome, CreateOutcome::Recovered);
    assert_eq!(done.order.client_comment, "lost-2");
    assert_eq!(posts(&sb).await.len(), 1, "exactly one POST: the lost answer was resolved by a lookup");
    assert_eq!(orders_with(&shop, "lost-2").await.len(), 1);

    // Without a fault it is a plain create, reported as such.
    let done = shop.create_order_once(&NewOrder::from_offer(&offer, offer.min_qty as i64).client_comment("lost-3")).await.unwrap();
    assert_eq!(done.outcome, CreateOutcome::Created);

    // The same through the table, by id (what every face calls).
    fault(&sb, json!({"path_prefix": "/carreta/v1/order", "method": "POST", "drop_answer": true})).await;
    let params = json!({"order": serde_json::to_value(NewOrder::from_offer(&offer, offer.min_qty as i64).client_comment("lost-4")).unwrap()});
    let out = shop.as_client().call("carreta.order.create_once", params).await.unwrap();
    assert_eq!(out["outcome"], "recovered");
    assert_eq!(out["order"]["client_comment"], "lost-4");
    assert_eq!(orders_with(&shop, "lost-4").await.len(), 1);
}

/// A gateway or server error answering a create: the order may have been made (a proxy cut
/// the service's answer, or the service failed after applying it), so the outcome is
/// unknown and create_once looks it up before sending again. A read answered by the same
/// status is an ordinary HTTP error.
#[tokio::test]
async fn a_gateway_error_answering_a_create_is_outcome_unknown_and_create_once_looks_it_up() {
    let sb = Sandbox::start().unwrap();
    let shop = client(&sb, Duration::from_secs(5));
    let offer = offer(&shop).await;
    for (status, comment) in [(502, "gw-502"), (504, "gw-504"), (500, "gw-500"), (503, "gw-503")] {
        // Applied, then answered by the gateway's error.
        fault(&sb, json!({"path_prefix": "/carreta/v1/order", "method": "POST", "status": status, "after_apply": true})).await;
        let err = shop.create_order(&NewOrder::from_offer(&offer, offer.min_qty as i64).client_comment(comment)).await.unwrap_err();
        assert_eq!((err.status(), err.outcome_unknown()), (Some(status), true), "{err:?}");
        assert!(err.to_string().contains("look it up"), "{err}");
        assert_eq!(orders_with(&shop, comment).await.len(), 1, "HTTP {status} stood in for the answer of an order made");
    }

    // create_once: applied then 502 → found by its comment, one POST.
    control(&sb, reqwest::Method::DELETE, "requests", None).await;
    fault(&sb, json!({"path_prefix": "/carreta/v1/order", "method": "POST", "status": 502, "after_apply": true})).await;
    let done = shop.create_order_once(&NewOrder::from_offer(&offer, offer.min_qty as i64).client_comment("gw-once-1")).await.unwrap();
    assert_eq!(done.outcome, CreateOutcome::Recovered);
    assert_eq!(posts(&sb).await.len(), 1);
    // Refused with 503 before anything was made → not found → sent again, made once.
    control(&sb, reqwest::Method::DELETE, "requests", None).await;
    fault(&sb, json!({"path_prefix": "/carreta/v1/order", "method": "POST", "status": 503})).await;
    let done = shop.create_order_once(&NewOrder::from_offer(&offer, offer.min_qty as i64).client_comment("gw-once-2")).await.unwrap();
    assert_eq!(done.outcome, CreateOutcome::Created);
    assert_eq!(posts(&sb).await.len(), 2);
    assert_eq!(orders_with(&shop, "gw-once-2").await.len(), 1);

    // A read answered 502 is known: nothing was changed.
    fault(&sb, json!({"path_prefix": "/carreta/v1/search", "status": 502})).await;
    let err = shop.search("oc47").await.unwrap_err();
    assert_eq!((err.status(), err.outcome_unknown()), (Some(502), false), "{err:?}");
}

#[tokio::test]
async fn a_timeout_after_the_order_was_applied_is_outcome_unknown_and_the_request_is_still_logged() {
    let sb = Sandbox::start().unwrap();
    let shop = client(&sb, Duration::from_millis(300));
    let offer = offer(&shop).await;
    fault(&sb, json!({"path_prefix": "/carreta/v1/order", "method": "POST", "after_apply": true, "delay_ms": 1000})).await;
    let err = shop.create_order(&NewOrder::from_offer(&offer, offer.min_qty as i64).client_comment("slow-1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.outcome_unknown());
    assert_eq!(orders_with(&shop, "slow-1").await.len(), 1);
    // The client went away; the sandbox still logs the request once its answer is due.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let logged = posts(&sb).await;
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0]["answer_lost"], json!(true));

    // A delay before handling: the client gives up, the request is never handled, but
    // logged (499). create_once finds nothing and sends again: one order in all.
    control(&sb, reqwest::Method::DELETE, "requests", None).await;
    fault(&sb, json!({"path_prefix": "/carreta/v1/order", "method": "POST", "delay_ms": 1000})).await;
    let done = shop.create_order_once(&NewOrder::from_offer(&offer, offer.min_qty as i64).client_comment("slow-2")).await.unwrap();
    assert_eq!(done.outcome, CreateOutcome::Created);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(orders_with(&shop, "slow-2").await.len(), 1, "the abandoned request was not applied later");
    let logged = posts(&sb).await;
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert!(logged.iter().any(|r| r["status"] == 499 && r["answer_lost"] == json!(true)), "{logged:?}");

    // A read that times out is safe to repeat: never "unknown".
    fault(&sb, json!({"path_prefix": "/carreta/v1/profile", "delay_ms": 1000})).await;
    let err = shop.profile().await.unwrap_err();
    assert_eq!((err.kind(), err.outcome_unknown()), (ErrorKind::Timeout, false));
}

#[tokio::test]
async fn a_connect_failure_was_not_sent() {
    // Nothing listens on port 1: the connection is refused, the request never left.
    let shop = Client::builder("k-1234").base_url("http://127.0.0.1:1/carreta/v1/").max_retries(0).build().unwrap();
    let sb = Sandbox::start().unwrap();
    let offer = offer(&client(&sb, Duration::from_secs(5))).await;
    let err = shop.create_order(&NewOrder::from_offer(&offer, offer.min_qty as i64).client_comment("x")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(!err.outcome_unknown(), "{err:?}");
    assert_eq!(err.to_json()["outcome_unknown"], json!(false));
    assert!(!err.message_ru().contains("client_comment"));
    // create_once does not look anything up for it: the error is returned as is.
    let err = shop.create_order_once(&NewOrder::from_offer(&offer, offer.min_qty as i64).client_comment("x")).await.unwrap_err();
    assert!(!err.outcome_unknown());
}

#[tokio::test]
async fn create_once_without_a_comment_is_refused_before_sending() {
    let sb = Sandbox::start().unwrap();
    let shop = client(&sb, Duration::from_secs(5));
    let offer = offer(&shop).await;
    control(&sb, reqwest::Method::DELETE, "requests", None).await;
    let err = shop.create_order_once(&NewOrder::from_offer(&offer, offer.min_qty as i64)).await.unwrap_err();
    assert_eq!((err.kind(), err.code(), err.field()), (ErrorKind::InvalidArgument, "param.required", Some("order.client_comment")));
    assert!(err.to_string().contains("exactly once"), "{err}");
    assert!(requests(&sb).await.is_empty());
}

/// The Carreta chaos test: 1,000 creates and 1,000 reads from 8 workers through about 20 %
/// injected faults (answers lost after the order was applied, timeouts before and after it,
/// 500/503); afterwards the sandbox holds exactly 1,000 orders, one per comment, and every
/// call ended in success or a typed error whose outcome is known.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_carreta_creates_exactly_once_through_faults() {
    const WORKERS: u64 = 8;
    const CREATES: u64 = 1000;
    const READS: u64 = 1000;
    let started = Instant::now();
    let sb = Arc::new(Sandbox::start().unwrap());
    // The timeout sits well under the injected delays and well over what a loaded 2-core
    // machine takes to answer an unfaulted request, so only the faults make answers late.
    let shop = client(&sb, Duration::from_millis(1500));
    let offer = offer(&client(&sb, Duration::from_secs(5))).await;
    let counts: Arc<Mutex<HashMap<&'static str, u64>>> = Arc::default();
    let faults_armed = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let (shop, offer, sb, counts, faults_armed) = (shop.clone(), offer.clone(), sb.clone(), counts.clone(), faults_armed.clone());
        tasks.push(tokio::spawn(async move {
            let count = |k: &'static str| *counts.lock().unwrap().entry(k).or_default() += 1;
            let mut rng_state = 0x9e37_79b9_7f4a_7c15u64 ^ (w + 1).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            let mut rand = move |n: u64| {
                rng_state ^= rng_state << 13;
                rng_state ^= rng_state >> 7;
                rng_state ^= rng_state << 17;
                rng_state % n
            };
            let per = CREATES / WORKERS;
            for i in 0..per {
                let comment = format!("chaos-{w}-{i}");
                let order = NewOrder::from_offer(&offer, offer.min_qty as i64).client_comment(&comment);
                let mut attempts = 0;
                loop {
                    attempts += 1;
                    if rand(5) == 0 {
                        faults_armed.fetch_add(1, Ordering::Relaxed);
                        let spec = match rand(5) {
                            0 => json!({"status": 500}),
                            1 => json!({"status": 503}),
                            2 => json!({"drop_answer": true}),
                            3 => json!({"after_apply": true, "delay_ms": 3000}),
                            _ => json!({"delay_ms": 3000}),
                        };
                        let mut spec = spec;
                        spec["path_prefix"] = json!("/carreta/v1/order");
                        spec["method"] = json!("POST");
                        fault(&sb, spec).await;
                    }
                    match shop.create_order_once(&order).await {
                        Ok(done) => {
                            assert_eq!(done.order.client_comment, comment);
                            count(if done.outcome == CreateOutcome::Created { "create: created" } else { "create: recovered (answer lost, found by comment)" });
                            break;
                        }
                        // Known not applied (the shop answered an error, or it was never
                        // sent): safe to send again.
                        Err(e) if !e.outcome_unknown() => {
                            count(match e.kind() {
                                ErrorKind::Server => "create: typed error, not applied (5xx), sent again",
                                _ => "create: typed error, not applied (other), sent again",
                            });
                            assert!(attempts < 20, "{comment}: {e:?}");
                        }
                        // create_once gave up with the outcome still unknown (every send's answer
                        // lost): the caller resolves it the same way, by the comment.
                        Err(e) => {
                            let found = shop.list_orders(&ListOrders::new().client_comment(&comment)).await.map(|o| o.len());
                            match found {
                                Ok(1) => {
                                    count("create: unknown after create_once, resolved by the caller's lookup");
                                    break;
                                }
                                Ok(0) => count("create: unknown after create_once, not applied, sent again"),
                                other => panic!("{comment}: unresolved {e:?}, lookup {other:?}"),
                            }
                            assert!(attempts < 20, "{comment}: {e:?}");
                        }
                    }
                }
            }
            for _ in 0..READS / WORKERS {
                let faulted = rand(5) == 0;
                if faulted {
                    faults_armed.fetch_add(1, Ordering::Relaxed);
                    let spec = match rand(4) {
                        0 => json!({"status": 500}),
                        1 => json!({"status": 429, "retry_after": "1"}),
                        2 => json!({"drop_answer": true}),
                        _ => json!({"delay_ms": 3000}),
                    };
                    let mut spec = spec;
                    spec["path_prefix"] = json!("/carreta/v1/profile");
                    fault(&sb, spec).await;
                }
                match shop.profile().await {
                    Ok(_) => count("read: ok"),
                    Err(e) => {
                        assert!(!e.outcome_unknown(), "a read is never unknown: {e:?}");
                        assert!(matches!(e.kind(), ErrorKind::Server | ErrorKind::RateLimited | ErrorKind::Transport | ErrorKind::Timeout), "{e:?}");
                        count("read: typed error");
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // Answers still being delayed by the sandbox land before counting.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let everything = client(&sb, Duration::from_secs(10));
    let mut per_comment: HashMap<String, u64> = HashMap::new();
    let mut pages = Box::pin(everything.orders(ListOrders::new()).into_stream());
    while let Some(o) = pages.next().await {
        *per_comment.entry(o.unwrap().client_comment).or_default() += 1;
    }
    let chaos: HashMap<_, _> = per_comment.iter().filter(|(c, _)| c.starts_with("chaos-")).collect();
    let duplicated = chaos.values().filter(|n| ***n > 1).count();
    let missing = (0..WORKERS).flat_map(|w| (0..CREATES / WORKERS).map(move |i| format!("chaos-{w}-{i}"))).filter(|c| !per_comment.contains_key(c)).count();
    let logged = requests(&sb).await;
    let lost = logged.iter().filter(|r| r["answer_lost"] == json!(true)).count();
    let elapsed = started.elapsed();
    let mut counts: Vec<_> = counts.lock().unwrap().clone().into_iter().collect();
    counts.sort();
    println!("chaos (Carreta): {CREATES} creates + {READS} reads, {WORKERS} workers, {} faults armed, {} requests logged ({lost} answers lost), {:.1} s", faults_armed.load(Ordering::Relaxed), logged.len(), elapsed.as_secs_f64());
    for (k, v) in &counts {
        println!("  {k}: {v}");
    }
    println!("  orders held: {} (duplicated: {duplicated}, missing: {missing})", chaos.len());
    assert_eq!((chaos.len() as u64, duplicated, missing), (CREATES, 0, 0));
    let ops: u64 = counts.iter().filter(|(k, _)| k.starts_with("read") || k.starts_with("create: created") || k.starts_with("create: recovered")).map(|(_, v)| v).sum();
    assert_eq!(ops, CREATES + READS, "every call ended");
    assert!(elapsed < Duration::from_secs(60), "bounded in time: {elapsed:?}");
}
