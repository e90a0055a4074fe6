//! The endpoint table: every call in scope, one row each, keyed by the stable ids of the
//! project's endpoint inventory (`service.resource.action`, listed for users in
//! `docs/endpoints.md`).
//!
//! A row holds everything the executor ([`crate::Client::call`]) and the faces need: the
//! method and path, each parameter (name, wire name, where it goes, type, whether it is
//! required or repeated, its default or fixed value), the pre-send check, the response
//! model and envelope, the paging style, whether the call may be repeated, whether it needs
//! credentials, and the names the Python and 1C faces show. A new call is a new row; no
//! face has code per call.
//!
//! Rows of the built-in services are typed constants ([`carreta::ORDER_CREATE`]); other
//! services can be declared at run time from their JSON description ([`register`]).
//!
//! ```
//! use logibridge::endpoints::{self, carreta, Location};
//! let ep = carreta::ORDER_GET;
//! assert_eq!((ep.id, ep.path), ("carreta.order.get", "order/{id}/"));
//! assert!(ep.idempotent);
//! assert_eq!(ep.param("id").unwrap().location, Location::Path);
//! assert!(!endpoints::require("carreta.order.create").unwrap().idempotent);
//! ```

pub mod cargorun;
pub mod carreta;
mod describe;
pub mod ireca;
mod registry;
mod types;
mod validate;

pub use describe::{describe_all, describe_endpoint, describe_service, register};
pub use registry::{all, find, generic, ids, require, rows_of, service, services};
pub use types::*;
pub use validate::{MAX_DESCRIPTION_BYTES, MAX_ENDPOINTS};

use crate::error::Error;

#[cfg(test)]
mod tests;

/// A second service with a prefix already taken.
fn already_known_service(prefix: &str) -> Error {
    Error::invalid_argument(format!("a service with the prefix {prefix:?} is already known"), format!("сервис с префиксом {prefix:?} уже известен"))
}

/// A second endpoint with an id already taken.
fn already_known_endpoint(id: &str) -> Error {
    Error::invalid_argument(format!("the endpoint id {id:?} is already known"), format!("вызов с идентификатором {id:?} уже известен"))
}
