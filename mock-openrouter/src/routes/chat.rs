//! `POST /api/v1/chat/completions`: image generation through chat (§1–§3), JSON or SSE.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::common::{self, Plan};
use super::generation::{self, GenerationInfo};
use super::models::{self, KLEIN, ModelInfo};
use super::{authenticate, generation_id};
use crate::config::MockConfig;
use crate::errors::{self, FaultContext, json_response};
use crate::images::{self, InputImageError};
use crate::record::{CommitExt, GenerationCommit};
use crate::sse::{Sent, SseWriter};
use crate::state::Shared;

/// Top-level fields of the OpenAPI `ChatRequest`; others are ignored unless
/// `reject_unknown_fields` is set.
const KNOWN_FIELDS: &[&str] = &[
    "model",
    "models",
    "messages",
    "modalities",
    "image_config",
    "seed",
    "stream",
    "stream_options",
    "provider",
    "user",
    "session_id",
    "max_tokens",
    "max_completion_tokens",
    "metadata",
    "debug",
    "usage",
    "temperature",
    "top_p",
    "top_k",
    "frequency_penalty",
    "presence_penalty",
    "repetition_penalty",
    "min_p",
    "top_a",
    "stop",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "response_format",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "reasoning",
    "transforms",
    "plugins",
    "route",
    "prediction",
    "verbosity",
    "trace",
    "cache_control",
];

struct Input {
    prompt: String,
    references: Vec<String>,
}

/// User text (joined) and reference image URLs, or the 400 to send.
fn read_messages(messages: &[Value]) -> Result<Input, Response> {
    let mut texts = Vec::new();
    let mut references = Vec::new();
    for m in messages {
        let Some(obj) = m.as_object() else {
            return Err(errors::bad_request(
                "messages: each message must be an object",
                "invalid_request",
            ));
        };
        if obj.get("role").and_then(Value::as_str) != Some("user") {
            continue;
        }
        match obj.get("content") {
            Some(Value::String(s)) => texts.push(s.clone()),
            Some(Value::Array(parts)) => {
                for part in parts {
                    match part.get("type").and_then(Value::as_str) {
                        Some("text") => {
                            if let Some(t) = part.get("text").and_then(Value::as_str) {
                                texts.push(t.to_string());
                            }
                        }
                        Some("image_url") => {
                            let url = part
                                .get("image_url")
                                .and_then(|u| u.get("url"))
                                .and_then(Value::as_str);
                            match url {
                                Some(u) => references.push(u.to_string()),
                                None => {
                                    return Err(errors::bad_request(
                                        "Invalid image: image_url.url is required",
                                        "invalid_image",
                                    ));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(Input {
        prompt: texts.join("\n"),
        references,
    })
}

fn check_references(refs: &[String], model: &ModelInfo) -> Result<(), Response> {
    if refs.len() > model.max_refs {
        // The real message is UNCONFIRMED (§1.5).
        return Err(errors::bad_request(
            &format!(
                "Too many input images: {} accepts at most {} reference images, got {}",
                model.id,
                model.max_refs,
                refs.len()
            ),
            "invalid_request",
        ));
    }
    for url in refs {
        match images::check_input_url(url) {
            Ok(()) => {}
            Err(InputImageError::Invalid(m)) => {
                return Err(errors::bad_request(&m, "invalid_image"));
            }
            Err(InputImageError::Unsupported(m)) => {
                return Err(errors::bad_request(&m, "unsupported_image_format"));
            }
        }
    }
    Ok(())
}

/// The effective output modalities, or the routing 404 (§1.2).
fn modalities(
    body: &Value,
    model: &ModelInfo,
    config: &MockConfig,
) -> Result<Vec<String>, Response> {
    match body.get("modalities") {
        None | Some(Value::Null) => {
            if config.require_modalities {
                Err(errors::modalities_404(&["text".into()]))
            } else {
                Ok(model.output.iter().map(|s| s.to_string()).collect())
            }
        }
        Some(Value::Array(items)) => {
            let mut requested = Vec::new();
            for item in items {
                match item.as_str() {
                    Some(s @ ("text" | "image" | "audio")) => requested.push(s.to_string()),
                    _ => {
                        return Err(errors::bad_request(
                            "modalities: each item must be one of \"text\", \"image\", \"audio\"",
                            "invalid_request",
                        ));
                    }
                }
            }
            if requested.is_empty()
                || requested
                    .iter()
                    .any(|r| !model.output.contains(&r.as_str()))
            {
                return Err(errors::modalities_404(&requested));
            }
            Ok(requested)
        }
        Some(_) => Err(errors::bad_request(
            "modalities: Expected array",
            "invalid_request",
        )),
    }
}

fn seed(body: &Value) -> Result<Option<i64>, Response> {
    match body.get("seed") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| errors::bad_request("seed: Expected integer", "invalid_request")),
    }
}

fn usage(tokens: u64, cost: f64) -> Value {
    json!({
        "prompt_tokens": 0,
        "completion_tokens": tokens,
        "total_tokens": tokens,
        "cost": cost,
        "is_byok": false,
        "prompt_tokens_details": { "cached_tokens": 0 },
        "completion_tokens_details": { "reasoning_tokens": 0, "image_tokens": tokens },
        "cost_details": {
            "upstream_inference_cost": null,
            "upstream_inference_prompt_cost": 0,
            "upstream_inference_completions_cost": cost,
        },
    })
}

struct Meta {
    id: String,
    model: &'static str,
    provider: &'static str,
    created: u64,
}

impl Meta {
    fn result(&self, choice: Value, usage: Value) -> Value {
        json!({
            "id": self.id,
            "provider": self.provider,
            "model": self.model,
            "object": "chat.completion",
            "created": self.created,
            "system_fingerprint": null,
            "choices": [choice],
            "usage": usage,
        })
    }

    /// Chunks carry no `system_fingerprint`: the captured chunks have none, and the
    /// OpenAPI `ChatStreamChunk` only allows a string there.
    fn chunk(&self, choices: Value) -> Value {
        json!({
            "id": self.id,
            "provider": self.provider,
            "model": self.model,
            "object": "chat.completion.chunk",
            "created": self.created,
            "choices": choices,
        })
    }
}

/// Where the answer points for an image: a `data:` URL, or with `image_urls` a file
/// this mock serves at `http://<host>/files/<name>`.
fn image_url(files: &Option<(Arc<Shared>, String)>, mime: &str, bytes: &[u8]) -> String {
    match files {
        Some((shared, host)) => {
            let mime = if mime == "image/jpeg" {
                "image/jpeg"
            } else {
                "image/png"
            };
            let ext = if mime == "image/jpeg" { "jpg" } else { "png" };
            let mut inner = shared.lock();
            let name = format!("img-{}.{ext}", inner.files.len() + 1);
            inner.files.insert(name.clone(), (mime, bytes.to_vec()));
            format!("http://{host}/files/{name}")
        }
        None => format!("data:{mime};base64,{}", images::base64(bytes)),
    }
}

/// The answer's image entries: `count` (at least one) copies of the rendered image.
fn image_parts(
    files: &Option<(Arc<Shared>, String)>,
    mime: &str,
    bytes: &[u8],
    count: usize,
) -> Value {
    let parts: Vec<Value> = (0..count.max(1))
        .map(|_| image_part(image_url(files, mime, bytes)))
        .collect();
    Value::Array(parts)
}

fn image_part(url: String) -> Value {
    json!({ "type": "image_url", "image_url": { "url": url } })
}

fn html_data_url() -> String {
    format!(
        "data:text/html;base64,{}",
        images::base64(common::SCRIPT_PAYLOAD.as_bytes())
    )
}

fn provider_error() -> Value {
    json!({
        "code": 502,
        "message": "Provider returned error",
        "metadata": { "error_type": "provider_unavailable", "provider_name": "Black Forest Labs" },
    })
}

fn sse_response(body: Body, id: &str) -> Response {
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(id) {
        h.insert("x-generation-id", v);
    }
    resp
}

pub async fn handle(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    json: Result<Value, String>,
) -> Response {
    let started_ms = crate::now_ms();
    let key = match authenticate(shared, headers) {
        Ok(k) => k,
        Err(resp) => return resp,
    };
    let body = match super::common::json_object(json) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let config = shared.config();
    let model_id = body.get("model").and_then(Value::as_str).unwrap_or("");
    let messages = body.get("messages").and_then(Value::as_array);
    let input = match read_messages(messages.map(Vec::as_slice).unwrap_or(&[])) {
        Ok(i) => i,
        Err(resp) => return resp,
    };
    let stream = body.get("stream").and_then(Value::as_bool).unwrap_or(false);

    let fault = crate::faults::for_request(shared.take_fault(), headers, &input.prompt);
    let ctx = FaultContext {
        model: if model_id.is_empty() { KLEIN } else { model_id },
        prompt: &input.prompt,
        retry_after_secs: config.retry_after_secs,
        authorization: headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    };
    let (plan, delay_override) = match common::resolve(fault, &ctx).await {
        Ok(v) => v,
        Err(resp) => return resp,
    };

    if config.reject_unknown_fields
        && let Some(field) = body
            .as_object()
            .and_then(|o| o.keys().find(|k| !KNOWN_FIELDS.contains(&k.as_str())))
    {
        return errors::bad_request(
            &format!("Unrecognized parameter: {field}"),
            "invalid_request",
        );
    }
    if model_id.is_empty() {
        return errors::bad_request("model: Required", "invalid_request");
    }
    let Some(model) = models::find(model_id) else {
        return errors::unknown_model(model_id);
    };
    if messages.is_none_or(|m| m.is_empty()) {
        return errors::bad_request(
            "Input required: specify \"prompt\" or \"messages\"",
            "invalid_request",
        );
    }
    let wanted = match modalities(&body, model, &config) {
        Ok(m) => m,
        Err(resp) => return resp,
    };
    if let Err(resp) = check_references(&input.references, model) {
        return resp;
    }
    let seed = match seed(&body) {
        Ok(s) => s,
        Err(resp) => return resp,
    };
    let image_config = body.get("image_config");
    let field = |name: &str| {
        image_config
            .and_then(|c| c.get(name))
            .and_then(Value::as_str)
    };
    let Some(dims) = images::dims_for(field("aspect_ratio"), field("image_size")) else {
        return errors::bad_request(
            &format!(
                "Unsupported image_config for {}: aspect_ratio {:?}, image_size {:?}",
                model.id,
                field("aspect_ratio").unwrap_or("1:1"),
                field("image_size").unwrap_or("1K")
            ),
            "invalid_request",
        );
    };

    let meta = Meta {
        id: generation_id(),
        model: model.id,
        provider: model.provider,
        created: started_ms / 1000,
    };
    let delay = delay_override.unwrap_or(config.delay_ms);
    if !wanted.iter().any(|m| m == "image") {
        return text_reply(&meta, stream, delay).await;
    }

    let cost = images::cost(dims.0, dims.1, config.megapixel);
    if let Err(resp) = common::check_limit(shared, &key, cost) {
        return resp;
    }
    let tokens = images::image_tokens(dims.0, dims.1);
    let commit = (plan == Plan::Normal).then(|| GenerationCommit {
        key: key.clone(),
        cost,
        id: meta.id.clone(),
        data: generation::data(&GenerationInfo {
            id: &meta.id,
            model: model.id,
            provider: model.provider,
            api_type: "completions",
            cost,
            image_tokens: tokens,
            num_media_prompt: input.references.len(),
            streamed: stream,
            started_ms,
            headers,
        }),
    });
    let render = images::render_async(
        input.prompt.clone(),
        seed,
        input.references.clone(),
        dims,
        config.image_mime,
        config.large_images,
    );
    let mime = config.image_mime.mime();
    let files = config.image_urls.then(|| {
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1")
            .to_owned();
        (shared.clone(), host)
    });
    let content = if config.content_null {
        Value::Null
    } else {
        json!("")
    };
    let charged_usage = usage(tokens, cost);

    if stream {
        let (w, sse_body) = SseWriter::new(config.crlf, config.split_writes);
        let mut resp = sse_response(sse_body, &meta.id);
        let job = StreamJob {
            meta,
            plan,
            delay,
            keepalive_ms: config.keepalive_ms,
            separate_usage: config.separate_usage_chunk,
            mime,
            usage: charged_usage,
            files: files.clone(),
            images_per_answer: config.images_per_answer,
        };
        tokio::spawn(async move {
            // Err only means the client went away; there is nobody left to tell.
            let _ = write_stream(w, job, render).await;
        });
        if let Some(c) = commit {
            resp.extensions_mut().insert(CommitExt::new(c));
        }
        return resp;
    }

    let (rendered, ()) = tokio::join!(render, tokio::time::sleep(Duration::from_millis(delay)));
    let Ok(bytes) = rendered else {
        return errors::status_fault(500, &ctx);
    };
    let mut message =
        json!({ "role": "assistant", "content": content, "refusal": null, "reasoning": null });
    let mut choice = json!({
        "index": 0, "logprobs": null, "finish_reason": "stop", "native_finish_reason": "stop",
    });
    let mut reported = usage(0, 0.0);
    match plan {
        Plan::Normal | Plan::TruncatedBody | Plan::DropBeforeDone => {
            message["images"] = image_parts(&files, mime, &bytes, config.images_per_answer);
            reported = charged_usage;
        }
        Plan::NonImageDataUrl => message["images"] = json!([image_part(html_data_url())]),
        Plan::NoImage => {}
        Plan::ChoiceError => {
            choice["finish_reason"] = json!("error");
            choice["native_finish_reason"] = json!("error");
            choice["error"] = provider_error();
        }
    }
    choice["message"] = message;
    let result = meta.result(choice, reported);
    let mut resp = match plan {
        Plan::TruncatedBody | Plan::DropBeforeDone => {
            common::broken_json(serde_json::to_vec(&result).unwrap_or_default(), plan)
        }
        _ => json_response(200, &result),
    };
    if let Ok(v) = HeaderValue::from_str(&meta.id) {
        resp.headers_mut().insert("x-generation-id", v);
    }
    if let Some(c) = commit {
        resp.extensions_mut().insert(CommitExt::new(c));
    }
    resp
}

struct StreamJob {
    meta: Meta,
    plan: Plan,
    delay: u64,
    keepalive_ms: u64,
    separate_usage: bool,
    mime: &'static str,
    usage: Value,
    files: Option<(Arc<Shared>, String)>,
    images_per_answer: usize,
}

/// The SSE sequence of §3: keep-alives while "generating", a role chunk, one chunk with the
/// whole image, the finish chunk with usage (or a separate usage chunk), `[DONE]`; or the
/// fault's variant of it.
async fn write_stream(
    mut w: SseWriter,
    job: StreamJob,
    render: impl std::future::Future<Output = Result<Vec<u8>, String>>,
) -> Sent {
    let StreamJob { meta, plan, .. } = &job;
    let rendered = w
        .keepalive_while(job.delay, job.keepalive_ms, render)
        .await?;
    let Ok(bytes) = rendered else {
        let mut c = meta
            .chunk(json!([{ "index": 0, "delta": { "content": "" }, "finish_reason": "error" }]));
        c["error"] = json!({ "code": 500, "message": "Internal Server Error", "metadata": { "error_type": "server" } });
        return w.data(&c).await;
    };
    w.data(&meta.chunk(json!([{
        "index": 0, "delta": { "role": "assistant", "content": "" },
        "finish_reason": null, "native_finish_reason": null, "logprobs": null,
    }])))
    .await?;
    let images = match plan {
        Plan::NonImageDataUrl => Some(json!([image_part(html_data_url())])),
        Plan::NoImage => None,
        _ => Some(image_parts(
            &job.files,
            job.mime,
            &bytes,
            job.images_per_answer,
        )),
    };
    let images_chunk = images.map(|images| {
        meta.chunk(json!([{
            "index": 0, "delta": { "role": "assistant", "content": "", "images": images },
            "finish_reason": null, "native_finish_reason": null, "logprobs": null,
        }]))
    });
    match plan {
        Plan::ChoiceError => {
            // §3.2: after the first byte, errors come as an HTTP-200 event; then the end.
            let mut c = meta.chunk(json!([{
                "index": 0, "delta": { "content": "" },
                "finish_reason": "error", "native_finish_reason": "error",
            }]));
            c["error"] = provider_error();
            return w.data(&c).await;
        }
        Plan::DropBeforeDone => {
            // Let the role chunk reach the client before the cut.
            tokio::time::sleep(Duration::from_millis(50)).await;
            w.cut().await;
            return Ok(());
        }
        Plan::TruncatedBody => {
            // Half an event, then a clean end of stream.
            let line = format!("data: {}", images_chunk.unwrap_or(Value::Null));
            let half = line.len() / 2;
            let cut = (0..=half)
                .rev()
                .find(|i| line.is_char_boundary(*i))
                .unwrap_or(0);
            return w.write(line[..cut].to_string()).await;
        }
        Plan::Normal | Plan::NoImage | Plan::NonImageDataUrl => {}
    }
    if let Some(c) = images_chunk {
        w.data(&c).await?;
    }
    let reported = if *plan == Plan::Normal {
        job.usage.clone()
    } else {
        usage(0, 0.0)
    };
    let mut finish = meta.chunk(json!([{
        "index": 0, "delta": { "role": "assistant", "content": "" },
        "finish_reason": "stop", "native_finish_reason": "stop", "logprobs": null,
    }]));
    if job.separate_usage {
        w.data(&finish).await?;
        let mut u = meta.chunk(json!([]));
        u["usage"] = reported;
        w.data(&u).await?;
    } else {
        finish["usage"] = reported;
        w.data(&finish).await?;
    }
    w.done().await
}

/// A text model asked for text: a canned reply, so the catalogue's text model is usable.
async fn text_reply(meta: &Meta, stream: bool, delay: u64) -> Response {
    tokio::time::sleep(Duration::from_millis(delay)).await;
    let text = "This is a mock reply.";
    let usage = json!({ "prompt_tokens": 5, "completion_tokens": 6, "total_tokens": 11, "cost": 0, "is_byok": false });
    if stream {
        let mut c = meta.chunk(json!([{
            "index": 0, "delta": { "role": "assistant", "content": text },
            "finish_reason": "stop", "native_finish_reason": "stop", "logprobs": null,
        }]));
        c["usage"] = usage;
        let body = format!("data: {c}\n\ndata: [DONE]\n\n");
        return sse_response(Body::from(body), &meta.id);
    }
    let choice = json!({
        "index": 0, "logprobs": null, "finish_reason": "stop", "native_finish_reason": "stop",
        "message": { "role": "assistant", "content": text, "refusal": null, "reasoning": null },
    });
    json_response(200, &meta.result(choice, usage))
}
