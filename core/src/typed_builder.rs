//! The builder every typed service client shares ([`crate::carreta::Client`],
//! [`crate::ireca::Client`]): the generic [`crate::ClientBuilder`] under the options a
//! user of one service sets, building that service's client.

use std::marker::PhantomData;
use std::time::Duration;

use crate::error::Result;

/// Builds a typed client `C` (see [`crate::carreta::Client::builder`],
/// [`crate::ireca::Client::builder`]).
///
/// ```
/// use std::time::Duration;
/// let client = logibridge::ireca::Client::builder("s3cr3t-canary")
///     .base_url("http://127.0.0.1:8080/ireca/api/v1/")
///     .timeout(Duration::from_secs(5))
///     .max_retries(0)
///     .build()
///     .unwrap();
/// assert!(!format!("{client:?}").contains("s3cr3t-canary"));
/// ```
pub struct TypedClientBuilder<C> {
    pub(crate) inner: crate::ClientBuilder,
    _client: PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for TypedClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedClientBuilder").field("inner", &self.inner).finish()
    }
}

impl<C: From<crate::Client>> TypedClientBuilder<C> {
    pub(crate) fn new(inner: crate::ClientBuilder) -> Self {
        TypedClientBuilder { inner, _client: PhantomData }
    }
    pub(crate) fn map(self, f: impl FnOnce(crate::ClientBuilder) -> crate::ClientBuilder) -> Self {
        TypedClientBuilder::new(f(self.inner))
    }
    /// The service URL (the sandbox's, or a customer host); defaults to the service's
    /// production URL.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.map(|b| b.base_url(url))
    }
    /// Time for a whole request (default 30 s; from 1 ms to 24 h, outside that `build`
    /// fails with `option.timeout`).
    pub fn timeout(self, timeout: Duration) -> Self {
        self.map(|b| b.timeout(timeout))
    }
    /// Time to connect (default 10 s).
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.map(|b| b.connect_timeout(timeout))
    }
    /// The most one call may take, retries and their waits included (default 3 × the
    /// timeout; the limits of [`TypedClientBuilder::timeout`]): each attempt gets at most
    /// what is left; once it has passed the call fails with [`crate::Error::Timeout`], and a
    /// retry whose wait would pass it is not made (a 429 is returned at once with its
    /// `retry_after`).
    pub fn deadline(self, deadline: Duration) -> Self {
        self.map(|b| b.deadline(deadline))
    }
    /// Retries of idempotent calls (default 2). Calls that create are never retried.
    pub fn max_retries(self, n: u32) -> Self {
        self.map(|b| b.max_retries(n))
    }
    /// A file keeping a JWT service's tokens across restarts (CARGO.RUN; see
    /// [`crate::ClientBuilder::token_file`]): owner-only, refused at `build` otherwise; for
    /// another service `build` fails with `option.unknown`.
    pub fn token_file(self, path: impl Into<std::path::PathBuf>) -> Self {
        self.map(|b| b.token_file(path))
    }
    /// Builds the client. Fails on an empty credential or a malformed URL.
    pub fn build(self) -> Result<C> {
        Ok(C::from(self.inner.build()?))
    }
}
