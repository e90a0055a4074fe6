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
    registry().read().unwrap_or_else(|e| e.into_inner()).by_id.get(id).copied()
}

/// Looks an id up, or fails with [`Error::InvalidArgument`] naming the ids its service has.
///
/// ```
/// let err = logibridge::endpoints::require("carreta.order.delete").unwrap_err();
/// assert!(err.to_string().contains("carreta.order.get"));
/// ```
pub fn require(id: &str) -> Result<&'static Endpoint> {
    find(id).ok_or_else(|| {
        let prefix = id.split('.').next().unwrap_or("");
        let shown: String = id.chars().take(100).collect();
        match service(prefix) {
            Some(s) => {
                let ids = s.endpoints.iter().map(|e| e.id).collect::<Vec<_>>().join(", ");
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

/// Every row of every known service.
pub fn all() -> Vec<&'static Endpoint> {
    services().into_iter().flat_map(|s| s.endpoints.iter().copied()).collect()
}

/// The ids of one service (empty for an unknown prefix).
pub fn ids(prefix: &str) -> Vec<&'static str> {
    service(prefix).map(|s| s.endpoints.iter().map(|e| e.id).collect()).unwrap_or_default()
}
