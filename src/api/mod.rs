//! Talking to OpenRouter. No Leptos types here.

pub mod account;
pub mod client;
pub mod error;
pub mod image;
pub mod models;
pub mod oauth;
pub mod response;
pub mod retry;
pub mod sse;
pub mod stream;
pub mod types;

pub use error::ApiError;

use crate::generation::GenerationRequest;
use types::{
    ChatMessage, ChatRequest, ContentPart, ImageConfig, ImageUrlOut, ImagesRequest, MessageContent,
};

/// OpenRouter's API root; requests go to `{base}/chat/completions` etc.
pub const DEFAULT_API_BASE: &str = "https://openrouter.ai/api/v1";

/// App name sent as `X-OpenRouter-Title` (attribution only).
pub const APP_TITLE: &str = "Kleinbild";

/// The Chat Completions body for one generation (`stream`: answer as SSE).
pub fn chat_request(request: &GenerationRequest, stream: bool) -> ChatRequest {
    ChatRequest {
        model: request.model.clone(),
        messages: vec![ChatMessage {
            role: "user".into(),
            content: if request.references.is_empty() {
                MessageContent::Text(request.prompt.clone())
            } else {
                let text = ContentPart::Text {
                    text: request.prompt.clone(),
                };
                let images = request.references.iter().map(|url| ContentPart::ImageUrl {
                    image_url: ImageUrlOut { url: url.clone() },
                });
                MessageContent::Parts(std::iter::once(text).chain(images).collect())
            },
        }],
        modalities: vec!["image".into()],
        image_config: Some(ImageConfig {
            aspect_ratio: request.aspect_ratio.clone(),
        }),
        seed: Some(request.seed),
        stream,
    }
}

/// The Image API body for the same generation.
pub fn images_request(request: &GenerationRequest) -> ImagesRequest {
    ImagesRequest {
        model: request.model.clone(),
        prompt: request.prompt.clone(),
        aspect_ratio: request.aspect_ratio.clone(),
        seed: request.seed,
        output_format: "png",
        input_references: request
            .references
            .iter()
            .map(|url| ContentPart::ImageUrl {
                image_url: ImageUrlOut { url: url.clone() },
            })
            .collect(),
    }
}
