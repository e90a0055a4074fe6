//! Carreta's records: profile, search offer, order, history entry, order status.
//!
//! Every record keeps the fields it does not know in `extra` and writes them back out, so a
//! newer shop that adds fields loses nothing on the way through.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::qty::Qty;
use crate::serde_ext;

/// Fields a record did not declare, kept in arrival order and written back on output.
pub type Extra = Map<String, Value>;

/// The account profile (`carreta.profile.get`).
///
/// ```
/// let p: logibridge::carreta::Profile = serde_json::from_str(
///     r#"{"balance": "7.14", "city": "city", "email": "", "name": "name", "phone": "+7-987-1234567"}"#).unwrap();
/// assert_eq!(p.balance.to_string(), "7.14");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Balance, roubles.
    #[serde(with = "serde_ext::decimal")]
    pub balance: Decimal,
    /// City (carreta-api.txt, profile).
    #[serde(default, deserialize_with = "serde_ext::string_or_null")]
    pub city: String,
    /// E-mail.
    #[serde(default, deserialize_with = "serde_ext::string_or_null")]
    pub email: String,
    /// Full name.
    #[serde(default, deserialize_with = "serde_ext::string_or_null")]
    pub name: String,
    /// Phone.
    #[serde(default, deserialize_with = "serde_ext::string_or_null")]
    pub phone: String,
    /// Fields the document does not list, kept and written back.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The shop's signature of an offer (the `_` field). Opaque: it must be sent back unchanged
/// with the offer's fields when ordering, and the shop rejects an order whose fields no
/// longer match it.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Signature(String);

impl Signature {
    /// Wraps a signature received from the shop.
    pub fn new(raw: impl Into<String>) -> Signature {
        Signature(raw.into())
    }
    /// The signature text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let head: String = self.0.chars().take(8).collect();
        write!(f, "Signature({head}…)")
    }
}

/// One offer of a part, as returned by `carreta.search.query`.
///
/// ```
/// let o: logibridge::carreta::Offer = serde_json::from_str(r#"{"_": "sig", "code": "OC47",
///   "desc": "", "is_cross": false, "maker": "KNECHT/MAHLE", "min_qty": 1, "name": "Фильтр масляный",
///   "period_max": 7, "period_min": 7, "price": "152.02", "qty": "500", "stat": 97, "source": "57"}"#).unwrap();
/// assert_eq!(o.qty.max_order(), Some(500));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    /// The shop's opaque signature of the offer (`_`), sent back unchanged when ordering.
    #[serde(rename = "_")]
    pub signature: Signature,
    /// Part code.
    pub code: String,
    /// Description.
    #[serde(default, deserialize_with = "serde_ext::string_or_null")]
    pub desc: String,
    /// Whether this offer is an analogue (a replacement) rather than the part asked for.
    #[serde(default, deserialize_with = "serde_ext::bool_lenient")]
    pub is_cross: bool,
    /// Manufacturer.
    pub maker: String,
    /// Minimum order size; orders must be a multiple of it.
    #[serde(deserialize_with = "serde_ext::u32_lenient")]
    pub min_qty: u32,
    /// Part name.
    pub name: String,
    /// Longest delivery time, days.
    #[serde(deserialize_with = "serde_ext::u32_lenient")]
    pub period_max: u32,
    /// Shortest delivery time, days.
    #[serde(deserialize_with = "serde_ext::u32_lenient")]
    pub period_min: u32,
    /// Price, roubles.
    #[serde(with = "serde_ext::decimal")]
    pub price: Decimal,
    /// Stock, as the shop wrote it.
    pub qty: Qty,
    /// Delivery probability, percent; `None` when the shop has no statistics.
    #[serde(default, deserialize_with = "serde_ext::opt_u32")]
    pub stat: Option<u32>,
    /// The offer's source code.
    #[serde(default, deserialize_with = "serde_ext::string_or_number")]
    pub source: String,
    /// Fields the document does not list, kept and written back.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An order request: an offer's fields as the search returned them, plus the quantity.
///
/// Build it with [`NewOrder::from_offer`]; the client checks the documented rules before
/// sending it.
///
/// ```
/// # let offer: logibridge::carreta::Offer = serde_json::from_str(r#"{"_": "s", "code": "OC47", "maker": "M",
/// #   "min_qty": 2, "name": "n", "period_max": 7, "period_min": 7, "price": "1.00", "qty": "<10"}"#).unwrap();
/// use logibridge::carreta::NewOrder;
/// let order = NewOrder::from_offer(&offer, 4).client_comment("PO-1");
/// assert!(order.validate().is_ok());
/// assert!(NewOrder::from_offer(&offer, 3).validate().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewOrder {
    /// The offer's signature (`_`), as the search returned it.
    #[serde(rename = "_")]
    pub signature: Signature,
    /// Part code.
    pub code: String,
    /// Manufacturer.
    pub maker: String,
    /// Part name.
    pub name: String,
    /// Price, roubles.
    #[serde(with = "serde_ext::decimal")]
    pub price: Decimal,
    /// Shortest delivery time, days.
    #[serde(deserialize_with = "serde_ext::u32_lenient")]
    pub period_min: u32,
    /// Longest delivery time, days.
    #[serde(deserialize_with = "serde_ext::u32_lenient")]
    pub period_max: u32,
    /// Kept signed so that a face can pass nonsense (0, negatives) and get a validation
    /// error rather than a conversion failure.
    pub min_qty: i64,
    /// The offer's stock text (`10`, `<10`, `>50`, `Есть`).
    pub qty: Qty,
    /// How many pieces to order.
    pub order_qty: i64,
    /// Your comment or internal order number, at most 50 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_comment: Option<String>,
    /// The offer's other fields (`desc`, `is_cross`, `stat`, `source`, unknown ones), sent
    /// back as received because the shop asks for the search row unchanged.
    #[serde(flatten)]
    pub extra: Extra,
}

impl NewOrder {
    /// An order for `order_qty` pieces of `offer`, carrying all of the offer's fields.
    pub fn from_offer(offer: &Offer, order_qty: i64) -> NewOrder {
        let mut extra = Extra::new();
        extra.insert("desc".into(), Value::String(offer.desc.clone()));
        extra.insert("is_cross".into(), Value::Bool(offer.is_cross));
        extra.insert("stat".into(), offer.stat.map_or(Value::Null, Value::from));
        extra.insert("source".into(), Value::String(offer.source.clone()));
        for (k, v) in &offer.extra {
            extra.insert(k.clone(), v.clone());
        }
        NewOrder {
            signature: offer.signature.clone(),
            code: offer.code.clone(),
            maker: offer.maker.clone(),
            name: offer.name.clone(),
            price: offer.price,
            period_min: offer.period_min,
            period_max: offer.period_max,
            min_qty: offer.min_qty as i64,
            qty: offer.qty.clone(),
            order_qty,
            client_comment: None,
            extra,
        }
    }

    /// Sets the client comment (checked on send: at most 50 characters).
    pub fn client_comment(mut self, comment: impl Into<String>) -> NewOrder {
        self.client_comment = Some(comment.into());
        self
    }

    /// Checks every documented rule: quantity against stock and `min_qty`, comment length.
    pub fn validate(&self) -> Result<(), crate::ValidationError> {
        super::check_order_qty(&self.qty, self.min_qty, self.order_qty)?;
        if let Some(c) = &self.client_comment {
            super::check_client_comment(c)?;
        }
        Ok(())
    }
}

/// An order (`carreta.order.get`, `carreta.order.list`, `carreta.order.create`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// The shop's order id (used by `carreta.order.get`).
    #[serde(deserialize_with = "serde_ext::u64_lenient")]
    pub id: u64,
    /// The shop's order number, e.g. `A111342-1`.
    pub number: String,
    /// Status code with its name; an undocumented code is kept as `Unknown`.
    pub status: OrderStatus,
    /// The shop's text for the status.
    #[serde(default, deserialize_with = "serde_ext::string_or_null")]
    pub status_display: String,
    /// The shop's comment.
    #[serde(default, deserialize_with = "serde_ext::string_or_null")]
    pub comment: String,
    /// The comment given when ordering.
    #[serde(default, deserialize_with = "serde_ext::string_or_null")]
    pub client_comment: String,
    /// When the order was placed (shop time, UTC+03:00).
    pub created: Timestamp,
    /// Part code.
    pub code: String,
    /// Manufacturer.
    pub maker: String,
    /// Part name.
    pub name: String,
    /// Price, roubles.
    #[serde(with = "serde_ext::decimal")]
    pub price: Decimal,
    /// Shortest delivery time, days.
    #[serde(deserialize_with = "serde_ext::u32_lenient")]
    pub period_min: u32,
    /// Longest delivery time, days.
    #[serde(deserialize_with = "serde_ext::u32_lenient")]
    pub period_max: u32,
    /// Pieces ordered.
    #[serde(deserialize_with = "serde_ext::u32_lenient")]
    pub order_qty: u32,
    /// Sum, roubles.
    #[serde(with = "serde_ext::decimal")]
    pub total: Decimal,
    /// Fields the document does not list, kept and written back.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One action in an order's history (`carreta.order.history`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// What happened.
    #[serde(default, deserialize_with = "serde_ext::string_or_null")]
    pub comment: String,
    /// When (shop time, UTC+03:00).
    pub created: Timestamp,
    /// Fields the document does not list, kept and written back.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The shop's list envelope: `{"objects": [...]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Objects<T> {
    /// The items.
    pub objects: Vec<T>,
    /// Other fields of the envelope, kept.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The shop's time stamps (`"2014-10-23T16:18:31.315072"`): no zone is given; the shop
/// works in Moscow time, so they are read as UTC+03:00 (Russia has kept that offset
/// without daylight saving since 2014) and written back in the shop's own form.
///
/// ```
/// let t: logibridge::carreta::Timestamp = serde_json::from_str(r#""2014-10-23T16:18:31.315072""#).unwrap();
/// assert_eq!(t.to_rfc3339(), "2014-10-23T16:18:31.315072+03:00");
/// assert_eq!(serde_json::to_string(&t).unwrap(), r#""2014-10-23T16:18:31.315072""#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<FixedOffset>);

/// The shop's zone: UTC+03:00.
pub fn moscow() -> FixedOffset {
    FixedOffset::east_opt(3 * 3600).expect("constant offset")
}

impl Timestamp {
    /// Parses the shop's form; a trailing zone (`Z`, `+03:00`) is accepted too.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let t = text.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
            return Some(Timestamp(dt));
        }
        for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"] {
            if let Ok(naive) = NaiveDateTime::parse_from_str(t, fmt) {
                return moscow().from_local_datetime(&naive).single().map(Timestamp);
            }
        }
        None
    }

    /// ISO 8601 with the offset.
    pub fn to_rfc3339(&self) -> String {
        self.0.to_rfc3339()
    }

    /// The shop's own form, in Moscow time.
    pub fn to_shop_string(&self) -> String {
        self.0.with_timezone(&moscow()).naive_local().format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_shop_string())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("not a time stamp: {text:?}")))
    }
}

macro_rules! order_statuses {
    ($($variant:ident = $code:literal, $ru:literal, $en:literal;)*) => {
        /// An order's status: the 13 documented codes, and any other code kept as `Unknown`.
        ///
        /// ```
        /// use logibridge::carreta::OrderStatus;
        /// assert_eq!(OrderStatus::from_code(7), OrderStatus::Issued);
        /// assert_eq!(OrderStatus::from_code(99), OrderStatus::Unknown(99));
        /// assert_eq!(OrderStatus::Issued.name_ru(), "Выдан (Отправлен)");
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum OrderStatus {
            $(#[doc = $ru] $variant,)*
            /// A code the document does not list.
            Unknown(i64),
        }

        impl OrderStatus {
            /// Every documented status, in the document's order.
            pub const ALL: &'static [OrderStatus] = &[$(OrderStatus::$variant,)*];

            /// The status for a numeric code.
            pub fn from_code(code: i64) -> OrderStatus {
                match code { $($code => OrderStatus::$variant,)* other => OrderStatus::Unknown(other) }
            }
            /// The numeric code the shop uses.
            pub fn code(self) -> i64 {
                match self { $(OrderStatus::$variant => $code,)* OrderStatus::Unknown(c) => c }
            }
            /// The shop's Russian text.
            pub fn name_ru(self) -> &'static str {
                match self { $(OrderStatus::$variant => $ru,)* OrderStatus::Unknown(_) => "Неизвестный статус" }
            }
            /// An English name.
            pub fn name_en(self) -> &'static str {
                match self { $(OrderStatus::$variant => $en,)* OrderStatus::Unknown(_) => "Unknown" }
            }
        }
    };
}

order_statuses! {
    AwaitingPayment = 1, "Ожидает оплаты", "Awaiting payment";
    Received = 2, "Получен в заказ", "Received";
    InProgress = 3, "В работе", "In progress";
    AcceptedBySupplier = 11, "Принят поставщиком", "Accepted by supplier";
    InTransitFromSupplier = 4, "В пути от поставщика", "In transit from supplier";
    AtBranchWarehouse = 13, "На складе филиала", "At branch warehouse";
    InTransitFromBranch = 12, "В пути из филиала", "In transit from branch";
    AtWarehouse = 14, "На складе", "At warehouse";
    InTransitToPickup = 15, "В пути в пункт выдачи", "In transit to pickup point";
    AtPickupPoint = 5, "В пункте выдачи", "At pickup point";
    Issued = 7, "Выдан (Отправлен)", "Issued (shipped)";
    OutOfStock = 10, "Нет в наличии", "Out of stock";
    Cancelled = 8, "Отменен", "Cancelled";
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_ru())
    }
}

impl Serialize for OrderStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.code())
    }
}

impl<'de> Deserialize<'de> for OrderStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OrderStatus, D::Error> {
        let text = serde_ext::string_or_number(d)?;
        text.trim().parse::<i64>().map(OrderStatus::from_code).map_err(|_| serde::de::Error::custom(format!("not a status code: {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Every JSON example in carreta-api.txt, as printed there: the fixtures the sandbox
    // is held to as well (sandbox/tests/carreta.rs).
    const PROFILE: &str = include_str!("../../../tests/fixtures/carreta/profile.json");
    const UNAUTHORIZED: &str = include_str!("../../../tests/fixtures/carreta/unauthorized.json");
    const SEARCH: &str = include_str!("../../../tests/fixtures/carreta/search.json");
    const ORDER_FULL: &str = include_str!("../../../tests/fixtures/carreta/order_full.json");
    const ORDER_MINIMAL: &str = include_str!("../../../tests/fixtures/carreta/order_minimal.json");
    const ORDER: &str = include_str!("../../../tests/fixtures/carreta/order.json");
    const HISTORY: &str = include_str!("../../../tests/fixtures/carreta/history.json");

    #[test]
    fn document_examples_decode() {
        let p: Profile = serde_json::from_str(PROFILE).unwrap();
        assert_eq!(p.balance, Decimal::new(714, 2));
        assert_eq!(p.phone, "+7-987-1234567");

        let e: Value = serde_json::from_str(UNAUTHORIZED).unwrap();
        assert_eq!(e["error"], "Unauthorized.");

        let s: Objects<Offer> = serde_json::from_str(SEARCH).unwrap();
        let o = &s.objects[0];
        assert_eq!((o.code.as_str(), o.maker.as_str(), o.name.as_str()), ("OC47", "KNECHT/MAHLE", "Фильтр масляный"));
        assert_eq!(o.price, Decimal::new(15202, 2));
        assert_eq!((o.stat, o.source.as_str(), o.min_qty, o.is_cross), (Some(97), "57", 1, false));

        let full: NewOrder = serde_json::from_str(ORDER_FULL).unwrap();
        assert!(full.validate().is_ok());
        // The document's placeholder comment is itself 59 characters long, so the example
        // decodes but breaks the 50-character rule it describes.
        let minimal: NewOrder = serde_json::from_str(ORDER_MINIMAL).unwrap();
        assert_eq!(minimal.validate().unwrap_err().code, "client_comment.too_long");
        assert!(minimal.clone().client_comment("до 50 символов").validate().is_ok());
        let n: NewOrder = serde_json::from_str(ORDER_FULL).unwrap();
        assert_eq!((n.order_qty, n.qty.raw(), n.price.to_string().as_str()), (10, "300", "175.11"));

        let order: Order = serde_json::from_str(ORDER).unwrap();
        assert_eq!((order.id, order.number.as_str(), order.status), (189330, "A111342-1", OrderStatus::Issued));
        assert_eq!(order.total, Decimal::new(21286, 2));
        assert_eq!(order.created.to_rfc3339(), "2014-10-23T16:18:31.315072+03:00");

        let h: Objects<HistoryEntry> = serde_json::from_str(HISTORY).unwrap();
        assert!(h.objects[0].comment.starts_with("Создан со статусом \"Холд\""));
    }

    #[test]
    fn order_round_trips_with_unknown_fields() {
        let mut v: Value = serde_json::from_str(ORDER).unwrap();
        v["delivery_point"] = Value::String("Склад №2".into());
        v["status"] = Value::from(42);
        let order: Order = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(order.status, OrderStatus::Unknown(42));
        assert_eq!(order.extra["delivery_point"], "Склад №2");
        assert_eq!(serde_json::to_value(&order).unwrap(), v);
    }

    #[test]
    fn new_order_from_offer_sends_the_search_row_back() {
        let mut s: Value = serde_json::from_str(SEARCH).unwrap();
        s["objects"][0]["warehouse"] = Value::from("MSK");
        let offers: Objects<Offer> = serde_json::from_value(s.clone()).unwrap();
        let body = serde_json::to_value(NewOrder::from_offer(&offers.objects[0], 2)).unwrap();
        for (k, v) in s["objects"][0].as_object().unwrap() {
            assert_eq!(&body[k], v, "field {k}");
        }
        assert_eq!(body["order_qty"], 2);
        assert!(body.get("client_comment").is_none());
    }

    #[test]
    fn statuses_cover_the_document() {
        assert_eq!(OrderStatus::ALL.len(), 13);
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::from_code(s.code()), *s);
        }
    }
}
