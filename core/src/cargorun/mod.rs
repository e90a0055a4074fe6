//! CARGO.RUN Logistics 2.0: the models of its typed calls (generated from the service's
//! OpenAPI document, `generated`), the .NET JSON they travel in (`wire`) and the rules the
//! pages state (`rules`), checked before anything is sent; OData queries built from typed
//! pieces (`odata`).
//!
//! The rows are in [`crate::endpoints::cargorun`]; the JWT sign-in they need is
//! [`crate::transport::JwtAuth`]; [`Client`] calls them with the models.

mod client;
pub mod generated;
pub mod odata;
pub mod rules;
pub mod sync;
pub mod swagger;
pub mod wire;

pub use client::{Client, ClientBuilder, Directory};
pub use odata::{Field, Query};
pub use generated::*;
