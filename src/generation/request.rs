//! What the user asks for: prompt, model, aspect ratio, seed and references.

use super::image::{DecodedImage, ImageFormat};

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

/// Klein accepts up to four reference images.
pub const MAX_REFERENCES: usize = 4;

/// Expected pixel size for an aspect ratio label, if it is one we know.
pub fn expected_size(aspect_ratio: &str) -> Option<(u32, u32)> {
    ASPECT_RATIOS
        .iter()
        .find(|(label, _, _)| *label == aspect_ratio)
        .map(|&(_, w, h)| (w, h))
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

/// A verified image as a `data:` URL, for sending as a reference.
pub fn to_data_url(image: &DecodedImage) -> String {
    use base64::Engine as _;
    format!(
        "data:{};base64,{}",
        image.format.mime(),
        base64::engine::general_purpose::STANDARD.encode(&image.bytes)
    )
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
