//! What one successful request brings back.

use super::image::{DecodedImage, ImageFormat};

/// An image's data: bytes (downloaded, or decoded elsewhere), or the base64
/// `data:` URL it arrived as, checked but left for the browser to decode (the
/// fastest way to show it: no 4 MB base64 decode in wasm before the first pixel).
#[derive(Debug, Clone, PartialEq)]
pub enum ImageData {
    Bytes(Vec<u8>),
    /// `data:<mime>;base64,<data>` with the sniffed type and no whitespace.
    DataUrl(String),
    /// A large `data:` URL kept by the browser as a JavaScript string, never
    /// copied into wasm: a 4 MB image goes from the answer to the `<img>`
    /// untouched. `api::client::held` knows the text by this handle.
    Held(u32),
}

/// One image as it came back, verified: format and size from its own bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedImage {
    pub data: ImageData,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    /// Size of the image file in bytes.
    pub byte_len: u64,
}

impl From<DecodedImage> for GeneratedImage {
    fn from(image: DecodedImage) -> Self {
        GeneratedImage {
            byte_len: image.bytes.len() as u64,
            data: ImageData::Bytes(image.bytes),
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
