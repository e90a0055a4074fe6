//! The change journal of orders («Журнал изменений заказов», `journal`).

use chrono::{DateTime, Utc};

use super::order::Order;
use super::wire::{self, model, open_enum, Id};

open_enum! {
    /// What happened to the order (`event`).
    pub enum ChangeEvent {
        /// `create`: the order was created.
        Create = "create",
        /// `update`: the order was changed.
        Update = "update",
    }
}

model! {
    /// One change of an order. `beforeItem` and `afterItem` hold only the fields that
    /// changed, so they read as an [`Order`] whose other fields are `None`.
    pub struct ChangeJournalEntry {
        /// What happened.
        event: ChangeEvent = "wire::plain",
        /// Who did it (`"Application: iRECA Courier"`, a site's URL).
        source: String = "wire::text",
        /// The courier's id, when a courier did it.
        courier_id: Id = "wire::id",
        /// When, UTC.
        created_at: DateTime<Utc> = "wire::time",
        /// The changed fields before.
        before_item: Box<Order> = "wire::object",
        /// The changed fields after.
        after_item: Box<Order> = "wire::object",
    }
}
