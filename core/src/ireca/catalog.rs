//! The ten resources with the one CRUD shape (create, get, list, update, replace, delete):
//! goods («Каталог товаров»), specificities («Характеристики»), warehouses («Склады»),
//! couriers («Курьер»), roles («Роли приложения»), clients («Клиент»), suppliers
//! («Поставщики»), return reasons («Причины отмены заказа»), payment types («Типы
//! платежей») and taxes («Налоговые ставки»); and the role permissions («Настройки
//! доступа»).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::address::Address;
use super::wire::{self, model, open_enum, Id};
use crate::transport::Secret;

model! {
    /// A good of the catalogue («Каталог товаров», `goods`).
    ///
    /// ```
    /// let g: logibridge::ireca::Good = serde_json::from_str(
    ///     r#"{"goodId": "355866", "taxId": "8284", "weight": "370", "price": 179.5, "isActive": 1}"#).unwrap();
    /// assert_eq!(serde_json::to_string(&g).unwrap(),
    ///     r#"{"goodId":"355866","taxId":"8284","weight":"370","price":179.5,"isActive":1}"#);
    /// ```
    pub struct Good {
        /// The good's id in your system (required).
        good_id: Id = "wire::id",
        /// Article.
        article: String = "wire::text",
        /// Parent (group) id; `null` at the top.
        parent_id: Option<Id> = "wire::nullable_id",
        /// Tax rate's id (required).
        tax_id: Id = "wire::id",
        /// Settlement subject, an id of `dictionary/goodCalcTypes`.
        calc_id: Id = "wire::id",
        /// Name (required).
        title: String = "wire::text",
        /// Unit.
        unit: String = "wire::text",
        /// Weight; written as a string as in the goods examples (`"370"`).
        weight: Decimal = "wire::decimal_text",
        /// Step of quantity changes in the app.
        multiplicity: Decimal = "wire::number",
        /// Price, roubles (required).
        price: Decimal = "wire::number",
        /// Description.
        description: String = "wire::text",
        /// Image link.
        image_url: String = "wire::text",
        /// Large image link.
        image_big_url: String = "wire::text",
        /// `0` deleted, `1` active (answers); written `0`/`1`.
        is_active: bool = "wire::flag01",
        /// The warehouses holding the good.
        warehouses: Vec<GoodStock> = "wire::list",
    }
}

model! {
    /// A good's stock at a warehouse (`goods[].warehouses[]` of the catalogue).
    pub struct GoodStock {
        /// The warehouse's id in your system.
        warehouse_id: Id = "wire::id",
        /// How many are there.
        count: Decimal = "wire::number",
    }
}

model! {
    /// A specificity (characteristic) of goods («Характеристики», `specificities`).
    pub struct Specificity {
        /// The specificity's id in your system (required).
        specificity_id: Id = "wire::id",
        /// The element it belongs to (required, may be `null`).
        parent_id: Option<Id> = "wire::nullable_id",
        /// Name (required).
        title: String = "wire::text",
        /// Value.
        value: String = "wire::text",
        /// Price, roubles (required); written as a number (the examples give both
        /// `"250.00"` and `10.5`).
        price: Decimal = "wire::number",
        /// Image link.
        image_url: String = "wire::text",
        /// Large image link.
        image_big_url: String = "wire::text",
        /// Article.
        article: String = "wire::text",
        /// `0` deleted, `1` active (answers); written `0`/`1`.
        is_active: bool = "wire::flag01",
    }
}

model! {
    /// A warehouse («Склады», `warehouses`). Coordinates are written as strings, as in the
    /// update examples.
    pub struct Warehouse {
        /// The warehouse's id in your system (required).
        warehouse_id: Id = "wire::id",
        /// Name (required).
        title: String = "wire::text",
        /// The person in charge: first name.
        firstname: String = "wire::text",
        /// Last name.
        lastname: String = "wire::text",
        /// Phone.
        phone: String = "wire::text",
        /// City.
        city: String = "wire::text",
        /// Street.
        street: String = "wire::text",
        /// House.
        house: String = "wire::text",
        /// Office.
        apartment: String = "wire::text",
        /// Latitude, degrees.
        latitude: Decimal = "wire::decimal_text",
        /// Longitude, degrees.
        longitude: Decimal = "wire::decimal_text",
        /// Description.
        description: String = "wire::text",
        /// Last change, UTC (answers).
        updated_at: DateTime<Utc> = "wire::time",
        /// `0` deleted, `1` active (answers); written `0`/`1`.
        is_active: bool = "wire::flag01",
    }
}

model! {
    /// A courier («Курьер», `couriers`). `sourcePassword` is held as a [`Secret`]: `Debug`
    /// prints `***`.
    pub struct Courier {
        /// The courier's id in your system (required).
        courier_id: Id = "wire::id",
        /// First and last name (required).
        title: String = "wire::text",
        /// E-mail (required).
        email: String = "wire::text",
        /// Phone (required).
        phone: String = "wire::text",
        /// The app role's id.
        role_id: Id = "wire::id",
        /// The initial password (required when creating).
        source_password: Secret = "wire::secret",
        /// The cashier's INN (10 or 12 digits).
        inn: String = "wire::text",
        /// Last change, UTC (answers).
        updated_at: DateTime<Utc> = "wire::time",
        /// `false` once deleted (a soft delete: the object stays); written `0`/`1`.
        is_active: bool = "wire::flag01",
    }
}

model! {
    /// A role of the courier app («Роли приложения», `userRoles`).
    pub struct Role {
        /// The role's id in your system (required).
        role_id: Id = "wire::id",
        /// Name (required).
        title: String = "wire::text",
        /// `0` deleted, `1` active (answers); written `0`/`1`.
        is_active: bool = "wire::flag01",
    }
}

model! {
    /// A role's access setting («Настройки доступа», `permissions`; not on Evotor devices).
    pub struct Permission {
        /// The role's id.
        role_id: Id = "wire::id",
        /// The setting's id, a `permissionId` of `dictionary/permissions`
        /// (`registratorShiftOpen`).
        action_id: Id = "wire::id",
        /// The role's name (answers).
        role_title: String = "wire::text",
        /// Allowed; written `"0"`/`"1"` as in the replace example.
        is_allowed: bool = "wire::flag_text",
        /// What the setting does (answers).
        description: String = "wire::text",
        /// Last change, UTC (answers).
        updated_at: DateTime<Utc> = "wire::time",
    }
}

model! {
    /// A client («Клиент», `clients`). Named `Customer` here: `Client` is the API client.
    pub struct Customer {
        /// The client's id in your system (required).
        client_id: Id = "wire::id",
        /// Company name (required).
        title: String = "wire::text",
        /// First name (required).
        firstname: String = "wire::text",
        /// Last name (required).
        lastname: String = "wire::text",
        /// Birthday, a calendar date (required by the document).
        birthday: NaiveDate = "wire::date",
        /// Address.
        address_entity: Address = "wire::object",
        /// INN (10 or 12 digits).
        inn: String = "wire::text",
        /// Phone.
        phone: String = "wire::text",
        /// E-mail.
        email: String = "wire::text",
        /// Description.
        description: String = "wire::text",
        /// Last change, UTC (answers).
        updated_at: DateTime<Utc> = "wire::time",
        /// `false` once deleted (a soft delete: the object stays); written `0`/`1`.
        is_active: bool = "wire::flag01",
    }
}

model! {
    /// A supplier, for the agent scheme («Поставщики», `suppliers`).
    pub struct Supplier {
        /// The supplier's id in your system (required).
        supplier_id: Id = "wire::id",
        /// Name (required).
        title: String = "wire::text",
        /// Tax rate's id.
        tax_id: Id = "wire::id",
        /// INN (10 or 12 digits).
        inn: String = "wire::text",
        /// Phone.
        phone: String = "wire::text",
        /// Address in one line.
        address: String = "wire::text",
        /// Description.
        description: String = "wire::text",
        /// `false` once deleted (a soft delete: the object stays); written `0`/`1`.
        is_active: bool = "wire::flag01",
    }
}

open_enum! {
    /// The kind of a return reason (`type`); the document shows only `standard`.
    pub enum ReturnReasonType {
        /// `standard`.
        Standard = "standard",
    }
}

model! {
    /// Why an order was cancelled («Причины отмены заказа», `orderReturnReasons`).
    pub struct ReturnReason {
        /// The reason's id in your system.
        reason_id: Id = "wire::id",
        /// Name.
        title: String = "wire::text",
        /// Kind (answers).
        kind as "type": ReturnReasonType = "wire::plain",
        /// `false` once deleted (a soft delete: the object stays); written `0`/`1`.
        is_active: bool = "wire::flag01",
    }
}

model! {
    /// A payment type («Типы платежей», `paymentTypes`).
    pub struct PaymentType {
        /// The payment type's id in your system.
        payment_type_id: Id = "wire::id",
        /// How the fiscal registrator closes it, an id of `dictionary/closeTypes`
        /// (`1` cash, `2` card; required).
        close_type_id: Id = "wire::id",
        /// Name.
        title: String = "wire::text",
        /// Last change, UTC (answers).
        updated_at: DateTime<Utc> = "wire::time",
        /// `false` once deleted (a soft delete: the object stays); written `0`/`1`.
        is_active: bool = "wire::flag01",
    }
}

model! {
    /// A tax rate («Налоговые ставки», `taxes`).
    pub struct Tax {
        /// The rate's id (required).
        tax_id: Id = "wire::id",
        /// Name, one of `dictionary/taxTypes` (`20%`).
        title: String = "wire::text",
        /// `false` once deleted (a soft delete: the object stays); written `0`/`1`.
        is_active: bool = "wire::flag01",
    }
}
