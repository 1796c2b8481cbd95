//! What the user asks for, what it costs, and what comes back. Pure Rust.

mod price;

pub use price::{estimate_cost_usd, format_usd};

use crate::api::image::{DecodedImage, ImageFormat};
use crate::api::types::KLEIN_MODEL;

/// The aspect ratios OpenRouter documents, with the pixel size of each bucket.
/// Klein's exact sizes are unconfirmed; these drive only the cost estimate.
pub const ASPECT_RATIOS: &[(&str, u32, u32)] = &[
    ("1:1", 1024, 1024),
    ("2:3", 832, 1248),
    ("3:2", 1248, 832),
    ("3:4", 864, 1184),
    ("4:3", 1184, 864),
    ("4:5", 896, 1152),
    ("5:4", 1152, 896),
    ("9:16", 768, 1344),
    ("16:9", 1344, 768),
    ("21:9", 1536, 672),
];

pub const DEFAULT_ASPECT_RATIO: &str = "1:1";

/// Expected pixel size for an aspect ratio label, if it is one we know.
pub fn expected_size(aspect_ratio: &str) -> Option<(u32, u32)> {
    ASPECT_RATIOS
        .iter()
        .find(|(label, _, _)| *label == aspect_ratio)
        .map(|&(_, w, h)| (w, h))
}

/// Models offered before (or without) OpenRouter's model list: id and label.
pub const BUILT_IN_MODELS: &[(&str, &str)] = &[(KLEIN_MODEL, "FLUX.2 [klein] 4B")];

/// OpenRouter model ids look like `author/slug` (optionally `:variant`): two
/// parts, each starting with a letter or digit.
pub fn is_model_id(id: &str) -> bool {
    let part = |p: &str| {
        p.starts_with(|c: char| c.is_ascii_alphanumeric())
            && !p.contains("..")
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
    };
    id.len() <= 200 && id.split_once('/').is_some_and(|(a, s)| part(a) && part(s))
}

/// One generation as the user asked for it.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationRequest {
    /// OpenRouter model id.
    pub model: String,
    pub prompt: String,
    pub aspect_ratio: String,
    /// Always sent, so every image can be reproduced.
    pub seed: u32,
    /// Reference images as `data:` URLs (at most [`MAX_REFERENCES`]).
    pub references: Vec<String>,
}

/// Klein accepts up to four reference images.
pub const MAX_REFERENCES: usize = 4;

/// A verified image as a `data:` URL, for sending as a reference.
pub fn data_url(image: &DecodedImage) -> String {
    use base64::Engine as _;
    format!(
        "data:{};base64,{}",
        image.format.mime(),
        base64::engine::general_purpose::STANDARD.encode(&image.bytes)
    )
}

/// One image as it came back, verified.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedImage {
    pub bytes: Vec<u8>,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

impl From<DecodedImage> for GeneratedImage {
    fn from(image: DecodedImage) -> Self {
        GeneratedImage {
            bytes: image.bytes,
            format: image.format,
            width: image.width,
            height: image.height,
        }
    }
}

/// Everything one successful request produced.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationOutput {
    pub images: Vec<GeneratedImage>,
    /// Images the answer only linked to (`https:`): downloaded before showing.
    pub remote_urls: Vec<String>,
    /// A linked image that could not be downloaded while others could: shown
    /// to the user with a link, next to the images that did arrive.
    pub unreachable: Option<crate::api::error::ApiError>,
    pub generation_id: Option<String>,
    pub model: Option<String>,
    pub provider: Option<String>,
    /// What OpenRouter billed (`usage.cost`, USD), when it said.
    pub cost_usd: Option<f64>,
}

/// Parses the Seed field: blank means "pick one for me".
pub fn parse_seed(text: &str) -> Result<Option<u32>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u32>().map(Some).map_err(|_| {
        format!(
            "Seed must be a whole number from 0 to {}, or empty for a random seed.",
            u32::MAX
        )
    })
}

/// A file name for downloads: a slug of the prompt plus the seed. ASCII only:
/// safe on every file system, and keeps Unicode case tables out of the wasm.
pub fn file_name(prompt: &str, seed: u32, format: ImageFormat) -> String {
    let mut slug = String::new();
    for c in prompt.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.chars().count() >= 48 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "kleinbild" } else { slug };
    format!("{slug}-{seed}.{}", format.extension())
}
