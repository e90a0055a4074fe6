//! The endpoint table: every CARGO.RUN id of ENDPOINTS.md with its method, its path
//! pattern (as the Swagger spells it; matched without regard to case, `{id}` standing for
//! a path segment or a part of one, as in `Get({id})`) and its handler.

use std::sync::OnceLock;

use axum::http::Method;

use super::{auth, bids, directories as dir, other, Handler};

/// One row.
pub struct Endpoint {
    /// The ENDPOINTS.md id.
    pub id: &'static str,
    /// `GET` or `POST`.
    pub method: Method,
    /// The path pattern under the base URL.
    pub path: &'static str,
    /// Whether the call needs a Bearer token (all but the two token calls).
    pub auth: bool,
    /// The handler.
    pub handler: Handler,
    /// The pattern's segments, lower case.
    segments: Vec<String>,
}

#[rustfmt::skip]
fn rows() -> Vec<(&'static str, Method, &'static str, Handler)> {
    use Method as M;
    vec![
        ("cargorun.auth.generate_token", M::POST, "api/Account/GenerateToken", auth::generate_token),
        ("cargorun.auth.refresh_token", M::POST, "api/Account/RefreshToken", auth::refresh_token),
        ("cargorun.drivers.apply", M::POST, "api/Driver/Apply", dir::apply),
        ("cargorun.drivers.delete", M::POST, "api/Driver/Delete", dir::delete),
        ("cargorun.drivers.restore", M::POST, "api/Driver/Restore", dir::restore),
        ("cargorun.drivers.list", M::GET, "api/Driver/GetList", dir::list),
        ("cargorun.cars.apply", M::POST, "api/Car/Apply", dir::apply),
        ("cargorun.cars.delete", M::POST, "api/Car/Delete", dir::delete),
        ("cargorun.cars.list", M::GET, "api/Car/GetList", dir::list),
        ("cargorun.cars.get_for_edit", M::GET, "api/Car/GetForEdit", dir::get_by_query),
        ("cargorun.cars.mileage", M::GET, "api/Car/GetCarMileageForPeriod", bids::car_mileage),
        ("cargorun.trailers.apply", M::POST, "api/Trailer/Apply", dir::apply),
        ("cargorun.trailers.delete", M::POST, "api/Trailer/Delete", dir::delete),
        ("cargorun.trailers.list", M::GET, "api/Trailer/GetList", dir::list),
        ("cargorun.counterparties.apply", M::POST, "api/CargoOwnerDictionary/Apply", dir::apply),
        ("cargorun.counterparties.delete", M::POST, "api/CargoOwnerDictionary/Delete", dir::delete),
        ("cargorun.counterparties.list", M::GET, "api/CargoOwnerDictionary/Get", dir::list),
        ("cargorun.counterparties.get", M::GET, "api/CargoOwnerDictionary/Get({id})", dir::get_by_path),
        ("cargorun.contracts.apply", M::POST, "api/CargoOwnerDictionary/ApplyContract", dir::apply),
        ("cargorun.contracts.list", M::GET, "api/CargoOwnerDictionary/GetContracts", dir::list),
        ("cargorun.contracts.get", M::GET, "api/CargoOwnerDictionary/GetContract", dir::get_by_query),
        ("cargorun.contracts.delete", M::POST, "api/CargoOwnerDictionary/DeleteContract", dir::delete),
        ("cargorun.counterparty_points.apply", M::POST, "api/CargoOwnerDictionary/ApplyCounterpartyPoint", dir::apply),
        ("cargorun.counterparty_points.list", M::GET, "api/CargoOwnerDictionary/GetCounterpartyPoints", dir::list),
        ("cargorun.counterparty_points.get", M::GET, "api/CargoOwnerDictionary/GetCounterpartyPoint/{id}", dir::get_by_path),
        ("cargorun.counterparty_points.delete", M::POST, "api/CargoOwnerDictionary/DeleteCounterpartyPoint", dir::delete),
        ("cargorun.counterparty_points.restore", M::POST, "api/CargoOwnerDictionary/RestoreCounterpartyPoint", dir::restore),
        ("cargorun.legal_persons.apply", M::POST, "api/LegalPersons/Apply", dir::apply),
        ("cargorun.legal_persons.delete", M::POST, "api/LegalPersons/Delete", dir::delete),
        ("cargorun.legal_persons.list", M::GET, "api/LegalPersons/GetList", dir::list),
        ("cargorun.catalogs.get_simple", M::GET, "api/Catalogs/GetSimple", other::catalogs_simple),
        ("cargorun.catalogs.get", M::GET, "api/Catalogs/Get", other::catalogs_with_items),
        ("cargorun.catalogs.list", M::GET, "api/Catalogs/GetCatalogs", other::catalogs),
        ("cargorun.catalogs.items", M::GET, "api/Catalogs/GetItems", other::catalog_items),
        ("cargorun.bids.apply", M::POST, "api/TruckingBids/Apply", bids::apply),
        ("cargorun.bids.patch", M::POST, "api/TruckingBids/Patch", bids::patch),
        ("cargorun.bids.set_status", M::POST, "api/TruckingBids/SetStatus", bids::set_status),
        ("cargorun.bids.force_complete", M::POST, "api/TruckingBids/ForceComplete", bids::force_complete),
        ("cargorun.bids.revert", M::POST, "api/TruckingBids/Revert", bids::revert),
        ("cargorun.bids.apply_payment", M::POST, "api/TruckingBids/ApplyBidPayment", bids::apply_payment),
        ("cargorun.bids.trailer_replacements", M::GET, "api/TruckingBids/GetTrailerReplacements", bids::trailer_replacements),
        ("cargorun.bids.cancel", M::POST, "api/Bids/Cancel", bids::cancel),
        ("cargorun.bids.delete", M::POST, "api/Bids/Delete", bids::delete),
        ("cargorun.bids.restore", M::POST, "api/Bids/Restore", bids::restore),
        ("cargorun.bids.get", M::GET, "api/Bids/Get/{id}", bids::get),
        // The pages write `bids/get?id=`: the same call.
        ("cargorun.bids.get", M::GET, "api/Bids/Get", bids::get),
        ("cargorun.bids.list_for_external", M::GET, "api/Bids/GetListForExternal", bids::list_for_external),
        ("cargorun.bids.documents", M::GET, "api/Bids/GetBidDocumentAssignmentsForBid", bids::documents),
        ("cargorun.distribution_bids.apply", M::POST, "api/DistributionBids/Apply", bids::dist_apply),
        ("cargorun.distribution_bids.list_for_external", M::GET, "api/DistributionBids/GetListForExternal", bids::dist_list),
        ("cargorun.distribution_bids.external_info", M::GET, "api/DistributionBids/GetListOfExternalInfo", bids::dist_external_info),
        ("cargorun.distribution_bids.external_statuses", M::GET, "api/DistributionBids/GetListForExternalStatuses", bids::dist_external_statuses),
        ("cargorun.distribution_bids.get", M::GET, "api/DistributionBids/Get/{id}", bids::dist_get),
        ("cargorun.distribution_bids.get_for_bid", M::GET, "api/DistributionBids/GetForBid/{id}", bids::dist_get_for_bid),
        ("cargorun.distribution_bids.cancel", M::POST, "api/DistributionBids/Cancel", bids::dist_cancel),
        ("cargorun.distribution_bids.delete", M::POST, "api/DistributionBids/Delete", bids::dist_delete),
        ("cargorun.distribution_bids.restore", M::POST, "api/DistributionBids/Restore", bids::dist_restore),
        ("cargorun.distribution_bids.revert", M::POST, "api/DistributionBids/Revert", bids::dist_revert),
        ("cargorun.trackers.list", M::GET, "api/Trackers/Get", other::trackers),
        ("cargorun.trackers.attach", M::POST, "api/Trackers/Attach", other::tracker_attach),
        ("cargorun.etrn.titles", M::GET, "api/1c/Bills/GetTitles", other::titles),
        ("cargorun.etrn.title", M::GET, "api/1c/Bills/GetTitle", other::title),
        ("cargorun.etrn.apply_status", M::POST, "api/1c/Bills/ApplyStatus", other::title_status),
        ("cargorun.map.geocode", M::POST, "api/Map/GetAddresses", other::geocode),
        ("cargorun.employees.list", M::GET, "api/OrganizationEmployees/GetList", other::employees),
        ("cargorun.employees.apply_user", M::POST, "api/OrganizationEmployees/ApplyUser", other::apply_user),
        ("cargorun.employees.invite", M::POST, "api/OrganizationEmployees/Invite", other::invite),
        ("cargorun.employees.remove_invite", M::POST, "api/OrganizationEmployees/RemoveInvite", other::remove_invite),
        ("cargorun.employees.invitations", M::GET, "api/OrganizationEmployees/GetInvitationList", other::invitations),
        ("cargorun.employees.add_role", M::POST, "api/OrganizationEmployees/AddUserRole", other::add_role),
        ("cargorun.employees.remove_role", M::POST, "api/OrganizationEmployees/RemoveUserRole", other::remove_role),
        ("cargorun.employees.ban", M::POST, "api/OrganizationEmployees/Ban", other::ban),
        ("cargorun.employees.unban", M::POST, "api/OrganizationEmployees/Unban", other::unban),
        ("cargorun.employees.logists", M::GET, "api/OrganizationEmployees/GetLogists", other::logists),
        ("cargorun.employees.logist", M::GET, "api/OrganizationEmployees/GetLogist", other::logist),
    ]
}

/// The whole table.
pub fn endpoints() -> &'static [Endpoint] {
    static TABLE: OnceLock<Vec<Endpoint>> = OnceLock::new();
    TABLE.get_or_init(|| {
        rows()
            .into_iter()
            .map(|(id, method, path, handler)| Endpoint {
                id,
                method,
                path,
                auth: !id.starts_with("cargorun.auth."),
                handler,
                segments: path.split('/').map(str::to_ascii_lowercase).collect(),
            })
            .collect()
    })
}

/// The `{id}` a pattern segment captures from a request segment, `Some("")` for a segment
/// without `{id}` that matches, `None` when it does not match.
fn capture(pattern: &str, segment: &str) -> Option<String> {
    match pattern.split_once("{id}") {
        None => (pattern == segment).then(String::new),
        Some((before, after)) => segment
            .strip_prefix(before)
            .and_then(|rest| rest.strip_suffix(after))
            .filter(|id| !id.is_empty())
            .map(str::to_string),
    }
}

/// The rows whose pattern matches a lower-case path, each with the `{id}` it captured.
pub fn find(path: &str) -> Vec<(&'static Endpoint, Option<String>)> {
    let segments: Vec<&str> = path.split('/').collect();
    endpoints()
        .iter()
        .filter(|e| e.segments.len() == segments.len())
        .filter_map(|e| {
            let mut id = None;
            for (p, s) in e.segments.iter().zip(&segments) {
                let got = capture(p, s)?;
                if p.contains("{id}") {
                    id = Some(got);
                }
            }
            Some((e, id))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seventy_four_ids() {
        assert_eq!(crate::cargorun::served_ids().len(), 74);
    }

    #[test]
    fn a_path_id_is_captured_whole_or_inside_a_segment() {
        let hit = find("api/cargoownerdictionary/get(42)");
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0].0.id, "cargorun.counterparties.get");
        assert_eq!(hit[0].1.as_deref(), Some("42"));
        let list = find("api/cargoownerdictionary/get");
        assert_eq!(list[0].0.id, "cargorun.counterparties.list");
        let bid = find("api/bids/get/7");
        assert_eq!(
            (bid[0].0.id, bid[0].1.as_deref()),
            ("cargorun.bids.get", Some("7"))
        );
        assert!(find("api/bids/get/").is_empty());
        assert!(find("api/nothing").is_empty());
    }
}
