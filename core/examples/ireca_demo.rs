//! The iRECA Courier scenario end to end through the Rust core, against the embedded
//! sandbox, in the document's integration order: the dictionaries, taxes, payment types
//! and return reasons; a durable callback receiver registered for order changes; goods;
//! an order; the sandbox's courier takes and delivers it; the callback arrives, is printed
//! and acknowledged.
//!
//! Run: `cargo run -p logibridge --example ireca_demo`.

use std::time::Duration;

use logibridge::ireca::receiver::CallbackReceiver;
use logibridge::ireca::{parse_order_callback, CallbackSettings, Client, Good, Order};
use logibridge_sandbox::Sandbox;

/// Plays the courier through the sandbox's control API.
async fn courier(sandbox: &Sandbox, order_id: &str, action: &str) -> Result<(), Box<dyn std::error::Error>> {
    let url = format!("{}_control/ireca/courier", sandbox.base_url());
    reqwest::Client::new().post(url).json(&serde_json::json!({"orderId": order_id, "action": action})).send().await?.error_for_status()?;
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start()?;
    println!("Sandbox: {}", sandbox.ireca_url());
    let ireca = Client::builder(sandbox.ireca_token()).base_url(sandbox.ireca_url()).build()?;

    let statuses = ireca.delivery_statuses().await?;
    println!("\nDelivery statuses: {}", statuses.iter().filter_map(|s| s.title.clone()).collect::<Vec<_>>().join(", "));
    let taxes = ireca.taxes().list().collect_all().await?;
    let payment_types = ireca.payment_types().list().collect_all().await?;
    let reasons = ireca.return_reasons().list().collect_all().await?;
    println!("Taxes: {}, payment types: {}, return reasons: {}", taxes.len(), payment_types.len(), reasons.len());

    let journal = std::env::temp_dir().join(format!("logibridge-ireca-demo-{}.jsonl", std::process::id()));
    let receiver = CallbackReceiver::builder(&journal).start()?;
    let mut settings = CallbackSettings::default();
    settings.url = Some(receiver.order_url());
    settings.is_active = Some(true);
    ireca.set_order_callback(&settings).await?;
    println!("\nCallbacks go to the journal {}", journal.display());

    let mut good = Good::default();
    good.good_id = Some("DEMO-TEA".into());
    good.title = Some("Чай чёрный, 100 г".into());
    good.tax_id = taxes.first().and_then(|t| t.tax_id.clone());
    good.price = Some("249.90".parse()?);
    ireca.goods().create(&[good]).await?;
    println!("Created good DEMO-TEA");

    // A rule of the document caught before sending: the delivery window ends before it starts.
    let order_json = |from: &str, to: &str| {
        format!(
            r#"{{"orderId": "DEMO-1", "statusId": 0, "deliveryStatusId": 6, "courierId": "55752", "paymentId": "4113",
               "amountToPay": "499.80", "deliveryTimeFrom": "{from}", "deliveryTimeTo": "{to}",
               "addressToEntity": {{"city": "Санкт-Петербург", "street": "Чкаловский пр.", "home": "15", "isUseGoogleGeo": false}},
               "goods": [{{"goodId": "DEMO-TEA", "count": 2, "price": "249.90", "total": "499.80", "discountTotal": 0}}]}}"#
        )
    };
    let backwards: Order = serde_json::from_str(&order_json("2026-06-30T15:00:00+03:00", "2026-06-30T12:00:00+03:00"))?;
    if let Err(e) = ireca.create_orders(&[backwards]).await {
        println!("\nRejected before sending: {e}\n  по-русски: {}", e.message_ru());
    }
    let order: Order = serde_json::from_str(&order_json("2026-06-30T12:00:00+03:00", "2026-06-30T15:00:00+03:00"))?;
    ireca.create_orders(&[order]).await?;
    let placed = ireca.order("DEMO-1").await?;
    println!("Placed order DEMO-1: {:.2} ₽, deliver from {}", placed.amount_to_pay.unwrap_or_default(), placed.delivery_time_from.map(|t| t.to_string()).unwrap_or_default());

    courier(&sandbox, "DEMO-1", "take").await?;
    courier(&sandbox, "DEMO-1", "deliver").await?;
    println!("\nThe courier took and delivered it; waiting for the callbacks…");
    // One callback per change (created 6, taken 7, delivered 9), in the order stored.
    let mut delivered = false;
    while !delivered {
        let entry = tokio::time::timeout(Duration::from_secs(20), receiver.next()).await?.ok_or("the receiver stopped")?;
        for o in parse_order_callback(entry.body().as_bytes())? {
            let status = o.delivery_status_id.map(|i| i.to_string()).unwrap_or_default();
            println!("  callback #{} ({}): order {} delivery status {status}", entry.seq(), entry.received_at().format("%H:%M:%S%.3f UTC"), o.order_id.map(|i| i.to_string()).unwrap_or_default());
            delivered |= status == "9";
        }
        receiver.ack(&entry)?;
    }
    println!("Acknowledged; pending now: {}", receiver.pending().len());
    for o in ireca.status_journal("DEMO-1").await? {
        println!("  status journal: {} at {}", o.status_id.map(|s| s.to_string()).unwrap_or_default(), o.created_at.map(|t| t.to_string()).unwrap_or_default());
    }
    receiver.shutdown();
    let _ = std::fs::remove_file(&journal);
    let _ = std::fs::remove_file(journal.with_extension("jsonl.acks"));
    Ok(())
}
