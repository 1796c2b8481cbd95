//! Interpreting a chat completion answer: images, cost and the errors that can
//! hide inside an HTTP 200.

use super::data_url::{image_from_base64, image_from_data_url, remote_image_url};
use super::error::ApiError;
use super::types::{ChatResponse, ImageEntry, ImagesResponse};
use crate::generation::{GeneratedImage, GenerationOutput};
use crate::json::Loose;

/// Parses a 2xx body into verified images, or the error it really is.
pub fn parse_chat_response(status: u16, body: &str) -> Result<GenerationOutput, ApiError> {
    let response = ChatResponse::from_loose(&read_object(body)?);
    if let Some(error) = &response.error {
        return Err(generation_error(status, error));
    }
    if let Some(error) = response.choices.iter().find_map(|c| c.error.as_ref()) {
        return Err(generation_error(status, error));
    }
    if response
        .choices
        .iter()
        .any(|c| c.finish_reason.as_deref() == Some("error"))
    {
        return Err(ApiError::GenerationFailed {
            message: String::new(),
        });
    }

    let mut collected = Collected::default();
    for entry in response
        .choices
        .into_iter()
        .filter_map(|c| c.message)
        .flat_map(|m| m.images)
    {
        collected.add(entry);
    }
    let (images, remote_urls) = collected.finish()?;
    Ok(GenerationOutput {
        images,
        remote_urls,
        unreachable: None,
        generation_id: response.id,
        model: response.model,
        provider: response.provider,
        cost_usd: response.usage.and_then(|u| u.cost),
    })
}

/// The images of an answer as its entries are read.
#[derive(Default)]
pub(crate) struct Collected {
    images: Vec<GeneratedImage>,
    remote_urls: Vec<String>,
    last_problem: Option<String>,
}

impl Collected {
    /// One `images[]` entry: checked, kept as a link to download, or noted as
    /// the reason it could not be used.
    pub(crate) fn add(&mut self, entry: ImageEntry) {
        let Some(url) = entry.url else {
            self.last_problem = Some(crate::i18n::later().studio_detail_entry_no_url.into());
            return;
        };
        if let Some(remote) = remote_image_url(&url) {
            self.remote_urls.push(remote.to_owned());
            return;
        }
        match image_from_data_url(url) {
            Ok(image) => self.images.push(image),
            Err(e) => self.last_problem = Some(e.to_string()),
        }
    }

    /// The images and links, or why there are none.
    pub(crate) fn finish(self) -> Result<(Vec<GeneratedImage>, Vec<String>), ApiError> {
        if self.images.is_empty() && self.remote_urls.is_empty() {
            return Err(ApiError::NoImage {
                detail: self
                    .last_problem
                    .unwrap_or_else(|| crate::i18n::later().studio_detail_no_images.into()),
            });
        }
        Ok((self.images, self.remote_urls))
    }
}

/// Parses a 2xx body of the Image API: raw base64 images, checked by their
/// bytes (a `media_type` that disagrees with the bytes is ignored, the bytes win).
pub fn parse_images_response(status: u16, body: &str) -> Result<GenerationOutput, ApiError> {
    let response = ImagesResponse::from_loose(&read_object(body)?);
    if let Some(error) = &response.error {
        return Err(generation_error(status, error));
    }
    let t = crate::i18n::later();
    let mut images = Vec::new();
    let mut last_problem = None;
    for data in &response.data {
        let Some(b64) = data.b64_json.as_deref() else {
            last_problem = Some(t.studio_detail_entry_no_data.to_owned());
            continue;
        };
        match image_from_base64(b64.trim()) {
            Ok(image) => images.push(image),
            Err(problem) => last_problem = Some(problem.to_string()),
        }
    }
    if images.is_empty() {
        return Err(ApiError::NoImage {
            detail: last_problem.unwrap_or_else(|| t.studio_detail_no_images.into()),
        });
    }
    Ok(GenerationOutput {
        images,
        remote_urls: Vec::new(),
        unreachable: None,
        generation_id: None,
        model: None,
        provider: None,
        cost_usd: response.usage.and_then(|u| u.cost),
    })
}

/// An error inside an HTTP 200 means the generation itself failed after it
/// started; only causes the user can act on keep their own message.
pub(crate) fn generation_error(status: u16, error: &super::types::ErrorObject) -> ApiError {
    match ApiError::from_error_object(status, error) {
        kept @ (ApiError::InvalidKey { .. }
        | ApiError::OutOfCredits { .. }
        | ApiError::Moderation { .. }
        | ApiError::RateLimited { .. }) => kept,
        _ => ApiError::GenerationFailed {
            message: error.message.clone().unwrap_or_default(),
        },
    }
}

/// The answer's JSON object, or why it is not one.
pub(crate) fn read_object(body: &str) -> Result<Loose, ApiError> {
    let t = crate::i18n::later();
    let kind = match Loose::parse(body.trim()) {
        Ok(value @ Loose::Object(_)) => return Ok(value),
        Ok(_) => t.studio_detail_json_shape,
        Err(e) if e.is_eof() => t.studio_detail_json_eof,
        Err(_) => t.studio_detail_not_json,
    };
    Err(ApiError::Malformed {
        detail: t.studio_detail_invalid_json(&kind),
    })
}
