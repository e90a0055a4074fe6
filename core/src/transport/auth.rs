//! Per-service authentication strategies, and the wrapper that keeps secrets out of logs.

use std::fmt;

use futures_util::future::BoxFuture;

use crate::error::{Error, Result};

/// A secret (API key, token, password). `Debug` and `Display` print `***`; only
/// [`Secret::expose`] gives the value, and only the transport calls it.
///
/// ```
/// let s = logibridge::transport::Secret::new("canary-123");
/// assert_eq!(format!("{s:?} {s}"), "*** ***");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The value itself. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How a service proves who is calling: adds credentials to each request and, for
/// services whose tokens expire, renews them.
///
/// The transport calls [`AuthStrategy::authorize`] before every attempt of a call that
/// needs credentials, and after a 401 calls [`AuthStrategy::refresh`]: when it returns
/// `true` the request is sent once more with the renewed credentials (CARGO.RUN's JWT).
/// Implementations keep their secrets in [`Secret`] and list them in
/// [`AuthStrategy::secrets`], so any text that comes back from outside is scrubbed of them.
///
/// ```
/// use logibridge::transport::{AuthStrategy, BearerToken, Secret};
/// let auth = BearerToken::new(Secret::new("tok-123"));
/// let mut url = url::Url::parse("https://x.test/api/").unwrap();
/// let mut headers = reqwest::header::HeaderMap::new();
/// futures_executor_lite(auth.authorize(&mut url, &mut headers)).unwrap();
/// assert_eq!(headers["authorization"], "Bearer tok-123");
/// assert_eq!(auth.secrets(), ["tok-123"]);
/// # fn futures_executor_lite<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub trait AuthStrategy: Send + Sync + fmt::Debug {
    /// Adds the credentials to an outgoing request.
    fn authorize<'a>(&'a self, url: &'a mut url::Url, headers: &'a mut reqwest::header::HeaderMap) -> BoxFuture<'a, Result<()>>;

    /// Renews the credentials after a 401. `rejected` holds the headers of the request the
    /// 401 answered, so a strategy can tell a stale credential (renewed meanwhile by another
    /// call: just repeat) from the one in force. `Ok(true)`: renewed, send the request once
    /// more; `Ok(false)` (the default): nothing to renew, the 401 stands.
    fn refresh<'a>(&'a self, rejected: &'a reqwest::header::HeaderMap) -> BoxFuture<'a, Result<bool>> {
        let _ = rejected;
        Box::pin(async { Ok(false) })
    }

    /// Answers a call of the strategy's own rows (CARGO.RUN's token calls) asked for through
    /// the client, instead of the transport sending it as it stands; `None` (the default):
    /// not one of them. The answer must hold no secret (see [`super::JwtAuth`]).
    fn own_call<'a>(&'a self, req: &'a super::Request) -> Option<BoxFuture<'a, Result<super::Response>>> {
        let _ = req;
        None
    }

    /// The secret values held now, for scrubbing text that came from outside.
    fn secrets(&self) -> Vec<String>;
}

/// No credentials.
#[derive(Clone, Debug, Default)]
pub struct NoAuth;

impl AuthStrategy for NoAuth {
    fn authorize<'a>(&'a self, _: &'a mut url::Url, _: &'a mut reqwest::header::HeaderMap) -> BoxFuture<'a, Result<()>> {
        Box::pin(async { Ok(()) })
    }
    fn secrets(&self) -> Vec<String> {
        vec![]
    }
}

/// A query parameter on every request (Carreta's `api_key`).
#[derive(Clone, Debug)]
pub struct QueryKey {
    name: &'static str,
    value: Secret,
}

impl QueryKey {
    /// The parameter `name` with a secret value.
    pub fn new(name: &'static str, value: Secret) -> QueryKey {
        QueryKey { name, value }
    }
}

impl AuthStrategy for QueryKey {
    fn authorize<'a>(&'a self, url: &'a mut url::Url, _: &'a mut reqwest::header::HeaderMap) -> BoxFuture<'a, Result<()>> {
        url.query_pairs_mut().append_pair(self.name, self.value.expose());
        Box::pin(async { Ok(()) })
    }
    fn secrets(&self) -> Vec<String> {
        vec![self.value.expose().to_owned()]
    }
}

/// `Authorization: Bearer <token>` with a token that does not expire (iRECA's).
#[derive(Clone, Debug)]
pub struct BearerToken {
    token: Secret,
}

impl BearerToken {
    /// A static bearer token.
    pub fn new(token: Secret) -> BearerToken {
        BearerToken { token }
    }
}

impl AuthStrategy for BearerToken {
    fn authorize<'a>(&'a self, _: &'a mut url::Url, headers: &'a mut reqwest::header::HeaderMap) -> BoxFuture<'a, Result<()>> {
        let result = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", self.token.expose()))
            .map(|mut v| {
                v.set_sensitive(true);
                headers.insert(reqwest::header::AUTHORIZATION, v);
            })
            .map_err(|_| Error::invalid_argument("the token holds characters a header cannot carry", "токен содержит символы, недопустимые в заголовке HTTP"));
        Box::pin(async move { result })
    }
    fn secrets(&self) -> Vec<String> {
        vec![self.token.expose().to_owned()]
    }
}
