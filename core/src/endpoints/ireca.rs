//! iRECA Courier's rows (`ireca-courier-api.apib`): the ten catalogue resources that share
//! one CRUD shape (six rows each, made by one macro from a line per resource), the thirty
//! other calls, and three library-side rows: the two callback parsers and the order lint.
//!
//! ```
//! use logibridge::endpoints::{ireca, Location, Paging};
//! assert_eq!(ireca::SERVICE.endpoints.len(), 93);
//! assert_eq!((ireca::goods::GET.path, ireca::goods::GET.param("good_id").unwrap().wire), ("goods", "goodId"));
//! assert_eq!(ireca::goods::LIST.paging, Paging::PageCount { page: "page", count: "count", first: 0, size: 500, max: 500 });
//! assert_eq!(ireca::ORDERS_CREATE_REFUND.param("is_refund").unwrap().fixed, Some("1"));
//! ```

use serde_json::{Map, Value};
#[cfg(test)]
use serde_json::json;

use super::types::*;
use crate::error::{Error, Result, ValidationError};
use crate::ireca::{self as m, rules};

const S: &str = "ireca";

/// The largest page the service serves (`count`, «максимум - 500»).
pub const MAX_PAGE_COUNT: u32 = 500;

/// Pages of `page` (from 0) and `count` (≤ 500); a walk asks for the largest pages.
const PAGED: Paging = Paging::PageCount { page: "page", count: "count", first: 0, size: MAX_PAGE_COUNT, max: MAX_PAGE_COUNT };

const PAGE: Param = Param::new("page", Location::Query, Type::Integer).range(Some(0), Some(u32::MAX as i64)).doc("Страница", "The page, from 0.");
const COUNT: Param = Param::new("count", Location::Query, Type::Integer).range(Some(1), Some(MAX_PAGE_COUNT as i64)).doc("Количество", "Items per page, 1 to 500 (the service's default is 20).");

/// An answer with no body: the document says 201 for some and 204 for others, and its own
/// examples disagree with its prose (an update answered 201), so any 2xx is success.
const DONE: Response = Response { success: &[], ..Response::NO_CONTENT };

/// A model read with the service's PHP spellings and exact decimals.
macro_rules! models {
    ($($stat:ident: $ty:ty = $name:literal;)*) => {
        $(static $stat: Model = Model::exact::<$ty>($name);)*
    };
}

models! {
    GOOD: m::Good = "Good";
    NEW_GOOD: m::wire::TopLevelByDefault<m::Good> = "Good";
    NEW_SPECIFICITY: m::wire::TopLevelByDefault<m::Specificity> = "Specificity";
    SPECIFICITY: m::Specificity = "Specificity";
    WAREHOUSE: m::Warehouse = "Warehouse";
    COURIER: m::Courier = "Courier";
    ROLE: m::Role = "Role";
    CUSTOMER: m::Customer = "Client";
    SUPPLIER: m::Supplier = "Supplier";
    RETURN_REASON: m::ReturnReason = "ReturnReason";
    PAYMENT_TYPE: m::PaymentType = "PaymentType";
    TAX: m::Tax = "Tax";
    ORDER: m::Order = "Order";
    MULTIPLE_UPDATE: m::MultipleUpdate = "MultipleUpdate";
    CALLBACK_SETTINGS: m::CallbackSettings = "CallbackSettings";
    STATUS_JOURNAL_ENTRY: m::StatusJournalEntry = "StatusJournalEntry";
    LOCATION: m::Location = "Location";
    RECEIPT: m::Receipt = "Receipt";
    CORRECTION_RECEIPT: m::CorrectionReceipt = "CorrectionReceipt";
    ATOL_SETTINGS: m::AtolSettings = "AtolSettings";
    PECHKA54_SETTINGS: m::Pechka54Settings = "Pechka54Settings";
    CHANGE_JOURNAL_ENTRY: m::ChangeJournalEntry = "ChangeJournalEntry";
    PERMISSION: m::Permission = "Permission";
    LICENSES: m::Licenses = "Licenses";
    BANK_TERMINAL_LOG: m::BankTerminalLog = "BankTerminalLog";
    FISCAL_REGISTRATOR_LOG: m::FiscalRegistratorLog = "FiscalRegistratorLog";
    ORDER_STATUS: m::OrderStatus = "OrderStatus";
    DELIVERY_STATUS: m::DeliveryStatus = "DeliveryStatus";
    CLOSE_TYPE: m::CloseType = "CloseType";
    TAX_TYPE: m::TaxType = "TaxType";
    CALC_TYPE: m::CalcType = "CalcType";
    PERMISSION_INFO: m::PermissionInfo = "PermissionInfo";
}

/// The six rows of one catalogue resource (ENDPOINTS.md: «Ten resources share one CRUD
/// shape»): `create` (POST `path`, array body), `get` (GET `path?{key}=`), `list` (GET
/// `path?page=&count=`, paged), `update` (PUT `path?{key}=`, the attributes to change),
/// `replace` (POST `path/replace`, array body: create or update each), `delete` (DELETE
/// `path?{key}=`, a soft delete). Create, update and replace check the document's required
/// attributes and every `inn` before sending.
macro_rules! crud {
    (@new $model:ident) => { &$model };
    (@new $model:ident $new:ident) => { &$new };
    ($(#[$doc:meta])* $res:ident: $name:literal, $path:literal, key $key:literal as $key_param:literal, $model:ident $(new $new:ident)?,
     required [$($required:literal),*], section $section:literal,
     en ($en_one:literal, $en_few:literal, $en_name:literal, $en_many:literal), ru ($ru_one:literal, $ru_acc:literal, $ru_many:literal)) => {
        $(#[$doc])*
        pub mod $res {
            use super::*;

            const KEY: Param = Param::new($key_param, Location::Query, Type::String).wire($key).required()
                .doc(concat!("Идентификатор", $ru_one), concat!("The `", $key, "` of the object."));
            const REQUIRED: &[&str] = &[$($required),*];
            static ITEM: Type = Type::Model(crud!(@new $model $($new)?));
            const ITEMS: Param = Param::new("items", Location::Body, Type::Array(&ITEM)).required()
                .doc($ru_many, concat!("Whole objects, each with its `", $key, "` and the document's required attributes (", $section, "); a good or specificity without `parentId` is top-level."));

            /// Create: the document's required attributes. Replace: only the id, since an
            /// object that exists may be sent in part (the service says what a new one lacks).
            fn check_items_with(params: &Map<String, Value>, required: &[&str]) -> Result<()> {
                check_each(params, |path, item| {
                    let Value::Object(o) = item else { return Ok(()) };
                    rules::check_required(path, o, required, $section)?;
                    rules::check_inns(path, item)
                })
            }
            fn check_create(params: &Map<String, Value>) -> Result<()> {
                check_items_with(params, REQUIRED)
            }
            fn check_replace(params: &Map<String, Value>) -> Result<()> {
                check_items_with(params, &[$key])
            }
            fn check_update(params: &Map<String, Value>) -> Result<()> {
                params.get("changes").map_or(Ok(()), |c| rules::check_inns("changes", c).map_err(Error::from))
            }

            #[doc = concat!("`ireca.", $name, ".create` (POST `", $path, "`, array body).")]
            pub const CREATE: &Endpoint = &Endpoint {
                summary: concat!("Creates ", $en_few, "; an id that exists already fails the whole batch."),
                params: &[ITEMS],
                body: BodyKind::Array,
                check: Some(check_create),
                response: DONE,
                names: FaceNames { python: concat!($name, ".create"), onec_en: concat!("Create", $en_many), onec_ru: concat!("Создать", $ru_many) },
                ..Endpoint::new(concat!("ireca.", $name, ".create"), S, Method::Post, $path)
            };
            #[doc = concat!("`ireca.", $name, ".get` (GET `", $path, "?", $key, "=`); 404 for an unknown id.")]
            pub const GET: &Endpoint = &Endpoint {
                summary: concat!("One ", $en_one, " by its `", $key, "`."),
                params: &[KEY],
                response: Response::one(&$model),
                names: FaceNames { python: concat!($name, ".get"), onec_en: concat!("Get", $en_name), onec_ru: concat!("Получить", $ru_acc) },
                ..Endpoint::new(concat!("ireca.", $name, ".get"), S, Method::Get, $path)
            };
            #[doc = concat!("`ireca.", $name, ".list` (GET `", $path, "?page=&count=`), deleted ones included (`isActive` 0).")]
            pub const LIST: &Endpoint = &Endpoint {
                summary: concat!("The ", $en_few, ", a page at a time (deleted ones included, isActive 0)."),
                params: &[PAGE, COUNT],
                response: Response::list(&$model, None),
                paging: PAGED,
                names: FaceNames { python: concat!($name, ".list"), onec_en: $en_many, onec_ru: $ru_many },
                ..Endpoint::new(concat!("ireca.", $name, ".list"), S, Method::Get, $path)
            };
            #[doc = concat!("`ireca.", $name, ".update` (PUT `", $path, "?", $key, "=`): the attributes given change, the rest stay.")]
            pub const UPDATE: &Endpoint = &Endpoint {
                summary: concat!("Changes the given attributes of one ", $en_one, "."),
                params: &[KEY, Param::new("changes", Location::Body, Type::Model(&$model)).required().doc("Изменения", "The attributes to change.")],
                body: BodyKind::Whole,
                check: Some(check_update),
                response: DONE,
                names: FaceNames { python: concat!($name, ".update"), onec_en: concat!("Update", $en_name), onec_ru: concat!("Изменить", $ru_acc) },
                ..Endpoint::new(concat!("ireca.", $name, ".update"), S, Method::Put, $path)
            };
            #[doc = concat!("`ireca.", $name, ".replace` (POST `", $path, "/replace`, array body): creates those that do not exist, updates (and reactivates) those that do.")]
            pub const REPLACE: &Endpoint = &Endpoint {
                summary: concat!("Creates or updates ", $en_few, " by id (an upsert; repeating it is harmless)."),
                params: &[ITEMS],
                body: BodyKind::Array,
                check: Some(check_replace),
                response: DONE,
                idempotent: true,
                names: FaceNames { python: concat!($name, ".replace"), onec_en: concat!("CreateOrUpdate", $en_many), onec_ru: concat!("СоздатьИлиИзменить", $ru_many) },
                ..Endpoint::new(concat!("ireca.", $name, ".replace"), S, Method::Post, concat!($path, "/replace"))
            };
            #[doc = concat!("`ireca.", $name, ".delete` (DELETE `", $path, "?", $key, "=`): a soft delete (`isActive` becomes 0).")]
            pub const DELETE: &Endpoint = &Endpoint {
                summary: concat!("Deletes one ", $en_one, " (softly: it stays, with isActive 0)."),
                params: &[KEY],
                response: DONE,
                names: FaceNames { python: concat!($name, ".delete"), onec_en: concat!("Delete", $en_name), onec_ru: concat!("Удалить", $ru_acc) },
                ..Endpoint::new(concat!("ireca.", $name, ".delete"), S, Method::Delete, $path)
            };

            /// The six rows, in ENDPOINTS.md's order.
            pub static ENDPOINTS: [&Endpoint; 6] = [CREATE, GET, LIST, UPDATE, REPLACE, DELETE];
        }
    };
}

crud! {
    /// Goods («Каталог товаров»).
    goods: "goods", "goods", key "goodId" as "good_id", GOOD new NEW_GOOD,
    required ["goodId", "taxId", "title", "price"], section "Создание товаров",
    en ("good", "goods", "Good", "Goods"), ru ("Товара", "Товар", "Товары")
}
crud! {
    /// Specificities («Характеристики»).
    specificities: "specificities", "specificities", key "specificityId" as "specificity_id", SPECIFICITY new NEW_SPECIFICITY,
    required ["specificityId", "title", "price"], section "Создание характеристик",
    en ("specificity", "specificities", "Specificity", "Specificities"), ru ("Характеристики", "Характеристику", "Характеристики")
}
crud! {
    /// Warehouses («Склады»).
    warehouses: "warehouses", "warehouses", key "warehouseId" as "warehouse_id", WAREHOUSE,
    required ["warehouseId", "title"], section "Создание склада",
    en ("warehouse", "warehouses", "Warehouse", "Warehouses"), ru ("Склада", "Склад", "Склады")
}
crud! {
    /// Couriers («Курьер»).
    couriers: "couriers", "couriers", key "courierId" as "courier_id", COURIER,
    required ["courierId", "title", "email", "phone", "sourcePassword"], section "Создание курьеров",
    en ("courier", "couriers", "Courier", "Couriers"), ru ("Курьера", "Курьера", "Курьеры")
}
crud! {
    /// The app's roles («Роли приложения»).
    roles: "roles", "userRoles", key "roleId" as "role_id", ROLE,
    required ["roleId", "title"], section "Создание роли",
    en ("role", "roles", "Role", "Roles"), ru ("Роли", "Роль", "Роли")
}
crud! {
    /// Clients («Клиент»).
    clients: "clients", "clients", key "clientId" as "client_id", CUSTOMER,
    required ["clientId", "title", "firstname", "lastname", "birthday"], section "Создание клиентов",
    en ("client", "clients", "Client", "Clients"), ru ("Клиента", "Клиента", "Клиенты")
}
crud! {
    /// Suppliers («Поставщики»).
    suppliers: "suppliers", "suppliers", key "supplierId" as "supplier_id", SUPPLIER,
    required ["supplierId", "title"], section "Создание поставщика",
    en ("supplier", "suppliers", "Supplier", "Suppliers"), ru ("Поставщика", "Поставщика", "Поставщики")
}
crud! {
    /// Return reasons («Причины возврата»).
    return_reasons: "return_reasons", "orderReturnReasons", key "reasonId" as "reason_id", RETURN_REASON,
    required ["reasonId", "title"], section "Создание причин возврата",
    en ("return reason", "return reasons", "ReturnReason", "ReturnReasons"), ru ("Причины", "ПричинуВозврата", "ПричиныВозврата")
}
crud! {
    /// Payment types («Типы оплаты»).
    payment_types: "payment_types", "paymentTypes", key "paymentTypeId" as "payment_type_id", PAYMENT_TYPE,
    required ["paymentTypeId", "closeTypeId"], section "Создание типов оплаты",
    en ("payment type", "payment types", "PaymentType", "PaymentTypes"), ru ("ТипаОплаты", "ТипОплаты", "ТипыОплаты")
}
crud! {
    /// Taxes («Налоги»).
    taxes: "taxes", "taxes", key "taxId" as "tax_id", TAX,
    required ["taxId"], section "Создание налогов",
    en ("tax", "taxes", "Tax", "Taxes"), ru ("Налога", "Налог", "Налоги")
}

/// Runs `rule` on each item of the checked `items` list, naming the item's path.
fn check_each(params: &Map<String, Value>, rule: impl Fn(&str, &Value) -> std::result::Result<(), ValidationError>) -> Result<()> {
    if let Some(Value::Array(items)) = params.get("items") {
        for (i, item) in items.iter().enumerate() {
            rule(&format!("items[{i}]"), item)?;
        }
    }
    Ok(())
}

// -- orders ------------------------------------------------------------------------------

const ORDER_ID: Param = Param::new("order_id", Location::Query, Type::String).wire("orderId").required().doc("ИдентификаторЗаказа", "The order's `orderId` (your system's id).");
static ORDER_ITEM: Type = Type::Model(&ORDER);
const ORDERS: Param = Param::new("items", Location::Body, Type::Array(&ORDER_ITEM)).required().doc("Заказы", "The orders, each with the document's required attributes (ireca-courier-api.apib, «Создание заказов»).");

fn check_new_orders(params: &Map<String, Value>) -> Result<()> {
    check_each(params, rules::check_new_order)
}

fn check_order_changes(params: &Map<String, Value>) -> Result<()> {
    let Some(changes) = params.get("changes") else { return Ok(()) };
    if let Value::Object(o) = changes {
        rules::check_delivery_window("changes", o)?;
        rules::check_one_warehouse_per_line("changes", o)?;
    }
    rules::check_inns("changes", changes)?;
    Ok(())
}

fn check_multiple_update(params: &Map<String, Value>) -> Result<()> {
    let Some(Value::Object(update)) = params.get("update") else { return Ok(()) };
    if update.get("orderIds").and_then(Value::as_array).is_none_or(Vec::is_empty) {
        return Err(ValidationError::new("update.orderIds", "ireca.required", "is required: at least one order id (ireca-courier-api.apib, «Редактирование массива заказов»)", "обязателен: хотя бы один идентификатор заказа (ireca-courier-api.apib, «Редактирование массива заказов»)").into());
    }
    match update.get("attributes") {
        Some(Value::Object(a)) if !a.is_empty() => Ok(rules::check_delivery_window("update.attributes", a)?),
        _ => Err(ValidationError::new("update.attributes", "ireca.required", "is required: at least one of the seven attributes (ireca-courier-api.apib, «Редактирование массива заказов»)", "обязателен: хотя бы один из семи атрибутов (ireca-courier-api.apib, «Редактирование массива заказов»)").into()),
    }
}

/// `ireca.orders.create` (POST `orders`): orders from your system; the document's required
/// attributes, one warehouse per line, the delivery window and INNs are checked first.
pub const ORDERS_CREATE: &Endpoint = &Endpoint {
    summary: "Creates orders; the document's required attributes, one warehouse per goods line, deliveryTimeFrom ≤ deliveryTimeTo and INN checksums are checked before sending.",
    params: &[ORDERS],
    body: BodyKind::Array,
    check: Some(check_new_orders),
    response: DONE,
    names: FaceNames { python: "orders.create", onec_en: "CreateOrders", onec_ru: "СоздатьЗаказы" },
    ..Endpoint::new("ireca.orders.create", S, Method::Post, "orders")
};

/// `ireca.orders.create_refund` (POST `orders?isRefund=1`): refund orders, with their
/// `payments` («Создание заказов для кассового возврата»).
pub const ORDERS_CREATE_REFUND: &Endpoint = &Endpoint {
    summary: "Creates refund orders (isRefund=1), with the payments to return; checked like orders.create.",
    params: &[ORDERS, Param::new("is_refund", Location::Query, Type::String).wire("isRefund").fixed("1").doc("Возврат", "Always 1: the orders are refunds.")],
    body: BodyKind::Array,
    check: Some(check_new_orders),
    response: DONE,
    names: FaceNames { python: "orders.create_refund", onec_en: "CreateRefundOrders", onec_ru: "СоздатьЗаказыНаВозврат" },
    ..Endpoint::new("ireca.orders.create_refund", S, Method::Post, "orders")
};

/// `ireca.orders.get` (GET `orders?orderId=`); 404 for an unknown order.
pub const ORDERS_GET: &Endpoint = &Endpoint {
    summary: "One order by its orderId.",
    params: &[ORDER_ID],
    response: Response::one(&ORDER),
    names: FaceNames { python: "orders.get", onec_en: "GetOrder", onec_ru: "ПолучитьЗаказ" },
    ..Endpoint::new("ireca.orders.get", S, Method::Get, "orders")
};

/// `ireca.orders.list` (GET `orders?page=&count=`).
pub const ORDERS_LIST: &Endpoint = &Endpoint {
    summary: "The orders, a page at a time.",
    params: &[PAGE, COUNT],
    response: Response::list(&ORDER, None),
    paging: PAGED,
    names: FaceNames { python: "orders.list", onec_en: "Orders", onec_ru: "Заказы" },
    ..Endpoint::new("ireca.orders.list", S, Method::Get, "orders")
};

/// `ireca.orders.update` (PUT `orders?orderId=`): the attributes given change.
pub const ORDERS_UPDATE: &Endpoint = &Endpoint {
    summary: "Changes the given attributes of one order (get → modify → update keeps attributes the library does not know).",
    params: &[ORDER_ID, Param::new("changes", Location::Body, Type::Model(&ORDER)).required().doc("Изменения", "The attributes to change, or the whole order as got.")],
    body: BodyKind::Whole,
    check: Some(check_order_changes),
    response: DONE,
    names: FaceNames { python: "orders.update", onec_en: "UpdateOrder", onec_ru: "ИзменитьЗаказ" },
    ..Endpoint::new("ireca.orders.update", S, Method::Put, "orders")
};

/// `ireca.orders.update_many` (PUT `orders/multipleUpdate`): the same attributes on several
/// orders; only the document's seven attributes are accepted, checked before sending.
pub const ORDERS_UPDATE_MANY: &Endpoint = &Endpoint {
    summary: "Sets the same attributes on several orders: only statusId, deliveryStatusId, returnReasonId, courierId, deliveryTimeFrom, deliveryTimeTo and addressTo (refused before sending otherwise).",
    params: &[Param::new("update", Location::Body, Type::Model(&MULTIPLE_UPDATE)).required().doc("Изменения", "`{\"orderIds\": [...], \"attributes\": {...}}`.")],
    body: BodyKind::Whole,
    check: Some(check_multiple_update),
    response: DONE,
    names: FaceNames { python: "orders.update_many", onec_en: "UpdateOrders", onec_ru: "ИзменитьЗаказы" },
    ..Endpoint::new("ireca.orders.update_many", S, Method::Put, "orders/multipleUpdate")
};

/// `ireca.orders.replace` (POST `orders/replace`): creates or updates orders by `orderId`.
pub const ORDERS_REPLACE: &Endpoint = &Endpoint {
    summary: "Creates or updates orders by orderId (an upsert); checked like orders.create.",
    params: &[ORDERS],
    body: BodyKind::Array,
    check: Some(check_new_orders),
    response: DONE,
    idempotent: true,
    names: FaceNames { python: "orders.replace", onec_en: "CreateOrUpdateOrders", onec_ru: "СоздатьИлиИзменитьЗаказы" },
    ..Endpoint::new("ireca.orders.replace", S, Method::Post, "orders/replace")
};

/// `ireca.orders.delete` (DELETE `orders?orderId=`).
pub const ORDERS_DELETE: &Endpoint = &Endpoint {
    summary: "Deletes one order.",
    params: &[ORDER_ID],
    response: DONE,
    names: FaceNames { python: "orders.delete", onec_en: "DeleteOrder", onec_ru: "УдалитьЗаказ" },
    ..Endpoint::new("ireca.orders.delete", S, Method::Delete, "orders")
};

const CALLBACK: Param = Param::new("settings", Location::Body, Type::Model(&CALLBACK_SETTINGS)).required().doc("Настройки", "`{\"url\": \"https://…\", \"isActive\": true}`.");

fn check_callback_url(params: &Map<String, Value>) -> Result<()> {
    let url = params.get("settings").and_then(|s| s.get("url")).and_then(Value::as_str).unwrap_or_default();
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(ValidationError::new("settings.url", "ireca.callback_url", format!("\"{}\" is not an http(s) URL the service could call", crate::shown_input(url)), format!("«{}» не является адресом http(s), по которому сервис мог бы обратиться", crate::shown_input(url))).into()),
    }
}

/// `ireca.orders.set_callback` (POST `orders/callback`): the URL iRECA POSTs changed
/// orders to (see `ireca.callback.order`).
pub const ORDERS_SET_CALLBACK: &Endpoint = &Endpoint {
    summary: "Registers (or switches off) the URL the service POSTs changed orders to.",
    params: &[CALLBACK],
    body: BodyKind::Whole,
    check: Some(check_callback_url),
    response: DONE,
    idempotent: true,
    names: FaceNames { python: "orders.set_callback", onec_en: "SetOrderCallback", onec_ru: "УстановитьОбработчикЗаказов" },
    ..Endpoint::new("ireca.orders.set_callback", S, Method::Post, "orders/callback")
};

/// `ireca.orders.status_journal` (GET `orders/journalStatuses?orderId=`).
pub const ORDERS_STATUS_JOURNAL: &Endpoint = &Endpoint {
    summary: "An order's delivery-status changes, oldest first, with where the courier was.",
    params: &[ORDER_ID],
    response: Response::list(&STATUS_JOURNAL_ENTRY, None),
    names: FaceNames { python: "orders.status_journal", onec_en: "OrderStatusJournal", onec_ru: "ЖурналСтатусовЗаказа" },
    ..Endpoint::new("ireca.orders.status_journal", S, Method::Get, "orders/journalStatuses")
};

// -- the other calls ---------------------------------------------------------------------

const COURIER_ID: Param = Param::new("courier_id", Location::Query, Type::String).wire("courierId").doc("ИдентификаторКурьера", "Only this courier's.");

/// `ireca.locations.list` (GET `locations?courierId=&createdAt=&page=&count=`).
pub const LOCATIONS_LIST: &Endpoint = &Endpoint {
    summary: "A courier's locations, from a moment on, a page at a time.",
    params: &[
        Param::new("courier_id", Location::Query, Type::String).wire("courierId").required().doc("ИдентификаторКурьера", "The courier's id."),
        Param::new("created_at", Location::Query, Type::DateTime).wire("createdAt").doc("Начало", "Only locations from this moment on (sent in GMT+0)."),
        PAGE,
        COUNT,
    ],
    response: Response::list(&LOCATION, None),
    paging: PAGED,
    names: FaceNames { python: "locations.list", onec_en: "Locations", onec_ru: "Местоположения" },
    ..Endpoint::new("ireca.locations.list", S, Method::Get, "locations")
};

/// `ireca.receipts.payment` (GET `orderReceipts?orderId=`).
pub const RECEIPTS_PAYMENT: &Endpoint = &Endpoint {
    summary: "The payment receipt of an order.",
    params: &[ORDER_ID],
    response: Response::one(&RECEIPT),
    names: FaceNames { python: "receipts.payment", onec_en: "PaymentReceipt", onec_ru: "ЧекОплаты" },
    ..Endpoint::new("ireca.receipts.payment", S, Method::Get, "orderReceipts")
};

/// `ireca.receipts.refund` (GET `orderReturnReceipts?orderId=`).
pub const RECEIPTS_REFUND: &Endpoint = &Endpoint {
    summary: "The refund receipt of an order.",
    params: &[ORDER_ID],
    response: Response::one(&RECEIPT),
    names: FaceNames { python: "receipts.refund", onec_en: "RefundReceipt", onec_ru: "ЧекВозврата" },
    ..Endpoint::new("ireca.receipts.refund", S, Method::Get, "orderReturnReceipts")
};

/// `ireca.receipts.correction` (GET `correctionReceipts?courierId=&page=&count=`).
pub const RECEIPTS_CORRECTION: &Endpoint = &Endpoint {
    summary: "Correction receipts, optionally of one courier, a page at a time.",
    params: &[COURIER_ID, PAGE, COUNT],
    response: Response::list(&CORRECTION_RECEIPT, None),
    paging: PAGED,
    names: FaceNames { python: "receipts.correction", onec_en: "CorrectionReceipts", onec_ru: "ЧекиКоррекции" },
    ..Endpoint::new("ireca.receipts.correction", S, Method::Get, "correctionReceipts")
};

fn check_atol(params: &Map<String, Value>) -> Result<()> {
    params.get("settings").map_or(Ok(()), |s| rules::check_inns("settings", s).map_err(Error::from))
}

/// `ireca.atol.replace_settings` (POST `atolOnlineSettings/replace`).
pub const ATOL_REPLACE_SETTINGS: &Endpoint = &Endpoint {
    summary: "Creates or replaces the Atol Online remote-fiscalisation settings (company INN checked).",
    params: &[Param::new("settings", Location::Body, Type::Model(&ATOL_SETTINGS)).required().doc("Настройки", "The Atol Online settings.")],
    body: BodyKind::Whole,
    check: Some(check_atol),
    response: DONE,
    idempotent: true,
    names: FaceNames { python: "atol.replace_settings", onec_en: "ReplaceAtolSettings", onec_ru: "ЗаменитьНастройкиАтол" },
    ..Endpoint::new("ireca.atol.replace_settings", S, Method::Post, "atolOnlineSettings/replace")
};

/// `ireca.pechka54.get_settings` (GET `pechka54Settings`).
pub const PECHKA54_GET_SETTINGS: &Endpoint = &Endpoint {
    summary: "The Pechka54 settings (the link that connects Pechka54 to iRECA).",
    response: Response::one(&PECHKA54_SETTINGS),
    names: FaceNames { python: "pechka54.get_settings", onec_en: "Pechka54Settings", onec_ru: "НастройкиПечка54" },
    ..Endpoint::new("ireca.pechka54.get_settings", S, Method::Get, "pechka54Settings")
};

/// `ireca.journal.list` (GET `journal?entityId=&startedAt=&page=&count=`).
pub const JOURNAL_LIST: &Endpoint = &Endpoint {
    summary: "An order's change journal (who changed what, before and after), from a moment on, a page at a time.",
    params: &[
        Param::new("entity_id", Location::Query, Type::String).wire("entityId").required().doc("ИдентификаторЗаказа", "The order's orderId."),
        Param::new("started_at", Location::Query, Type::DateTime).wire("startedAt").doc("Начало", "Only changes from this moment on (sent in GMT+0)."),
        PAGE,
        COUNT,
    ],
    response: Response::list(&CHANGE_JOURNAL_ENTRY, None),
    paging: PAGED,
    names: FaceNames { python: "journal.list", onec_en: "ChangeJournal", onec_ru: "ЖурналИзменений" },
    ..Endpoint::new("ireca.journal.list", S, Method::Get, "journal")
};

/// `ireca.permissions.list` (GET `permissions?roleId=&permissionId=`).
pub const PERMISSIONS_LIST: &Endpoint = &Endpoint {
    summary: "Access settings of the app's roles, optionally of one role and one setting.",
    params: &[
        Param::new("role_id", Location::Query, Type::String).wire("roleId").doc("ИдентификаторРоли", "Only this role's."),
        Param::new("permission_id", Location::Query, Type::String).wire("permissionId").doc("ИдентификаторНастройки", "Only this setting (`registratorShiftOpen`; the document also calls it actionId)."),
    ],
    response: Response::list(&PERMISSION, None),
    names: FaceNames { python: "permissions.list", onec_en: "Permissions", onec_ru: "НастройкиДоступа" },
    ..Endpoint::new("ireca.permissions.list", S, Method::Get, "permissions")
};

static PERMISSION_ITEM: Type = Type::Model(&PERMISSION);

/// `ireca.permissions.replace` (POST `permissions/replace`).
pub const PERMISSIONS_REPLACE: &Endpoint = &Endpoint {
    summary: "Sets or resets access settings of roles.",
    params: &[Param::new("items", Location::Body, Type::Array(&PERMISSION_ITEM)).required().doc("Настройки", "`[{\"roleId\": 908, \"actionId\": \"registratorShiftOpen\", \"isAllowed\": true}]`.")],
    body: BodyKind::Array,
    response: DONE,
    idempotent: true,
    names: FaceNames { python: "permissions.replace", onec_en: "ReplacePermissions", onec_ru: "ЗаменитьНастройкиДоступа" },
    ..Endpoint::new("ireca.permissions.replace", S, Method::Post, "permissions/replace")
};

/// `ireca.licenses.list` (GET `licenses`).
pub const LICENSES_LIST: &Endpoint = &Endpoint {
    summary: "Licences in use and in all, and the couriers' sessions holding them.",
    response: Response::one(&LICENSES),
    names: FaceNames { python: "licenses.list", onec_en: "Licenses", onec_ru: "Лицензии" },
    ..Endpoint::new("ireca.licenses.list", S, Method::Get, "licenses")
};

/// `ireca.licenses.close` (POST `licenses/close?deviceId=`).
pub const LICENSES_CLOSE: &Endpoint = &Endpoint {
    summary: "Frees the licence held by a device (ends its courier's session).",
    params: &[Param::new("device_id", Location::Query, Type::String).wire("deviceId").required().doc("ИдентификаторУстройства", "The device's id (`64fa00ec9ffc4b99`).")],
    response: DONE,
    idempotent: true,
    names: FaceNames { python: "licenses.close", onec_en: "CloseLicense", onec_ru: "ОсвободитьЛицензию" },
    ..Endpoint::new("ireca.licenses.close", S, Method::Post, "licenses/close")
};

/// `ireca.licenses.set_callback` (POST `licenses/callback`).
pub const LICENSES_SET_CALLBACK: &Endpoint = &Endpoint {
    summary: "Registers (or switches off) the URL the service POSTs closed courier sessions to.",
    params: &[CALLBACK],
    body: BodyKind::Whole,
    check: Some(check_callback_url),
    response: DONE,
    idempotent: true,
    names: FaceNames { python: "licenses.set_callback", onec_en: "SetSessionCallback", onec_ru: "УстановитьОбработчикСеансов" },
    ..Endpoint::new("ireca.licenses.set_callback", S, Method::Post, "licenses/callback")
};

const LOG_PARAMS: &[Param] = &[
    Param::new("order_id", Location::Query, Type::String).wire("orderId").doc("ИдентификаторЗаказа", "Only this order's."),
    COURIER_ID,
    PAGE,
    COUNT,
];

/// `ireca.bank_terminal_logs.list` (GET `bankTerminalLogs?orderId=&courierId=&count=&page=`).
pub const BANK_TERMINAL_LOGS_LIST: &Endpoint = &Endpoint {
    summary: "Bank-terminal errors, optionally of one order or courier, a page at a time.",
    params: LOG_PARAMS,
    response: Response::list(&BANK_TERMINAL_LOG, None),
    paging: PAGED,
    names: FaceNames { python: "bank_terminal_logs.list", onec_en: "BankTerminalLogs", onec_ru: "ОшибкиБанковскогоТерминала" },
    ..Endpoint::new("ireca.bank_terminal_logs.list", S, Method::Get, "bankTerminalLogs")
};

/// `ireca.fiscal_registrator_logs.list` (GET `fiscalRegistratorLogs?orderId=&courierId=&count=&page=`).
pub const FISCAL_REGISTRATOR_LOGS_LIST: &Endpoint = &Endpoint {
    summary: "Fiscal-registrator errors, optionally of one order or courier, a page at a time.",
    params: LOG_PARAMS,
    response: Response::list(&FISCAL_REGISTRATOR_LOG, None),
    paging: PAGED,
    names: FaceNames { python: "fiscal_registrator_logs.list", onec_en: "FiscalRegistratorLogs", onec_ru: "ОшибкиФискальногоРегистратора" },
    ..Endpoint::new("ireca.fiscal_registrator_logs.list", S, Method::Get, "fiscalRegistratorLogs")
};

macro_rules! dictionary {
    ($(#[$doc:meta])* $stat:ident, $action:literal, $path:literal, $model:ident, $en:literal, $ru:literal, $summary:literal) => {
        $(#[$doc])*
        pub const $stat: &Endpoint = &Endpoint {
            summary: $summary,
            response: Response::list(&$model, None),
            names: FaceNames { python: concat!("dictionary.", $action), onec_en: $en, onec_ru: $ru },
            ..Endpoint::new(concat!("ireca.dictionary.", $action), S, Method::Get, $path)
        };
    };
}

dictionary!(/// `ireca.dictionary.order_statuses` (GET `dictionary/orderStatuses`).
    DICTIONARY_ORDER_STATUSES, "order_statuses", "dictionary/orderStatuses", ORDER_STATUS, "OrderStatuses", "СтатусыЗаказа", "The payment statuses of orders.");
dictionary!(/// `ireca.dictionary.delivery_statuses` (GET `dictionary/orderDeliveryStatuses`).
    DICTIONARY_DELIVERY_STATUSES, "delivery_statuses", "dictionary/orderDeliveryStatuses", DELIVERY_STATUS, "DeliveryStatuses", "СтатусыДоставки", "The delivery statuses of orders.");
dictionary!(/// `ireca.dictionary.close_types` (GET `dictionary/closeTypes`).
    DICTIONARY_CLOSE_TYPES, "close_types", "dictionary/closeTypes", CLOSE_TYPE, "CloseTypes", "ТипыЗакрытия", "How a payment closes a receipt (cash, card, …).");
dictionary!(/// `ireca.dictionary.tax_types` (GET `dictionary/taxTypes`).
    DICTIONARY_TAX_TYPES, "tax_types", "dictionary/taxTypes", TAX_TYPE, "TaxTypes", "ТипыНалогов", "The VAT rates the fiscal registrator knows.");
dictionary!(/// `ireca.dictionary.calc_types` (GET `dictionary/goodCalcTypes`).
    DICTIONARY_CALC_TYPES, "calc_types", "dictionary/goodCalcTypes", CALC_TYPE, "CalcTypes", "ПризнакиПредметаРасчета", "What a goods line is (goods, service, …), for the receipt.");
dictionary!(/// `ireca.dictionary.permissions` (GET `dictionary/permissions`).
    DICTIONARY_PERMISSIONS, "permissions", "dictionary/permissions", PERMISSION_INFO, "PermissionList", "СписокНастроекДоступа", "Every access setting a role can be given.");

// -- library-side ------------------------------------------------------------------------

const CALLBACK_BODY: Param = Param::new("body", Location::Library, Type::String).required().doc("Тело", "The callback request's body as received (JSON text).");

fn callback_body(params: &Map<String, Value>) -> &[u8] {
    params.get("body").and_then(Value::as_str).unwrap_or_default().as_bytes()
}

fn parse_order_callback(params: Map<String, Value>) -> Result<Value> {
    let orders = crate::ireca::parse_order_callback(callback_body(&params))?;
    m::wire::in_callers_form(|| crate::call::to_json(&orders))
}

fn parse_license_callback(params: Map<String, Value>) -> Result<Value> {
    let session = crate::ireca::parse_license_callback(callback_body(&params))?;
    m::wire::in_callers_form(|| crate::call::to_json(&session))
}

fn lint_orders(params: Map<String, Value>) -> Result<Value> {
    let found: Vec<Value> = match params.get("order") {
        Some(order) => rules::lint_order(order).into_iter().map(|l| crate::call::to_json(&l)).collect::<Result<_>>()?,
        None => Vec::new(),
    };
    Ok(Value::Array(found))
}

/// `ireca.callback.order`: reads the body iRECA POSTs to the order callback URL
/// (`{"items": [order, …]}`, at most [`crate::ireca::MAX_CALLBACK_BYTES`]) into the list
/// of orders (library-side; see `docs/ireca-callbacks.md` for the durable receiver).
pub const CALLBACK_ORDER: &Endpoint = &Endpoint {
    summary: "Reads an order callback's body ({\"items\": [order…]}) into its orders, without sending anything.",
    params: &[CALLBACK_BODY],
    local: Some(parse_order_callback),
    auth: false,
    names: FaceNames { python: "callback.order", onec_en: "ParseOrderCallback", onec_ru: "РазобратьОповещениеОЗаказах" },
    ..Endpoint::new("ireca.callback.order", S, Method::Local, "")
};

/// `ireca.callback.license_session`: reads the body iRECA POSTs when a courier's session
/// closes (library-side).
pub const CALLBACK_LICENSE_SESSION: &Endpoint = &Endpoint {
    summary: "Reads a closed-session callback's body into the session, without sending anything.",
    params: &[CALLBACK_BODY],
    local: Some(parse_license_callback),
    auth: false,
    names: FaceNames { python: "callback.license_session", onec_en: "ParseSessionCallback", onec_ru: "РазобратьОповещениеОСеансе" },
    ..Endpoint::new("ireca.callback.license_session", S, Method::Local, "")
};

/// `ireca.orders.lint`: the sums of an order checked against each other (library-side):
/// each line's total = price × count, amountToPay = Σ (total + discountTotal). Returns the
/// findings (`[{"field", "code", "message", "message_ru"}]`), empty when they add up; the
/// service enforces neither, so these are never errors.
pub const ORDERS_LINT: &Endpoint = &Endpoint {
    summary: "Checks that an order's sums add up (line total = price × count; amountToPay = Σ total + discountTotal), returning the findings; never an error.",
    params: &[Param::new("order", Location::Library, Type::Model(&ORDER)).required().doc("Заказ", "The order, as for orders.create.")],
    local: Some(lint_orders),
    auth: false,
    names: FaceNames { python: "orders.lint", onec_en: "LintOrder", onec_ru: "ПроверитьСуммыЗаказа" },
    ..Endpoint::new("ireca.orders.lint", S, Method::Local, "")
};

/// Every iRECA row: the sixty catalogue rows, the thirty others (ENDPOINTS.md's order),
/// then the three library-side rows.
pub static ENDPOINTS: &[&Endpoint] = &[
    goods::CREATE, goods::GET, goods::LIST, goods::UPDATE, goods::REPLACE, goods::DELETE,
    specificities::CREATE, specificities::GET, specificities::LIST, specificities::UPDATE, specificities::REPLACE, specificities::DELETE,
    warehouses::CREATE, warehouses::GET, warehouses::LIST, warehouses::UPDATE, warehouses::REPLACE, warehouses::DELETE,
    couriers::CREATE, couriers::GET, couriers::LIST, couriers::UPDATE, couriers::REPLACE, couriers::DELETE,
    roles::CREATE, roles::GET, roles::LIST, roles::UPDATE, roles::REPLACE, roles::DELETE,
    clients::CREATE, clients::GET, clients::LIST, clients::UPDATE, clients::REPLACE, clients::DELETE,
    suppliers::CREATE, suppliers::GET, suppliers::LIST, suppliers::UPDATE, suppliers::REPLACE, suppliers::DELETE,
    return_reasons::CREATE, return_reasons::GET, return_reasons::LIST, return_reasons::UPDATE, return_reasons::REPLACE, return_reasons::DELETE,
    payment_types::CREATE, payment_types::GET, payment_types::LIST, payment_types::UPDATE, payment_types::REPLACE, payment_types::DELETE,
    taxes::CREATE, taxes::GET, taxes::LIST, taxes::UPDATE, taxes::REPLACE, taxes::DELETE,
    LOCATIONS_LIST,
    ORDERS_CREATE, ORDERS_CREATE_REFUND, ORDERS_GET, ORDERS_LIST, ORDERS_UPDATE, ORDERS_UPDATE_MANY, ORDERS_REPLACE, ORDERS_DELETE, ORDERS_SET_CALLBACK, ORDERS_STATUS_JOURNAL,
    RECEIPTS_PAYMENT, RECEIPTS_REFUND, RECEIPTS_CORRECTION,
    ATOL_REPLACE_SETTINGS, PECHKA54_GET_SETTINGS,
    JOURNAL_LIST,
    PERMISSIONS_LIST, PERMISSIONS_REPLACE,
    LICENSES_LIST, LICENSES_CLOSE, LICENSES_SET_CALLBACK,
    BANK_TERMINAL_LOGS_LIST, FISCAL_REGISTRATOR_LOGS_LIST,
    DICTIONARY_ORDER_STATUSES, DICTIONARY_DELIVERY_STATUSES, DICTIONARY_CLOSE_TYPES, DICTIONARY_TAX_TYPES, DICTIONARY_CALC_TYPES, DICTIONARY_PERMISSIONS,
    CALLBACK_ORDER, CALLBACK_LICENSE_SESSION, ORDERS_LINT,
];

/// The production base URL (ENDPOINTS.md).
pub const DEFAULT_BASE_URL: &str = "https://api-courier-ireca.softbalance.ru/api/v1/";

/// The iRECA Courier service: a static token as `Authorization: Bearer`, date-times in
/// GMT+0 as `YYYY-MM-DD HH:MM:SS`, errors as `{"error": true, "message": "…"}`.
pub static SERVICE: ServiceSpec = ServiceSpec {
    prefix: S,
    name: "Ireca",
    default_base_url: DEFAULT_BASE_URL,
    auth: AuthSpec::Bearer { credential: "token" },
    credentials: &[Credential { name: "token", onec_en: "Token", onec_ru: "Токен", secret: true, required: true }],
    common_params: &[],
    errors: ErrorFormat { message_keys: &["message", "error"], flag_in_success: Some("error") },
    dates: DateFormat::SpaceUtc,
    endpoints: ENDPOINTS,
};

/// The parsed callback JSON for tests and docs: an order callback with one order.
#[cfg(test)]
fn sample_callback() -> Value {
    json!({"items": [{"orderId": "209900", "amountToPay": "679.570", "isAgreed": "1"}]})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::{check, request};

    fn args(ep: &'static Endpoint, params: Value) -> Result<crate::call::Args> {
        check(ep, &SERVICE, &Map::new(), params)
    }

    #[test]
    fn ninety_service_ids_and_three_local_ones_each_once() {
        let mut ids: Vec<&str> = ENDPOINTS.iter().map(|e| e.id).collect();
        assert_eq!(ENDPOINTS.iter().filter(|e| e.method != Method::Local).count(), 90);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 93);
        let python: std::collections::HashSet<&str> = ENDPOINTS.iter().map(|e| e.names.python).collect();
        let onec: std::collections::HashSet<&str> = ENDPOINTS.iter().map(|e| e.names.onec_ru).collect();
        assert_eq!((python.len(), onec.len()), (93, 93));
    }

    /// The 1C platform finds a method by either name, case-insensitively, and BSL can
    /// only call one whose name is an identifier: `Getreturn reason` was neither.
    #[test]
    fn onec_names_are_identifiers_and_unique_in_either_language() {
        let mut seen = std::collections::HashSet::new();
        for e in ENDPOINTS {
            for name in [e.names.onec_en, e.names.onec_ru] {
                let mut chars = name.chars();
                let starts = chars.next().is_some_and(|c| c.is_alphabetic() && c.is_uppercase());
                assert!(starts && chars.all(|c| c.is_alphanumeric() || c == '_'), "{}: {name:?}", e.id);
                assert!(seen.insert(name.to_lowercase()), "{}: {name} is another row's name", e.id);
            }
        }
        assert_eq!((goods::GET.names.onec_en, return_reasons::DELETE.names.onec_en), ("GetGood", "DeleteReturnReason"));
    }

    #[test]
    fn a_crud_get_sends_its_key_in_the_query_and_a_refund_its_flag() {
        let a = args(goods::GET, json!({"good_id": 355866})).unwrap();
        assert_eq!(request(goods::GET, &SERVICE, &a).unwrap().query, [("goodId".to_owned(), "355866".to_owned())]);
        let refund = json!({"items": [json!({"orderId": 1, "statusId": 0, "deliveryStatusId": 6, "courierId": 1, "paymentId": 1, "amountToPay": 1,
            "deliveryTimeFrom": "2021-05-15T13:00:00Z", "deliveryTimeTo": "2021-05-15T15:00:00Z", "addressTo": "Москва"})]});
        let a = args(ORDERS_CREATE_REFUND, refund).unwrap();
        let req = request(ORDERS_CREATE_REFUND, &SERVICE, &a).unwrap();
        assert_eq!(req.query, [("isRefund".to_owned(), "1".to_owned())]);
        assert_eq!(req.body.unwrap()[0]["deliveryTimeFrom"], "2021-05-15 13:00:00");
    }

    #[test]
    fn count_over_500_and_a_naive_time_are_refused_before_sending() {
        let e = args(goods::LIST, json!({"count": 501})).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("count"), "param.max"));
        let e = args(JOURNAL_LIST, json!({"entity_id": "1", "started_at": "9999-12-31T23:59:59-05:00"})).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("started_at"), "param.type"));
        let e = args(ORDERS_UPDATE, json!({"order_id": "1", "changes": {"deliveryTimeFrom": "9999-12-31T23:59:59-05:00"}})).unwrap_err();
        assert!(e.to_string().contains("0001 to 9999"), "{e}");
        let e = args(ORDERS_UPDATE, json!({"order_id": "1", "changes": {"goods": [{"warehouses": [{"warehouseId": 1}, {"warehouseId": 2}]}]}})).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("changes.goods[0].warehouses"), "ireca.one_warehouse"));
        let e = args(JOURNAL_LIST, json!({"entity_id": "1", "started_at": "2021-06-30 10:48:46"})).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("started_at"), "param.type"));
        let a = args(JOURNAL_LIST, json!({"entity_id": "1", "started_at": "2021-06-30T13:48:46+03:00"})).unwrap();
        assert!(request(JOURNAL_LIST, &SERVICE, &a).unwrap().query.contains(&("startedAt".to_owned(), "2021-06-30 10:48:46".to_owned())));
    }

    #[test]
    fn update_many_refuses_an_attribute_outside_the_whitelist() {
        let e = args(ORDERS_UPDATE_MANY, json!({"update": {"orderIds": ["1"], "attributes": {"amountToPay": 5}}})).unwrap_err();
        assert_eq!(e.code(), "param.model", "{e}");
        assert!(e.to_string().contains("amountToPay"), "{e}");
        let e = args(ORDERS_UPDATE_MANY, json!({"update": {"orderIds": [], "attributes": {"statusId": 1}}})).unwrap_err();
        assert_eq!(e.field(), Some("update.orderIds"));
        args(ORDERS_UPDATE_MANY, json!({"update": {"orderIds": ["1"], "attributes": {"statusId": 1}}})).unwrap();
    }

    #[test]
    fn catalogue_rules_name_the_item() {
        let e = args(couriers::CREATE, json!({"items": [{"courierId": "1", "title": "A", "email": "a@b", "phone": "1", "sourcePassword": "1", "inn": "7707083894"}]})).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("items[0].inn"), "inn.checksum"));
        let e = args(taxes::REPLACE, json!({"items": [{"taxId": 1}, {"title": "x"}]})).unwrap_err();
        assert_eq!(e.field(), Some("items[1].taxId"));
        args(payment_types::REPLACE, json!({"items": [{"paymentTypeId": 1, "title": "only the title changes"}]})).unwrap();
        let e = args(payment_types::CREATE, json!({"items": [{"paymentTypeId": 1, "title": "x"}]})).unwrap_err();
        assert_eq!(e.field(), Some("items[0].closeTypeId"));
        let e = args(clients::UPDATE, json!({"client_id": 1, "changes": {"inn": "123"}})).unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("changes.inn"), "inn.format"));
    }

    #[test]
    fn a_secret_of_the_wrong_type_is_refused_without_showing_it() {
        let e = args(ATOL_REPLACE_SETTINGS, json!({"settings": {"login": "a", "password": {"x": "hunter2"}}})).unwrap_err();
        assert!(e.to_string().contains("password") && !e.to_string().contains("hunter2"), "{e}");
        assert!(!e.message_ru().contains("hunter2"));
    }

    #[test]
    fn a_callback_url_must_be_http() {
        let e = args(ORDERS_SET_CALLBACK, json!({"settings": {"url": "example.com/cb", "isActive": 1}})).unwrap_err();
        assert_eq!(e.field(), Some("settings.url"));
        args(LICENSES_SET_CALLBACK, json!({"settings": {"url": "https://example.com/cb", "isActive": true}})).unwrap();
    }

    #[test]
    fn the_callback_rows_parse_without_a_client() {
        let got = parse_order_callback([("body".to_owned(), json!(sample_callback().to_string()))].into_iter().collect()).unwrap();
        assert_eq!(got[0]["amountToPay"], json!(679.57));
        let e = parse_order_callback([("body".to_owned(), json!("not json"))].into_iter().collect()).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Decode);
        assert!(e.to_string().starts_with("cannot read the request body of ireca.callback.order"), "{e}");
        assert!(e.message_ru().contains("тело запроса"), "{}", e.message_ru());
    }
}
