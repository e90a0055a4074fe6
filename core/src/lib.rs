//! # logibridge
//!
//! One client for three Russian logistics and commerce APIs — Carreta (auto parts),
//! iRECA Courier and CARGO.RUN Logistics 2.0 — with the services' documented rules
//! checked before anything is sent.
//!
//! Every call takes the same path: a typed method (or the generic [`Client::call`] by
//! endpoint id) → its row in the [`endpoints`] table → the executor ([`call`]: parameters
//! checked, the documented rules applied) → the [`transport`] (auth, timeouts, retries,
//! redaction, tracing) → HTTP → the row's model → the result.
//!
//! ```no_run
//! # async fn run() -> logibridge::Result<()> {
//! let carreta = logibridge::carreta::Client::builder("my-api-key").build()?;
//! for offer in carreta.search("oc47").await? {
//!     println!("{} {} {}", offer.maker, offer.code, offer.price);
//! }
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

pub mod blocking;
pub mod call;
pub mod cargorun;
pub mod carreta;
mod client;
pub mod endpoints;
mod error;
pub mod inn;
pub mod ireca;
mod pager;
pub mod pricelist;
pub mod serde_ext;
pub mod transport;
mod typed_builder;

pub use client::{Client, ClientBuilder, MAX_RETRIES, MAX_TIMEOUT};
pub use error::{error_safe_url, redact_url, Error, ErrorKind, Result, ValidationError};
pub use error::shown::{shown_input, SHOWN_CHARS};
pub use pager::Pager;
pub use typed_builder::TypedClientBuilder;

/// The generic client under its former name.
#[deprecated(since = "0.2.0", note = "use logibridge::Client")]
pub type AnyClient = Client;

/// The library version, as sent in the `User-Agent` header (`logibridge/<version>`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
