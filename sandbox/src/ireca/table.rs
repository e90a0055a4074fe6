//! The endpoint table: every iRECA id of ENDPOINTS.md with the method, path and query
//! condition that reach it, and its handler. The router, the 405 `Allow` header and
//! [`super::served_ids`] all read it, so a call cannot be served without being listed.

use std::sync::OnceLock;

use axum::http::Method;

use super::crud::{self, Resource, RESOURCES};
use super::{access, dictionaries, fiscal, journal, orders, Handler};
use crate::Params;

/// Which requests of a method and path a row takes, beside the method and path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Any request.
    Always,
    /// Requests with this query parameter: `goods?goodId=1` is a get, `goods` alone a list;
    /// `goods?goodId=` is a get too, refused for its blank id (a list would surprise).
    Has(&'static str),
    /// Requests with this query parameter equal to this value (`orders?isRefund=1`).
    Equals(&'static str, &'static str),
}

impl When {
    /// Whether the query matches.
    pub fn matches(self, params: &Params) -> bool {
        match self {
            When::Always => true,
            When::Has(name) => params.get(name).is_some(),
            When::Equals(name, value) => params.get(name).map(str::trim) == Some(value),
        }
    }

    /// A row with a condition wins over an unconditional one of the same method and path.
    pub fn is_specific(self) -> bool {
        self != When::Always
    }
}

/// One row.
pub struct Endpoint {
    /// The ENDPOINTS.md id, e.g. `ireca.goods.create`.
    pub id: String,
    /// HTTP method.
    pub method: Method,
    /// Path under the prefix, without slashes at the ends: `goods/replace`.
    pub path: String,
    /// Query condition.
    pub when: When,
    /// The handler.
    pub handler: Handler,
    /// The CRUD resource of the row (the ten generic resources only).
    pub resource: Option<&'static Resource>,
}

/// The six CRUD actions, in ENDPOINTS.md's order: (action, method, path suffix, whether the
/// key parameter selects the row, handler).
type CrudAction = (&'static str, Method, &'static str, bool, Handler);

fn crud_actions() -> [CrudAction; 6] {
    [
        ("create", Method::POST, "", false, crud::create),
        ("get", Method::GET, "", true, crud::get),
        ("list", Method::GET, "", false, crud::list),
        ("update", Method::PUT, "", false, crud::update),
        ("replace", Method::POST, "/replace", false, crud::replace),
        ("delete", Method::DELETE, "", false, crud::delete),
    ]
}

/// The thirty calls that are not generic CRUD: (id, method, path, condition, handler).
#[rustfmt::skip]
fn other_rows() -> Vec<(&'static str, Method, &'static str, When, Handler)> {
    use Method as M;
    use When::{Always, Equals, Has};
    vec![
        ("ireca.locations.list", M::GET, "locations", Always, journal::locations),
        ("ireca.orders.create", M::POST, "orders", Always, orders::create),
        ("ireca.orders.create_refund", M::POST, "orders", Equals("isRefund", "1"), orders::create_refund),
        ("ireca.orders.get", M::GET, "orders", Has("orderId"), orders::get),
        ("ireca.orders.list", M::GET, "orders", Always, orders::list),
        ("ireca.orders.update", M::PUT, "orders", Always, orders::update),
        ("ireca.orders.update_many", M::PUT, "orders/multipleUpdate", Always, orders::update_many),
        ("ireca.orders.replace", M::POST, "orders/replace", Always, orders::replace),
        ("ireca.orders.delete", M::DELETE, "orders", Always, orders::delete),
        ("ireca.orders.set_callback", M::POST, "orders/callback", Always, orders::set_callback),
        ("ireca.orders.status_journal", M::GET, "orders/journalStatuses", Always, journal::status_journal),
        ("ireca.receipts.payment", M::GET, "orderReceipts", Always, fiscal::payment_receipt),
        ("ireca.receipts.refund", M::GET, "orderReturnReceipts", Always, fiscal::refund_receipt),
        ("ireca.receipts.correction", M::GET, "correctionReceipts", Always, fiscal::correction_receipts),
        ("ireca.atol.replace_settings", M::POST, "atolOnlineSettings/replace", Always, fiscal::atol_replace),
        ("ireca.pechka54.get_settings", M::GET, "pechka54Settings", Always, fiscal::pechka54),
        ("ireca.journal.list", M::GET, "journal", Always, journal::change_journal),
        ("ireca.permissions.list", M::GET, "permissions", Always, access::permissions),
        ("ireca.permissions.replace", M::POST, "permissions/replace", Always, access::permissions_replace),
        ("ireca.licenses.list", M::GET, "licenses", Always, access::licenses),
        ("ireca.licenses.close", M::POST, "licenses/close", Always, access::license_close),
        ("ireca.licenses.set_callback", M::POST, "licenses/callback", Always, access::license_callback),
        ("ireca.bank_terminal_logs.list", M::GET, "bankTerminalLogs", Always, fiscal::terminal_logs),
        ("ireca.fiscal_registrator_logs.list", M::GET, "fiscalRegistratorLogs", Always, fiscal::registrator_logs),
        ("ireca.dictionary.order_statuses", M::GET, "dictionary/orderStatuses", Always, dictionaries::order_statuses),
        ("ireca.dictionary.delivery_statuses", M::GET, "dictionary/orderDeliveryStatuses", Always, dictionaries::delivery_statuses),
        ("ireca.dictionary.close_types", M::GET, "dictionary/closeTypes", Always, dictionaries::close_types),
        ("ireca.dictionary.tax_types", M::GET, "dictionary/taxTypes", Always, dictionaries::tax_types),
        ("ireca.dictionary.calc_types", M::GET, "dictionary/goodCalcTypes", Always, dictionaries::calc_types),
        ("ireca.dictionary.permissions", M::GET, "dictionary/permissions", Always, dictionaries::permissions),
    ]
}

/// The whole table: ten resources × six actions, then the other thirty.
pub fn endpoints() -> &'static [Endpoint] {
    static TABLE: OnceLock<Vec<Endpoint>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rows = Vec::new();
        for resource in RESOURCES {
            for (action, method, suffix, keyed, handler) in crud_actions() {
                rows.push(Endpoint {
                    id: format!("ireca.{}.{action}", resource.name),
                    method,
                    path: format!("{}{suffix}", resource.path),
                    when: if keyed {
                        When::Has(resource.key)
                    } else {
                        When::Always
                    },
                    handler,
                    resource: Some(resource),
                });
            }
        }
        for (id, method, path, when, handler) in other_rows() {
            rows.push(Endpoint {
                id: id.to_string(),
                method,
                path: path.to_string(),
                when,
                handler,
                resource: None,
            });
        }
        rows
    })
}

/// The row a request reaches among the rows of its method and path: a matching row with a
/// condition first, else the unconditional one.
pub fn select<'a>(candidates: &[&'a Endpoint], params: &Params) -> Option<&'a Endpoint> {
    candidates
        .iter()
        .find(|e| e.when.is_specific() && e.when.matches(params))
        .or_else(|| candidates.iter().find(|e| !e.when.is_specific()))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ninety_unique_ids() {
        let ids: Vec<&str> = endpoints().iter().map(|e| e.id.as_str()).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(ids.len(), 90);
        assert_eq!(unique.len(), 90);
    }

    #[test]
    fn a_refund_is_chosen_by_its_parameter() {
        let posts: Vec<&Endpoint> = endpoints()
            .iter()
            .filter(|e| e.path == "orders" && e.method == Method::POST)
            .collect();
        let pick = |q: &str| select(&posts, &Params::parse(Some(q))).unwrap().id.clone();
        assert_eq!(pick("isRefund=1"), "ireca.orders.create_refund");
        assert_eq!(pick("isRefund=0"), "ireca.orders.create");
        assert_eq!(pick(""), "ireca.orders.create");
    }
}
