//! Looking rows and services up: the built-in services plus those registered at run time.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use super::types::{Endpoint, ServiceSpec};
use crate::error::{Error, Result};

/// The services compiled into the library.
static BUILT_IN: &[&ServiceSpec] = &[&super::carreta::SERVICE, &super::ireca::SERVICE, &super::cargorun::SERVICE];

#[derive(Default)]
struct Registry {
    services: Vec<&'static ServiceSpec>,
    by_id: HashMap<&'static str, &'static Endpoint>,
}

fn registry() -> &'static RwLock<Registry> {
    static REGISTRY: OnceLock<RwLock<Registry>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut r = Registry::default();
        for s in BUILT_IN {
            r.add(s).expect("the built-in services have distinct prefixes and ids");
        }
        RwLock::new(r)
    })
}

impl Registry {
    fn add(&mut self, spec: &'static ServiceSpec) -> Result<()> {
        if self.services.iter().any(|s| s.prefix == spec.prefix) {
            return Err(super::already_known_service(spec.prefix));
        }
        for ep in spec.endpoints {
            if self.by_id.contains_key(ep.id) {
                return Err(super::already_known_endpoint(ep.id));
            }
        }
        self.by_id.extend(spec.endpoints.iter().map(|ep| (ep.id, *ep)));
        self.services.push(spec);
        Ok(())
    }
}

/// Adds a service to the table (see [`super::register`] for the JSON form). The
/// description lives as long as the process.
pub(super) fn insert(spec: &'static ServiceSpec) -> Result<&'static ServiceSpec> {
    registry().write().unwrap_or_else(|e| e.into_inner()).add(spec)?;
    Ok(spec)
}

/// Looks an id up.
///
/// ```
/// assert!(logibridge::endpoints::find("carreta.order.get").is_some());
/// assert!(logibridge::endpoints::find("carreta.order.delete").is_none());
/// ```
pub fn find(id: &str) -> Option<&'static Endpoint> {
    if let Some(ep) = registry().read().unwrap_or_else(|e| e.into_inner()).by_id.get(id).copied() {
        return Some(ep);
    }
    crate::cargorun::swagger::row(id).ok().flatten()
}

/// The generic rows a built-in service adds to its typed ones (CARGO.RUN's Swagger
/// operations no typed row calls, read on first use); empty for every other service.
///
/// ```
/// use logibridge::endpoints::{self, cargorun};
/// assert!(endpoints::generic(&cargorun::SERVICE).len() > 800);
/// assert!(endpoints::generic(&endpoints::carreta::SERVICE).is_empty());
/// ```
pub fn generic(spec: &ServiceSpec) -> &'static [&'static Endpoint] {
    if std::ptr::eq(spec, &super::cargorun::SERVICE) {
        crate::cargorun::swagger::generic_rows()
    } else {
        &[]
    }
}

/// Every row of a service: its typed rows, then its generic ones ([`generic`]).
pub fn rows_of(spec: &ServiceSpec) -> Vec<&'static Endpoint> {
    spec.endpoints.iter().copied().chain(generic(spec).iter().copied()).collect()
}

/// Looks an id up, or fails with [`Error::InvalidArgument`] naming the ids its service has.
///
/// ```
/// let err = logibridge::endpoints::require("carreta.order.delete").unwrap_err();
/// assert!(err.to_string().contains("carreta.order.get"));
/// ```
pub fn require(id: &str) -> Result<&'static Endpoint> {
    // A generic id the library will not send (HEAD) or that a typed row calls says why.
    crate::cargorun::swagger::row(id)?;
    find(id).ok_or_else(|| {
        let prefix = id.split('.').next().unwrap_or("");
        let shown: String = id.chars().take(100).collect();
        match service(prefix) {
            Some(s) => {
                let mut ids = s.endpoints.iter().map(|e| e.id).collect::<Vec<_>>().join(", ");
                // The typed ids are listed; the generic ones (hundreds) are counted.
                let generic = generic(s).len();
                if generic > 0 {
                    ids.push_str(&format!(" (and {generic} generic ids {}*)", crate::cargorun::swagger::ID_PREFIX));
                }
                Error::invalid_argument(format!("unknown endpoint id {shown:?}; {prefix} has: {ids}"), format!("неизвестный идентификатор вызова {shown:?}; у {prefix} есть: {ids}"))
            },
            None => {
                let known = services().iter().map(|s| s.prefix).collect::<Vec<_>>().join(", ");
                Error::invalid_argument(format!("unknown endpoint id {shown:?}; the known services are: {known}"), format!("неизвестный идентификатор вызова {shown:?}; известные сервисы: {known}"))
            },
        }
    })
}

/// A service by prefix (`carreta`), case-insensitively.
pub fn service(prefix: &str) -> Option<&'static ServiceSpec> {
    registry().read().unwrap_or_else(|e| e.into_inner()).services.iter().copied().find(|s| s.prefix.eq_ignore_ascii_case(prefix))
}

/// Every known service: the built-in ones first, then those registered, in order.
pub fn services() -> Vec<&'static ServiceSpec> {
    registry().read().unwrap_or_else(|e| e.into_inner()).services.clone()
}

/// Every typed row of every known service (the generic ones: [`generic`]).
pub fn all() -> Vec<&'static Endpoint> {
    services().into_iter().flat_map(|s| s.endpoints.iter().copied()).collect()
}

/// The typed ids of one service (empty for an unknown prefix).
pub fn ids(prefix: &str) -> Vec<&'static str> {
    service(prefix).map(|s| s.endpoints.iter().map(|e| e.id).collect()).unwrap_or_default()
}
