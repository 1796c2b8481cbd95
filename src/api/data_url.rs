//! Images inside API answers: `data:` URLs (base64) and `https:` links.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::generation::{
    GeneratedImage, Header, ImageData, ImageDataError, ImageFormat, inspect_header,
};

/// What the client puts in an answer in place of a large `data:` URL (or raw
/// base64) it keeps in the browser: the handle, the length of the whole
/// base64 text and its padding, then the URL's head (the type and the first
/// base64 characters, enough for the image header).
pub const HELD: &str = "kleinbild-held:";

/// `kleinbild-held:<handle>:<base64 length>:<padding>:<head>`.
pub fn held_placeholder(handle: u32, base64_len: usize, padding: usize, head: &str) -> String {
    format!("{HELD}{handle}:{base64_len}:{padding}:{head}")
}

/// Checks `data:image/<type>;base64,<data>` and keeps it as text for the
/// browser to decode: the base64 must be well formed, and the bytes it
/// starts with must be a PNG, JPEG, WebP or GIF whose header gives its size
/// (the declared type alone is never trusted). Only that header is decoded.
/// A [`HELD`] placeholder is checked by its head (the rest of its base64 is
/// checked by the browser when it decodes it, and again when it is saved).
pub fn image_from_data_url(url: String) -> Result<GeneratedImage, ImageDataError> {
    if let Some(held) = url.strip_prefix(HELD) {
        return held_image(held);
    }
    let rest = url
        .strip_prefix("data:")
        .ok_or(ImageDataError::NotDataUrl)?;
    let (declared, data) = image_header(rest)?;
    // Tolerate line breaks some encoders insert into long base64 strings.
    if data.bytes().any(|b| b.is_ascii_whitespace()) {
        let compact: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        return image_from_base64(&compact);
    }
    let image = image_from_base64(data)?;
    // The text arrived as it will be shown: keep it (no 4 MB copy) unless its
    // declared type is not what the bytes are.
    Ok(match &image.data {
        ImageData::DataUrl(_) if declared == image.format.mime() => GeneratedImage {
            data: ImageData::DataUrl(url),
            ..image
        },
        _ => image,
    })
}

/// What follows `data:`: the declared type (lower case, may be empty) and the
/// base64 text, refused unless it is base64 of an image type.
fn image_header(rest: &str) -> Result<(String, &str), ImageDataError> {
    let (header, data) = rest.split_once(',').ok_or(ImageDataError::NotDataUrl)?;
    let mut parts = header.split(';');
    let declared = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    if !parts.any(|p| p.trim().eq_ignore_ascii_case("base64")) {
        return Err(ImageDataError::NotBase64);
    }
    if !declared.is_empty() && !declared.starts_with("image/") {
        return Err(ImageDataError::NotAnImage(declared));
    }
    Ok((declared, data))
}

/// A placeholder's image: sniffed and measured from its head.
fn held_image(held: &str) -> Result<GeneratedImage, ImageDataError> {
    let mut fields = held.splitn(4, ':');
    let mut number = || fields.next().and_then(|n| n.parse::<usize>().ok());
    let (handle, base64_len, padding) = (number(), number(), number());
    let (Some(handle), Some(base64_len), Some(padding), Some(head)) =
        (handle, base64_len, padding, fields.next())
    else {
        return Err(ImageDataError::NotDataUrl);
    };
    let handle = u32::try_from(handle).map_err(|_| ImageDataError::NotDataUrl)?;
    let data = match head.strip_prefix("data:") {
        Some(rest) => image_header(rest)?.1,
        // Raw base64 (the Images API).
        None => head,
    };
    // Base64 is ASCII; anything else would also cut a character in two below.
    if !data.is_ascii() || !base64_len.is_multiple_of(4) || padding > 2 || data.len() > base64_len {
        return Err(ImageDataError::BadBase64);
    }
    // Only whole groups of four characters decode on their own.
    let whole = data.len() - data.len() % 4;
    let (format, width, height) = header_of(&data[..whole])?;
    Ok(GeneratedImage {
        data: ImageData::Held(handle),
        format,
        width,
        height,
        byte_len: (base64_len / 4 * 3 - padding) as u64,
    })
}

/// Checks raw base64 image data (the Images API's `b64_json`) like
/// [`image_from_data_url`] and makes it a `data:` URL of the sniffed type
/// (a [`HELD`] placeholder stays held).
pub fn image_from_base64(data: &str) -> Result<GeneratedImage, ImageDataError> {
    if let Some(held) = data.strip_prefix(HELD) {
        return held_image(held);
    }
    let byte_len = checked_base64_len(data.as_bytes()).ok_or(ImageDataError::BadBase64)?;
    let (format, width, height) = header_of(data)?;
    Ok(GeneratedImage {
        data: ImageData::DataUrl(format!("data:{};base64,{data}", format.mime())),
        format,
        width,
        height,
        byte_len,
    })
}

/// The decoded length of canonical, padded standard base64, if `data` is that.
fn checked_base64_len(data: &[u8]) -> Option<u64> {
    if !data.len().is_multiple_of(4) {
        return None;
    }
    let padding = data.iter().rev().take_while(|&&b| b == b'=').count();
    if padding > 2 {
        return None;
    }
    let body = &data[..data.len() - padding];
    body.iter()
        .all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        .then(|| (data.len() / 4 * 3 - padding) as u64)
}

/// Decodes ever longer prefixes until the header gives the size (a JPEG's
/// frame header may follow metadata), at most the whole.
fn header_of(data: &str) -> Result<(ImageFormat, u32, u32), ImageDataError> {
    let mut prefix = 4096;
    loop {
        let end = prefix.min(data.len());
        // Bytes, not `str`: a non-ASCII character must fail to decode, not panic.
        let bytes = STANDARD
            .decode(&data.as_bytes()[..end])
            .map_err(|_| ImageDataError::BadBase64)?;
        match inspect_header(&bytes) {
            Header::Complete(format, width, height) => return Ok((format, width, height)),
            Header::NeedMore(_) if end < data.len() => prefix *= 8,
            Header::NeedMore(_) => return Err(ImageDataError::BadHeader),
            Header::Refused(e) => return Err(e),
        }
    }
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
