//! When and how long to wait before trying a call again.

use std::time::{Duration, SystemTime};

/// Retries of idempotent calls: connect errors, timeouts, 408, 429, 500, 502, 503, 504.
///
/// The delay before retry `n` (0-based) is `min(0.5 s · 2ⁿ, 8 s)`, scaled by a jitter
/// factor in `[0.75, 1]`; a `Retry-After` from the service wins, capped at 120 s.
///
/// ```
/// use std::time::Duration;
/// use logibridge::transport::RetryPolicy;
/// let p = RetryPolicy::default();
/// assert_eq!(p.max_retries, 2);
/// assert_eq!(p.backoff(0, 1.0), Duration::from_millis(500));
/// assert_eq!(p.backoff(10, 1.0), Duration::from_secs(8));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so `max_retries + 1` attempts at most).
    pub max_retries: u32,
    /// The first backoff (0.5 s).
    pub initial_delay: Duration,
    /// The longest backoff (8 s).
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

/// HTTP statuses worth another try.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

impl RetryPolicy {
    /// The computed delay before retry `attempt` (0-based), with `jitter` in `[0, 1]`
    /// (1 = no reduction).
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exp = 2f64.powi(attempt.min(30) as i32);
        let raw = (self.initial_delay.as_secs_f64() * exp).min(self.max_delay.as_secs_f64());
        let factor = 0.75 + 0.25 * jitter.clamp(0.0, 1.0);
        Duration::from_secs_f64(raw * factor)
    }

    /// The delay before retry `attempt`: the service's `Retry-After` when it gave a usable
    /// one, otherwise the jittered backoff.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(d) => d.min(self.max_retry_after),
            None => self.backoff(attempt, rand::random::<f64>()),
        }
    }
}

/// Reads a `Retry-After` value: delta seconds (fractions accepted) or an HTTP date.
/// Nonsense (`inf`, `nan`, negative) and dates in the past give `None` or zero.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use logibridge::transport::parse_retry_after;
/// assert_eq!(parse_retry_after("3", SystemTime::now()), Some(Duration::from_secs(3)));
/// assert_eq!(parse_retry_after("1.5", SystemTime::now()), Some(Duration::from_millis(1500)));
/// assert_eq!(parse_retry_after("inf", SystemTime::now()), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<f64>() {
        if !secs.is_finite() || !(0.0..=1e9).contains(&secs) {
            return None;
        }
        return Some(Duration::from_secs_f64(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps() {
        let p = RetryPolicy::default();
        let got: Vec<u64> = (0..6).map(|n| p.backoff(n, 1.0).as_millis() as u64).collect();
        assert_eq!(got, [500, 1000, 2000, 4000, 8000, 8000]);
        assert_eq!(p.backoff(u32::MAX, 1.0), Duration::from_secs(8));
    }

    #[test]
    fn jitter_stays_within_a_quarter() {
        let p = RetryPolicy::default();
        for _ in 0..100 {
            let d = p.delay(1, None);
            assert!(d >= Duration::from_millis(750) && d <= Duration::from_millis(1000), "{d:?}");
        }
    }

    #[test]
    fn retry_after_table() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let date = |offset: i64| httpdate::fmt_http_date(if offset >= 0 { now + Duration::from_secs(offset as u64) } else { now - Duration::from_secs((-offset) as u64) });
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after(" 20 ", now), Some(Duration::from_secs(20)));
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("nan", now), None);
        assert_eq!(parse_retry_after("inf", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after(&date(30), now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after(&date(-30), now), Some(Duration::ZERO));
        // Far future: parsed, then capped by the policy.
        let far = parse_retry_after(&date(100_000), now).unwrap();
        assert_eq!(RetryPolicy::default().delay(0, Some(far)), Duration::from_secs(120));
    }

    #[test]
    fn retryable_statuses() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s));
        }
        for s in [200, 201, 400, 401, 403, 404, 409, 501] {
            assert!(!is_retryable_status(s));
        }
    }
}
