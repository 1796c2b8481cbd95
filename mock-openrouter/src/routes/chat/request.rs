//! Reading and checking the request body (§1): which fields are known, the prompt and
//! reference images of the user messages, modalities, seed.

use axum::response::Response;
use serde_json::Value;

use crate::config::MockConfig;
use crate::errors;
use crate::images::{self, InputImageError};
use crate::routes::models::ModelInfo;

/// Top-level fields of the OpenAPI `ChatRequest`; others are ignored unless
/// `reject_unknown_fields` is set.
pub(super) const KNOWN_FIELDS: &[&str] = &[
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

pub(super) struct Input {
    pub(super) prompt: String,
    pub(super) references: Vec<String>,
}

/// User text (joined) and reference image URLs, or the 400 to send.
pub(super) fn read_messages(messages: &[Value]) -> Result<Input, Response> {
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

pub(super) fn check_references(refs: &[String], model: &ModelInfo) -> Result<(), Response> {
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
pub(super) fn modalities(
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

pub(super) fn seed(body: &Value) -> Result<Option<i64>, Response> {
    match body.get("seed") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| errors::bad_request("seed: Expected integer", "invalid_request")),
    }
}
