//! One handle for any service, reached by endpoint id: what the C and 1C faces hold.

use serde_json::Value;

use crate::endpoints::{self, Service};
use crate::error::{Error, Result};

/// A client of one of the services, called by endpoint id with JSON parameters.
///
/// ```no_run
/// # async fn run() -> logibridge::Result<()> {
/// let client = logibridge::AnyClient::from(logibridge::carreta::Client::builder("key").build()?);
/// let offers = client.call("carreta.search.query", serde_json::json!({"q": "oc47"})).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum AnyClient {
    Carreta(crate::carreta::Client),
}

impl From<crate::carreta::Client> for AnyClient {
    fn from(c: crate::carreta::Client) -> AnyClient {
        AnyClient::Carreta(c)
    }
}

impl AnyClient {
    /// The service this client speaks.
    pub fn service(&self) -> Service {
        match self {
            AnyClient::Carreta(_) => Service::Carreta,
        }
    }

    /// Calls an endpoint by id. The id must exist and belong to this client's service;
    /// parameters are checked by name, and every documented rule applies before sending.
    pub async fn call(&self, id: &str, params: Value) -> Result<Value> {
        let endpoint = endpoints::require(id)?;
        if endpoint.service != self.service() {
            return Err(Error::InvalidArgument(format!("{id} belongs to {}, but this client speaks {}", endpoint.service.prefix(), self.service().prefix())));
        }
        match self {
            AnyClient::Carreta(c) => c.call(endpoint, params).await,
        }
    }

    /// [`AnyClient::call`] with JSON text in and out, for faces that speak strings.
    pub async fn call_json(&self, id: &str, params_json: &str) -> Result<String> {
        let params: Value = if params_json.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(params_json).map_err(|e| Error::InvalidArgument(format!("{id}: parameters are not valid JSON: {e}")))?
        };
        let out = self.call(id, params).await?;
        serde_json::to_string(&out).map_err(|e| Error::Internal(format!("cannot encode the result: {e}")))
    }

    /// Blocking [`AnyClient::call_json`] on the shared runtime.
    pub fn call_json_blocking(&self, id: &str, params_json: &str) -> Result<String> {
        crate::blocking::block_on(self.call_json(id, params_json))?
    }
}
