//! When a failed generation is tried again, and after how long. Pure Rust.
//!
//! Only failures that say "try later" are retried: rate limits, timeouts at
//! the provider, overloaded or failing upstreams and network errors. A bad
//! request, a bad key, no credits, moderation, "not available" or "too large"
//! would fail the same way again, so they never are.

use super::ApiError;

/// Attempts in all, the first one included.
pub const MAX_ATTEMPTS: u32 = 3;
/// The first wait; each later one doubles.
const BASE_SECONDS: f64 = 2.0;
/// No wait is longer, whatever a server asks for: the user is watching a countdown.
pub const MAX_WAIT_SECONDS: f64 = 60.0;

/// Whether trying the same request again may succeed.
pub fn is_retryable(error: &ApiError) -> bool {
    match error {
        // Not `Interrupted`: the image may already have been made (and billed).
        ApiError::Network { .. } | ApiError::RateLimited { .. } => true,
        ApiError::ProviderTimeout { .. } => true,
        ApiError::ProviderDown { status, .. } | ApiError::EdgeError { status } => {
            matches!(status, 500 | 502 | 503 | 524 | 529)
        }
        _ => false,
    }
}

/// Seconds to wait before the next attempt, after attempt `failed` (from 1)
/// ended in `error`; `None` means give up and show the error.
/// `jitter` in 0..1 (random in the app) spreads clients that failed together.
/// A server's own `retry_after` wins over the backoff.
pub fn retry_delay(error: &ApiError, failed: u32, jitter: f64) -> Option<f64> {
    if failed >= MAX_ATTEMPTS || !is_retryable(error) {
        return None;
    }
    let backoff = BASE_SECONDS * 2f64.powi(failed.saturating_sub(1).min(16) as i32);
    let wait = match error.retry_after_seconds() {
        Some(seconds) => f64::from(seconds),
        None => backoff + jitter.clamp(0.0, 1.0) * BASE_SECONDS / 2.0,
    };
    Some(wait.min(MAX_WAIT_SECONDS))
}
