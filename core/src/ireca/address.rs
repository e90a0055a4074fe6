//! The address entity shared by orders and clients.

use rust_decimal::Decimal;

use super::wire::{self, model};

model! {
    /// An address (`addressFromEntity`, `addressToEntity` of an order, `addressEntity` of a
    /// client). Coordinates are written as strings with their own digits, as the update
    /// examples and the attribute lists give them.
    pub struct Address {
        /// Postcode.
        postindex: String = "wire::text",
        /// City (required when creating an order).
        city: String = "wire::text",
        /// Street (required when creating an order).
        street: String = "wire::text",
        /// House (required when creating an order).
        home: String = "wire::text",
        /// Flat or office.
        apartment: String = "wire::text",
        /// Latitude, degrees.
        latitude: Decimal = "wire::decimal_text",
        /// Longitude, degrees.
        longitude: Decimal = "wire::decimal_text",
        /// Let the service geocode the address with the Google Geocoding API (required when
        /// creating an order); written `true`/`false`.
        is_use_google_geo: bool = "wire::flag",
    }
}
