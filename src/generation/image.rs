//! Image bytes we trust: the format by its magic numbers (never by what the
//! sender claims) and the pixel size from the header.

use crate::i18n;

/// The formats a browser may render from this app; SVG and HTML never pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
    Webp,
    Gif,
}

impl ImageFormat {
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Webp => "image/webp",
            ImageFormat::Gif => "image/gif",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Webp => "webp",
            ImageFormat::Gif => "gif",
        }
    }

    /// The format a MIME type names, if it is one we show.
    pub fn from_mime(mime: &str) -> Option<ImageFormat> {
        [
            ImageFormat::Png,
            ImageFormat::Jpeg,
            ImageFormat::Webp,
            ImageFormat::Gif,
        ]
        .into_iter()
        .find(|f| f.mime() == mime)
    }

    /// Identifies the format from the first bytes, ignoring what the sender claims.
    pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageFormat::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageFormat::Jpeg)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageFormat::Webp)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(ImageFormat::Gif)
        } else {
            None
        }
    }
}

/// A decoded, verified image.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedImage {
    pub bytes: Vec<u8>,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageDataError {
    #[error("{}", i18n::later().studio_image_not_data_url)]
    NotDataUrl,
    #[error("{}", i18n::later().studio_image_not_base64)]
    NotBase64,
    #[error("{}", i18n::later().studio_image_bad_base64)]
    BadBase64,
    #[error("{}", i18n::later().studio_image_not_an_image(.0))]
    NotAnImage(String),
    #[error("{}", i18n::later().studio_image_bad_header)]
    BadHeader,
}

/// Checks magic numbers and reads the pixel size from the header.
pub fn verify_image(bytes: Vec<u8>) -> Result<DecodedImage, ImageDataError> {
    let (format, width, height) = match inspect_header(&bytes) {
        Header::Complete(format, width, height) => (format, width, height),
        Header::NeedMore(_) => return Err(ImageDataError::BadHeader),
        Header::Refused(e) => return Err(e),
    };
    Ok(DecodedImage {
        bytes,
        format,
        width,
        height,
    })
}

/// What the first bytes of an image say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Header {
    /// The format and the pixel size.
    Complete(ImageFormat, u32, u32),
    /// A known format whose size lies beyond these bytes (a JPEG's frame
    /// header can follow large metadata): read further.
    NeedMore(ImageFormat),
    /// Not an image this app shows, or a damaged header.
    Refused(ImageDataError),
}

/// The format and pixel size from the first bytes of an image (all of them
/// or a prefix).
pub fn inspect_header(bytes: &[u8]) -> Header {
    let Some(format) = ImageFormat::sniff(bytes) else {
        let t = i18n::core();
        return Header::Refused(ImageDataError::NotAnImage(if bytes.is_empty() {
            t.studio_image_empty.into()
        } else {
            t.studio_image_unrecognised.into()
        }));
    };
    match dimensions(format, bytes) {
        Some((width, height)) => Header::Complete(format, width, height),
        None => Header::NeedMore(format),
    }
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}
fn le16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}
fn le24(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 3)?;
    Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
}

fn dimensions(format: ImageFormat, b: &[u8]) -> Option<(u32, u32)> {
    let size = match format {
        ImageFormat::Png => {
            // IHDR is always the first chunk.
            if b.get(12..16)? != b"IHDR" {
                return None;
            }
            let w = u32::from_be_bytes(b.get(16..20)?.try_into().ok()?);
            let h = u32::from_be_bytes(b.get(20..24)?.try_into().ok()?);
            (w, h)
        }
        ImageFormat::Gif => (le16(b, 6)?, le16(b, 8)?),
        ImageFormat::Webp => match b.get(12..16)? {
            b"VP8 " => (le16(b, 26)? & 0x3FFF, le16(b, 28)? & 0x3FFF),
            b"VP8L" => {
                let bits = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
                ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
            }
            b"VP8X" => (le24(b, 24)? + 1, le24(b, 27)? + 1),
            _ => return None,
        },
        ImageFormat::Jpeg => jpeg_dimensions(b)?,
    };
    (size.0 > 0 && size.1 > 0).then_some(size)
}

/// Walks JPEG segments to the first start-of-frame marker.
fn jpeg_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    loop {
        while *b.get(i)? != 0xFF {
            i += 1;
        }
        while *b.get(i)? == 0xFF {
            i += 1;
        }
        let marker = *b.get(i)?;
        i += 1;
        if matches!(marker, 0xD8 | 0x01 | 0xD0..=0xD7) {
            continue;
        }
        let len = be16(b, i)? as usize;
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            return Some((be16(b, i + 5)?, be16(b, i + 3)?));
        }
        if len < 2 {
            return None;
        }
        i += len;
    }
}
