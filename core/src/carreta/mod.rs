//! Carreta auto-parts shop: profile, part search, orders, order history.
//!
//! ```no_run
//! # async fn run() -> logibridge::Result<()> {
//! use logibridge::carreta::{Client, NewOrder};
//! let shop = Client::builder("my-api-key").build()?;
//! let offers = shop.search("oc47").await?;
//! let order = NewOrder::from_offer(&offers[0], 1).client_comment("PO-17");
//! let created = shop.create_order(&order).await?;
//! println!("order {} is {}", created.number, created.status);
//! # Ok(()) }
//! ```

mod client;
mod models;
mod qty;
mod validate;

pub use client::{Client, ClientBuilder, CreateOutcome, CreatedOrder, ListOrders, OrderPages, DEFAULT_BASE_URL, ORDERS_PER_PAGE};
pub use models::*;
pub use qty::{Qty, QtyKind, UNBOUNDED_ORDER_MAX};
pub use validate::{check_client_comment, check_order_qty, check_order_qty_text, codes, order_qty_violation, OrderQtyViolation, CLIENT_COMMENT_MAX_CHARS};
