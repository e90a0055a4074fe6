//! The service's calls to the integrator: an order's changes (`{"items":[order…]}` to the
//! URL set by `orders/callback`) and a closed courier session (to the URL set by
//! `licenses/callback`).
//!
//! Deliveries run on background tasks, never inside the request that caused them. A
//! delivery that fails (connection error, timeout, any status but 2xx) is retried after
//! [`retry_delay`]`(attempt)` up to [`MAX_ATTEMPTS`] attempts in all, then given up. Every
//! attempt is logged for the control API (`GET /_control/ireca/callbacks`).

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::spelling::flag;
use super::state::now;
use super::{Call, IrecaError, Reply};

/// Attempts per delivery, the first included.
pub const MAX_ATTEMPTS: u32 = 6;
/// Delay before the first retry.
pub const FIRST_RETRY: Duration = Duration::from_millis(200);
/// Longest delay between two attempts.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(3);
/// How long one attempt may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Attempts kept in the delivery log (oldest dropped first).
const MAX_LOG: usize = 10_000;

/// Delay after failed attempt `attempt` (1-based): `FIRST_RETRY × 2^(attempt−1)`, at most
/// `MAX_RETRY_DELAY`: 0.2 s, 0.4 s, 0.8 s, 1.6 s, 3 s.
pub fn retry_delay(attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
    FIRST_RETRY.saturating_mul(factor).min(MAX_RETRY_DELAY)
}

/// A registered callback URL.
#[derive(Debug, Clone)]
pub struct Callback {
    /// Absolute `http`/`https` URL.
    pub url: String,
    /// `isActive`: 0 switches deliveries off without forgetting the URL.
    pub active: bool,
}

impl Callback {
    /// The URL to post to, when deliveries are on.
    pub fn target(slot: &Option<Callback>) -> Option<String> {
        slot.as_ref().filter(|c| c.active).map(|c| c.url.clone())
    }
}

/// Reads a registration body `{"url": "...", "isActive": 1}`; `isActive` defaults to 1.
pub fn registration(call: &Call<'_>) -> Result<Callback, IrecaError> {
    let body = call.json_object()?;
    let url = body
        .get("url")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| IrecaError::bad_request("Не задан обязательный атрибут url."))?;
    let parsed = url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    if parsed.is_none() {
        return Err(IrecaError::bad_request(
            "Атрибут url должен быть абсолютным адресом http или https.",
        ));
    }
    let active = match body.get("isActive") {
        None => true,
        Some(v) => flag(v)
            .ok_or_else(|| IrecaError::bad_request("Атрибут isActive должен быть 0 или 1."))?,
    };
    Ok(Callback {
        url: url.to_string(),
        active,
    })
}

/// A registration answered as the document does: 201 with no body.
pub fn registered() -> Result<Reply, IrecaError> {
    Ok(Reply::Empty(StatusCode::CREATED))
}

/// The HTTP client and the delivery log.
#[derive(Default)]
pub struct Deliveries {
    client: OnceLock<reqwest::Client>,
    log: Arc<Mutex<Vec<Value>>>,
}

impl Deliveries {
    /// Posts `body` to `url` on a background task, retrying as the module says. `kind` is
    /// `order` or `license_session`, for the log.
    pub fn send(&self, kind: &'static str, url: String, body: Value) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let client = self
            .client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .timeout(ATTEMPT_TIMEOUT)
                    .no_proxy()
                    .build()
                    .unwrap_or_default()
            })
            .clone();
        let log = self.log.clone();
        runtime.spawn(async move {
            for attempt in 1..=MAX_ATTEMPTS {
                let outcome = client.post(&url).json(&body).send().await;
                let (delivered, result) = match outcome {
                    Ok(resp) => (resp.status().is_success(), json!(resp.status().as_u16())),
                    Err(e) => (false, json!(e.to_string())),
                };
                record(
                    &log,
                    json!({
                        "kind": kind, "url": url, "attempt": attempt, "result": result,
                        "delivered": delivered, "at": now(),
                    }),
                );
                if delivered {
                    return;
                }
                if attempt < MAX_ATTEMPTS {
                    tokio::time::sleep(retry_delay(attempt)).await;
                }
            }
        });
    }

    /// Every attempt so far, oldest first.
    pub fn log(&self) -> Vec<Value> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn record(log: &Mutex<Vec<Value>>, entry: Value) {
    let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
    if log.len() >= MAX_LOG {
        log.remove(0);
    }
    log.push(entry);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let delays: Vec<u128> = (1..MAX_ATTEMPTS)
            .map(|a| retry_delay(a).as_millis())
            .collect();
        assert_eq!(delays, [200, 400, 800, 1600, 3000]);
        assert_eq!(retry_delay(40), MAX_RETRY_DELAY);
    }
}
