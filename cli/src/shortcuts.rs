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
    let mut params: Map<String, Value> = params.as_object().cloned().unwrap_or_default();
    let all = params.get("all").and_then(Value::as_bool).unwrap_or(false);
    // Without --all, one page as large as the service allows (iRECA's own default is 20
    // rows), so that "full" below means the same thing for every call.
    if let (false, logibridge::endpoints::Paging::PageCount { count, max, .. }) = (all, ep.paging) {
        params.entry(count).or_insert(json!(max));
    }
    let result = run_endpoint(g, ep, params)?;
    output::print(&result, g.output)?;
    // One page of a paged list that came back full may not be all of it; the services
    // give no total, so the note says "may", and how to get the rest.
    let page = match ep.paging {
        logibridge::endpoints::Paging::PageNumber { size, .. } | logibridge::endpoints::Paging::OData { size, .. } => Some(size as usize),
        logibridge::endpoints::Paging::PageCount { max, .. } => Some(max as usize),
        _ => None,
    };
    let rows = result.as_array().map_or(0, Vec::len);
    if let Some(size) = page.filter(|size| !all && rows >= *size) {
        if crate::fail::russian() {
            say!("показана первая страница ({rows} строк, полная): дальше могут быть ещё; --all выводит все страницы");
        } else {
            say!("this is the first page ({rows} rows, a full one of {size}): there may be more; --all fetches every page");
        }
    }
    Ok(())
}

/// A positional value that is empty (most often a shell variable that was) is refused
/// before anything is sent, as `call -p NAME=` is: an empty id would ask for the list's
/// path or for nothing.
fn filled<'a>(name: &str, value: &'a str) -> Result<&'a str, Failure> {
    if value.trim().is_empty() {
        return Err(Failure::new(Exit::Validation, format!("{name} is empty; nothing was sent"), format!("{name} пуст; ничего не отправлено")));
    }
    Ok(value)
}

pub fn carreta(g: &Global, c: CarretaCommand) -> Result<(), Failure> {
    match c {
        CarretaCommand::Search { code } => call(g, "carreta.search.query", json!({"q": filled("code", &code)?})),
        CarretaCommand::Orders { comments } => {
            let mut p = json!({"all": true});
            if !comments.is_empty() {
                p["client_comment"] = json!(comments);
            }
            call(g, "carreta.order.list", p)
        }
        CarretaCommand::Order(CarretaOrderCommand::Get { id }) => call(g, "carreta.order.get", json!({"id": filled("id", &id)?})),
        CarretaCommand::Order(CarretaOrderCommand::History { id }) => call(g, "carreta.order.history", json!({"id": filled("id", &id)?})),
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
            let mut p = json!({"order": order.clone()});
            if test {
                p["test"] = json!(true);
            }
            let Some(comment) = comment else { return call(g, "carreta.order.create", p) };
            // Two runs at once (a script started twice, two terminals) would each find no
            // order and each place one: the lookup and the create run under a lock of this
            // user's, one per shop, account and comment.
            let _lock = comment_lock(g, &comment)?;
            // create_once resolves a lost answer; a second run of the same command (a
            // script retried, a user unsure whether it worked) is resolved here, by looking
            // for the comment before sending.
            let found = run_endpoint(g, find("carreta.order.list")?, json!({"client_comment": [comment], "all": true}).as_object().cloned().unwrap_or_default())?;
            if let Some(existing) = found.as_array().and_then(|orders| orders.iter().find(|o| o.get("client_comment").and_then(Value::as_str) == Some(comment.as_str()))) {
                let id = existing.get("id").map(Value::to_string).unwrap_or_default();
                let differs = differences(&order, existing, qty);
                if !differs.is_empty() {
                    // The comment is taken by another order: placing this one would break
                    // the exactly-once promise, showing that one as "existing" would pass
                    // it off as this one.
                    let list = differs.join(", ");
                    return Err(Failure::new(
                        Exit::Validation,
                        format!("an order with the comment {comment:?} already exists (id {id}) with another {list}; none was placed (use another comment for a different order)"),
                        format!("заказ с комментарием «{comment}» уже есть (id {id}), но другой: {list}; новый не создан (для другого заказа нужен другой комментарий)"),
                    ));
                }
                if crate::fail::russian() {
                    say!("заказ с комментарием «{comment}» уже есть (id {id}): новый не создан");
                } else {
                    say!("an order with the comment {comment:?} already exists (id {id}): none was placed");
                }
                return output::print(&json!({"outcome": "existing", "order": existing}), g.output);
            }
            call(g, "carreta.order.create_once", p)
        }
    }
}

/// What of the offer and quantity asked for an order found by its comment does not have:
/// the members naming the offer (`maker`, `code`, as both hold them) and `order_qty`.
fn differences(offer: &Map<String, Value>, existing: &Value, qty: i64) -> Vec<String> {
    let text = |v: &Value| match v {
        Value::String(s) => s.trim().to_owned(),
        other => other.to_string(),
    };
    let mut differs = Vec::new();
    for key in ["maker", "code"] {
        if let (Some(asked), Some(found)) = (offer.get(key), existing.get(key)) {
            if text(asked) != text(found) {
                differs.push(format!("{key} ({} there, {} asked)", text(found), text(asked)));
            }
        }
    }
    let found_qty = existing.get("order_qty").and_then(|q| q.as_i64().or_else(|| q.as_str().and_then(|s| s.trim().parse().ok())));
    if let Some(found) = found_qty.filter(|found| *found != qty) {
        differs.push(format!("order_qty ({found} there, {qty} asked)"));
    }
    differs
}

/// The lock of one order comment: a file in this user's runtime directory named by a hash
/// of the shop's URL, the API key and the comment (never the key itself), held until the
/// command ends.
fn comment_lock(g: &Global, comment: &str) -> Result<std::fs::File, Failure> {
    use sha2::{Digest, Sha256};
    let resolved = config::resolve(g, "carreta")?;
    let client = resolved.build(false)?;
    let key = resolved.get("api_key").map(Value::to_string).unwrap_or_default();
    let mut hash = Sha256::new();
    for part in [client.config().base_url.as_str(), key.as_str(), comment] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    let name: String = hash.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
    let failed = |e: std::io::Error| Failure::local(format!("cannot lock the order comment {comment:?} against a second run: {e}"), format!("не удалось заблокировать комментарий заказа «{comment}» от второго запуска: {e}"));
    let dir = crate::lock::runtime_dir().map_err(failed)?;
    crate::lock::exclusive(&dir.join(format!("carreta-order-{name}.lock"))).map_err(failed)
}

pub fn ireca(g: &Global, c: IrecaCommand) -> Result<(), Failure> {
    match c {
        IrecaCommand::Orders(IrecaOrdersCommand::Get { order_id }) => call(g, "ireca.orders.get", json!({"order_id": filled("order_id", &order_id)?})),
        IrecaCommand::Orders(IrecaOrdersCommand::List { all }) => call(g, "ireca.orders.list", json!({"all": all})),
        IrecaCommand::Goods(IrecaGoodsCommand::List { all }) => call(g, "ireca.goods.list", json!({"all": all})),
        IrecaCommand::Goods(IrecaGoodsCommand::Get { good_id }) => call(g, "ireca.goods.get", json!({"good_id": filled("good_id", &good_id)?})),
    }
}

pub fn cargorun(g: &Global, c: CargorunCommand) -> Result<(), Failure> {
    match c {
        CargorunCommand::Login => login(g),
        CargorunCommand::Bids(CargorunBidsCommand::Sync { since, store, account, filter }) => sync(g, since, store, account, filter),
    }
}

/// Checks the credentials with one light authenticated call (`cargorun.drivers.list`, one
/// row): the client signs in, or takes the tokens its token file holds for this URL and
/// user when the password is the one they were got with, renewing them when due. Then shows
/// when the access token expires, read from the token file's entry (`expires_at`); the
/// tokens themselves are never read into the output.
fn login(g: &Global) -> Result<(), Failure> {
    let resolved = config::resolve(g, "cargorun")?;
    let client = resolved.build(g.verbose)?;
    let user = resolved.get("username").and_then(Value::as_str).unwrap_or_default().trim().to_owned();
    let ep = find("cargorun.drivers.list")?;
    logibridge::blocking::runtime().block_on(client.call_endpoint(ep, json!({"top": 1})))?;
    let mut out = Map::new();
    out.insert("signed_in".into(), json!(true));
    out.insert("base_url".into(), json!(client.config().base_url.as_str()));
    out.insert("user".into(), json!(user));
    let token_file = resolved.get("token_file").and_then(Value::as_str).map(std::path::PathBuf::from);
    let expires = token_file.as_deref().and_then(|path| token_expiry(path, &format!("{} {user}", client.config().base_url)));
    match expires {
        Some(at) => {
            let left = at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO);
            out.insert("token_expires_at".into(), json!(chrono::DateTime::<chrono::Utc>::from(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
            out.insert("token_expires_in_s".into(), json!(left.as_secs()));
        }
        None => {
            out.insert("token_expires_at".into(), Value::Null);
        }
    }
    if let Some(path) = token_file {
        out.insert("token_file".into(), json!(path.display().to_string()));
    }
    output::print(&Value::Object(out), g.output)
}

/// `expires_at` (Unix seconds) of the token file's entry `key` (`<base URL> <user>`), the
/// format of [`logibridge::ClientBuilder::token_file`]. Only that member is read.
fn token_expiry(path: &std::path::Path, key: &str) -> Option<SystemTime> {
    let text = std::fs::read_to_string(path).ok()?;
    let file: Value = serde_json::from_str(&text).ok()?;
    let secs = file.get(key)?.get("expires_at")?.as_u64()?;
    Some(std::time::UNIX_EPOCH + Duration::from_secs(secs))
}

/// Walks the bids changed since the store's checkpoint. The syncer runs in
/// acknowledgement mode and a batch is acknowledged (its checkpoint written) only once its
/// rows were written to stdout and flushed: output that fails — a full disk, a closed pipe
/// (`| head`) — leaves the checkpoint where it was, so the next run hands those rows again.
fn sync(g: &Global, since: Option<String>, store: std::path::PathBuf, account: Option<String>, filter: Option<String>) -> Result<(), Failure> {
    let resolved = config::resolve(g, "cargorun")?;
    let client = resolved.build(g.verbose)?;
    let account = account.or_else(|| resolved.get("username").and_then(Value::as_str).map(str::to_owned)).unwrap_or_default();
    // A run refused before it starts (a bad --since) leaves no new store behind.
    let new_store = !store.exists();
    let store_db = SyncStore::open(&store).map_err(Failure::of_local)?;
    // Two runs on one store would both read the same checkpoint and both print the rows
    // after it: the second is refused while the first runs.
    let lock_path = {
        let mut p = store.clone().into_os_string();
        p.push(".lock");
        std::path::PathBuf::from(p)
    };
    let _lock = match crate::lock::try_exclusive(&lock_path) {
        Ok(Some(lock)) => lock,
        Ok(None) => {
            return Err(Failure::local(format!("another sync is using {}; try again when it ends", store.display()), format!("{} занят другой синхронизацией; повторите, когда она закончится", store.display())))
        }
        Err(e) => return Err(Failure::file(("lock", "заблокировать"), &lock_path, &e)),
    };
    let mut options = SyncOptions::new(account).acknowledge(true);
    if let Some(s) = since {
        options = options.since(s);
    }
    if let Some(f) = filter {
        options = options.filter(f);
    }
    // Catching up once is what a command does; the poll interval is for a service that
    // keeps running, and the syncer's warning about it would only be noise here.
    options = options.poll_interval(SyncEntity::Bids.default_poll_interval());
    let mut syncer = match Syncer::new(client, store_db, SyncEntity::Bids, options) {
        Ok(syncer) => syncer,
        Err(e) => {
            if new_store {
                for suffix in ["", "-wal", "-shm", "-journal", ".lock"] {
                    let mut path = store.clone().into_os_string();
                    path.push(suffix);
                    let _ = std::fs::remove_file(path);
                }
            }
            return Err(e.into());
        }
    };
    let mut all: Vec<Value> = Vec::new();
    let (mut rows, mut batches, mut last_seq) = (0usize, 0usize, None);
    loop {
        let batch = logibridge::blocking::runtime().block_on(syncer.next_batch())?;
        let Some(batch) = batch else { break };
        batches += 1;
        rows += batch.items.len();
        if g.output == crate::args::OutputFormat::Jsonl {
            write_out(&Value::Array(batch.items), g.output)?;
            syncer.acknowledge_seq(batch.seq)?;
        } else {
            all.extend(batch.items);
            last_seq = Some(batch.seq);
        }
    }
    if g.output != crate::args::OutputFormat::Jsonl {
        write_out(&Value::Array(all), g.output)?;
        if let Some(seq) = last_seq {
            syncer.acknowledge_seq(seq)?;
        }
    }
    let at = syncer.checkpoint()?.map(|c| format!("{} (id {})", c.updated_at, c.id)).unwrap_or_else(|| "none".into());
    if crate::fail::russian() {
        say!("{rows} заявок в {batches} пачках; контрольная точка {at} сохранена в {}", store.display());
    } else {
        say!("{rows} bids in {batches} batches; checkpoint {at} stored in {}", store.display());
    }
    Ok(())
}

/// [`output::print`] for rows whose handing is recorded: every failure to write them, a
/// closed pipe included, is an error (the rows were not delivered).
fn write_out(value: &Value, format: crate::args::OutputFormat) -> Result<(), Failure> {
    use std::io::Write;
    let text = output::render(value, format);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|_| out.flush()).map_err(|e| {
        Failure::local(
            format!("cannot write the rows to stdout ({e}); the checkpoint was not moved, the next run hands them again"),
            format!("не удалось вывести строки ({e}); контрольная точка не сдвинута, следующий запуск выдаст их снова"),
        )
    })
}
