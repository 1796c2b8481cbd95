//! Native tests of the retry policy: what is tried again, after how long, how often.
#![cfg(not(target_arch = "wasm32"))]

use kleinbild::api::ApiError;
use kleinbild::api::retry::{MAX_ATTEMPTS, MAX_WAIT_SECONDS, is_retryable, retry_delay};
use kleinbild::generation::RetryWait;

fn status_error(status: u16) -> ApiError {
    ApiError::from_http(
        status,
        &format!(r#"{{"error":{{"code":{status},"message":"m"}}}}"#),
    )
}

#[test]
fn try_later_statuses_and_network_failures_are_retried() {
    for status in [408, 429, 500, 502, 503, 524, 529] {
        assert!(is_retryable(&status_error(status)), "{status} not retried");
    }
    assert!(is_retryable(&ApiError::Network {
        detail: "TypeError: Failed to fetch".into()
    }));
    // Edge pages (HTML) and empty bodies from the same statuses too.
    assert!(is_retryable(&ApiError::from_http(
        502,
        "<html>Bad gateway</html>"
    )));
    assert!(is_retryable(&ApiError::from_http(503, "")));
}

#[test]
fn failures_that_would_repeat_are_never_retried() {
    for status in [400, 401, 402, 403, 404, 413, 422] {
        assert!(!is_retryable(&status_error(status)), "{status} retried");
        assert_eq!(retry_delay(&status_error(status), 1, 0.5), None);
    }
    for error in [
        ApiError::Cancelled,
        ApiError::Timeout { seconds: 30 },
        // The image may have been made (and billed) already.
        ApiError::Interrupted {
            generation_id: Some("gen-1".into()),
        },
        ApiError::IdleTimeout { seconds: 60 },
        ApiError::Malformed { detail: "x".into() },
        ApiError::NoImage { detail: "x".into() },
        ApiError::GenerationFailed {
            message: "x".into(),
        },
        ApiError::from_http(501, "<html></html>"),
    ] {
        assert!(!is_retryable(&error), "{error:?} retried");
    }
}

#[test]
fn backoff_doubles_with_bounded_jitter_and_stops_after_the_last_attempt() {
    let error = status_error(502);
    let first = retry_delay(&error, 1, 0.0).unwrap();
    let second = retry_delay(&error, 2, 0.0).unwrap();
    assert_eq!(first, 2.0);
    assert_eq!(second, 4.0);
    let jittered = retry_delay(&error, 1, 1.0).unwrap();
    assert!(jittered > first && jittered <= first + 1.0, "{jittered}");
    // Out-of-range jitter is clamped, never negative or huge.
    assert_eq!(retry_delay(&error, 1, -5.0), Some(2.0));
    assert_eq!(retry_delay(&error, 1, 99.0), Some(3.0));
    assert_eq!(retry_delay(&error, MAX_ATTEMPTS, 0.0), None);
    assert_eq!(MAX_ATTEMPTS, 3);
}

#[test]
fn the_servers_retry_after_wins_but_is_capped() {
    let body = r#"{"error":{"code":429,"message":"Rate limit exceeded",
        "availability":{"code":"capacity_exhausted","retryable":true,"retry_after":7}}}"#;
    let error = ApiError::from_http(429, body);
    assert_eq!(retry_delay(&error, 1, 0.9), Some(7.0));
    // The header is used when the body does not say; the body wins when both do.
    let bare = ApiError::from_http(503, r#"{"error":{"code":503,"message":"busy"}}"#);
    assert_eq!(bare.retry_after_seconds(), None);
    let with_header = bare.with_retry_after_header(Some(" 5 "));
    assert_eq!(retry_delay(&with_header, 1, 0.0), Some(5.0));
    assert_eq!(
        error
            .clone()
            .with_retry_after_header(Some("30"))
            .retry_after_seconds(),
        Some(7)
    );
    // Unreadable headers (an HTTP date, garbage) fall back to the backoff.
    let dated = status_error(429).with_retry_after_header(Some("Wed, 21 Oct 2026 07:28:00 GMT"));
    assert_eq!(retry_delay(&dated, 1, 0.0), Some(2.0));
    let huge = status_error(429).with_retry_after_header(Some("3600"));
    assert_eq!(retry_delay(&huge, 1, 0.0), Some(MAX_WAIT_SECONDS));
    // Headers never turn a non-retryable error into a retried one.
    let key = status_error(401).with_retry_after_header(Some("1"));
    assert_eq!(retry_delay(&key, 1, 0.0), None);
}

#[test]
fn the_countdown_reads_naturally() {
    assert_eq!(
        RetryWait {
            seconds_left: 4,
            next_attempt: 2,
            max_attempts: MAX_ATTEMPTS
        }
        .text(),
        "Retrying in 4 s \u{2014} attempt 2 of 3"
    );
}
