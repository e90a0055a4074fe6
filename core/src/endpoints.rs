//! The one endpoint table: every call in scope, keyed by the stable ids of
//! `ENDPOINTS.md` (`service.resource.action`).
//!
//! Typed methods and the generic [`crate::AnyClient::call`] both look calls up here, so a
//! new call is a new row, not new plumbing.
//!
//! ```
//! let ep = logibridge::endpoints::find("carreta.order.get").unwrap();
//! assert_eq!(ep.path, "order/{id}/");
//! assert!(ep.idempotent);
//! assert!(!logibridge::endpoints::find("carreta.order.create").unwrap().idempotent);
//! ```

use std::fmt;

/// The services the library speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    Carreta,
    Ireca,
    CargoRun,
}

impl Service {
    /// The id prefix (`carreta`, `ireca`, `cargorun`).
    pub fn prefix(self) -> &'static str {
        match self {
            Service::Carreta => "carreta",
            Service::Ireca => "ireca",
            Service::CargoRun => "cargorun",
        }
    }
}

/// How a call travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
    /// Not an HTTP call: done by the library itself (e.g. reading a price list file).
    Local,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Local => "LOCAL",
        })
    }
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Stable id, e.g. `carreta.order.create`.
    pub id: &'static str,
    pub service: Service,
    pub method: Method,
    /// Path relative to the service's base URL; `{name}` marks a path parameter.
    pub path: &'static str,
    /// Whether repeating the call is harmless, so the transport may retry it.
    pub idempotent: bool,
}

impl Endpoint {
    /// The names of the path's `{…}` parameters, in order.
    ///
    /// ```
    /// let ep = logibridge::endpoints::find("carreta.order.history").unwrap();
    /// assert_eq!(ep.path_params().collect::<Vec<_>>(), ["id"]);
    /// ```
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.path.split('{').skip(1).filter_map(|s| s.split('}').next())
    }
}

const fn row(id: &'static str, service: Service, method: Method, path: &'static str, idempotent: bool) -> Endpoint {
    Endpoint { id, service, method, path, idempotent }
}

use Method::*;
use Service::*;

/// Every call, in the order of `ENDPOINTS.md`.
pub static ENDPOINTS: &[Endpoint] = &[
    row("carreta.profile.get", Carreta, Get, "profile/", true),
    row("carreta.search.query", Carreta, Get, "search/", true),
    row("carreta.order.create", Carreta, Post, "order/", false),
    row("carreta.order.list", Carreta, Get, "order/", true),
    row("carreta.order.get", Carreta, Get, "order/{id}/", true),
    row("carreta.order.history", Carreta, Get, "order/{id}/history/", true),
    row("carreta.pricelist.parse", Carreta, Local, "", true),
];

/// Looks an id up.
pub fn find(id: &str) -> Option<&'static Endpoint> {
    ENDPOINTS.iter().find(|e| e.id == id)
}

/// Looks an id up, or says which ids exist for its service.
pub fn require(id: &str) -> crate::Result<&'static Endpoint> {
    find(id).ok_or_else(|| {
        let prefix = id.split('.').next().unwrap_or("");
        let known: Vec<&str> = ENDPOINTS.iter().filter(|e| e.service.prefix() == prefix).map(|e| e.id).collect();
        crate::Error::InvalidArgument(if known.is_empty() {
            format!("unknown endpoint id {id:?}")
        } else {
            format!("unknown endpoint id {id:?}; {prefix} has: {}", known.join(", "))
        })
    })
}

/// The ids of one service.
pub fn ids(service: Service) -> impl Iterator<Item = &'static str> {
    ENDPOINTS.iter().filter(move |e| e.service == service).map(|e| e.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_prefixed() {
        let mut seen = std::collections::HashSet::new();
        for e in ENDPOINTS {
            assert!(seen.insert(e.id), "duplicate {}", e.id);
            assert!(e.id.starts_with(&format!("{}.", e.service.prefix())), "{}", e.id);
            assert_eq!(e.id.split('.').count(), 3, "{}", e.id);
            // Only reads are retried blindly.
            if e.method == Post {
                assert!(!e.idempotent, "{}", e.id);
            }
        }
    }

    #[test]
    fn the_table_matches_the_inventory() {
        // ENDPOINTS.md is the scope: every Carreta id listed there is in the table.
        let inventory = include_str!("../../../shared/spec/ENDPOINTS.md");
        for line in inventory.lines().filter(|l| l.starts_with("| carreta.")) {
            let id = line.split('|').nth(1).unwrap().trim();
            assert!(find(id).is_some(), "{id} missing from the endpoint table");
        }
    }

    #[test]
    fn unknown_id_names_the_alternatives() {
        let err = require("carreta.order.delete").unwrap_err().to_string();
        assert!(err.contains("carreta.order.get"), "{err}");
    }
}
