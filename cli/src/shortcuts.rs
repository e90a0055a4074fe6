//! The everyday commands: each picks a row of the endpoint table and its parameters, then
//! takes the same path as `logibridge call` (the generic entry). `cargorun bids sync` and
//! `cargorun login` drive the core's syncer and sign-in.

use std::time::{Duration, SystemTime};

use logibridge::cargorun::sync::{SyncEntity, SyncOptions, SyncStore, Syncer};
use serde_json::{json, Map, Value};

use crate::args::{CargorunBidsCommand, CargorunCommand, CarretaCommand, CarretaOrderCommand, Global, IrecaCommand, IrecaGoodsCommand, IrecaOrdersCommand};
use crate::call::{find, read_source, run_endpoint};
use crate::config;
use crate::fail::{Exit, Failure};
use crate::output;

/// Calls `id` with `params` (a JSON object) and prints the result.
fn call(g: &Global, id: &str, params: Value) -> Result<(), Failure> {
    let ep = find(id)?;
    let params: Map<String, Value> = params.as_object().cloned().unwrap_or_default();
    let result = run_endpoint(g, ep, params)?;
    output::print(&result, g.output)
}

pub fn carreta(g: &Global, c: CarretaCommand) -> Result<(), Failure> {
    match c {
        CarretaCommand::Search { code } => call(g, "carreta.search.query", json!({"q": code})),
        CarretaCommand::Orders { comments } => {
            let mut p = json!({"all": true});
            if !comments.is_empty() {
                p["client_comment"] = json!(comments);
            }
            call(g, "carreta.order.list", p)
        }
        CarretaCommand::Order(CarretaOrderCommand::Get { id }) => call(g, "carreta.order.get", json!({"id": id})),
        CarretaCommand::Order(CarretaOrderCommand::History { id }) => call(g, "carreta.order.history", json!({"id": id})),
        CarretaCommand::Order(CarretaOrderCommand::Create { offer_json, qty, comment, test }) => {
            let text = if offer_json.starts_with('@') || offer_json == "-" { read_source(&offer_json)? } else { offer_json.clone() };
            let mut order = match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(o)) => o,
                // `carreta search -o json` prints a list: one offer of it is taken as is.
                Ok(Value::Array(mut list)) if list.len() == 1 && list[0].is_object() => list.remove(0).as_object().cloned().unwrap_or_default(),
                Ok(_) => {
                    return Err(Failure::new(Exit::Validation, "--offer-json: expected one offer (a JSON object from `carreta search -o json`)", "--offer-json: ожидается одно предложение (объект JSON из `carreta search -o json`)"))
                }
                Err(e) => return Err(Failure::from(logibridge::Error::invalid_json("--offer-json", &e))),
            };
            order.insert("order_qty".into(), json!(qty));
            if let Some(c) = &comment {
                order.insert("client_comment".into(), json!(c));
            }
            let mut p = json!({"order": order});
            if test {
                p["test"] = json!(true);
            }
            let id = if comment.is_some() { "carreta.order.create_once" } else { "carreta.order.create" };
            call(g, id, p)
        }
    }
}

pub fn ireca(g: &Global, c: IrecaCommand) -> Result<(), Failure> {
    match c {
        IrecaCommand::Orders(IrecaOrdersCommand::Get { order_id }) => call(g, "ireca.orders.get", json!({"order_id": order_id})),
        IrecaCommand::Orders(IrecaOrdersCommand::List { all }) => call(g, "ireca.orders.list", json!({"all": all})),
        IrecaCommand::Goods(IrecaGoodsCommand::List { all }) => call(g, "ireca.goods.list", json!({"all": all})),
        IrecaCommand::Goods(IrecaGoodsCommand::Get { good_id }) => call(g, "ireca.goods.get", json!({"good_id": good_id})),
    }
}

pub fn cargorun(g: &Global, c: CargorunCommand) -> Result<(), Failure> {
    match c {
        CargorunCommand::Login => login(g),
        CargorunCommand::Bids(CargorunBidsCommand::Sync { since, store, account, filter }) => sync(g, since, store, account, filter),
    }
}

/// Signs in through the client's own session (`cargorun.auth.generate_token` with the
/// client's credentials is answered by it, tokens masked as `***`), then shows the user and
/// the expiry. The token is never printed: only the members that are not tokens are read.
fn login(g: &Global) -> Result<(), Failure> {
    let resolved = config::resolve(g, "cargorun")?;
    let client = resolved.build(g.verbose)?;
    let user = resolved.get("username").and_then(Value::as_str).unwrap_or_default().to_owned();
    let password = resolved.get("password").cloned().unwrap_or(Value::Null);
    let ep = find("cargorun.auth.generate_token")?;
    let started = SystemTime::now();
    let answer = logibridge::blocking::runtime().block_on(client.call_endpoint(ep, json!({"user_name": user, "password": password})))?;
    let expires_in = answer.get("expiresIn").and_then(Value::as_f64).filter(|s| s.is_finite() && *s >= 0.0);
    let expires_at = expires_in.map(|s| chrono::DateTime::<chrono::Utc>::from(started + Duration::from_secs_f64(s)));
    let current = answer.get("currentUser").cloned().unwrap_or(Value::Null);
    let mut out = Map::new();
    out.insert("signed_in".into(), json!(true));
    out.insert("base_url".into(), json!(client.config().base_url.as_str()));
    out.insert("user".into(), current.get("userName").cloned().unwrap_or(json!(user)));
    let name: Vec<&str> = ["firstName", "lastName"].iter().filter_map(|k| current.get(*k).and_then(Value::as_str)).collect();
    if !name.is_empty() {
        out.insert("name".into(), json!(name.join(" ")));
    }
    if let Some(roles) = current.get("roles") {
        out.insert("roles".into(), roles.clone());
    }
    match (expires_at, expires_in) {
        (Some(at), Some(s)) => {
            out.insert("token_expires_at".into(), json!(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
            out.insert("token_expires_in_s".into(), json!(s.round() as u64));
        }
        _ => {
            out.insert("token_expires_at".into(), json!("not given by the service"));
        }
    }
    output::print(&Value::Object(out), g.output)
}

/// Walks the bids changed since the store's checkpoint, printing each batch before asking
/// for the next (asking writes the batch's checkpoint, so a row is printed before the
/// store says it was handed).
fn sync(g: &Global, since: Option<String>, store: std::path::PathBuf, account: Option<String>, filter: Option<String>) -> Result<(), Failure> {
    let resolved = config::resolve(g, "cargorun")?;
    let client = resolved.build(g.verbose)?;
    let account = account.or_else(|| resolved.get("username").and_then(Value::as_str).map(str::to_owned)).unwrap_or_default();
    let store_db = SyncStore::open(&store)?;
    let mut options = SyncOptions::new(account);
    if let Some(s) = since {
        options = options.since(s);
    }
    if let Some(f) = filter {
        options = options.filter(f);
    }
    // Catching up once is what a command does; the poll interval is for a service that
    // keeps running, and the syncer's warning about it would only be noise here.
    options = options.poll_interval(SyncEntity::Bids.default_poll_interval());
    let mut syncer = Syncer::new(client, store_db, SyncEntity::Bids, options)?;
    let mut all: Vec<Value> = Vec::new();
    let (mut rows, mut batches) = (0usize, 0usize);
    loop {
        let batch = logibridge::blocking::runtime().block_on(syncer.next_batch())?;
        let Some(batch) = batch else { break };
        batches += 1;
        rows += batch.items.len();
        if g.output == crate::args::OutputFormat::Jsonl {
            output::print(&Value::Array(batch.items), g.output)?;
        } else {
            all.extend(batch.items);
        }
    }
    if g.output != crate::args::OutputFormat::Jsonl {
        output::print(&Value::Array(all), g.output)?;
    }
    let at = syncer.checkpoint()?.map(|c| format!("{} (id {})", c.updated_at, c.id)).unwrap_or_else(|| "none".into());
    if crate::fail::russian() {
        eprintln!("{rows} заявок в {batches} пачках; контрольная точка {at} сохранена в {}", store.display());
    } else {
        eprintln!("{rows} bids in {batches} batches; checkpoint {at} stored in {}", store.display());
    }
    Ok(())
}
