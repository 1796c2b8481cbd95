//! Interpreting a streamed chat completion, one SSE `data:` payload at a time:
//! images from `choices[].delta.images`, id, model, provider and cost, and the
//! mid-stream error chunk (HTTP 200, top-level `error`, `finish_reason:
//! "error"`). SSE framing itself is in `sse.rs`. Pure Rust.

use super::error::ApiError;
use super::response::{Collected, generation_error};
use super::types::{ErrorObject, ImageEntry, Usage, items};
use crate::generation::GenerationOutput;
use crate::json::Loose;

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
    /// The generation id the first chunk carried, if one arrived.
    pub fn generation_id(&self) -> Option<String> {
        self.id.clone()
    }

    /// Takes one `data:` payload. A chunk that carries an error ends the
    /// generation with that error; a chunk that is not JSON is a damaged answer.
    pub fn push(&mut self, data: &str) -> Result<(), ApiError> {
        let chunk = match Loose::parse(data.trim()) {
            Ok(chunk @ Loose::Object(_)) => chunk,
            _ => {
                return Err(ApiError::Malformed {
                    detail: crate::i18n::later().studio_detail_chunk_not_json.into(),
                });
            }
        };
        // A usage-only chunk may have `"choices": []`.
        let choices = items(chunk.get("choices"));
        if let Some(error) = ErrorObject::read(chunk.get("error")) {
            return Err(generation_error(200, &error));
        }
        if let Some(error) = choices
            .iter()
            .find_map(|c| ErrorObject::read(c.get("error")))
        {
            return Err(generation_error(200, &error));
        }
        if choices
            .iter()
            .any(|c| c.get("finish_reason").and_then(Loose::as_text) == Some("error"))
        {
            return Err(ApiError::GenerationFailed {
                message: String::new(),
            });
        }
        let text = |key: &str| chunk.get(key).and_then(Loose::as_text).map(str::to_owned);
        self.id = text("id").or(self.id.take());
        self.model = text("model").or(self.model.take());
        self.provider = text("provider").or(self.provider.take());
        if let Some(cost) = Usage::read(chunk.get("usage")).and_then(|u| u.cost) {
            self.cost_usd = Some(cost);
        }
        for entry in choices
            .iter()
            .flat_map(|c| ImageEntry::list(c.get("delta").and_then(|d| d.get("images"))))
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
