//! When and how long to wait before sending a request again.

use std::hash::BuildHasher;
use std::time::{Duration, SystemTime};

use reqwest::Method;

/// Which failures are retried, how often, and how long the client waits.
///
/// Idempotent requests (GET, PUT, DELETE, HEAD, OPTIONS) are retried after a
/// connection error or a 429, 502, 503 or 504 response; POST and PATCH only
/// when [`retry_non_idempotent`](Self::retry_non_idempotent) is set. The wait
/// doubles from `initial_backoff` up to `max_backoff`, with jitter, and is
/// at least what the server asks for in `Retry-After` (but never more than
/// `max_backoff`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retries).
    pub max_retries: u32,
    /// The wait before the first retry (doubled for each further one, with jitter).
    pub initial_backoff: Duration,
    /// The longest wait between two tries.
    pub max_backoff: Duration,
    /// Also retry POST and PATCH, which may then take effect twice.
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..Self::default() }
    }

    /// How many times a request is retried (0: never).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// The first wait and the longest one between tries.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Whether POST and PATCH requests are retried too (they may not be safe to repeat).
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    pub(crate) fn allows(&self, method: &Method, attempt: u32) -> bool {
        attempt < self.max_retries
            && (self.retry_non_idempotent
                || matches!(*method, Method::GET | Method::PUT | Method::DELETE | Method::HEAD | Method::OPTIONS))
    }

    /// The wait before retry number `attempt + 1`.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exponential = self.initial_backoff.saturating_mul(2u32.saturating_pow(attempt)).min(self.max_backoff);
        // Full jitter over the upper half keeps clients from retrying in step.
        let random = std::collections::hash_map::RandomState::new().hash_one(attempt);
        let jittered = exponential / 2 + exponential.mul_f64((random % 1000) as f64 / 2000.0);
        retry_after.map_or(jittered, |wait| wait.max(jittered)).min(self.max_backoff)
    }
}

/// Statuses that say "try again later".
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// `Retry-After` as seconds or as an HTTP date.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_idempotent_methods_are_retried_by_default() {
        let p = RetryPolicy::default();
        assert!(p.allows(&Method::GET, 0) && p.allows(&Method::PUT, 2) && p.allows(&Method::DELETE, 0));
        assert!(!p.allows(&Method::GET, 3));
        assert!(!p.allows(&Method::POST, 0) && !p.allows(&Method::PATCH, 0));
        assert!(p.clone().retry_non_idempotent(true).allows(&Method::POST, 0));
        assert!(!RetryPolicy::none().allows(&Method::GET, 0));
    }

    #[test]
    fn delays_grow_stay_bounded_and_honour_retry_after() {
        let p = RetryPolicy::default().backoff(Duration::from_millis(100), Duration::from_secs(2));
        for attempt in 0..10 {
            let d = p.delay(attempt, None);
            let full = Duration::from_millis(100).saturating_mul(1 << attempt.min(20)).min(Duration::from_secs(2));
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?} not in [{:?}, {full:?}]", full / 2);
        }
        assert_eq!(p.delay(0, Some(Duration::from_secs(1))), Duration::from_secs(1));
        assert_eq!(p.delay(0, Some(Duration::from_secs(600))), Duration::from_secs(2));
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now - Duration::from_secs(5)),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now + Duration::from_secs(5)),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
