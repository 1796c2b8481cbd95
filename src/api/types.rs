//! The shapes of the OpenRouter requests and responses Kleinbild uses,
//! written and read with the app's own JSON module (no serde machinery in the
//! wasm: its generic code cost more than all the studio's views). Answers are
//! read tolerantly: a field that is missing or of another type counts as
//! absent, so a new or odd field never loses an image. Pure Rust: tested
//! natively against fixtures built from the API reference.

use crate::json::{Loose, write_string};

/// `POST /chat/completions` body for an image generation.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<ChatMessage>,
    /// Klein is image-only: `["image","text"]` is a 404 on OpenRouter.
    pub modalities: Vec<String>,
    pub image_config: Option<ImageConfig>,
    pub seed: Option<u32>,
    pub stream: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    pub role: String,
    pub content: MessageContent,
}

/// A plain prompt, or the prompt followed by reference images (text part first,
/// as OpenRouter recommends).
#[derive(Debug, Clone, PartialEq)]
pub enum MessageContent {
    Text(String),
    Parts(Vec<ContentPart>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ContentPart {
    Text { text: String },
    ImageUrl { image_url: ImageUrlOut },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageUrlOut {
    /// A `data:image/…;base64,…` URL.
    pub url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageConfig {
    pub aspect_ratio: String,
}

/// `POST /images` body (the dedicated Image API).
#[derive(Debug, Clone, PartialEq)]
pub struct ImagesRequest {
    pub model: String,
    pub prompt: String,
    /// Left out when `size` is sent: the pixel size is authoritative and a
    /// ratio that does not match it exactly is refused.
    pub aspect_ratio: Option<String>,
    /// `"2048x2048"`.
    pub size: Option<String>,
    pub seed: u32,
    /// Always named: klein's provider default is JPEG.
    pub output_format: &'static str,
    pub input_references: Vec<ContentPart>,
}

/// `POST /images` answer: `data[].b64_json` (raw base64) with an optional
/// `media_type`; errors as on chat.
#[derive(Debug, Clone, Default)]
pub struct ImagesResponse {
    pub data: Vec<ImageData>,
    pub usage: Option<Usage>,
    pub error: Option<ErrorObject>,
}

#[derive(Debug, Clone, Default)]
pub struct ImageData {
    pub b64_json: Option<String>,
    pub media_type: Option<String>,
}

/// A chat completion answer, parsed tolerantly: every field the studio does not
/// strictly need is optional, so a new or missing field never loses an image.
#[derive(Debug, Clone, Default)]
pub struct ChatResponse {
    pub id: Option<String>,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub choices: Vec<Choice>,
    pub usage: Option<Usage>,
    /// Some failures arrive as HTTP 200 with a top-level `error`.
    pub error: Option<ErrorObject>,
}

#[derive(Debug, Clone, Default)]
pub struct Choice {
    pub message: Option<AssistantMessage>,
    pub finish_reason: Option<String>,
    /// Provider failure after output started (`finish_reason: "error"`).
    pub error: Option<ErrorObject>,
}

#[derive(Debug, Clone, Default)]
pub struct AssistantMessage {
    pub images: Vec<ImageEntry>,
}

/// `{type:"image_url", image_url:{url}}`; `type` is optional, and old clients
/// crashed assuming plain strings, so a bare URL string is accepted too.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImageEntry {
    pub url: Option<String>,
}

impl ImageEntry {
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Usage {
    pub cost: Option<f64>,
}

/// The body of every OpenRouter error: `{"error":{...},"user_id"?}`.
#[derive(Debug, Clone)]
pub struct ErrorBody {
    pub error: ErrorObject,
}

#[derive(Debug, Clone, Default)]
pub struct ErrorObject {
    /// A number in the chat skin, a string in some older examples, absent on
    /// availability errors: the HTTP status is the fallback.
    pub code: Option<u16>,
    pub message: Option<String>,
    pub metadata: Option<ErrorMetadata>,
    pub availability: Option<Availability>,
}

/// The parts of `error.metadata` the user is told about.
#[derive(Debug, Clone, Default)]
pub struct ErrorMetadata {
    /// Moderation: why the input was flagged.
    pub reasons: Option<Vec<String>>,
    /// Moderation: the flagged text (≤ 100 characters).
    pub flagged_input: Option<String>,
    pub provider_name: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Availability {
    pub code: Option<String>,
    pub retryable: Option<bool>,
    pub retry_after: Option<f64>,
}

// --- writing requests ---------------------------------------------------------------------

impl ChatRequest {
    /// The body as JSON text (fields in the order above; `None`s left out).
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"model\":");
        write_string(&mut out, &self.model);
        out.push_str(",\"messages\":[");
        for (i, message) in self.messages.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"role\":");
            write_string(&mut out, &message.role);
            out.push_str(",\"content\":");
            match &message.content {
                MessageContent::Text(text) => write_string(&mut out, text),
                MessageContent::Parts(parts) => write_parts(&mut out, parts),
            }
            out.push('}');
        }
        out.push_str("],\"modalities\":[");
        for (i, modality) in self.modalities.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_string(&mut out, modality);
        }
        out.push(']');
        if let Some(config) = &self.image_config {
            out.push_str(",\"image_config\":{\"aspect_ratio\":");
            write_string(&mut out, &config.aspect_ratio);
            out.push('}');
        }
        if let Some(seed) = self.seed {
            out.push_str(&format!(",\"seed\":{seed}"));
        }
        out.push_str(if self.stream {
            ",\"stream\":true}"
        } else {
            ",\"stream\":false}"
        });
        out
    }
}

impl ImagesRequest {
    /// The body as JSON text (`input_references` only when there are some).
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"model\":");
        write_string(&mut out, &self.model);
        out.push_str(",\"prompt\":");
        write_string(&mut out, &self.prompt);
        if let Some(ratio) = &self.aspect_ratio {
            out.push_str(",\"aspect_ratio\":");
            write_string(&mut out, ratio);
        }
        if let Some(size) = &self.size {
            out.push_str(",\"size\":");
            write_string(&mut out, size);
        }
        out.push_str(&format!(",\"seed\":{},\"output_format\":", self.seed));
        write_string(&mut out, self.output_format);
        if !self.input_references.is_empty() {
            out.push_str(",\"input_references\":");
            write_parts(&mut out, &self.input_references);
        }
        out.push('}');
        out
    }
}

/// `[{"type":"text","text":…},{"type":"image_url","image_url":{"url":…}}]`
fn write_parts(out: &mut String, parts: &[ContentPart]) {
    out.push('[');
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match part {
            ContentPart::Text { text } => {
                out.push_str("{\"type\":\"text\",\"text\":");
                write_string(out, text);
            }
            ContentPart::ImageUrl { image_url } => {
                out.push_str("{\"type\":\"image_url\",\"image_url\":{\"url\":");
                write_string(out, &image_url.url);
                out.push('}');
            }
        }
        out.push('}');
    }
    out.push(']');
}

// --- reading answers ----------------------------------------------------------------------

fn text(value: Option<&Loose>) -> Option<String> {
    value.and_then(Loose::as_text).map(str::to_owned)
}

fn number(value: Option<&Loose>) -> Option<f64> {
    value.and_then(Loose::as_number)
}

/// The items of a list (nothing when absent or not a list).
pub(crate) fn items(value: Option<&Loose>) -> &[Loose] {
    match value {
        Some(Loose::List(items)) => items,
        _ => &[],
    }
}

/// An object (absent, `null` or another type count as absent).
fn object(value: Option<&Loose>) -> Option<&Loose> {
    value.filter(|v| matches!(v, Loose::Object(_)))
}

impl ChatResponse {
    pub fn from_loose(value: &Loose) -> Self {
        ChatResponse {
            id: text(value.get("id")),
            provider: text(value.get("provider")),
            model: text(value.get("model")),
            choices: items(value.get("choices"))
                .iter()
                .map(Choice::from_loose)
                .collect(),
            usage: Usage::read(value.get("usage")),
            error: ErrorObject::read(value.get("error")),
        }
    }
}

impl Choice {
    fn from_loose(value: &Loose) -> Self {
        Choice {
            message: object(value.get("message")).map(|m| AssistantMessage {
                images: ImageEntry::list(m.get("images")),
            }),
            finish_reason: text(value.get("finish_reason")),
            error: ErrorObject::read(value.get("error")),
        }
    }
}

impl ImageEntry {
    /// `{type:"image_url", image_url:{url}}`, or a bare URL string.
    pub fn from_loose(value: &Loose) -> Self {
        let url = match value {
            Loose::Text(url) => Some(url.clone()),
            other => other
                .get("image_url")
                .and_then(|u| u.get("url"))
                .and_then(Loose::as_text)
                .map(str::to_owned),
        };
        ImageEntry { url }
    }

    pub fn list(value: Option<&Loose>) -> Vec<ImageEntry> {
        items(value).iter().map(ImageEntry::from_loose).collect()
    }
}

impl ImagesResponse {
    pub fn from_loose(value: &Loose) -> Self {
        ImagesResponse {
            data: items(value.get("data"))
                .iter()
                .map(|d| ImageData {
                    b64_json: text(d.get("b64_json")),
                    media_type: text(d.get("media_type")),
                })
                .collect(),
            usage: Usage::read(value.get("usage")),
            error: ErrorObject::read(value.get("error")),
        }
    }
}

impl Usage {
    pub fn read(value: Option<&Loose>) -> Option<Self> {
        object(value).map(|u| Usage {
            cost: number(u.get("cost")),
        })
    }
}

impl ErrorBody {
    /// `{"error":{...}}`; `None` when there is no error object.
    pub fn from_loose(value: &Loose) -> Option<Self> {
        ErrorObject::read(value.get("error")).map(|error| ErrorBody { error })
    }
}

impl ErrorObject {
    pub fn read(value: Option<&Loose>) -> Option<Self> {
        let value = object(value)?;
        Some(ErrorObject {
            // A number in the chat skin, a string in some older examples,
            // absent on availability errors: the HTTP status is the fallback.
            code: match value.get("code") {
                Some(Loose::UInt(n)) => u16::try_from(*n).ok(),
                Some(Loose::Text(t)) => t.parse().ok(),
                _ => None,
            },
            message: text(value.get("message")),
            metadata: object(value.get("metadata")).map(|m| ErrorMetadata {
                reasons: match m.get("reasons") {
                    Some(Loose::List(reasons)) => Some(
                        reasons
                            .iter()
                            .filter_map(|r| r.as_text().map(str::to_owned))
                            .collect(),
                    ),
                    _ => None,
                },
                flagged_input: text(m.get("flagged_input")),
                provider_name: text(m.get("provider_name")),
            }),
            availability: object(value.get("availability")).map(|a| Availability {
                code: text(a.get("code")),
                retryable: match a.get("retryable") {
                    Some(Loose::Bool(b)) => Some(*b),
                    _ => None,
                },
                retry_after: number(a.get("retry_after")),
            }),
        })
    }
}
