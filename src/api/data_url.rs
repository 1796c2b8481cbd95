//! Images inside API answers: `data:` URLs (base64) and `https:` links.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::generation::image::{DecodedImage, ImageDataError, verify_image};

/// Decodes `data:image/<type>;base64,<data>` and checks that the bytes really
/// are a PNG, JPEG, WebP or GIF (the declared type alone is never trusted).
pub fn decode_data_url(url: &str) -> Result<DecodedImage, ImageDataError> {
    let rest = url
        .strip_prefix("data:")
        .ok_or(ImageDataError::NotDataUrl)?;
    let (header, data) = rest.split_once(',').ok_or(ImageDataError::NotDataUrl)?;
    let mut parts = header.split(';');
    let declared = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    if !parts.any(|p| p.trim().eq_ignore_ascii_case("base64")) {
        return Err(ImageDataError::NotBase64);
    }
    if !declared.is_empty() && !declared.starts_with("image/") {
        return Err(ImageDataError::NotAnImage(declared));
    }
    // Tolerate line breaks some encoders insert into long base64 strings.
    let bytes = if data.bytes().any(|b| b.is_ascii_whitespace()) {
        let compact: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        STANDARD.decode(compact)
    } else {
        STANDARD.decode(data)
    }
    .map_err(|_| ImageDataError::BadBase64)?;
    verify_image(bytes)
}

/// An image the answer links to instead of embedding: `https:` only (plus
/// plain `http:` on loopback, for local proxies and the mock).
pub fn remote_image_url(url: &str) -> Option<&str> {
    let url = url.trim();
    let loopback = [
        "http://127.0.0.1:",
        "http://127.0.0.1/",
        "http://localhost:",
        "http://localhost/",
    ];
    let fine = url.len() <= 2048
        && (url.starts_with("https://") || loopback.iter().any(|p| url.starts_with(p)))
        && !url
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control());
    fine.then_some(url)
}
