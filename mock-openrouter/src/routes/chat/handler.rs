//! `POST /api/v1/chat/completions`: authenticate, apply a fault, check the request, then
//! answer with JSON or hand the stream over to [`super::stream`].

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use serde_json::{Value, json};

use super::answer::{Meta, html_data_url, image_part, image_parts, provider_error, usage};
use super::request::{KNOWN_FIELDS, check_references, modalities, read_messages, seed};
use super::stream::{StreamJob, sse_response, write_stream};
use super::text::text_reply;
use crate::errors::{self, FaultContext, json_response};
use crate::images;
use crate::record::{CommitExt, GenerationCommit};
use crate::routes::common::{self, Plan};
use crate::routes::generation::{self, GenerationInfo};
use crate::routes::models::{self, KLEIN};
use crate::routes::{authenticate, generation_id};
use crate::sse::SseWriter;
use crate::state::Shared;

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
    let body = match common::json_object(json) {
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
    // A cut answer is recorded too: cancelled and free, or (after billing) charged.
    let recorded = matches!(
        plan,
        Plan::Normal | Plan::DropBeforeDone | Plan::DropAfterBilling
    );
    let commit = recorded.then(|| GenerationCommit {
        billed_when_cut: plan == Plan::DropAfterBilling,
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
    let Ok(bytes) = rendered.map(|b| common::as_planned(plan, b)) else {
        return errors::status_fault(500, &ctx);
    };
    let mut message =
        json!({ "role": "assistant", "content": content, "refusal": null, "reasoning": null });
    let mut choice = json!({
        "index": 0, "logprobs": null, "finish_reason": "stop", "native_finish_reason": "stop",
    });
    let mut reported = usage(0, 0.0);
    match plan {
        Plan::Normal
        | Plan::TruncatedBody
        | Plan::DropBeforeDone
        | Plan::DropAfterBilling
        | Plan::UndecodableImage => {
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
        Plan::TruncatedBody | Plan::DropBeforeDone | Plan::DropAfterBilling => {
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
