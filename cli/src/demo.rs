//! `logibridge demo`: the README's scenario against a sandbox in this process, through the
//! generic entry every face uses (the same calls `logibridge call` makes).

use logibridge::Client;
use logibridge_sandbox::Sandbox;
use serde_json::{json, Value};

use crate::args::OutputFormat;
use crate::fail::Failure;
use crate::output;

/// `println!` through [`output::write_stdout`]: `demo | head` ends the printing quietly
/// (exit 0), `demo > /dev/full` is a local failure (exit 1), neither a panic.
macro_rules! out {
    ($($arg:tt)*) => {
        output::write_stdout(format!("{}\n", format_args!($($arg)*)).as_bytes())?
    };
}

fn call(client: &Client, id: &str, params: Value) -> Result<Value, logibridge::Error> {
    logibridge::blocking::runtime().block_on(client.call(id, params))
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// A few columns of a list, as a table.
fn show(items: &Value, columns: &[&str], limit: usize) -> Result<(), Failure> {
    let list = items.as_array().cloned().unwrap_or_default();
    let picked: Vec<Value> = list.iter().take(limit).map(|item| Value::Object(columns.iter().map(|c| (c.to_string(), item.get(*c).cloned().unwrap_or(Value::Null))).collect())).collect();
    for line in output::render(&Value::Array(picked), OutputFormat::Table).lines() {
        out!("  {line}");
    }
    if list.len() > limit {
        out!("  … and {} more", list.len() - limit);
    }
    Ok(())
}

pub fn run() -> Result<(), Failure> {
    let sandbox = Sandbox::start().map_err(|e| Failure::local(format!("cannot start the sandbox: {e}"), format!("не удалось запустить песочницу: {e}")))?;
    out!("Sandbox at {}", sandbox.base_url());
    carreta(&sandbox)?;
    ireca(&sandbox)?;
    cargorun(&sandbox)?;
    sandbox.stop();
    out!("\nSandbox stopped. Done.");
    Ok(())
}

fn carreta(sandbox: &Sandbox) -> Result<(), Failure> {
    out!("\n== Carreta");
    let shop = Client::for_service("carreta")?.credential("api_key", sandbox.carreta_api_key()).base_url(sandbox.carreta_url()).build()?;
    let profile = call(&shop, "carreta.profile.get", json!({}))?;
    out!("Profile: {} ({}), balance {} ₽", text(&profile, "name"), text(&profile, "city"), text(&profile, "balance"));

    let offers = call(&shop, "carreta.search.query", json!({"q": "oc47"}))?;
    out!("\nSearch \"oc47\": {} offers", offers.as_array().map_or(0, Vec::len));
    show(&offers, &["maker", "code", "name", "price", "qty", "min_qty"], 8)?;

    // An order breaking a documented rule is refused before anything is sent.
    let list = offers.as_array().cloned().unwrap_or_default();
    let bounded = list.iter().find(|o| text(o, "qty").starts_with('<')).or(list.first()).cloned().ok_or_else(|| Failure::local("the sandbox found no offers", "песочница не нашла предложений"))?;
    let limit: i64 = text(&bounded, "qty").trim_start_matches('<').trim().parse().unwrap_or(1);
    let mut too_many = bounded.clone();
    too_many["order_qty"] = json!(limit + 1);
    out!("\nOrdering {} × {} {} (stock \"{}\")…", limit + 1, text(&bounded, "maker"), text(&bounded, "code"), text(&bounded, "qty"));
    match call(&shop, "carreta.order.create", json!({"order": too_many})) {
        Err(e) => out!("  refused before sending: {e}\n  по-русски: {}", e.message_ru()),
        Ok(o) => out!("  unexpectedly accepted: {}", text(&o, "number")),
    }

    let mut order = list[0].clone();
    order["order_qty"] = order.get("min_qty").cloned().unwrap_or(json!(1));
    order["client_comment"] = json!("DEMO-1");
    let placed = call(&shop, "carreta.order.create_once", json!({"order": order}))?;
    let o = &placed["order"];
    out!("\nPlaced order {} (id {}), {}: {} × {} {}, status {}", text(o, "number"), text(o, "id"), text(&placed, "outcome"), text(o, "order_qty"), text(o, "maker"), text(o, "code"), text(o, "status"));

    let mine = call(&shop, "carreta.order.list", json!({"client_comment": "DEMO-1", "all": true}))?;
    out!("\nOrders with comment DEMO-1:");
    show(&mine, &["number", "code", "order_qty", "price", "status"], 10)?;

    let id = text(o, "id");
    let control = format!("{}_control/carreta/orders/{id}/advance", sandbox.base_url());
    let http = reqwest::Client::new();
    for _ in 0..3 {
        logibridge::blocking::runtime()
            .block_on(async { http.post(&control).send().await?.error_for_status() })
            .map_err(|e| Failure::local(format!("the sandbox's control API failed: {e}"), format!("управляющий API песочницы не ответил: {e}")))?;
    }
    let fetched = call(&shop, "carreta.order.get", json!({"id": id}))?;
    out!("\nThe shop moved it along: now {}", text(&fetched, "status"));
    out!("History:");
    show(&call(&shop, "carreta.order.history", json!({"id": id}))?, &["created", "comment"], 10)?;
    Ok(())
}

fn ireca(sandbox: &Sandbox) -> Result<(), Failure> {
    out!("\n== iRECA Courier");
    let ireca = Client::for_service("ireca")?.credential("token", sandbox.ireca_token()).base_url(sandbox.ireca_url()).build()?;
    let taxes = call(&ireca, "ireca.taxes.list", json!({"all": true}))?;
    out!("Taxes: {}", taxes.as_array().map_or(0, Vec::len));
    let tax_id = taxes.get(0).and_then(|t| t.get("taxId")).cloned().unwrap_or(Value::Null);
    call(&ireca, "ireca.goods.create", json!({"items": [{"goodId": "DEMO-TEA", "title": "Чай чёрный, 100 г", "taxId": tax_id, "price": "249.90"}]}))?;
    out!("Created good DEMO-TEA");
    let order = |from: &str, to: &str| {
        json!({"orderId": "DEMO-1", "statusId": 0, "deliveryStatusId": 6, "courierId": "55752", "paymentId": "4113",
               "amountToPay": "499.80", "deliveryTimeFrom": from, "deliveryTimeTo": to,
               "addressToEntity": {"city": "Санкт-Петербург", "street": "Чкаловский пр.", "home": "15", "isUseGoogleGeo": false},
               "goods": [{"goodId": "DEMO-TEA", "count": 2, "price": "249.90", "total": "499.80", "discountTotal": 0}]})
    };
    if let Err(e) = call(&ireca, "ireca.orders.create", json!({"items": [order("2026-06-30T15:00:00+03:00", "2026-06-30T12:00:00+03:00")]})) {
        out!("A delivery window that ends before it starts, refused before sending:\n  {e}");
    }
    call(&ireca, "ireca.orders.create", json!({"items": [order("2026-06-30T12:00:00+03:00", "2026-06-30T15:00:00+03:00")]}))?;
    let placed = call(&ireca, "ireca.orders.get", json!({"order_id": "DEMO-1"}))?;
    out!("Placed order DEMO-1: {} ₽, deliver from {}", text(&placed, "amountToPay"), text(&placed, "deliveryTimeFrom"));
    Ok(())
}

fn cargorun(sandbox: &Sandbox) -> Result<(), Failure> {
    out!("\n== CARGO.RUN");
    let cr = Client::for_service("cargorun")?
        .credential("username", sandbox.cargorun_username())
        .credential("password", sandbox.cargorun_password())
        .base_url(sandbox.cargorun_url())
        .build()?;
    let drivers = call(&cr, "cargorun.drivers.list", json!({"all": true}))?;
    out!("Signed in as {}; drivers: {}", sandbox.cargorun_username(), drivers.as_array().map_or(0, Vec::len));
    let bids = call(&cr, "cargorun.bids.list_for_external", json!({}))?;
    out!("Bids visible to the integration: {}", bids.as_array().map_or(0, Vec::len));
    Ok(())
}
