//! iRECA Courier (`ireca-courier-api.apib`): the models of every entity of the document and
//! the parsers of the two callbacks.
//!
//! The service writes PHP-flavoured JSON: ids as numbers or strings, money as numbers or
//! strings, flags as `0/1`, `"1"` or `true`, nothing as `null`, `""` or `{}`. The models
//! read all of it and write the form of the document's request examples; [`wire`] states
//! the rule for each kind of field. Every field is an `Option` (the service leaves fields
//! out by endpoint) and every record keeps the fields it does not know in `extra`, written
//! back on output, so get → modify → update loses nothing.
//!
//! Date-times are [`chrono::DateTime<Utc>`](chrono::DateTime): `YYYY-MM-DD HH:MM:SS` in
//! GMT+0 on the wire; a date-time with an offset converts on the way in, and a naive one
//! cannot be given (see [`wire`]).
//!
//! ```
//! use logibridge::ireca::{wire, Order};
//! let body = br#"{"orderId": 209900, "amountToPay": "679.570", "courierId": "", "isRefund": 0,
//!                 "deliveryTimeFrom": "2021-04-28 11:34:00", "someNewField": [1, 2]}"#;
//! let mut order: Order = wire::from_slice("ireca.orders.get", body).unwrap();
//! order.description = Some("Доставить до двери".into());
//! assert_eq!(serde_json::to_string(&order).unwrap(),
//!     r#"{"orderId":209900,"amountToPay":679.57,"deliveryTimeFrom":"2021-04-28 11:34:00","description":"Доставить до двери","isRefund":false,"someNewField":[1,2]}"#);
//! ```

mod address;
pub mod callback;
pub mod callback_journal;
pub mod catalog;
mod client;
pub mod dictionary;
pub mod fiscal;
pub mod journal;
pub mod license;
pub mod order;
pub mod receiver;
pub mod rules;
pub mod wire;

pub use client::{Catalogue, Client, ClientBuilder, LogFilter};
pub use callback::{parse_license_callback, parse_order_callback, MAX_CALLBACK_BYTES};
pub use catalog::{Courier, Customer, Good, GoodStock, PaymentType, Permission, ReturnReason, ReturnReasonType, Role, Specificity, Supplier, Tax, Warehouse};
pub use dictionary::{CalcType, CloseType, DeliveryStatus, OrderStatus, PermissionInfo, TaxType};
pub use fiscal::{AgentType, AtolAgent, AtolCompany, AtolSettings, BankTerminalLog, CorrectionReceipt, FiscalRegistratorLog, Pechka54Settings, Receipt, TaxSystem};
pub use journal::{ChangeEvent, ChangeJournalEntry};
pub use license::{License, LicenseSession, Licenses};
pub use address::Address;
pub use order::{CallbackSettings, CanceledItem, Location, MultipleUpdate, MultipleUpdateAttributes, Order, OrderCallback, OrderClient, OrderGood, OrderSpecificity, OrderWarehouse, Payment, ReturnedGood, ReturnedOrder, ReturnedPayment, StatusJournalEntry};
pub use wire::Id;
