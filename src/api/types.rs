//! Serde shapes of the OpenRouter requests and responses Kleinbild uses.
//! Pure Rust: tested natively against fixtures built from the API reference.

use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

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
    pub content: MessageContent,
}

/// A plain prompt, or the prompt followed by reference images (text part first,
/// as OpenRouter recommends).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum MessageContent {
    Text(String),
    Parts(Vec<ContentPart>),
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentPart {
    Text { text: String },
    ImageUrl { image_url: ImageUrlOut },
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImageUrlOut {
    /// A `data:image/…;base64,…` URL.
    pub url: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImageConfig {
    pub aspect_ratio: String,
}

/// `POST /images` body (the dedicated Image API).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImagesRequest {
    pub model: String,
    pub prompt: String,
    pub aspect_ratio: String,
    pub seed: u32,
    /// Klein's provider default is JPEG; the studio asks for PNG like on chat.
    pub output_format: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub input_references: Vec<ContentPart>,
}

/// `POST /images` answer: `data[].b64_json` (raw base64) with an optional
/// `media_type`; errors as on chat.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct ImagesResponse {
    #[serde(default)]
    pub data: Vec<ImageData>,
    #[serde(default)]
    pub usage: Option<Usage>,
    #[serde(default)]
    pub error: Option<ErrorObject>,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct ImageData {
    #[serde(default)]
    pub b64_json: Option<String>,
    #[serde(default)]
    pub media_type: Option<String>,
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
/// crashed assuming plain strings, so a bare URL string is accepted too.
/// Hand-written (not `untagged`) to keep serde's buffering code out of the wasm.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImageEntry {
    pub url: Option<String>,
}

impl ImageEntry {
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
}

#[derive(Deserialize)]
struct ImageUrl {
    url: String,
}

impl<'de> Deserialize<'de> for ImageEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntryVisitor;
        impl<'de> Visitor<'de> for EntryVisitor {
            type Value = ImageEntry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an image object or URL")
            }
            fn visit_str<E: de::Error>(self, url: &str) -> Result<ImageEntry, E> {
                Ok(ImageEntry {
                    url: Some(url.to_owned()),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ImageEntry, A::Error> {
                let mut entry = ImageEntry::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "image_url" {
                        entry.url = map.next_value::<Option<ImageUrl>>()?.map(|u| u.url);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(entry)
            }
        }
        deserializer.deserialize_any(EntryVisitor)
    }
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
    #[serde(default, deserialize_with = "status_code")]
    pub code: Option<u16>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub metadata: Option<ErrorMetadata>,
    #[serde(default)]
    pub availability: Option<Availability>,
}

/// The parts of `error.metadata` the user is told about.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct ErrorMetadata {
    /// Moderation: why the input was flagged.
    #[serde(default)]
    pub reasons: Option<Vec<String>>,
    /// Moderation: the flagged text (≤ 100 characters).
    #[serde(default)]
    pub flagged_input: Option<String>,
    #[serde(default)]
    pub provider_name: Option<String>,
}

/// Accepts `502`, `"502"` or anything else (which becomes `None`).
fn status_code<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u16>, D::Error> {
    struct CodeVisitor;
    impl<'de> Visitor<'de> for CodeVisitor {
        type Value = Option<u16>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an error code")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<u16>, E> {
            Ok(u16::try_from(v).ok())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<u16>, E> {
            Ok(u16::try_from(v).ok())
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Option<u16>, E> {
            Ok(None)
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<u16>, E> {
            Ok(None)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<u16>, E> {
            Ok(v.parse().ok())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Option<u16>, E> {
            Ok(None)
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Option<u16>, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<u16>, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
    deserializer.deserialize_any(CodeVisitor)
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
