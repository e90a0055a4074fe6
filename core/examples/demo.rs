//! The Carreta scenario end to end through the Rust core, against the embedded sandbox:
//! profile, search, a rejected order, a valid order, list, fetch, history.
//!
//! Run: `cargo run -p logibridge --example demo` (or `make demo-rust`).

use logibridge::carreta::{Client, ListOrders, NewOrder, Offer, QtyKind};
use logibridge_sandbox::Sandbox;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start()?;
    println!("Sandbox: {}", sandbox.carreta_url());
    let shop = Client::builder(sandbox.carreta_api_key()).base_url(sandbox.carreta_url()).build()?;

    let profile = shop.profile().await?;
    println!("\nProfile: {} ({}), balance {} ₽", profile.name, profile.city, profile.balance);

    let offers = shop.search("oc47").await?;
    println!("\nSearch \"oc47\": {} offers", offers.len());
    print_offers(&offers);

    // An order that breaks a documented rule: caught before anything is sent.
    let bounded = offers.iter().find(|o| matches!(o.qty.kind(), QtyKind::LessThan(_))).or_else(|| offers.first()).ok_or("no offers")?;
    let too_many = bounded.qty.max_order().unwrap_or(1) as i64 + 1;
    println!("\nOrdering {too_many} × {} {} (stock \"{}\")…", bounded.maker, bounded.code, bounded.qty);
    match shop.create_order(&NewOrder::from_offer(bounded, too_many)).await {
        Err(e) => println!("  rejected before sending: {e}\n  по-русски: {}", e.message_ru()),
        Ok(o) => println!("  unexpectedly accepted: order {}", o.number),
    }

    let offer = &offers[0];
    let qty = offer.min_qty as i64;
    let order = shop.create_order(&NewOrder::from_offer(offer, qty).client_comment("DEMO-1")).await?;
    println!("\nPlaced order {} (id {}): {} × {} {} = {} ₽, status «{}»", order.number, order.id, order.order_qty, order.maker, order.code, order.total, order.status);

    let mine = shop.list_orders(&ListOrders::new().client_comment("DEMO-1")).await?;
    println!("\nOrders with comment DEMO-1: {}", mine.len());
    for o in &mine {
        println!("  {:<12} {:<8} {:>4} × {:>9} ₽  {}", o.number, o.code, o.order_qty, o.price, o.status);
    }

    let control = format!("{}_control/carreta/orders/{}/advance", sandbox.base_url(), order.id);
    let http = reqwest::Client::new();
    for _ in 0..3 {
        http.post(&control).send().await?.error_for_status()?;
    }
    let fetched = shop.get_order(order.id).await?;
    println!("\nOrder {} is now «{}» ({})", fetched.number, fetched.status, fetched.status.name_en());

    println!("\nHistory:");
    for h in shop.order_history(order.id).await? {
        println!("  {}  {}", h.created.to_shop_string(), h.comment);
    }
    sandbox.stop();
    Ok(())
}

fn print_offers(offers: &[Offer]) {
    println!("  {:<14} {:<8} {:<28} {:>9} {:>10} {:>4} {:>6}", "maker", "code", "name", "price", "qty", "min", "days");
    for o in offers.iter().take(12) {
        let name: String = o.name.chars().take(28).collect();
        let cross = if o.is_cross { "*" } else { " " };
        println!("{cross} {:<14} {:<8} {:<28} {:>9} {:>10} {:>4} {:>6}", o.maker, o.code, name, o.price, o.qty.raw(), o.min_qty, format!("{}-{}", o.period_min, o.period_max));
    }
    println!("  (* analogue)");
}
