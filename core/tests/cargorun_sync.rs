//! Exactly-once incremental sync against the sandbox's CARGO.RUN emulator (issue 13, "Done
//! means"): bids change while the sync pages (hundreds of changes, many in the tick of the
//! checkpoint, more than 50 rows sharing one tick), from a cold start, after a syncer is
//! dropped between pages, and after a child process is killed mid-sync. Each run is
//! checked against the sandbox's truth (`/_control/cargorun/versions`): every row's final
//! `(id, updatedAt)` delivered, no `(id, updatedAt)` delivered twice, each row's deliveries
//! in time order.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use chrono::{DateTime, Utc};
use common::control::control;
use logibridge::cargorun::sync::{Checkpoint, SyncEntity, SyncOptions, SyncStore, Syncer};
use logibridge::Client;
use logibridge_sandbox::Sandbox;
use reqwest::Method;
use serde_json::{json, Value};

fn client_for(url: &str, user: &str, password: &str) -> Client {
    Client::for_service("cargorun").unwrap().credential("username", user).credential("password", password).base_url(url).build().unwrap()
}

fn client(sb: &Sandbox) -> Client {
    client_for(&sb.cargorun_url(), sb.cargorun_username(), sb.cargorun_password())
}

/// A poll interval the pages allow: the tests never wait for it (no pass starts after one
/// caught up, except where said).
fn options(sb: &Sandbox) -> SyncOptions {
    SyncOptions::new(sb.cargorun_username())
}

fn time(v: &Value) -> DateTime<Utc> {
    logibridge::cargorun::wire::parse_datetime(v.as_str().unwrap_or_else(|| panic!("no updatedAt text: {v}")), false).unwrap()
}

/// `(id, updatedAt text)` of a delivered row.
fn key(row: &Value) -> (i64, String) {
    (row["id"].as_i64().unwrap(), row["updatedAt"].as_str().unwrap().to_owned())
}

/// The sandbox's truth: every row's final `updatedAt`.
async fn truth(sb: &Sandbox, table: &str) -> BTreeMap<i64, String> {
    let rows = control(sb, Method::GET, &format!("cargorun/versions?table={table}"), None).await;
    rows.as_array().unwrap().iter().map(|r| (r["id"].as_i64().unwrap(), r["updatedAt"].as_str().unwrap().to_owned())).collect()
}

/// The exactly-once property of a run's deliveries (in delivery order) against the truth.
fn assert_exactly_once(delivered: &[(i64, String)], truth: &BTreeMap<i64, String>) {
    let mut seen = HashSet::new();
    let mut last: HashMap<i64, DateTime<Utc>> = HashMap::new();
    for (id, at) in delivered {
        assert!(seen.insert((*id, at.clone())), "({id}, {at}) delivered twice");
        let t = time(&json!(at));
        if let Some(before) = last.insert(*id, t) {
            assert!(t > before, "row {id}: {at} delivered after a later version");
        }
    }
    let missing: Vec<_> = truth.iter().filter(|(id, at)| !seen.contains(&(**id, (*at).clone()))).collect();
    assert!(missing.is_empty(), "{} final states never delivered, e.g. {:?}", missing.len(), &missing[..missing.len().min(5)]);
}

async fn seed(sb: &Sandbox, table: &str, count: u32, ticks: u32) -> Vec<String> {
    let answer = control(sb, Method::POST, "cargorun/seed", Some(json!({"table": table, "count": count, "ticks": ticks}))).await;
    answer["ticks"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect()
}

async fn mutate_on_list(sb: &Sandbox, table: &str, count: u32, seed: u64) {
    control(sb, Method::POST, "cargorun/mutate_on_list", Some(json!({"table": table, "count": count, "seed": seed, "same_tick_percent": 40}))).await;
}

/// Drains a syncer (acknowledging each batch), turning mutations off after `mutating_calls`
/// batches; returns what it delivered, in order.
async fn drain(sb: &Sandbox, syncer: &mut Syncer, table: &str, mutating_calls: usize) -> Vec<(i64, String)> {
    let mut delivered = Vec::new();
    let mut calls = 0;
    loop {
        calls += 1;
        if calls == mutating_calls + 1 {
            mutate_on_list(sb, table, 0, 0).await;
        }
        assert!(calls < 500, "the sync did not catch up");
        match syncer.next_batch().await.unwrap() {
            Some(batch) => {
                assert!(batch.items.len() <= 50 + 50 * 3, "a batch is a page (and a re-read tick)");
                delivered.extend(batch.items.iter().map(key));
                syncer.acknowledge(&batch).unwrap();
            }
            None if calls > mutating_calls => return delivered,
            None => {}
        }
    }
}

#[tokio::test]
async fn a_cold_sync_while_bids_change_delivers_every_change_exactly_once() {
    let sb = Sandbox::start().unwrap();
    // 320 bids in 4 ticks: 80 share each tick, more than a page.
    let ticks = seed(&sb, "bids", 320, 4).await;
    assert!(ticks[0].ends_with('Z') && ticks[0].len() == "2026-01-23T21:00:00.1234567Z".len(), "7 fractional digits: {ticks:?}");
    // 9 rows change before every page, 40 % of them in the tick of the change before.
    mutate_on_list(&sb, "bids", 9, 7).await;
    let store = SyncStore::open_in_memory().unwrap();
    let mut syncer = Syncer::new(client(&sb), store.clone(), SyncEntity::Bids, options(&sb).acknowledge(true)).unwrap();
    let delivered = drain(&sb, &mut syncer, "bids", 40).await;
    let truth = truth(&sb, "bids").await;
    assert_eq!(truth.len(), 320);
    assert_exactly_once(&delivered, &truth);
    assert!(delivered.len() >= 320 + 300, "hundreds of changes were seen: {}", delivered.len());
    // The stored checkpoint is the newest row's, with its raw text.
    let newest = truth.iter().max_by_key(|(id, at)| (time(&json!(at)), **id)).unwrap();
    let stored = syncer.checkpoint().unwrap().unwrap();
    assert_eq!((stored.id, stored.updated_at.as_str()), (*newest.0, newest.1.as_str()));
}

async fn mutate_ids(sb: &Sandbox, ids: &[i64], same_tick: bool) -> Vec<(i64, String)> {
    let m = control(sb, Method::POST, "cargorun/mutate", Some(json!({"count": 0, "ids": ids, "same_tick_percent": if same_tick { 100 } else { 0 }}))).await;
    m["mutated"].as_array().unwrap().iter().map(|r| (r["id"].as_i64().unwrap(), r["updatedAt"].as_str().unwrap().to_owned())).collect()
}

fn ids_of(items: &[Value]) -> Vec<i64> {
    items.iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn a_row_changed_into_the_checkpoints_tick_below_its_id_is_not_lost() {
    let sb = Sandbox::start().unwrap();
    // Ids a, b, c, d over two ticks: a and c in the first, b and d in the second.
    let ticks = seed(&sb, "bids", 4, 2).await;
    let mut syncer = Syncer::new(client(&sb), SyncStore::open_in_memory().unwrap(), SyncEntity::Bids, options(&sb)).unwrap();
    let first = syncer.next_batch().await.unwrap().unwrap();
    let ids = ids_of(&first.items);
    assert_eq!(first.checkpoint.updated_at, ticks[1]);
    assert_eq!(first.checkpoint.id, ids[3]);
    // Row a changes in the very tick the checkpoint holds: (tick 2, a) sorts before the
    // keyset (tick 2, d), so a strict keyset would never see it.
    let moved = mutate_ids(&sb, &[ids[0]], true).await;
    assert_eq!(moved[0].1, ticks[1], "the change stays in the checkpoint's tick");
    let next = syncer.next_batch().await.unwrap().expect("the change is seen");
    assert_eq!(next.items.iter().map(key).collect::<Vec<_>>(), moved);
    // Handed once: the same (id, updatedAt) is not handed again.
    assert!(syncer.next_batch().await.unwrap().is_none());
}

#[tokio::test]
async fn a_row_changed_into_a_crowded_tick_behind_the_keyset_is_found_by_the_re_read() {
    let sb = Sandbox::start().unwrap();
    seed(&sb, "bids", 10, 1).await;
    // 120 rows share the next tick: the sync pages through it by (updatedAt, id).
    let crowded = seed(&sb, "bids", 120, 1).await;
    let store = SyncStore::open_in_memory().unwrap();
    let mut syncer = Syncer::new(client(&sb), store, SyncEntity::Bids, options(&sb).acknowledge(true)).unwrap();
    let mut delivered = Vec::new();
    for _ in 0..2 {
        let b = syncer.next_batch().await.unwrap().unwrap();
        delivered.extend(b.items.iter().map(key));
        syncer.acknowledge(&b).unwrap();
    }
    let pos = syncer.position().unwrap().clone();
    assert_eq!(pos.updated_at, crowded[0]);
    assert!(pos.seen_ids.len() >= 50, "50 rows of the crowded tick handed: {}", pos.seen_ids.len());
    // One of the first tick's rows (an id below the keyset's) changes into the crowded tick,
    // then another row moves on to a later tick.
    let early = delivered[0].0;
    let moved = mutate_ids(&sb, &[early], true).await;
    assert_eq!(moved[0].1, crowded[0]);
    mutate_ids(&sb, &[delivered[1].0], false).await;
    delivered.extend(drain(&sb, &mut syncer, "bids", 0).await);
    assert!(delivered.contains(&moved[0]), "the row that came into the crowded tick behind the keyset was handed");
    assert_exactly_once(&delivered, &truth(&sb, "bids").await);
}

#[tokio::test]
async fn a_syncer_dropped_between_pages_redelivers_what_was_not_acknowledged() {
    let sb = Sandbox::start().unwrap();
    seed(&sb, "bids", 130, 2).await;
    let store = SyncStore::open_in_memory().unwrap();
    let c = client(&sb);

    // Acknowledgement mode: batch 1 acknowledged, batch 2 handed, then the syncer is gone.
    let mut a = Syncer::new(c.clone(), store.clone(), SyncEntity::Bids, options(&sb).acknowledge(true)).unwrap();
    let b1 = a.next_batch().await.unwrap().unwrap();
    a.acknowledge(&b1).unwrap();
    let b2 = a.next_batch().await.unwrap().unwrap();
    assert_eq!(a.checkpoint().unwrap().as_ref(), Some(&b1.checkpoint), "not acknowledged: not written");
    drop(a);
    let mut b = Syncer::new(c.clone(), store.clone(), SyncEntity::Bids, options(&sb).acknowledge(true)).unwrap();
    let again = b.next_batch().await.unwrap().unwrap();
    assert_eq!(again.items, b2.items, "re-delivered, not lost");

    // Default mode: a batch's checkpoint is written when the caller comes back for more.
    let store2 = SyncStore::open_in_memory().unwrap();
    let mut d = Syncer::new(c.clone(), store2.clone(), SyncEntity::Bids, options(&sb)).unwrap();
    let d1 = d.next_batch().await.unwrap().unwrap();
    assert_eq!(d.checkpoint().unwrap(), None, "handed is not processed");
    let d2 = d.next_batch().await.unwrap().unwrap();
    assert_eq!(d.checkpoint().unwrap(), Some(d1.checkpoint.clone()));
    drop(d); // "crash" while the caller holds d2
    let mut e = Syncer::new(c.clone(), store2.clone(), SyncEntity::Bids, options(&sb)).unwrap();
    assert_eq!(e.next_batch().await.unwrap().unwrap().items, d2.items);

    // With changes going on, a resumed sync still ends exactly once over both syncers'
    // acknowledged deliveries.
    mutate_on_list(&sb, "bids", 11, 99).await;
    let mut delivered: Vec<(i64, String)> = b1.items.iter().map(key).collect();
    let mut f = Syncer::new(c.clone(), store.clone(), SyncEntity::Bids, options(&sb).acknowledge(true)).unwrap();
    let mut taken = 0;
    while taken < 6 {
        let batch = f.next_batch().await.unwrap().unwrap();
        taken += 1;
        if taken % 2 == 0 {
            // Handed but dropped unacknowledged: the next syncer must re-deliver it.
            drop(f);
            f = Syncer::new(c.clone(), store.clone(), SyncEntity::Bids, options(&sb).acknowledge(true)).unwrap();
            continue;
        }
        delivered.extend(batch.items.iter().map(key));
        f.acknowledge(&batch).unwrap();
    }
    delivered.extend(drain(&sb, &mut f, "bids", 10).await);
    assert_exactly_once(&delivered, &truth(&sb, "bids").await);
}

#[tokio::test]
async fn distribution_bids_and_a_directory_sync_too() {
    let sb = Sandbox::start().unwrap();
    seed(&sb, "distribution_bids", 60, 1).await;
    mutate_on_list(&sb, "distribution_bids", 5, 5).await;
    let mut s = Syncer::new(client(&sb), SyncStore::open_in_memory().unwrap(), SyncEntity::DistributionBids, options(&sb).acknowledge(true)).unwrap();
    let delivered = drain(&sb, &mut s, "distribution_bids", 8).await;
    assert_exactly_once(&delivered, &truth(&sb, "distribution_bids").await);

    // Drivers: made through the API (whole-second times), one deleted later: the deletion
    // comes as a changed row (the sync asks withDeleted).
    let c = client(&sb);
    let mut ids = Vec::new();
    for (first, phone) in [("Иван", "+79990000001"), ("Пётр", "+79990000002")] {
        let id = c.call("cargorun.drivers.apply", json!({"driver": {"id": 0, "firstName": first, "lastName": "Тестов", "phoneNumber": phone}})).await.unwrap();
        ids.push(id.as_i64().unwrap());
    }
    let mut d = Syncer::new(c.clone(), SyncStore::open_in_memory().unwrap(), SyncEntity::Drivers, options(&sb)).unwrap();
    let got = d.next_batch().await.unwrap().unwrap();
    assert_eq!(got.items.iter().map(|r| r["id"].as_i64().unwrap()).collect::<Vec<_>>(), ids);
    assert!(got.caught_up);
    // A second later: the API's whole-second times would otherwise give the deletion the
    // same (id, updatedAt) as the row already handed.
    control(&sb, Method::POST, "cargorun/clock", Some(json!({"advance_seconds": 1}))).await;
    c.call("cargorun.drivers.delete", json!({"id": ids[0]})).await.unwrap();
    let del = d.next_batch().await.unwrap().unwrap();
    assert_eq!(del.items.len(), 1);
    assert_eq!((del.items[0]["id"].as_i64(), del.items[0]["isDeleted"].as_bool()), (Some(ids[0]), Some(true)));
}

#[tokio::test]
async fn a_since_start_and_an_extra_filter_are_kept_apart_in_the_store() {
    let sb = Sandbox::start().unwrap();
    let ticks = seed(&sb, "bids", 10, 2).await;
    let store = SyncStore::open_in_memory().unwrap();
    let c = client(&sb);
    let mut later = Syncer::new(c.clone(), store.clone(), SyncEntity::Bids, options(&sb).since(ticks[1].clone()).stream("later")).unwrap();
    let got = later.next_batch().await.unwrap().unwrap();
    assert_eq!(got.items.len(), 5, "only the second tick's rows");
    assert!(got.items.iter().all(|r| r["updatedAt"] == ticks[1].as_str()));
    later.acknowledge(&got).unwrap();
    let mut none = Syncer::new(c, store.clone(), SyncEntity::Bids, options(&sb).filter("status eq 'Done'")).unwrap();
    assert!(none.next_batch().await.unwrap().is_none(), "no bid is Done");
    assert_eq!(none.checkpoint().unwrap(), None);
    assert_eq!(Checkpoint::since(&ticks[1]).unwrap().updated_at, ticks[1]);
}

const CHILD_ENV: &str = "LOGIBRIDGE_SYNC_CHILD";

/// The body of the child process of
/// [`a_process_killed_mid_sync_resumes_from_its_store_without_loss`], which starts this
/// binary with `--ignored` and the variable set. It syncs for ever, printing each batch
/// (`BATCH {"rows": [...], "checkpoint": {...}}`), then `ACK <seq>` once its checkpoint is
/// written.
#[tokio::test]
#[ignore = "the child process of a_process_killed_mid_sync_resumes_from_its_store_without_loss"]
async fn sync_child_process_body() {
    let spec: Value = serde_json::from_str(&std::env::var(CHILD_ENV).expect("run by the kill test only")).unwrap();
    let c = client_for(spec["url"].as_str().unwrap(), spec["user"].as_str().unwrap(), spec["password"].as_str().unwrap());
    let store = SyncStore::open(spec["store"].as_str().unwrap()).unwrap();
    let mut s = Syncer::new(c, store, SyncEntity::Bids, SyncOptions::new(spec["user"].as_str().unwrap()).acknowledge(true)).unwrap();
    loop {
        if let Some(batch) = s.next_batch().await.unwrap() {
            println!("BATCH {}", json!({"rows": batch.items.iter().map(key).collect::<Vec<_>>(), "checkpoint": batch.checkpoint}));
            s.acknowledge(&batch).unwrap();
            println!("ACK {}", batch.seq);
        }
    }
}

#[tokio::test]
async fn a_process_killed_mid_sync_resumes_from_its_store_without_loss() {
    let sb = Sandbox::start().unwrap();
    seed(&sb, "bids", 200, 3).await;
    mutate_on_list(&sb, "bids", 13, 2024).await;
    // The child and this process each sign in once, within the sign-in cooldown.
    control(&sb, Method::POST, "cargorun/settings", Some(json!({"cooldown_seconds": 0}))).await;
    let dir = std::env::temp_dir().join(format!("lb-sync-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sync.db");
    let spec = json!({"url": sb.cargorun_url(), "user": sb.cargorun_username(), "password": sb.cargorun_password(), "store": path.to_str().unwrap()});
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "sync_child_process_body", "--nocapture", "--test-threads", "1"])
        .env(CHILD_ENV, spec.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acks = 0;
    let mut output = Vec::new();
    while acks < 8 {
        let line = lines.next().expect("the child stopped early").unwrap();
        acks += usize::from(line.contains("ACK "));
        output.push(line);
    }
    // SIGKILL while it pages and writes: no destructor, no rollback of its own.
    child.kill().unwrap();
    child.wait().unwrap();
    // What it printed before dying (stdout is line-buffered: whole lines only).
    output.extend(lines.map_while(Result::ok));
    // (The harness's "test … " may stand before the first line.)
    let batches: Vec<Value> = output.iter().filter_map(|l| l.find("BATCH ").map(|at| &l[at + 6..])).map(|b| serde_json::from_str(b).unwrap()).collect();
    assert!(batches.len() >= 8);

    mutate_on_list(&sb, "bids", 0, 0).await;
    let store = SyncStore::open(&path).expect("the store opens after the kill");
    let mut s = Syncer::new(client(&sb), store, SyncEntity::Bids, options(&sb).acknowledge(true)).unwrap();
    let resumed_from = serde_json::to_value(s.checkpoint().unwrap().expect("the child wrote checkpoints")).unwrap();
    // The stored checkpoint is one the child wrote whole: a batch's, at least the 8th.
    let written = batches.iter().position(|b| b["checkpoint"] == resumed_from).expect("the stored checkpoint is one of the child's batches, not a torn one");
    assert!(written >= 7, "acknowledged checkpoints are durable: batch {} of {}", written + 1, batches.len());
    // Rows of the batches up to it were processed; the rest must come again.
    let mut delivered: Vec<(i64, String)> = batches[..=written].iter().flat_map(|b| serde_json::from_value::<Vec<(i64, String)>>(b["rows"].clone()).unwrap()).collect();
    delivered.extend(drain(&sb, &mut s, "bids", 0).await);
    assert_exactly_once(&delivered, &truth(&sb, "bids").await);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[tokio::test]
async fn a_new_pass_sooner_than_the_poll_interval_is_a_warning_not_a_refusal() {
    let sb = Sandbox::start().unwrap();
    seed(&sb, "bids", 3, 1).await;
    let captured = Captured::default();
    let _guard = tracing::subscriber::set_default(tracing_subscriber::fmt().with_writer(captured.clone()).with_ansi(false).finish());
    let mut s = Syncer::new(client(&sb), SyncStore::open_in_memory().unwrap(), SyncEntity::Bids, options(&sb)).unwrap();
    let first = s.next_batch().await.unwrap().unwrap();
    assert!(first.caught_up);
    let logged = || String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(!logged().contains("sooner than the poll interval"), "{}", logged());
    // The pass caught up; asking again at once is polling faster than the 60 s default.
    mutate_ids(&sb, &[ids_of(&first.items)[0]], false).await;
    let again = s.next_batch().await.unwrap().expect("still served");
    assert_eq!(again.items.len(), 1);
    assert!(logged().contains("WARN") && logged().contains("sooner than the poll interval"), "{}", logged());
}
