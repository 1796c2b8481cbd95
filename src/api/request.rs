//! The request bodies for one generation, on either transport.

use super::types::{
    ChatMessage, ChatRequest, ContentPart, ImageConfig, ImageUrlOut, ImagesRequest, MessageContent,
};
use crate::generation::GenerationRequest;

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
        aspect_ratio: request.size.is_none().then(|| request.aspect_ratio.clone()),
        size: request.size.map(|(w, h)| format!("{w}x{h}")),
        seed: request.seed,
        output_format: request.output_format.api_name(),
        input_references: request
            .references
            .iter()
            .map(|url| ContentPart::ImageUrl {
                image_url: ImageUrlOut { url: url.clone() },
            })
            .collect(),
    }
}
