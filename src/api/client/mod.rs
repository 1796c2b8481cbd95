//! The HTTP side of a generation: gloo-net requests carrying an AbortSignal that
//! the Cancel button, the total timeout or the idle timer can fire; retries;
//! the transport choice. Browser-only at run time.

mod cancel;
pub mod held;
mod http;
mod linked;
mod quick;
mod streamed;

pub use cancel::CancelHandle;
pub use http::app_url;
pub use quick::{check_key, exchange_code, fetch_image_price, fetch_models, generation_cost};

use web_sys::AbortSignal;

use self::cancel::IdleTimer;
use self::http::send;
use self::linked::download_linked;
use self::streamed::read_stream;
use super::error::{ApiError, redact};
use super::request::{chat_request, images_request};
use super::response::{parse_chat_response, parse_images_response};
use super::retry::{MAX_ATTEMPTS, retry_delay};
use crate::generation::{GenerationOutput, GenerationRequest, Phase, RetryWait};

/// Where and how to call the API.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// API root without trailing slash, e.g. `https://openrouter.ai/api/v1`.
    pub api_base: String,
    pub api_key: String,
    /// Total time allowed for one non-streamed request.
    pub timeout_seconds: u32,
    /// Use the Image API instead of Chat Completions.
    pub images_api: bool,
    /// Ask Chat Completions for SSE; then only the idle timeout applies.
    pub stream: bool,
    pub idle_timeout_seconds: u32,
}

thread_local! {
    /// The models (per API base) that Chat Completions sent to the Image API,
    /// where it then worked: their later generations of this page session go
    /// there directly. Other models keep using Chat Completions.
    static IMAGES_API_MODELS: std::cell::RefCell<crate::order::TextSet> =
        Default::default();
}

/// One generation, tried again after failures that say "try later" (see
/// [`super::retry`]). `on_wait` is told each second of a countdown, and `None`
/// when it ends; Cancel stops a countdown at once.
pub async fn generate(
    config: &ClientConfig,
    request: &GenerationRequest,
    cancel: &CancelHandle,
    on_wait: &dyn Fn(Option<RetryWait>),
    on_phase: &dyn Fn(Phase),
) -> Result<GenerationOutput, ApiError> {
    let mut attempt = 1;
    loop {
        let error = match on_best_transport(config, request, cancel, on_phase).await {
            Ok(output) => return Ok(output),
            Err(error) => when_offline(error),
        };
        let Some(wait) = retry_delay(&error, attempt, js_sys::Math::random()) else {
            return Err(error);
        };
        attempt += 1;
        let until = js_sys::Date::now() + wait * 1000.0;
        loop {
            if cancel.is_cancelled() {
                on_wait(None);
                return Err(ApiError::Cancelled);
            }
            let left_ms = until - js_sys::Date::now();
            if left_ms <= 0.0 {
                break;
            }
            on_wait(Some(RetryWait {
                seconds_left: (left_ms / 1000.0).ceil() as u32,
                next_attempt: attempt,
                max_attempts: MAX_ATTEMPTS,
            }));
            gloo_timers::future::TimeoutFuture::new(left_ms.clamp(1.0, 200.0) as u32).await;
        }
        on_wait(None);
    }
}

/// A network failure while the browser knows it is offline says so plainly
/// (and is not retried: waiting a few seconds will not bring the network back).
fn when_offline(error: ApiError) -> ApiError {
    let offline = web_sys::window().is_some_and(|w| !w.navigator().on_line());
    match error {
        ApiError::Network { .. } if offline => ApiError::Offline,
        other => other,
    }
}

/// Generates through the chosen transport. When Chat Completions answers that
/// the model or modality is not served there, tries the Image API once and
/// keeps using it for that model for the rest of the session.
async fn on_best_transport(
    config: &ClientConfig,
    request: &GenerationRequest,
    cancel: &CancelHandle,
    on_phase: &dyn Fn(Phase),
) -> Result<GenerationOutput, ApiError> {
    let model_key = format!("{} {}", config.api_base, request.model);
    let moved = IMAGES_API_MODELS.with_borrow(|m| m.contains(&model_key));
    if config.images_api || moved || request.needs_images_api() {
        return generate_on(Transport::Images, config, request, cancel, on_phase).await;
    }
    match generate_on(Transport::Chat, config, request, cancel, on_phase).await {
        Err(ApiError::WrongEndpoint { .. }) => {
            let output = generate_on(Transport::Images, config, request, cancel, on_phase).await;
            // Remembered only once the Image API has worked.
            if output.is_ok() {
                IMAGES_API_MODELS.with_borrow_mut(|m| m.insert(&model_key));
            }
            output
        }
        other => other,
    }
}

/// An error as the alert shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Explained {
    pub message: String,
    pub details: String,
    /// A page for the next step: (link text, address).
    pub link: Option<(&'static str, String)>,
}

crate::lazy_part! {
    /// An error in plain words, with its details and a link to the fix. Both
    /// texts quote what the server said, and a server may repeat the key, so
    /// the key is cut out. The texts load with the `client` part (only a
    /// request can fail this way).
    part later;
    pub fn explain(error: ApiError, key: String) -> Explained {
        Explained {
            message: redact(&error.user_message(), &key),
            details: redact(&error.details(), &key),
            link: error.help_link(),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Transport {
    Chat,
    Images,
}

/// One request on one transport. Buffered answers have a total time limit;
/// streamed ones only an idle limit, which every byte (keep-alives included) resets.
async fn generate_on(
    transport: Transport,
    config: &ClientConfig,
    request: &GenerationRequest,
    cancel: &CancelHandle,
    on_phase: &dyn Fn(Phase),
) -> Result<GenerationOutput, ApiError> {
    let streamed = transport == Transport::Chat && config.stream;
    let idle = IdleTimer::new(config.idle_timeout_seconds)?;
    let limit = if streamed {
        idle.signal()
    } else {
        AbortSignal::timeout_with_u32(config.timeout_seconds.saturating_mul(1000))
    };
    let signal = AbortSignal::any(&js_sys::Array::of2(&cancel.signal(), &limit));
    // `failure` describes what the browser reported (e.g. "TypeError: Failed to fetch").
    let classify = |failure: String| {
        if cancel.is_cancelled() {
            ApiError::Cancelled
        } else if limit.aborted() && streamed {
            ApiError::IdleTimeout {
                seconds: config.idle_timeout_seconds,
            }
        } else if limit.aborted() {
            ApiError::Timeout {
                seconds: config.timeout_seconds,
            }
        } else {
            ApiError::Network {
                detail: redact(&failure, &config.api_key),
            }
        }
    };

    let (path, body) = match transport {
        Transport::Chat => (
            "chat/completions",
            chat_request(request, streamed).to_json(),
        ),
        Transport::Images => ("images", images_request(request).to_json()),
    };
    let url = format!("{}/{path}", config.api_base);
    let response = send(&url, Some(&config.api_key), Some(body), &signal)
        .await
        .map_err(&classify)?;
    let status = response.status;
    // Once a success status arrived the image may be made and billed: a broken
    // connection from here on is an interruption, never retried.
    let success = (200..300).contains(&status);
    if success {
        on_phase(Phase::Accepted);
    }
    let classify_body = |failure: String| match classify(failure) {
        ApiError::Network { .. } if success => ApiError::Interrupted {
            generation_id: None,
        },
        other => other,
    };
    if success && response.is_event_stream() {
        let output = read_stream(&response, &idle, on_phase, &classify_body).await?;
        return download_linked(output, cancel, config.timeout_seconds).await;
    }
    let retry_after = response.header("Retry-After");
    let text = held::small_answer(&response.text().await.map_err(&classify_body)?);
    if success {
        // Also the answer of a server that ignored `stream: true`.
        let output = match transport {
            Transport::Chat => parse_chat_response(status, &text),
            Transport::Images => parse_images_response(status, &text),
        }?;
        return download_linked(output, cancel, config.timeout_seconds).await;
    }
    match ApiError::from_http(status, &text).with_retry_after_header(retry_after.as_deref()) {
        // Already on the Image API: there is no other endpoint to suggest.
        ApiError::WrongEndpoint { message } if transport == Transport::Images => {
            Err(ApiError::NotAvailable { message })
        }
        error => Err(error),
    }
}
