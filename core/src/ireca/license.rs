//! Licences («Управление лицензиями», `licenses`) and the session-closed callback.

use chrono::{DateTime, Utc};

use super::wire::{self, model, Id};

model! {
    /// The licences in use (`licenses`).
    pub struct Licenses {
        /// How many are in use.
        license_use: u32 = "wire::count",
        /// How many there are.
        license_total: u32 = "wire::count",
        /// The sessions holding them.
        licenses: Vec<License> = "wire::list",
    }
}

model! {
    /// A licence held by a courier's device.
    pub struct License {
        /// The courier's id.
        courier_id: Id = "wire::id",
        /// The device's id (`licenses/close?deviceId=` frees it).
        device_id: String = "wire::text",
        /// The device's name.
        device_title: String = "wire::text",
        /// When the session started, UTC.
        session_start_at: DateTime<Utc> = "wire::time",
    }
}

model! {
    /// The body iRECA POSTs to the licence callback URL when a courier's session closes.
    pub struct LicenseSession {
        /// The session's id.
        session_id: Id = "wire::id",
        /// The courier's id.
        courier_id: Id = "wire::id",
        /// The device's id.
        device_id: String = "wire::text",
        /// The device's name.
        device_title: String = "wire::text",
        /// When the session started, UTC.
        session_start_at: DateTime<Utc> = "wire::time",
        /// When it finished, UTC.
        session_finish_at: DateTime<Utc> = "wire::time",
    }
}
