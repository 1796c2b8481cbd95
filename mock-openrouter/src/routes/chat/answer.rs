//! The pieces of an answer (§2, §3.1): usage, the result and chunk envelopes, image entries,
//! the in-choice provider error.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::images;
use crate::routes::common;
use crate::state::Shared;

pub(super) fn usage(tokens: u64, cost: f64) -> Value {
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

pub(super) struct Meta {
    pub(super) id: String,
    pub(super) model: &'static str,
    pub(super) provider: &'static str,
    pub(super) created: u64,
}

impl Meta {
    pub(super) fn result(&self, choice: Value, usage: Value) -> Value {
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
    pub(super) fn chunk(&self, choices: Value) -> Value {
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
pub(super) fn image_parts(
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

pub(super) fn image_part(url: String) -> Value {
    json!({ "type": "image_url", "image_url": { "url": url } })
}

pub(super) fn html_data_url() -> String {
    format!(
        "data:text/html;base64,{}",
        images::base64(common::SCRIPT_PAYLOAD.as_bytes())
    )
}

pub(super) fn provider_error() -> Value {
    json!({
        "code": 502,
        "message": "Provider returned error",
        "metadata": { "error_type": "provider_unavailable", "provider_name": "Black Forest Labs" },
    })
}
