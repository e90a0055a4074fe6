//! Orders («Заказы») and what hangs off them: goods lines with their warehouses and
//! specificities, items the courier cancelled, payments, the returned order, the client and
//! the addresses; the batch update (`orders/multipleUpdate`), the status journal
//! («Получение списка изменений статусов доставки заказа») and courier locations
//! («Geo-данные»).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::address::Address;
use super::catalog::{Specificity, Warehouse};
use super::wire::{self, model, Id};

model! {
    /// An order («Заказы»): the body of `orders` create, create refund (`?isRefund=1`),
    /// get, list, update and replace, and each item of the order callback.
    ///
    /// The document's required fields for create (orderId, statusId, deliveryStatusId,
    /// courierId, paymentId, amountToPay, deliveryTimeFrom/To, addresses, goods) are checked
    /// by the client before sending, not by this type: the service's answers omit some of
    /// them, and a change-journal entry carries only the changed ones.
    ///
    /// ```
    /// let o: logibridge::ireca::Order = serde_json::from_str(
    ///     r#"{"orderId": 209900, "amountToPay": "679.57", "isAgreed": 0, "returnReasonId": {}}"#).unwrap();
    /// assert_eq!(o.order_id.unwrap().to_string(), "209900");
    /// assert_eq!(o.amount_to_pay.unwrap().to_string(), "679.57");
    /// assert_eq!((o.is_agreed, o.return_reason_id), (Some(false), None));
    /// ```
    pub struct Order {
        /// The order's id in your system (`orderId`, unique).
        order_id: Id = "wire::id",
        /// Shown in the courier's app instead of `orderId` when set (`codeAlias`).
        code_alias: String = "wire::text",
        /// Payment status, an id of `dictionary/orderStatuses` (`0` not paid, `1` paid).
        status_id: Id = "wire::id",
        /// Delivery status, an id of `dictionary/orderDeliveryStatuses` (`6` prepared … `11` cancelled).
        delivery_status_id: Id = "wire::id",
        /// Receipt status (in the answers, not described by the document).
        receipt_status_id: Id = "wire::id",
        /// Whether the fiscal registrator printed the receipt (answers only).
        fr_receipt_status_id: Id = "wire::id",
        /// The order was agreed with the client; written `0`/`1`.
        is_agreed: bool = "wire::flag01",
        /// Why the order was cancelled, a return reason's id.
        return_reason_id: Id = "wire::id",
        /// The courier's id (`""` in answers when none is assigned: read as `None`).
        courier_id: Id = "wire::id",
        /// The client's id; when absent, `client` describes the client.
        client_id: Id = "wire::id",
        /// The supplier's id (agent scheme).
        supplier_id: Id = "wire::id",
        /// The client, used only when `clientId` is not set.
        client: OrderClient = "wire::object",
        /// The payment type's id (the last one set: default or used by the registrator).
        payment_id: Id = "wire::id",
        /// The payment type set by default (answers only).
        original_payment_id: Id = "wire::id",
        /// The payment type used by the fiscal registrator (answers only).
        fr_used_payment_id: Id = "wire::id",
        /// Amount to pay before discounts, roubles; written as a number.
        amount_to_pay: Decimal = "wire::number",
        /// Prepaid amount, roubles (a second receipt is printed when set).
        pre_payment_sum: Decimal = "wire::number",
        /// The banknote the client pays with, roubles.
        cash: Decimal = "wire::number",
        /// Pick-up address in one line (the older form of `addressFromEntity`).
        address_from: String = "wire::text",
        /// Pick-up address (recommended over `addressFrom`).
        address_from_entity: Address = "wire::object",
        /// Delivery address in one line (the older form of `addressToEntity`).
        address_to: String = "wire::text",
        /// Delivery address (recommended over `addressTo`).
        address_to_entity: Address = "wire::object",
        /// Phone (the client's when not set).
        phone: String = "wire::text",
        /// Deliver from, UTC (`YYYY-MM-DD HH:MM:SS` GMT+0 on the wire).
        delivery_time_from: DateTime<Utc> = "wire::time",
        /// Deliver by, UTC.
        delivery_time_to: DateTime<Utc> = "wire::time",
        /// Description of the order.
        description: String = "wire::text",
        /// The goods lines.
        goods: Vec<OrderGood> = "wire::list",
        /// Payments (sent with a refund order; in answers, the payments made).
        payments: Vec<Payment> = "wire::list",
        /// The return made on this order, if any.
        returned_order: ReturnedOrder = "wire::object",
        /// This order is a refund; written `true`/`false` as in the refund example.
        is_refund: bool = "wire::flag",
        /// A return was made on this order (answers only); written `0`/`1`.
        is_returned: bool = "wire::flag01",
        /// The courier edited the order's lines (answers only); written `0`/`1`.
        is_edited: bool = "wire::flag01",
    }
}

model! {
    /// The client of an order (`client`), used when `clientId` is not set.
    pub struct OrderClient {
        /// First name.
        firstname: String = "wire::text",
        /// Last name.
        lastname: String = "wire::text",
        /// INN (10 or 12 digits; checked by the client before sending).
        inn: String = "wire::text",
        /// E-mail.
        email: String = "wire::text",
    }
}

model! {
    /// A goods line of an order (`goods[]`). The line carries the good's catalogue fields
    /// as the service answers them (title, article, imageUrl…) besides its own.
    pub struct OrderGood {
        /// The good's id (`goodId`).
        good_id: Id = "wire::id",
        /// Quantity (required).
        count: Decimal = "wire::number",
        /// Price, roubles (required).
        price: Decimal = "wire::number",
        /// Line total before discount, roubles (required).
        total: Decimal = "wire::number",
        /// Discount (negative) or surcharge (positive), roubles (required).
        discount_total: Decimal = "wire::number",
        /// Tax rate's id (the good's own when not set).
        tax_id: Id = "wire::id",
        /// Line number.
        position: u32 = "wire::count",
        /// Unit (`""` means «шт»).
        unit: String = "wire::text",
        /// Commodity nomenclature code (tag 1162).
        ved_code: String = "wire::text",
        /// Country of origin (tag 1230).
        country_code: String = "wire::text",
        /// Customs declaration number (tag 1231).
        custom_declaration_code: String = "wire::text",
        /// Marking code as scanned.
        mark_value: String = "wire::text",
        /// Marking code decoded (preferred: not every terminal decodes).
        mark_binary_value: String = "wire::text",
        /// Weight; written as a number as in the order examples.
        weight: Decimal = "wire::number",
        /// Description of the line.
        description: String = "wire::text",
        /// Where to pick the good up (the document allows one warehouse for now).
        warehouses: Vec<OrderWarehouse> = "wire::list",
        /// Specificities of the line (marked «in testing» by the document).
        specificities: Vec<OrderSpecificity> = "wire::list",
        /// Items of this line the courier removed.
        canceled_items: Vec<CanceledItem> = "wire::list",
        /// Why the line was cancelled, a return reason's id (answers).
        return_reason_id: Id = "wire::id",
        /// The good's parent (catalogue group) id (answers).
        parent_id: Id = "wire::id",
        /// Article (answers).
        article: String = "wire::text",
        /// Settlement subject, an id of `dictionary/goodCalcTypes` (answers).
        calc_id: Id = "wire::id",
        /// The good's name (answers).
        title: String = "wire::text",
        /// Step of quantity changes in the app (answers).
        multiplicity: Decimal = "wire::number",
        /// Image link (answers).
        image_url: String = "wire::text",
        /// Large image link (answers).
        image_big_url: String = "wire::text",
        /// `0` deleted, `1` active (answers); written `0`/`1`.
        is_active: bool = "wire::flag01",
    }
}

/// A warehouse of an order's goods line (`goods[].warehouses[]`): how many to take from it,
/// and in answers the warehouse's own fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderWarehouse {
    /// How many to take (required when creating).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::number")]
    pub count: Option<Decimal>,
    /// How many were taken (answers).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::number")]
    pub took_count: Option<Decimal>,
    /// The warehouse: `warehouseId` (required when creating) and, in answers, its title,
    /// address and the rest; unknown fields are kept here.
    #[serde(flatten)]
    pub warehouse: Warehouse,
}

/// A specificity of an order's goods line (`goods[].specificities[]`): how many, and the
/// specificity's own fields (`specificityId`, `price`, and in answers its title…).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderSpecificity {
    /// How many (required when creating).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::number")]
    pub count: Option<Decimal>,
    /// The specificity; its `price` is informative (the good's price must include it).
    #[serde(flatten)]
    pub specificity: Specificity,
}

model! {
    /// Items of a goods line the courier removed (`goods[].canceledItems[]`).
    pub struct CanceledItem {
        /// Why, a return reason's id.
        return_reason_id: Id = "wire::id",
        /// How many were removed.
        count: Decimal = "wire::number",
        /// When, UTC.
        created_at: DateTime<Utc> = "wire::time",
    }
}

model! {
    /// A payment of an order (`payments[]`; sent with a refund order).
    pub struct Payment {
        /// The payment's id in your system.
        payment_id: Id = "wire::id",
        /// The payment type's id.
        payment_type_id: Id = "wire::id",
        /// Amount, roubles.
        price: Decimal = "wire::number",
        /// When it was paid, UTC.
        paid_in: DateTime<Utc> = "wire::time",
        /// Card mask (card payments).
        card_mask: String = "wire::text",
        /// The bank transaction's id, RRN (card payments).
        rrn: String = "wire::text",
        /// The bank's authorisation code (card payments).
        card_auth: String = "wire::text",
    }
}

model! {
    /// The return made on an order (`returnedOrder`).
    pub struct ReturnedOrder {
        /// The returned order's id in your system.
        returned_order_id: Id = "wire::id",
        /// Why, a return reason's id.
        return_reason_id: Id = "wire::id",
        /// When, UTC.
        created_at: DateTime<Utc> = "wire::time",
        /// Money paid back.
        returned_payments: Vec<ReturnedPayment> = "wire::list",
        /// Goods taken back.
        returned_goods: Vec<ReturnedGood> = "wire::list",
    }
}

model! {
    /// A payment given back (`returnedOrder.returnedPayments[]`).
    pub struct ReturnedPayment {
        /// The payment's id in your system.
        payment_id: Id = "wire::id",
        /// The payment type's id.
        payment_type_id: Id = "wire::id",
        /// Amount, roubles.
        sum: Decimal = "wire::number",
        /// When, UTC.
        created_at: DateTime<Utc> = "wire::time",
    }
}

model! {
    /// A good taken back (`returnedOrder.returnedGoods[]`).
    pub struct ReturnedGood {
        /// The good's id.
        good_id: Id = "wire::id",
        /// Why, a return reason's id.
        return_reason_id: Id = "wire::id",
        /// How many.
        count: Decimal = "wire::number",
        /// Amount, roubles.
        sum: Decimal = "wire::number",
        /// When, UTC.
        created_at: DateTime<Utc> = "wire::time",
    }
}

/// The body of `orders/multipleUpdate` («Редактирование массива заказов»): the same
/// attributes set on several orders.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MultipleUpdate {
    /// The orders to change.
    pub order_ids: Vec<Id>,
    /// What to set.
    pub attributes: MultipleUpdateAttributes,
}

/// The attributes `orders/multipleUpdate` may change: the document's whitelist of seven
/// (statusId, deliveryStatusId, returnReasonId, courierId, deliveryTimeFrom,
/// deliveryTimeTo, addressTo) and nothing else: reading a body with any other attribute is
/// an error naming it, so a batch never silently drops a change.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MultipleUpdateAttributes {
    /// Payment status.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::id")]
    pub status_id: Option<Id>,
    /// Delivery status.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::id")]
    pub delivery_status_id: Option<Id>,
    /// Return reason.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::id")]
    pub return_reason_id: Option<Id>,
    /// Courier.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::id")]
    pub courier_id: Option<Id>,
    /// Delivery address in one line.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::text")]
    pub address_to: Option<String>,
    /// Deliver from, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::time")]
    pub delivery_time_from: Option<DateTime<Utc>>,
    /// Deliver by, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "wire::time")]
    pub delivery_time_to: Option<DateTime<Utc>>,
}

model! {
    /// A change of an order's delivery status, with where the courier was
    /// (`orders/journalStatuses`).
    pub struct StatusJournalEntry {
        /// The status set.
        status_id: Id = "wire::id",
        /// The return reason set with it.
        return_reason_id: Id = "wire::id",
        /// Longitude, degrees.
        longitude: Decimal = "wire::number",
        /// Latitude, degrees.
        latitude: Decimal = "wire::number",
        /// Accuracy, metres.
        accuracy: Decimal = "wire::number",
        /// When, UTC.
        created_at: DateTime<Utc> = "wire::time",
    }
}

model! {
    /// A courier's position («Geo-данные», `locations`); updated at most once a minute.
    pub struct Location {
        /// The courier's id.
        courier_id: Id = "wire::id",
        /// The order the courier was on.
        order_id: Id = "wire::id",
        /// The order's status (attribute list).
        order_status_id: Id = "wire::id",
        /// The order's delivery status (example body).
        delivery_status_id: Id = "wire::id",
        /// The return reason, if any.
        return_reason_id: Id = "wire::id",
        /// Longitude, degrees (the document's own captions swap latitude and longitude;
        /// the values are what their names say).
        longitude: Decimal = "wire::number",
        /// Latitude, degrees.
        latitude: Decimal = "wire::number",
        /// Accuracy, metres.
        accuracy: Decimal = "wire::number",
        /// When, UTC.
        created_at: DateTime<Utc> = "wire::time",
    }
}

/// The body iRECA POSTs to the order callback URL: `{"items": [order…]}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderCallback {
    /// The orders that changed, whole.
    pub items: Vec<Order>,
    /// Other fields of the callback, kept.
    #[serde(flatten)]
    pub extra: wire::Extra,
}

model! {
    /// The body of `orders/callback` and `licenses/callback`: where iRECA should POST, and
    /// whether it should.
    pub struct CallbackSettings {
        /// The URL iRECA POSTs to.
        url: String = "wire::text",
        /// `1` on, `0` off; written `0`/`1`.
        is_active: bool = "wire::flag01",
    }
}
