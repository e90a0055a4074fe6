//! The CARGO.RUN scenario of `integration/scenario-external-to-cr.md` end to end through the
//! Rust core, against the embedded sandbox: sign in (by itself), sync the directories a page
//! at a time, create a counterparty, a driver, a car and a trailer, create a bid with a
//! loading and an unloading point, start it, let the sandbox complete it, read it back, and
//! end with the incremental sync (`cargorun::sync`, exactly once, checkpoint in a SQLite
//! store): a first pass takes what is there, the pass after the completion picks up the bid
//! the sandbox completed, and one more right after finds nothing new.
//!
//! Run: `cargo run -p logibridge --example cargorun_demo`.

use logibridge::cargorun::sync::{SyncEntity, SyncOptions, SyncStore, Syncer};
use logibridge::cargorun::{BidStatus, BidTruckingEditModel, CarEditModel, Client, CounterpartyEditModel, DriverEditModel, Query, TrailerEditModel};
use logibridge::serde_ext::in_callers_form;
use logibridge_sandbox::Sandbox;
use serde_json::json;

/// A model from its wire JSON, date-times read as a caller gives them (with an offset).
fn model<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, serde_json::Error> {
    in_callers_form(|| serde_json::from_value(v))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start()?;
    println!("Sandbox: {}  user {}", sandbox.cargorun_url(), sandbox.cargorun_username());
    let cr = Client::builder(sandbox.cargorun_username(), sandbox.cargorun_password()).base_url(sandbox.cargorun_url()).build()?;

    let drivers = cr.drivers().list(Query::new().orderby("updatedAt, id")).collect_all().await?;
    let counterparties = cr.counterparties().list(Query::new().orderby("updatedAt, id")).collect_all().await?;
    println!("\nSynced: {} drivers, {} counterparties", drivers.len(), counterparties.len());

    let counterparty: CounterpartyEditModel = model(json!({"id": 0, "name": "ООО «Грузоотправитель»", "inn": "7707083893"}))?;
    let counterparty_id = cr.counterparties().apply(&counterparty).await?.ok_or("no counterparty id")?;
    let mut driver = DriverEditModel::default();
    driver.id = Some(0);
    driver.first_name = Some("Иван".into());
    driver.last_name = Some("Петров".into());
    driver.phone_number = Some("8 (914) 781-07-01".into());
    let driver_id = cr.drivers().apply(&driver).await?.ok_or("no driver id")?;
    let car_id = cr.cars().apply(&model::<CarEditModel>(json!({"id": 0, "number": "А001АА77"}))?).await?.ok_or("no car id")?;
    let trailer_id = cr.trailers().apply(&model::<TrailerEditModel>(json!({"id": 0, "number": "ВВ123477"}))?).await?.ok_or("no trailer id")?;
    println!("Counterparty {counterparty_id}, driver {driver_id}, car {car_id}, trailer {trailer_id}");

    let point = |order: u32, kind: &str, address: &str, lon: f64, lat: f64| {
        json!({"id": 0, "order": order, "type": kind, "planEnterDate": "2026-07-15T13:58:00+03:00",
               "geozone": {"id": 0, "address": address, "radius": 2000, "type": "BidPoint", "location": {"type": "Point", "coordinates": [lon, lat]}}})
    };
    let bid: BidTruckingEditModel = model(json!({
        "id": 0, "externalId": "1C-000123", "cargoOwnerDictionaryItemId": counterparty_id, "paymentTypeId": 41, "ndsTypeId": 129493473, "price": "234000",
        "driver": {"id": driver_id}, "carOption": {"carId": car_id}, "trailerOption": {"trailerId": trailer_id},
        "bidPoints": [point(0, "LoadPoint", "Казань", 49.12, 55.79), point(1, "UnloadPoint", "Уфа", 55.95, 54.74)],
    }))?;
    let bid_id = cr.apply_bid(&bid).await?.ok_or("no bid id")?;
    cr.set_bid_status(bid_id, BidStatus::Started).await?;
    println!("Bid {bid_id}: started");

    // The incremental sync's store (checkpoints and the id map) in a scratch folder; the
    // first pass takes every bid there is now.
    let dir = std::env::temp_dir().join(format!("logibridge-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = SyncStore::open(dir.join("sync.db"))?;
    let syncer = |store: &SyncStore| Syncer::new(cr.as_client().clone(), store.clone(), SyncEntity::Bids, SyncOptions::new(sandbox.cargorun_username()));
    let first = sync_pass(&mut syncer(&store)?).await?;
    println!("Sync (first pass): {} bid(s); checkpoint {}", first.len(), checkpoint_text(&store, &syncer(&store)?)?);

    // The trip takes a while: an hour later on the sandbox's clock (it stamps `updatedAt` to
    // the second, so a completion in the second of the start would look unchanged).
    let http = reqwest::Client::new();
    http.post(format!("{}_control/cargorun/clock", sandbox.base_url())).json(&json!({"advance_seconds": 3600})).send().await?.error_for_status()?;
    let url = format!("{}_control/cargorun/bids/{bid_id}/complete", sandbox.base_url());
    http.post(url).json(&json!({"mileage": 812})).send().await?.error_for_status()?;
    let done = cr.bid(bid_id).await?;
    println!("Bid {bid_id}: {} (completed by the sandbox), price {}", done.status.map(|s| s.to_string()).unwrap_or_default(), done.price.map(|p| p.to_string()).unwrap_or_default());

    // A new syncer on the same store resumes from its checkpoint: only the completed bid.
    let seen = sync_pass(&mut syncer(&store)?).await?;
    for bid in &seen {
        println!("Sync: bid {} {} updatedAt {}", bid["id"], bid["status"].as_str().unwrap_or("?"), bid["updatedAt"].as_str().unwrap_or("?"));
    }
    println!("Sync: {} bid(s) changed, ours among them: {}; checkpoint {}", seen.len(), seen.iter().any(|b| b["id"] == json!(bid_id)), checkpoint_text(&store, &syncer(&store)?)?);
    let again = sync_pass(&mut syncer(&store)?).await?;
    println!("Sync right after: {} new", again.len());
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// One pass: every batch until nothing newer is there (each batch's checkpoint is written
/// when the next is asked for, the last one by the final call).
async fn sync_pass(syncer: &mut Syncer) -> logibridge::Result<Vec<serde_json::Value>> {
    let mut items = Vec::new();
    while let Some(batch) = syncer.next_batch().await? {
        items.extend(batch.items);
    }
    Ok(items)
}

fn checkpoint_text(store: &SyncStore, syncer: &Syncer) -> logibridge::Result<String> {
    let stored = store.checkpoint(syncer.scope(), syncer.stream())?;
    Ok(stored.map(|c| format!("updatedAt {} id {}", c.updated_at, c.id)).unwrap_or_else(|| "none".into()))
}
