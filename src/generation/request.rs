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
/// Longest prompt sent, kept or imported, in characters.
pub const MAX_PROMPT_CHARS: usize = 10_000;

pub const MAX_REFERENCES: usize = 4;

/// Reference images are sent at most this large (1 MP): a 12 MP phone photo
/// would be slow to send and likely refused as too large.
pub const MAX_REFERENCE_PIXELS: u64 = 1_048_576;

/// The size to scale a `width`×`height` reference to, keeping its shape, or
/// `None` when it is small enough already.
pub fn reference_size(width: u32, height: u32) -> Option<(u32, u32)> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels <= MAX_REFERENCE_PIXELS {
        return None;
    }
    let scale = (MAX_REFERENCE_PIXELS as f64 / pixels as f64).sqrt();
    let side = |s: u32| ((f64::from(s) * scale) as u32).max(1);
    Some((side(width), side(height)))
}

/// Expected pixel size for an aspect ratio label, if it is one we know.
pub fn expected_size(aspect_ratio: &str) -> Option<(u32, u32)> {
    ASPECT_RATIOS
        .iter()
        .find(|(label, _, _)| *label == aspect_ratio)
        .map(|&(_, w, h)| (w, h))
}

/// The largest side the Images API accepts for `size`.
pub const MAX_EDGE: u32 = 2048;

/// How large the image is (`Resolution`). Klein bills $0.014 for the first
/// megapixel and $0.001 for each further one, so 4 MP costs $0.017.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Resolution {
    #[default]
    One,
    Two,
    Four,
}

impl Resolution {
    pub const ALL: [Resolution; 3] = [Resolution::One, Resolution::Two, Resolution::Four];

    pub fn megapixels(self) -> u32 {
        match self {
            Resolution::One => 1,
            Resolution::Two => 2,
            Resolution::Four => 4,
        }
    }

    pub fn from_megapixels(mp: u64) -> Option<Self> {
        Resolution::ALL
            .into_iter()
            .find(|r| u64::from(r.megapixels()) == mp)
    }

    /// The tier an image of this many pixels was made at (for Reuse settings).
    pub fn of_pixels(width: u32, height: u32) -> Self {
        let mp = f64::from(width) * f64::from(height) / 1_048_576.0;
        if mp > 2.5 {
            Resolution::Four
        } else if mp > 1.4 {
            Resolution::Two
        } else {
            Resolution::One
        }
    }
}

/// The file type asked for (`Output format`). Klein's own default is JPEG, so
/// the studio always names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    #[default]
    Png,
    Jpeg,
}

impl OutputFormat {
    /// The Images API's `output_format` value (also the stored one).
    pub fn api_name(self) -> &'static str {
        match self {
            OutputFormat::Png => "png",
            OutputFormat::Jpeg => "jpeg",
        }
    }

    pub fn from_api_name(name: &str) -> Option<Self> {
        match name {
            "png" => Some(OutputFormat::Png),
            "jpeg" => Some(OutputFormat::Jpeg),
            _ => None,
        }
    }
}

/// The pixel size asked for: 1 MP is OpenRouter's bucket for the ratio; larger
/// tiers are the largest size of that ratio within the megapixels (2^20
/// pixels each, so the bill does not round up) and [`MAX_EDGE`] a side, in
/// multiples of 16. A wide ratio at 4 MP is therefore smaller than 4 MP.
pub fn output_size(aspect_ratio: &str, resolution: Resolution) -> Option<(u32, u32)> {
    let bucket = expected_size(aspect_ratio)?;
    if resolution == Resolution::One {
        return Some(bucket);
    }
    let (a, b) = aspect_ratio.split_once(':')?;
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    let pixels = f64::from(resolution.megapixels()) * 1_048_576.0;
    let n = ((pixels / f64::from(a * b)).sqrt() as u32).min(MAX_EDGE / a.max(b));
    Some((a * n / 16 * 16, b * n / 16 * 16))
}

/// One generation as the user asked for it.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationRequest {
    /// OpenRouter model id.
    pub model: String,
    pub prompt: String,
    pub aspect_ratio: String,
    /// Pixel size above 1 MP (sent as the Images API's `size`); `None` lets
    /// the aspect ratio pick OpenRouter's 1 MP bucket.
    pub size: Option<(u32, u32)>,
    pub output_format: OutputFormat,
    /// Always sent, so every image can be reproduced.
    pub seed: u32,
    /// Reference images as `data:` URLs (at most [`MAX_REFERENCES`]).
    pub references: Vec<String>,
}

impl GenerationRequest {
    /// Chat Completions has no size or format fields: these go through the Images API.
    pub fn needs_images_api(&self) -> bool {
        self.size.is_some() || self.output_format != OutputFormat::Png
    }
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
    text.parse::<u32>()
        .map(Some)
        .map_err(|_| crate::i18n::core().studio_seed_invalid(&u32::MAX))
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
