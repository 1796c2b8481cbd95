//! Serde shapes of the OpenRouter requests and responses Kleinbild uses.
//! Pure Rust: tested natively against fixtures built from the API reference.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The model this studio is built around.
pub const KLEIN_MODEL: &str = "black-forest-labs/flux.2-klein-4b";

/// `POST /chat/completions` body for an image generation.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<ChatMessage>,
    /// Klein is image-only: `["image","text"]` is a 404 on OpenRouter.
    pub modalities: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_config: Option<ImageConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u32>,
    pub stream: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImageConfig {
    pub aspect_ratio: String,
}

/// A chat completion answer, parsed tolerantly: every field the studio does not
/// strictly need is optional, so a new or missing field never loses an image.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct ChatResponse {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub usage: Option<Usage>,
    /// Some failures arrive as HTTP 200 with a top-level `error`.
    #[serde(default)]
    pub error: Option<ErrorObject>,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct Choice {
    #[serde(default)]
    pub message: Option<AssistantMessage>,
    #[serde(default)]
    pub finish_reason: Option<String>,
    /// Provider failure after output started (`finish_reason: "error"`).
    #[serde(default)]
    pub error: Option<ErrorObject>,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct AssistantMessage {
    #[serde(default)]
    pub images: Vec<ImageEntry>,
}

/// `{type:"image_url", image_url:{url}}`; `type` is optional, and old clients
/// crashed assuming plain strings, so both forms are accepted.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ImageEntry {
    Object { image_url: ImageUrl },
    Url(String),
    Other(Value),
}

impl ImageEntry {
    pub fn url(&self) -> Option<&str> {
        match self {
            ImageEntry::Object { image_url } => Some(&image_url.url),
            ImageEntry::Url(url) => Some(url),
            ImageEntry::Other(_) => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ImageUrl {
    pub url: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct Usage {
    #[serde(default)]
    pub cost: Option<f64>,
}

/// The body of every OpenRouter error: `{"error":{...},"user_id"?}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorObject,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct ErrorObject {
    /// A number in the chat skin, a string in some older examples, absent on
    /// availability errors: the HTTP status is the fallback.
    #[serde(default)]
    pub code: Option<Value>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub metadata: Option<Value>,
    #[serde(default)]
    pub availability: Option<Availability>,
}

impl ErrorObject {
    pub fn numeric_code(&self) -> Option<u16> {
        match self.code.as_ref()? {
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// A string field of `metadata`, if present.
    pub fn metadata_str(&self, key: &str) -> Option<&str> {
        self.metadata.as_ref()?.get(key)?.as_str()
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct Availability {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub retryable: Option<bool>,
    #[serde(default)]
    pub retry_after: Option<f64>,
}
