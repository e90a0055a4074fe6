//! # logibridge
//!
//! One client for three Russian logistics and commerce APIs — Carreta (auto parts),
//! iRECA Courier and CARGO.RUN Logistics 2.0 — with the services' documented rules
//! checked before anything is sent.
//!
//! Every call takes the same path: a typed method (or the generic [`AnyClient::call`] by
//! endpoint id) → the [`endpoints`] table → the [`transport`] (auth, timeouts, retries,
//! redaction, tracing) → HTTP.
//!
//! ```no_run
//! # async fn run() -> logibridge::Result<()> {
//! let carreta = logibridge::carreta::Client::builder("my-api-key").build()?;
//! for offer in carreta.search("oc47").await? {
//!     println!("{} {} {}", offer.maker, offer.code, offer.price);
//! }
//! # Ok(()) }
//! ```

pub mod carreta;
pub mod endpoints;
mod error;
pub mod pricelist;
pub mod serde_ext;
pub mod transport;
mod any;
pub mod blocking;

pub use any::AnyClient;
pub use error::{redact_url, Error, ErrorKind, Result, ValidationError};

/// The library version, as sent in the `User-Agent` header (`logibridge/<version>`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
