//! The six dictionaries («Справочники», `dictionary/…`): fixed lists the service defines.

use super::wire::{self, model, Id};

model! {
    /// A payment status (`dictionary/orderStatuses`: `0` not paid, `1` paid).
    pub struct OrderStatus {
        /// The status id, as used in an order's `statusId`.
        status_id: Id = "wire::id",
        /// Name.
        title: String = "wire::text",
    }
}

model! {
    /// A delivery status (`dictionary/orderDeliveryStatuses`: `6` prepared, `7` taken,
    /// `9` delivered, `10` closed, `11` cancelled).
    pub struct DeliveryStatus {
        /// The status id, as used in an order's `deliveryStatusId`.
        status_id: Id = "wire::id",
        /// Name.
        title: String = "wire::text",
    }
}

model! {
    /// How the fiscal registrator closes a payment (`dictionary/closeTypes`: `1` cash,
    /// `2` card).
    pub struct CloseType {
        /// The id, as used in a payment type's `closeTypeId`.
        close_type_id: Id = "wire::id",
        /// Name.
        title: String = "wire::text",
    }
}

model! {
    /// A predefined tax rate name (`dictionary/taxTypes`: `20%`, `10%/110%`…).
    pub struct TaxType {
        /// The name, as used in a tax's `title`.
        title: String = "wire::text",
    }
}

model! {
    /// A settlement subject (`dictionary/goodCalcTypes`: `0` unused, `1` goods, `4` service).
    pub struct CalcType {
        /// The id, as used in a good's `calcId`.
        calc_id: Id = "wire::id",
        /// Name.
        title: String = "wire::text",
    }
}

model! {
    /// An access setting of the app (`dictionary/permissions`).
    pub struct PermissionInfo {
        /// The setting's id, as used in a permission's `actionId` (`registratorShiftOpen`).
        permission_id: Id = "wire::id",
        /// What it allows.
        description: String = "wire::text",
    }
}
