//! Per-service authentication strategies, and the wrapper that keeps secrets out of logs.

use std::fmt;

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

/// How a service proves who is calling.
#[derive(Clone, Debug)]
pub enum Auth {
    /// No credentials.
    None,
    /// A query parameter on every request (Carreta: `api_key`).
    QueryParam { name: &'static str, value: Secret },
    /// `Authorization: Bearer <token>` (iRECA's static token).
    Bearer(Secret),
}

impl Auth {
    /// The secret values this strategy holds, for scrubbing text that came from outside.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        match self {
            Auth::None => vec![],
            Auth::QueryParam { value, .. } => vec![value.expose()],
            Auth::Bearer(token) => vec![token.expose()],
        }
    }

    pub(crate) fn apply(&self, url: &mut url::Url, headers: &mut reqwest::header::HeaderMap) {
        match self {
            Auth::None => {}
            Auth::QueryParam { name, value } => {
                url.query_pairs_mut().append_pair(name, value.expose());
            }
            Auth::Bearer(token) => {
                if let Ok(mut v) = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose())) {
                    v.set_sensitive(true);
                    headers.insert(reqwest::header::AUTHORIZATION, v);
                }
            }
        }
    }
}
