//! The typed iRECA client: every call of [`crate::endpoints::ireca`] as a Rust method on the
//! one generic [`crate::Client`]. The ten catalogue resources are one generic
//! [`Catalogue`] over their six rows.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use super::{
    AtolSettings, BankTerminalLog, CalcType, CallbackSettings, ChangeJournalEntry, CloseType, CorrectionReceipt, Courier, Customer, DeliveryStatus, FiscalRegistratorLog, Good, Id,
    Licenses, Location, MultipleUpdate, Order, OrderStatus, PaymentType, Pechka54Settings, Permission, PermissionInfo, Receipt, ReturnReason, Role, Specificity, StatusJournalEntry,
    Supplier, Tax, TaxType, Warehouse,
};
use crate::endpoints::ireca::{self as rows, SERVICE};
use crate::endpoints::Endpoint;
use crate::error::Result;
use crate::pager::Pager;

/// A model (or a list of them) as the rows take it: date-times in the callers' form.
fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<Value> {
    super::wire::in_callers_form(|| crate::call::to_json(value))
}

/// Builds a [`Client`] ([`crate::TypedClientBuilder`]: base URL, timeouts, deadline,
/// retries).
pub type ClientBuilder = crate::TypedClientBuilder<Client>;

/// An iRECA Courier client. Cheap to clone; clones share the connection pool. Safe to use
/// from many tasks and threads at once.
///
/// ```no_run
/// # async fn run() -> logibridge::Result<()> {
/// use logibridge::ireca::{Client, Good};
/// let ireca = Client::builder("my-token").build()?;
/// let taxes = ireca.taxes().list().collect_all().await?;
/// let mut good = Good::default();
/// good.good_id = Some(355866.into());
/// good.title = Some("Варенье вишня".into());
/// good.tax_id = taxes[0].tax_id.clone();
/// good.price = Some("179.50".parse().unwrap());
/// ireca.goods().create(&[good]).await?;
/// let back = ireca.goods().get(355866).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
}

impl From<crate::Client> for Client {
    /// An iRECA client over a generic one built for [`SERVICE`].
    fn from(inner: crate::Client) -> Client {
        Client { inner }
    }
}

impl From<Client> for crate::Client {
    fn from(c: Client) -> crate::Client {
        c.inner
    }
}

/// One of the ten catalogue resources (goods, specificities, warehouses, couriers, roles,
/// clients, suppliers, return reasons, payment types, taxes): the same six calls over its
/// model `T` (ENDPOINTS.md: «Ten resources share one CRUD shape»).
#[derive(Clone, Debug)]
pub struct Catalogue<T> {
    client: crate::Client,
    rows: &'static [&'static Endpoint; 6],
    _model: std::marker::PhantomData<fn() -> T>,
}

impl<T: Serialize + DeserializeOwned> Catalogue<T> {
    fn row(&self, i: usize) -> &'static Endpoint {
        self.rows[i]
    }

    fn key(&self, i: usize) -> &'static str {
        self.row(i).params[0].name
    }

    /// `ireca.<resource>.create`: creates the objects (each with its id and the document's
    /// required attributes, checked before sending; an id that exists already fails the
    /// whole batch on the service). Not retried.
    pub async fn create(&self, items: &[T]) -> Result<()> {
        self.client.fetch(self.row(0), json!({ "items": to_json(&items)? })).await
    }

    /// `ireca.<resource>.get`: one object by id; [`crate::Error::Api`] with status 404 when
    /// there is none.
    pub async fn get(&self, id: impl Into<Id>) -> Result<T> {
        self.client.fetch(self.row(1), json!({ self.key(1): id.into().to_string() })).await
    }

    /// `ireca.<resource>.list`: every object (deleted ones too, `isActive` false), 500 a
    /// page, fetched as the pager is walked.
    pub fn list(&self) -> Pager<T> {
        self.client.pages(self.row(2), Value::Null)
    }

    /// `ireca.<resource>.list`, one page: `page` from 0, `count` 1 to 500 (refused before
    /// sending otherwise).
    pub async fn page(&self, page: u32, count: u32) -> Result<Vec<T>> {
        self.client.fetch(self.row(2), json!({ "page": page, "count": count })).await
    }

    /// `ireca.<resource>.update`: sets the attributes given in `changes` (the fields left
    /// `None` stay as they are; a value got, modified and sent back keeps the fields the
    /// library does not know).
    pub async fn update(&self, id: impl Into<Id>, changes: &T) -> Result<()> {
        self.client.fetch(self.row(3), json!({ self.key(3): id.into().to_string(), "changes": to_json(changes)? })).await
    }

    /// `ireca.<resource>.replace`: creates the objects that do not exist and updates (and
    /// reactivates) those that do. Repeating it is harmless, so it is retried like a read.
    pub async fn replace(&self, items: &[T]) -> Result<()> {
        self.client.fetch(self.row(4), json!({ "items": to_json(&items)? })).await
    }

    /// `ireca.<resource>.delete`: a soft delete (the object stays, `isActive` false).
    pub async fn delete(&self, id: impl Into<Id>) -> Result<()> {
        self.client.fetch(self.row(5), json!({ self.key(5): id.into().to_string() })).await
    }
}

/// Optional filters of the two error logs (`bankTerminalLogs`, `fiscalRegistratorLogs`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Only this order's entries.
    pub order_id: Option<String>,
    /// Only this courier's entries.
    pub courier_id: Option<String>,
}

impl Client {
    /// Starts a builder with the integration token from the iRECA dispatcher's cabinet.
    pub fn builder(token: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(crate::Client::builder(&SERVICE).credential("token", token))
    }

    /// The generic client inside (call any iRECA id by name).
    pub fn as_client(&self) -> &crate::Client {
        &self.inner
    }

    fn catalogue<T>(&self, rows: &'static [&'static Endpoint; 6]) -> Catalogue<T> {
        Catalogue { client: self.inner.clone(), rows, _model: std::marker::PhantomData }
    }

    /// Goods («Каталог товаров»).
    pub fn goods(&self) -> Catalogue<Good> {
        self.catalogue(&rows::goods::ENDPOINTS)
    }
    /// Specificities («Характеристики»).
    pub fn specificities(&self) -> Catalogue<Specificity> {
        self.catalogue(&rows::specificities::ENDPOINTS)
    }
    /// Warehouses («Склады»).
    pub fn warehouses(&self) -> Catalogue<Warehouse> {
        self.catalogue(&rows::warehouses::ENDPOINTS)
    }
    /// Couriers («Курьер»); their INNs are checked before sending.
    pub fn couriers(&self) -> Catalogue<Courier> {
        self.catalogue(&rows::couriers::ENDPOINTS)
    }
    /// The app's roles («Роли приложения»).
    pub fn roles(&self) -> Catalogue<Role> {
        self.catalogue(&rows::roles::ENDPOINTS)
    }
    /// Clients («Клиент»); their INNs are checked before sending.
    pub fn clients(&self) -> Catalogue<Customer> {
        self.catalogue(&rows::clients::ENDPOINTS)
    }
    /// Suppliers («Поставщики»); their INNs are checked before sending.
    pub fn suppliers(&self) -> Catalogue<Supplier> {
        self.catalogue(&rows::suppliers::ENDPOINTS)
    }
    /// Return reasons.
    pub fn return_reasons(&self) -> Catalogue<ReturnReason> {
        self.catalogue(&rows::return_reasons::ENDPOINTS)
    }
    /// Payment types.
    pub fn payment_types(&self) -> Catalogue<PaymentType> {
        self.catalogue(&rows::payment_types::ENDPOINTS)
    }
    /// Taxes.
    pub fn taxes(&self) -> Catalogue<Tax> {
        self.catalogue(&rows::taxes::ENDPOINTS)
    }

    // -- orders -----------------------------------------------------------------------

    /// `ireca.orders.create`: the document's required attributes, one warehouse per goods
    /// line, `deliveryTimeFrom` ≤ `deliveryTimeTo` and INN checksums are checked before
    /// sending ([`crate::Error::Validation`] naming `items[i].…`). Not retried.
    pub async fn create_orders(&self, orders: &[Order]) -> Result<()> {
        self.inner.fetch(rows::ORDERS_CREATE, json!({ "items": to_json(&orders)? })).await
    }
    /// `ireca.orders.create_refund`: refund orders (`isRefund=1`) with their payments;
    /// checked like [`Client::create_orders`].
    pub async fn create_refund_orders(&self, orders: &[Order]) -> Result<()> {
        self.inner.fetch(rows::ORDERS_CREATE_REFUND, json!({ "items": to_json(&orders)? })).await
    }
    /// `ireca.orders.get`.
    pub async fn order(&self, order_id: impl Into<Id>) -> Result<Order> {
        self.inner.fetch(rows::ORDERS_GET, json!({ "order_id": order_id.into().to_string() })).await
    }
    /// `ireca.orders.list`: every order, 500 a page, fetched as the pager is walked.
    pub fn orders(&self) -> Pager<Order> {
        self.inner.pages(rows::ORDERS_LIST, Value::Null)
    }
    /// `ireca.orders.update`: sets the attributes given (an order got, modified and sent
    /// back keeps the fields the library does not know).
    pub async fn update_order(&self, order_id: impl Into<Id>, changes: &Order) -> Result<()> {
        self.inner.fetch(rows::ORDERS_UPDATE, json!({ "order_id": order_id.into().to_string(), "changes": to_json(changes)? })).await
    }
    /// `ireca.orders.update_many`: the same attributes on several orders (only the
    /// document's seven: [`super::MultipleUpdateAttributes`]).
    pub async fn update_orders(&self, update: &MultipleUpdate) -> Result<()> {
        self.inner.fetch(rows::ORDERS_UPDATE_MANY, json!({ "update": to_json(update)? })).await
    }
    /// `ireca.orders.replace`: creates or updates orders by `orderId`; checked like
    /// [`Client::create_orders`].
    pub async fn replace_orders(&self, orders: &[Order]) -> Result<()> {
        self.inner.fetch(rows::ORDERS_REPLACE, json!({ "items": to_json(&orders)? })).await
    }
    /// `ireca.orders.delete`.
    pub async fn delete_order(&self, order_id: impl Into<Id>) -> Result<()> {
        self.inner.fetch(rows::ORDERS_DELETE, json!({ "order_id": order_id.into().to_string() })).await
    }
    /// `ireca.orders.set_callback`: where the service POSTs changed orders (an http(s)
    /// URL, checked before sending); see [`super::receiver`] for a durable receiver.
    pub async fn set_order_callback(&self, settings: &CallbackSettings) -> Result<()> {
        self.inner.fetch(rows::ORDERS_SET_CALLBACK, json!({ "settings": to_json(settings)? })).await
    }
    /// `ireca.orders.status_journal`: the order's delivery-status changes, oldest first.
    pub async fn status_journal(&self, order_id: impl Into<Id>) -> Result<Vec<StatusJournalEntry>> {
        self.inner.fetch(rows::ORDERS_STATUS_JOURNAL, json!({ "order_id": order_id.into().to_string() })).await
    }

    // -- the other calls --------------------------------------------------------------

    /// `ireca.locations.list`: a courier's locations from `since` on (all when `None`).
    pub fn locations(&self, courier_id: impl Into<Id>, since: Option<DateTime<Utc>>) -> Pager<Location> {
        self.inner.pages(rows::LOCATIONS_LIST, json!({ "courier_id": courier_id.into().to_string(), "created_at": since.map(|t| t.to_rfc3339()) }))
    }
    /// `ireca.receipts.payment`: the payment receipt of an order.
    pub async fn payment_receipt(&self, order_id: impl Into<Id>) -> Result<Receipt> {
        self.inner.fetch(rows::RECEIPTS_PAYMENT, json!({ "order_id": order_id.into().to_string() })).await
    }
    /// `ireca.receipts.refund`: the refund receipt of an order.
    pub async fn refund_receipt(&self, order_id: impl Into<Id>) -> Result<Receipt> {
        self.inner.fetch(rows::RECEIPTS_REFUND, json!({ "order_id": order_id.into().to_string() })).await
    }
    /// `ireca.receipts.correction`: correction receipts, of one courier or all.
    pub fn correction_receipts(&self, courier_id: Option<Id>) -> Pager<CorrectionReceipt> {
        self.inner.pages(rows::RECEIPTS_CORRECTION, json!({ "courier_id": courier_id.map(|c| c.to_string()) }))
    }
    /// `ireca.atol.replace_settings`: the Atol Online settings (company INN checked).
    pub async fn replace_atol_settings(&self, settings: &AtolSettings) -> Result<()> {
        self.inner.fetch(rows::ATOL_REPLACE_SETTINGS, json!({ "settings": to_json(settings)? })).await
    }
    /// `ireca.pechka54.get_settings`.
    pub async fn pechka54_settings(&self) -> Result<Pechka54Settings> {
        self.inner.fetch(rows::PECHKA54_GET_SETTINGS, Value::Null).await
    }
    /// `ireca.journal.list`: an order's changes from `since` on (all when `None`).
    pub fn change_journal(&self, order_id: impl Into<Id>, since: Option<DateTime<Utc>>) -> Pager<ChangeJournalEntry> {
        self.inner.pages(rows::JOURNAL_LIST, json!({ "entity_id": order_id.into().to_string(), "started_at": since.map(|t| t.to_rfc3339()) }))
    }
    /// `ireca.permissions.list`: access settings, of one role and one setting when given.
    pub async fn permissions(&self, role_id: Option<Id>, permission_id: Option<&str>) -> Result<Vec<Permission>> {
        self.inner.fetch(rows::PERMISSIONS_LIST, json!({ "role_id": role_id.map(|r| r.to_string()), "permission_id": permission_id })).await
    }
    /// `ireca.permissions.replace`: sets or resets access settings.
    pub async fn replace_permissions(&self, permissions: &[Permission]) -> Result<()> {
        self.inner.fetch(rows::PERMISSIONS_REPLACE, json!({ "items": to_json(&permissions)? })).await
    }
    /// `ireca.licenses.list`: licences in use and in all, with the sessions holding them.
    pub async fn licenses(&self) -> Result<Licenses> {
        self.inner.fetch(rows::LICENSES_LIST, Value::Null).await
    }
    /// `ireca.licenses.close`: frees the licence a device holds.
    pub async fn close_license(&self, device_id: &str) -> Result<()> {
        self.inner.fetch(rows::LICENSES_CLOSE, json!({ "device_id": device_id })).await
    }
    /// `ireca.licenses.set_callback`: where the service POSTs closed sessions.
    pub async fn set_session_callback(&self, settings: &CallbackSettings) -> Result<()> {
        self.inner.fetch(rows::LICENSES_SET_CALLBACK, json!({ "settings": to_json(settings)? })).await
    }
    /// `ireca.bank_terminal_logs.list`.
    pub fn bank_terminal_logs(&self, filter: &LogFilter) -> Pager<BankTerminalLog> {
        self.inner.pages(rows::BANK_TERMINAL_LOGS_LIST, json!({ "order_id": filter.order_id, "courier_id": filter.courier_id }))
    }
    /// `ireca.fiscal_registrator_logs.list`.
    pub fn fiscal_registrator_logs(&self, filter: &LogFilter) -> Pager<FiscalRegistratorLog> {
        self.inner.pages(rows::FISCAL_REGISTRATOR_LOGS_LIST, json!({ "order_id": filter.order_id, "courier_id": filter.courier_id }))
    }

    // -- dictionaries -----------------------------------------------------------------

    /// `ireca.dictionary.order_statuses`.
    pub async fn order_statuses(&self) -> Result<Vec<OrderStatus>> {
        self.inner.fetch(rows::DICTIONARY_ORDER_STATUSES, Value::Null).await
    }
    /// `ireca.dictionary.delivery_statuses`.
    pub async fn delivery_statuses(&self) -> Result<Vec<DeliveryStatus>> {
        self.inner.fetch(rows::DICTIONARY_DELIVERY_STATUSES, Value::Null).await
    }
    /// `ireca.dictionary.close_types`.
    pub async fn close_types(&self) -> Result<Vec<CloseType>> {
        self.inner.fetch(rows::DICTIONARY_CLOSE_TYPES, Value::Null).await
    }
    /// `ireca.dictionary.tax_types`.
    pub async fn tax_types(&self) -> Result<Vec<TaxType>> {
        self.inner.fetch(rows::DICTIONARY_TAX_TYPES, Value::Null).await
    }
    /// `ireca.dictionary.calc_types`.
    pub async fn calc_types(&self) -> Result<Vec<CalcType>> {
        self.inner.fetch(rows::DICTIONARY_CALC_TYPES, Value::Null).await
    }
    /// `ireca.dictionary.permissions`.
    pub async fn permission_list(&self) -> Result<Vec<PermissionInfo>> {
        self.inner.fetch(rows::DICTIONARY_PERMISSIONS, Value::Null).await
    }
}
