//! Interpreting a streamed chat completion, one SSE `data:` payload at a time:
//! images from `choices[].delta.images`, id, model, provider and cost, and the
//! mid-stream error chunk (HTTP 200, top-level `error`, `finish_reason:
//! "error"`). SSE framing itself is in `sse.rs`. Pure Rust.

use serde::Deserialize;

use super::error::ApiError;
use super::response::{Collected, generation_error};
use super::types::{ErrorObject, ImageEntry, Usage};
use crate::generation::GenerationOutput;

#[derive(Deserialize, Default)]
struct StreamChunk {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    model: Option<String>,
    /// A usage-only chunk may have `"choices": []`.
    #[serde(default)]
    choices: Vec<StreamChoice>,
    #[serde(default)]
    usage: Option<Usage>,
    #[serde(default)]
    error: Option<ErrorObject>,
}

#[derive(Deserialize, Default)]
struct StreamChoice {
    #[serde(default)]
    delta: Option<Delta>,
    #[serde(default)]
    finish_reason: Option<String>,
    #[serde(default)]
    error: Option<ErrorObject>,
}

#[derive(Deserialize, Default)]
struct Delta {
    #[serde(default)]
    images: Vec<ImageEntry>,
}

/// Collects what the chunks of one streamed answer carry.
#[derive(Default)]
pub struct StreamAccumulator {
    images: Collected,
    id: Option<String>,
    model: Option<String>,
    provider: Option<String>,
    cost_usd: Option<f64>,
}

impl StreamAccumulator {
    /// Takes one `data:` payload. A chunk that carries an error ends the
    /// generation with that error; a chunk that is not JSON is a damaged answer.
    pub fn push(&mut self, data: &str) -> Result<(), ApiError> {
        let chunk: StreamChunk =
            serde_json::from_str(data.trim()).map_err(|_| ApiError::Malformed {
                detail: "a streamed chunk is not valid JSON".into(),
            })?;
        if let Some(error) = &chunk.error {
            return Err(generation_error(200, error));
        }
        if let Some(error) = chunk.choices.iter().find_map(|c| c.error.as_ref()) {
            return Err(generation_error(200, error));
        }
        if chunk
            .choices
            .iter()
            .any(|c| c.finish_reason.as_deref() == Some("error"))
        {
            return Err(ApiError::GenerationFailed {
                message: String::new(),
            });
        }
        self.id = chunk.id.or(self.id.take());
        self.model = chunk.model.or(self.model.take());
        self.provider = chunk.provider.or(self.provider.take());
        if let Some(cost) = chunk.usage.and_then(|u| u.cost) {
            self.cost_usd = Some(cost);
        }
        for entry in chunk
            .choices
            .into_iter()
            .filter_map(|c| c.delta)
            .flat_map(|d| d.images)
        {
            self.images.add(entry);
        }
        Ok(())
    }

    /// After `data: [DONE]`: the images, or why there are none.
    pub fn finish(self) -> Result<GenerationOutput, ApiError> {
        let (images, remote_urls) = self.images.finish()?;
        Ok(GenerationOutput {
            images,
            remote_urls,
            unreachable: None,
            generation_id: self.id,
            model: self.model,
            provider: self.provider,
            cost_usd: self.cost_usd,
        })
    }
}
