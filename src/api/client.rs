//! The HTTP side: `fetch` (through web-sys) with an AbortSignal that both the Cancel
//! button and the total timeout can fire. Browser-only at run time.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AbortSignal, Headers, ReadableStreamDefaultReader, RequestInit, Response,
};

use super::account::{KeyInfo, parse_key_info};
use super::error::{ApiError, redact};
use super::image::{DecodedImage, verify_image};
use super::models::{ModelChoice, parse_models};
use super::oauth::{KeyExchange, parse_exchange};
use super::response::{parse_chat_response, parse_images_response};
use super::retry::retry_delay;
use super::sse::{SseDecoder, SseEvent};
use super::stream::StreamAccumulator;
use super::{APP_TITLE, chat_request, images_request};
use crate::generation::{GenerationOutput, GenerationRequest};

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

/// What a running generation is doing, for the progress line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Phase {
    /// OpenRouter's keep-alive comments: queued or generating upstream.
    Processing,
    /// Image data is arriving.
    Receiving,
}

thread_local! {
    /// The models (per API base) that Chat Completions sent to the Image API,
    /// where it then worked: their later generations of this page session go
    /// there directly. Other models keep using Chat Completions.
    static IMAGES_API_MODELS: std::cell::RefCell<std::collections::HashSet<String>> =
        Default::default();
}

/// Lets the UI abort the in-flight request (dropping a future would not).
#[derive(Clone, Debug)]
pub struct CancelHandle(AbortController);

impl CancelHandle {
    pub fn new() -> Result<Self, ApiError> {
        AbortController::new()
            .map(Self)
            .map_err(|_| ApiError::Network {
                detail: "this browser cannot cancel requests (no AbortController)".into(),
            })
    }

    pub fn cancel(&self) {
        self.0.abort();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.signal().aborted()
    }

    fn signal(&self) -> AbortSignal {
        self.0.signal()
    }
}

/// A failed attempt waiting to be tried again: what the countdown shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryWait {
    pub seconds_left: u32,
    /// The attempt that starts when the countdown ends (from 2).
    pub next_attempt: u32,
}

/// [`generate`], tried again after failures that say "try later" (see
/// [`super::retry`]). `on_wait` is told each second of a countdown, and `None`
/// when it ends; Cancel stops a countdown at once.
pub async fn generate_with_retries(
    config: &ClientConfig,
    request: &GenerationRequest,
    cancel: &CancelHandle,
    on_wait: impl Fn(Option<RetryWait>),
    on_phase: &dyn Fn(Phase),
) -> Result<GenerationOutput, ApiError> {
    let mut attempt = 1;
    loop {
        let error = match generate(config, request, cancel, on_phase).await {
            Ok(output) => return Ok(output),
            Err(error) => error,
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
            }));
            gloo_timers::future::TimeoutFuture::new(left_ms.clamp(1.0, 200.0) as u32).await;
        }
        on_wait(None);
    }
}

/// Generates through the chosen transport. When Chat Completions answers that
/// the model or modality is not served there, tries the Image API once and
/// keeps using it for that model for the rest of the session.
pub async fn generate(
    config: &ClientConfig,
    request: &GenerationRequest,
    cancel: &CancelHandle,
    on_phase: &dyn Fn(Phase),
) -> Result<GenerationOutput, ApiError> {
    let model_key = format!("{} {}", config.api_base, request.model);
    let moved = IMAGES_API_MODELS.with_borrow(|m| m.contains(&model_key));
    if config.images_api || moved {
        return generate_on(Transport::Images, config, request, cancel, on_phase).await;
    }
    match generate_on(Transport::Chat, config, request, cancel, on_phase).await {
        Err(ApiError::WrongEndpoint { .. }) => {
            let output = generate_on(Transport::Images, config, request, cancel, on_phase).await;
            // Remembered only once the Image API has worked.
            if output.is_ok() {
                IMAGES_API_MODELS.with_borrow_mut(|m| m.insert(model_key));
            }
            output
        }
        other => other,
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
    let classify = |error: JsValue| {
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
                detail: redact(&describe(&error), &config.api_key),
            }
        }
    };

    let (path, body) = match transport {
        Transport::Chat => (
            "chat/completions",
            serde_json::to_string(&chat_request(request, streamed)),
        ),
        Transport::Images => ("images", serde_json::to_string(&images_request(request))),
    };
    let body = body.map_err(|e| ApiError::Malformed {
        detail: e.to_string(),
    })?;
    let url = format!("{}/{path}", config.api_base);
    let response = fetch(&url, Some(&config.api_key), Some(&body), &signal)
        .await
        .map_err(&classify)?;
    let status = response.status();
    let is_sse = response
        .headers()
        .get("Content-Type")
        .ok()
        .flatten()
        .is_some_and(|t| t.contains("text/event-stream"));
    // Once a success status arrived the image may be made and billed: a broken
    // connection from here on is an interruption, never retried.
    let success = (200..300).contains(&status);
    let classify_body = |error: JsValue| match classify(error) {
        ApiError::Network { .. } if success => ApiError::Interrupted,
        other => other,
    };
    if success && is_sse {
        let output = read_stream(&response, &idle, on_phase, &classify_body).await?;
        return download_linked(output, cancel, config.timeout_seconds).await;
    }
    let retry_after = response.headers().get("Retry-After").ok().flatten();
    let text = body_text(&response).await.map_err(&classify_body)?;
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

/// Downloads the images an answer only linked to (`https:`), without the key
/// or any other header: the key goes to the API base only. Each download has
/// its own time limit (the request's), whatever the transport. A link that
/// cannot be fetched fails the generation only when no image arrived at all:
/// the images are made and billed by now, so nothing is retried.
async fn download_linked(
    mut output: GenerationOutput,
    cancel: &CancelHandle,
    seconds: u32,
) -> Result<GenerationOutput, ApiError> {
    for url in std::mem::take(&mut output.remote_urls) {
        match download_one(&url, cancel, seconds).await {
            Ok(image) => output.images.push(image.into()),
            Err(ApiError::Cancelled) => return Err(ApiError::Cancelled),
            Err(e) => {
                output.unreachable.get_or_insert(e);
            }
        }
    }
    match output.unreachable.take() {
        Some(e) if output.images.is_empty() => Err(e),
        unreachable => Ok(GenerationOutput {
            unreachable,
            ..output
        }),
    }
}

/// One linked image: its bytes, checked like any other image. Fails with
/// `Cancelled` or `LinkedImageUnreachable`.
async fn download_one(
    url: &str,
    cancel: &CancelHandle,
    seconds: u32,
) -> Result<DecodedImage, ApiError> {
    let limit = AbortSignal::timeout_with_u32(seconds.saturating_mul(1000));
    let signal = AbortSignal::any(&js_sys::Array::of2(&cancel.signal(), &limit));
    let unreachable = |reason: String| ApiError::LinkedImageUnreachable {
        url: url.to_owned(),
        reason,
    };
    let failed = |_: JsValue| {
        if cancel.is_cancelled() {
            ApiError::Cancelled
        } else if limit.aborted() {
            unreachable(format!("no answer within {seconds} seconds"))
        } else {
            unreachable(
                "a network error, or the host does not allow this page to fetch from it".into(),
            )
        }
    };
    let init = RequestInit::new();
    init.set_signal(Some(&signal));
    let window = web_sys::window().ok_or(ApiError::Interrupted)?;
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .and_then(|r| r.dyn_into())
        .map_err(failed)?;
    if !response.ok() {
        return Err(unreachable(format!("HTTP {}", response.status())));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(failed)?)
        .await
        .map_err(failed)?;
    verify_image(js_sys::Uint8Array::new(&buffer).to_vec())
        .map_err(|e| unreachable(format!("the file there is not a usable image: {e}")))
}

/// Aborts a streamed request when nothing arrives for a while; [`IdleTimer::reset`]
/// on every piece of data.
struct IdleTimer {
    controller: AbortController,
    seconds: u32,
    timer: std::cell::RefCell<Option<gloo_timers::callback::Timeout>>,
}

impl IdleTimer {
    fn new(seconds: u32) -> Result<IdleTimer, ApiError> {
        let controller = AbortController::new().map_err(|_| ApiError::Network {
            detail: "this browser cannot cancel requests (no AbortController)".into(),
        })?;
        let timer = IdleTimer {
            controller,
            seconds,
            timer: Default::default(),
        };
        timer.reset();
        Ok(timer)
    }

    fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    fn reset(&self) {
        let controller = self.controller.clone();
        let fire =
            gloo_timers::callback::Timeout::new(self.seconds.saturating_mul(1000), move || {
                controller.abort()
            });
        // Replacing the old Timeout cancels it.
        self.timer.replace(Some(fire));
    }
}

/// Reads an SSE answer as it arrives: keep-alive comments report progress,
/// data chunks are interpreted, `[DONE]` ends it; the end of the connection
/// before `[DONE]` is an interrupted generation.
async fn read_stream(
    response: &Response,
    idle: &IdleTimer,
    on_phase: &dyn Fn(Phase),
    classify: &impl Fn(JsValue) -> ApiError,
) -> Result<GenerationOutput, ApiError> {
    let body = response.body().ok_or(ApiError::Interrupted)?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut decoder = SseDecoder::new();
    let mut answer = StreamAccumulator::default();
    let not_text = |_| ApiError::Malformed {
        detail: "the stream carried data that is not text".into(),
    };
    while !decoder.is_done() {
        let chunk = JsFuture::from(reader.read()).await.map_err(classify)?;
        idle.reset();
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let bytes = js_sys::Reflect::get(&chunk, &"value".into())
            .map(|v| js_sys::Uint8Array::new(&v).to_vec())
            .unwrap_or_default();
        for event in decoder.push(&bytes).map_err(not_text)? {
            match event {
                SseEvent::Comment(_) => on_phase(Phase::Processing),
                SseEvent::Data(data) => {
                    on_phase(Phase::Receiving);
                    answer.push(&data)?;
                }
                SseEvent::Done => {}
            }
        }
    }
    // Nothing after [DONE] is needed: release the connection.
    let _ = reader.cancel();
    decoder.finish().map_err(|_| ApiError::Interrupted)?;
    answer.finish()
}

/// How long the small requests (key check, model list, sign-in) may take.
const QUICK_SECONDS: u32 = 20;

/// A small request with its own time limit: the status and body text.
async fn quick(
    url: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> Result<(u16, String), ApiError> {
    let timeout = AbortSignal::timeout_with_u32(QUICK_SECONDS * 1000);
    match send(url, key, body, &timeout).await {
        Ok((status, text, _)) => Ok((status, text)),
        Err(_) if timeout.aborted() => Err(ApiError::Timeout {
            seconds: QUICK_SECONDS,
        }),
        Err(e) => Err(ApiError::Network {
            detail: redact(&describe(&e), key.unwrap_or_default()),
        }),
    }
}

/// Asks OpenRouter about the key (`GET /key`): its label, spending and limit.
pub async fn check_key(api_base: &str, key: &str) -> Result<KeyInfo, ApiError> {
    let (status, text) = quick(&format!("{api_base}/key"), Some(key), None).await?;
    parse_key_info(status, &text)
}

/// The models that make images (`GET /models?output_modalities=image`; public,
/// so no key is sent).
pub async fn fetch_models(api_base: &str) -> Result<Vec<ModelChoice>, ApiError> {
    let url = format!("{api_base}/models?output_modalities=image");
    let (status, text) = quick(&url, None, None).await?;
    parse_models(status, &text)
}

/// Exchanges a sign-in code for a key (`POST /auth/keys`; no key is sent).
pub async fn exchange_code(api_base: &str, code: &str, verifier: &str) -> Result<String, ApiError> {
    let body = serde_json::to_string(&KeyExchange::s256(code, verifier)).unwrap_or_default();
    let (status, text) = quick(&format!("{api_base}/auth/keys"), None, Some(&body)).await?;
    parse_exchange(status, &text)
}

/// Sends a request (POST with `body`, else GET) with exactly the headers
/// OpenRouter documents (each extra one would need CORS approval).
async fn fetch(
    url: &str,
    key: Option<&str>,
    body: Option<&str>,
    signal: &AbortSignal,
) -> Result<Response, JsValue> {
    let headers = Headers::new()?;
    // Public requests go without key and attribution: a plain GET needs no
    // CORS preflight round trip.
    if let Some(key) = key {
        headers.set("Authorization", &format!("Bearer {key}"))?;
        headers.set("HTTP-Referer", &app_url())?;
        headers.set("X-OpenRouter-Title", APP_TITLE)?;
    }
    let init = RequestInit::new();
    if let Some(body) = body {
        headers.set("Content-Type", "application/json")?;
        init.set_method("POST");
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    init.set_signal(Some(signal));
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await?
        .dyn_into()
}

async fn body_text(response: &Response) -> Result<String, JsValue> {
    let text = JsFuture::from(response.text()?).await?;
    Ok(text.as_string().unwrap_or_default())
}

/// [`fetch`], then the status, the whole body text and `Retry-After`
/// (readable only if the server exposes it through CORS).
async fn send(
    url: &str,
    key: Option<&str>,
    body: Option<&str>,
    signal: &AbortSignal,
) -> Result<(u16, String, Option<String>), JsValue> {
    let response = fetch(url, key, body, signal).await?;
    let retry_after = response.headers().get("Retry-After").ok().flatten();
    Ok((response.status(), body_text(&response).await?, retry_after))
}

/// A readable one-liner for a JS exception (e.g. "TypeError: Failed to fetch").
fn describe(error: &JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(e) => format!("{}: {}", e.name(), e.message()),
        None => error.as_string().unwrap_or_else(|| "unknown error".into()),
    }
}

/// The page URL without query or fragment: what OpenRouter attributes usage to.
fn app_url() -> String {
    web_sys::window()
        .and_then(|w| {
            let location = w.location();
            Some(format!(
                "{}{}",
                location.origin().ok()?,
                location.pathname().ok()?
            ))
        })
        .unwrap_or_default()
}

/// Marks a moment on the page's performance timeline (read by the benchmark).
pub fn performance_mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}
