//! Run-time configuration of the mock. Every field has a default, so a partial JSON object
//! posted to `/__mock/config` is a complete configuration. Options exist mostly where the API
//! document marks a behaviour UNCONFIRMED, so tests can cover each plausible variant.

use serde::{Deserialize, Serialize};

/// Image encoding of generated pictures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageMime {
    Png,
    Jpeg,
}

impl ImageMime {
    pub fn mime(self) -> &'static str {
        match self {
            ImageMime::Png => "image/png",
            ImageMime::Jpeg => "image/jpeg",
        }
    }
}

/// How the preflight answers `Access-Control-Request-Headers` (the real list is UNCONFIRMED).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorsAllowHeaders {
    /// Echo whatever the browser asked for.
    Reflect,
    /// Allow only the headers a well-behaved client needs (see [`crate::cors::STRICT_HEADERS`]).
    Strict,
}

/// What a "megapixel" is for billing (UNCONFIRMED, §10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MegapixelUnit {
    /// 1 MP = 1024 × 1024 = 1 048 576 pixels (the mock's default).
    Mebi,
    /// 1 MP = 10^6 pixels.
    Mega,
}

/// A key the mock accepts besides [`crate::DEMO_KEY`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KeySpec {
    pub key: String,
    pub label: String,
    /// Spend limit in USD; `None` = unlimited.
    pub limit: Option<f64>,
    /// USD already spent.
    pub usage: f64,
    /// Management keys may call `/credits`.
    pub management: bool,
}

impl Default for KeySpec {
    fn default() -> Self {
        KeySpec {
            key: String::new(),
            label: "mock key".into(),
            limit: None,
            usage: 0.0,
            management: false,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct MockConfig {
    /// Simulated generation time before the answer (ms).
    pub delay_ms: u64,
    /// Interval of `: OPENROUTER PROCESSING` comments on SSE while "generating" (ms).
    pub keepalive_ms: u64,
    /// Encoding of images on the chat path (UNCONFIRMED which one klein returns).
    pub image_mime: ImageMime,
    /// Image API: format used when the request has no `output_format` (BFL's default is jpeg).
    pub images_default_format: ImageMime,
    /// Multi-MB images (incompressible noise) to test memory handling.
    pub large_images: bool,
    /// Chat: a request without `modalities` gets the 404 routing error instead of an image.
    pub require_modalities: bool,
    /// Chat: fields outside `ChatRequest` (e.g. `n`) give 400 instead of being ignored.
    pub reject_unknown_fields: bool,
    /// Request bodies above this size get 413.
    pub max_body_bytes: usize,
    /// Image API: `n > 1` gives 400 ("single-image providers reject n > 1").
    pub images_reject_n_gt_1: bool,
    /// Image API: omit `media_type` for PNG (an older skill said PNG omits it).
    pub images_omit_png_media_type: bool,
    /// Image API: also send `X-Generation-Id` (UNCONFIRMED on that endpoint).
    pub images_generation_id_header: bool,
    /// Chat: `message.content` is `null` instead of `""` (UNCONFIRMED which one).
    pub content_null: bool,
    /// `/generation` answers 404 for this long after a generation completes.
    pub generation_404_ms: u64,
    /// Lifetime of OAuth authorization codes.
    pub oauth_code_ttl_ms: u64,
    pub cors_allow_headers: CorsAllowHeaders,
    /// `Access-Control-Expose-Headers`; empty = header not sent.
    pub expose_headers: Vec<String>,
    /// SSE: send usage in its own chunk with `"choices":[]` after the finish chunk.
    pub separate_usage_chunk: bool,
    /// SSE: cut every event at pseudo-random byte boundaries into several writes.
    pub split_writes: bool,
    /// SSE: CRLF line endings instead of LF.
    pub crlf: bool,
    pub megapixel: MegapixelUnit,
    /// `Retry-After` (seconds) on 429/503 faults, mirrored in `error.availability.retry_after`.
    pub retry_after_secs: u64,
    /// Chat: images as `http://<host>/files/<name>` URLs (fetched by the client, like a
    /// provider-hosted `https:` image) instead of `data:` URLs.
    pub image_urls: bool,
    /// Chat: how many images one answer carries (copies of the one rendered image,
    /// each its own file with `image_urls`), as a model returning several would send.
    pub images_per_answer: usize,
    /// Keys accepted besides the demo key.
    pub keys: Vec<KeySpec>,
    /// Recorded requests kept (oldest dropped first), so a long demo session stays bounded.
    pub max_records: usize,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            delay_ms: 300,
            keepalive_ms: 1000,
            image_mime: ImageMime::Png,
            images_default_format: ImageMime::Jpeg,
            large_images: false,
            require_modalities: false,
            reject_unknown_fields: false,
            // Four multi-MB references as base64 must still fit.
            max_body_bytes: 32 * 1024 * 1024,
            images_reject_n_gt_1: true,
            images_omit_png_media_type: false,
            images_generation_id_header: false,
            content_null: false,
            generation_404_ms: 500,
            oauth_code_ttl_ms: 10 * 60 * 1000,
            cors_allow_headers: CorsAllowHeaders::Reflect,
            expose_headers: Vec::new(),
            separate_usage_chunk: false,
            split_writes: false,
            crlf: false,
            megapixel: MegapixelUnit::Mebi,
            retry_after_secs: 2,
            image_urls: false,
            images_per_answer: 1,
            keys: Vec::new(),
            max_records: 1000,
        }
    }
}
