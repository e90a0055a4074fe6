//! `logibridge._native`: the Rust half of the Python package.
//!
//! Service-agnostic on purpose: one [`client::Client`] reaches every endpoint of the core's
//! table by id with JSON-shaped parameters; the Python package (`python/logibridge/`) puts
//! resource classes and typed models on top. A new service needs one arm in
//! `client::build` (how its client authenticates) and its resource classes in Python.

mod client;
mod convert;
mod errors;
mod logging;
mod pricelist;
mod pricerow;
mod rules;
mod sandbox;

use pyo3::prelude::*;

/// The library version (the core's).
#[pyfunction]
fn version() -> &'static str {
    logibridge::VERSION
}

/// The default base URL of a service, or None for an unknown one.
#[pyfunction]
fn default_base_url(service: &str) -> Option<&'static str> {
    client::default_base_url(service)
}

/// Items per page of a paged endpoint (the core's constant), or None for one that is not
/// paged.
#[pyfunction]
fn page_size(endpoint_id: &str) -> Option<usize> {
    match endpoint_id {
        "carreta.order.list" => Some(logibridge::carreta::ORDERS_PER_PAGE),
        _ => None,
    }
}

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Async calls run on the core's shared runtime, the same one sync calls use.
    let _ = pyo3_async_runtimes::tokio::init_with_runtime(logibridge::blocking::runtime());
    logging::install();
    client::remember_process();

    m.add_class::<client::Client>()?;
    m.add_class::<sandbox::Sandbox>()?;
    m.add_class::<pricelist::PriceListReader>()?;
    m.add_class::<pricerow::PriceRow>()?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(default_base_url, m)?)?;
    m.add_function(wrap_pyfunction!(page_size, m)?)?;
    m.add_function(wrap_pyfunction!(client::endpoints, m)?)?;
    m.add_function(wrap_pyfunction!(rules::carreta_check_order_qty, m)?)?;
    m.add_function(wrap_pyfunction!(rules::carreta_check_client_comment, m)?)?;
    m.add_function(wrap_pyfunction!(rules::carreta_qty_info, m)?)?;
    m.add_function(wrap_pyfunction!(rules::carreta_order_statuses, m)?)?;
    m.add_function(wrap_pyfunction!(rules::carreta_utc_offset, m)?)?;
    m.add_function(wrap_pyfunction!(sandbox::sandbox_carreta_codes, m)?)?;
    Ok(())
}
