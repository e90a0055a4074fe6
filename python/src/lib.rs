//! `logibridge._native`: the Rust half of the Python package.
//!
//! Service-agnostic on purpose: one [`client::Client`] is built for any service of the
//! core's table from options by name and reaches every endpoint by id with JSON-shaped
//! parameters; [`client::endpoints`] hands the table itself to the Python package
//! (`python/logibridge/`), which makes its resources, sync and async, from it. A new
//! service needs no code here.
//!
//! Lifecycle: the core's runtime threads enter Python only through
//! [`lifecycle::with_python`], which the package's `atexit` hook closes before the
//! interpreter finalizes ([`lifecycle::shutdown`]); log records reach Python handlers on a
//! Python thread, never on a runtime thread ([`logging`]); a forked child gets a runtime of
//! its own and refuses clients made by its parent ([`client`]).

mod aio;
mod arrow;
mod cli;
mod client;
mod convert;
mod errors;
mod ireca;
mod lifecycle;
mod logging;
mod models;
mod pages;
mod pricelist;
mod pricerow;
mod rules;
mod sandbox;
mod sync;

use pyo3::prelude::*;

/// The library version (the core's).
#[pyfunction]
fn version() -> &'static str {
    logibridge::VERSION
}

/// Items per page of a paged endpoint (its row's paging), or None for one that is not
/// paged or not known.
#[pyfunction]
fn page_size(endpoint_id: &str) -> Option<u32> {
    use logibridge::endpoints::Paging;
    match logibridge::endpoints::find(endpoint_id)?.paging {
        Paging::None => None,
        Paging::PageNumber { size, .. } | Paging::PageCount { size, .. } | Paging::OData { size } => Some(size),
    }
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    logging::install(m.py())?;

    m.add_class::<client::Client>()?;
    m.add_class::<sandbox::Sandbox>()?;
    m.add_class::<pricelist::PriceListReader>()?;
    m.add_class::<pricerow::PriceRow>()?;
    m.add_class::<arrow::PriceListArrow>()?;
    m.add_class::<arrow::ArrowTable>()?;
    m.add_class::<ireca::CallbackReceiver>()?;
    m.add_class::<ireca::CallbackEntry>()?;
    m.add_class::<models::Schema>()?;
    m.add_class::<models::ModelReader>()?;
    m.add_class::<models::RawPage>()?;
    m.add_class::<pages::Pages>()?;
    m.add_class::<sync::Syncer>()?;
    m.add_class::<sync::SyncIdMap>()?;
    m.add_function(wrap_pyfunction!(sync::sync_classify, m)?)?;
    m.add_function(wrap_pyfunction!(sync::sync_resolve, m)?)?;
    m.add_function(wrap_pyfunction!(sync::sync_entities, m)?)?;
    m.add_function(wrap_pyfunction!(sync::sync_check_directory, m)?)?;
    m.add_function(wrap_pyfunction!(sync::sync_render_filter, m)?)?;
    m.add_function(wrap_pyfunction!(models::decode, m)?)?;
    m.add_function(wrap_pyfunction!(models::lazy_attr, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(cli::cli_main, m)?)?;
    m.add_function(wrap_pyfunction!(lifecycle::shutdown, m)?)?;
    m.add_function(wrap_pyfunction!(logging::logging_next, m)?)?;
    m.add_function(wrap_pyfunction!(logging::logging_accepted, m)?)?;
    m.add_function(wrap_pyfunction!(logging::logging_dropped, m)?)?;
    m.add_function(wrap_pyfunction!(logging::logging_set_threshold, m)?)?;
    m.add_function(wrap_pyfunction!(page_size, m)?)?;
    m.add_function(wrap_pyfunction!(client::endpoints, m)?)?;
    m.add_function(wrap_pyfunction!(client::register_service, m)?)?;
    m.add_function(wrap_pyfunction!(rules::carreta_check_order_qty, m)?)?;
    m.add_function(wrap_pyfunction!(rules::carreta_check_client_comment, m)?)?;
    m.add_function(wrap_pyfunction!(rules::carreta_qty_info, m)?)?;
    m.add_function(wrap_pyfunction!(rules::carreta_order_statuses, m)?)?;
    m.add_function(wrap_pyfunction!(rules::carreta_utc_offset, m)?)?;
    m.add_function(wrap_pyfunction!(sandbox::sandbox_carreta_codes, m)?)?;
    m.add_function(wrap_pyfunction!(ireca::ireca_parse_order_callback, m)?)?;
    m.add_function(wrap_pyfunction!(ireca::ireca_parse_license_callback, m)?)?;
    m.add_function(wrap_pyfunction!(ireca::ireca_max_callback_bytes, m)?)?;
    Ok(())
}
