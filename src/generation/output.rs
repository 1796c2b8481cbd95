//! What one successful request brings back.

use super::image::{DecodedImage, ImageFormat};

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

/// An image the answer only linked to and the browser could not download:
/// it was made (and billed), so the user gets the link.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkedImageMissing {
    pub url: String,
    pub reason: String,
}

/// Everything one successful request produced.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationOutput {
    pub images: Vec<GeneratedImage>,
    /// Images the answer only linked to (`https:`): downloaded before showing.
    pub remote_urls: Vec<String>,
    /// A linked image that could not be downloaded while others could: shown
    /// to the user with a link, next to the images that did arrive.
    pub unreachable: Option<LinkedImageMissing>,
    pub generation_id: Option<String>,
    pub model: Option<String>,
    pub provider: Option<String>,
    /// What OpenRouter billed (`usage.cost`, USD), when it said.
    pub cost_usd: Option<f64>,
}
