//! Settings inside downloaded images. A PNG gets two iTXt chunks after its
//! header: `Description` (the prompt) and `kleinbild` (UTF-8 JSON: prompt,
//! model, seed, aspect ratio, resolution, size, creation time, generation id,
//! billed cost; never the key). A JPEG gets the same JSON in a COM segment.
//! History keeps the bytes as the API sent them; only downloads carry this.
//! Reading walks the file with bounds checks: damaged input is an error,
//! never a panic.

use super::HistoryEntry;
use crate::generation::{MAX_PROMPT_CHARS, Resolution, expected_size, is_model_id};
use crate::json::{Fields, Loose, ObjectWriter};

/// The iTXt keyword (PNG) and the JSON marker field (both formats).
pub const KEYWORD: &str = "kleinbild";
const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// The settings an image file carries, as far as the form uses them.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageSettings {
    pub prompt: String,
    pub model: String,
    pub seed: u32,
    pub aspect_ratio: String,
    pub resolution: Resolution,
}

/// Why a file gave no settings.
#[derive(Debug, Clone, PartialEq)]
pub enum MetaError {
    /// Neither PNG nor JPEG.
    NotPngOrJpeg,
    /// A readable image without Kleinbild settings.
    NoSettings,
    /// Settings were there but could not be read.
    Damaged(String),
}

impl MetaError {
    /// What to tell the person who picked or dropped `name`.
    pub fn message(&self, name: &str) -> String {
        let t = crate::i18n::later();
        match self {
            MetaError::NotPngOrJpeg => t.gallery_meta_not_png_or_jpeg(&name),
            MetaError::NoSettings => t.gallery_meta_no_settings(&name),
            MetaError::Damaged(why) => t.gallery_meta_damaged(&name, why),
        }
    }
}

/// The JSON the image carries for `entry`.
pub fn settings_json(entry: &HistoryEntry) -> String {
    let writer = ObjectWriter::default()
        .whole(KEYWORD, 1)
        .text("prompt", &entry.prompt)
        .text("model", &entry.model)
        .whole("seed", u64::from(entry.seed))
        .text("aspect_ratio", &entry.aspect_ratio)
        .whole(
            "resolution_mp",
            u64::from(Resolution::of_pixels(entry.width, entry.height).megapixels()),
        )
        .whole("width", u64::from(entry.width))
        .whole("height", u64::from(entry.height))
        .number("created_ms", entry.created_ms);
    let writer = match &entry.generation_id {
        Some(id) => writer.text("generation_id", id),
        None => writer,
    };
    match entry.cost_usd {
        Some(usd) => writer.number("cost_usd", usd),
        None => writer,
    }
    .finish()
}

/// `bytes` with `entry`'s settings inside, or `None` for a type that has no
/// place for them (WebP, GIF, or a damaged file): then it is saved as it is.
pub fn with_settings(bytes: &[u8], entry: &HistoryEntry) -> Option<Vec<u8>> {
    let json = settings_json(entry);
    if bytes.starts_with(PNG_SIGNATURE) {
        // The first chunk must be IHDR; text chunks may follow it directly.
        // Checked: a damaged length near 4 GiB would overflow a 32-bit `usize`.
        let ihdr_end = usize::try_from(be32(bytes, 8)?).ok()?.checked_add(8 + 12)?;
        if bytes.get(12..16)? != b"IHDR" || ihdr_end > bytes.len() {
            return None;
        }
        let mut out = Vec::with_capacity(bytes.len() + json.len() + entry.prompt.len() + 64);
        out.extend_from_slice(&bytes[..ihdr_end]);
        push_itxt(&mut out, "Description", &entry.prompt);
        push_itxt(&mut out, KEYWORD, &json);
        out.extend_from_slice(&bytes[ihdr_end..]);
        Some(out)
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        let length = u16::try_from(json.len() + 2).ok()?;
        let mut out = Vec::with_capacity(bytes.len() + json.len() + 4);
        out.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0xFE]);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(json.as_bytes());
        out.extend_from_slice(&bytes[2..]);
        Some(out)
    } else {
        None
    }
}

/// The settings in a downloaded image.
pub fn read_settings(bytes: &[u8]) -> Result<ImageSettings, MetaError> {
    let json = if bytes.starts_with(PNG_SIGNATURE) {
        png_text(bytes, KEYWORD)?
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg_comment(bytes)?
    } else {
        return Err(MetaError::NotPngOrJpeg);
    };
    parse_settings(&json)
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Appends an uncompressed iTXt chunk (no language tag, no translation).
fn push_itxt(out: &mut Vec<u8>, keyword: &str, text: &str) {
    let mut data = Vec::with_capacity(keyword.len() + text.len() + 5);
    data.extend_from_slice(keyword.as_bytes());
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(text.as_bytes());
    // A chunk's length is a u32: prompts are far below it.
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(b"iTXt");
    out.extend_from_slice(&data);
    out.extend_from_slice(&crc32(&[b"iTXt", &data]).to_be_bytes());
}

/// The text of the first uncompressed iTXt chunk named `keyword`.
fn png_text(bytes: &[u8], keyword: &str) -> Result<String, MetaError> {
    let mut at = 8;
    while let Some(length) = be32(bytes, at) {
        let length = length as usize;
        let kind = bytes.get(at + 4..at + 8).ok_or(MetaError::NoSettings)?;
        let Some(data) = bytes.get(at + 8..(at + 8).saturating_add(length)) else {
            return Err(MetaError::NoSettings);
        };
        if kind == b"IEND" {
            break;
        }
        if kind == b"iTXt"
            && let Some(rest) = data.strip_prefix(keyword.as_bytes())
            && rest.first() == Some(&0)
        {
            let crc = be32(bytes, at + 8 + length).ok_or(MetaError::NoSettings)?;
            if crc != crc32(&[kind, data]) {
                let why = crate::i18n::later().gallery_meta_checksum;
                return Err(MetaError::Damaged(why.into()));
            }
            return itxt_text(&rest[1..]);
        }
        at += 12 + length;
    }
    Err(MetaError::NoSettings)
}

/// After the keyword's NUL: compression flag and method, language tag NUL,
/// translated keyword NUL, then the text.
fn itxt_text(rest: &[u8]) -> Result<String, MetaError> {
    let t = crate::i18n::later();
    let damaged = |why: &str| MetaError::Damaged(why.into());
    match rest {
        [0, _, tail @ ..] => {
            let mut parts = tail.splitn(3, |b| *b == 0);
            let (_, _, text) = (parts.next(), parts.next(), parts.next());
            let text = text.ok_or_else(|| damaged(t.gallery_meta_cut_short))?;
            String::from_utf8(text.to_vec()).map_err(|_| damaged(t.gallery_meta_not_utf8))
        }
        [_, ..] => Err(damaged(t.gallery_meta_compressed)),
        [] => Err(damaged(t.gallery_meta_cut_short)),
    }
}

/// The payload of the first COM segment that holds Kleinbild's JSON.
fn jpeg_comment(bytes: &[u8]) -> Result<String, MetaError> {
    let mut at = 2;
    while bytes.get(at) == Some(&0xFF) {
        let marker = *bytes.get(at + 1).ok_or(MetaError::NoSettings)?;
        // Start of scan: the headers are over.
        if marker == 0xDA {
            break;
        }
        if marker == 0x01 || (0xD0..=0xD8).contains(&marker) || marker == 0xFF {
            at += if marker == 0xFF { 1 } else { 2 };
            continue;
        }
        let length = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2).ok_or(MetaError::NoSettings)?,
            *bytes.get(at + 3).ok_or(MetaError::NoSettings)?,
        ]));
        let payload = bytes
            .get(at + 4..(at + 2 + length).max(at + 4))
            .ok_or(MetaError::NoSettings)?;
        if marker == 0xFE
            && let Ok(text) = std::str::from_utf8(payload)
            && text.starts_with(&format!("{{\"{KEYWORD}\""))
        {
            return Ok(text.to_owned());
        }
        at += 2 + length.max(2);
    }
    Err(MetaError::NoSettings)
}

fn parse_settings(json: &str) -> Result<ImageSettings, MetaError> {
    let t = crate::i18n::later();
    let damaged = |why: String| MetaError::Damaged(why);
    let Ok(Loose::Object(fields)) = Loose::parse(json) else {
        return Err(damaged(t.gallery_meta_not_json.into()));
    };
    let f = Fields(&fields);
    let prompt = f.text("prompt").map_err(damaged)?;
    if prompt.chars().count() > MAX_PROMPT_CHARS {
        return Err(damaged(t.gallery_meta_prompt_too_long.into()));
    }
    let model = f.text("model").map_err(damaged)?;
    if !is_model_id(&model) {
        return Err(damaged(t.gallery_meta_not_model_id.into()));
    }
    let seed = f.whole("seed", u64::from(u32::MAX)).map_err(damaged)? as u32;
    let aspect_ratio = f.text("aspect_ratio").map_err(damaged)?;
    if expected_size(&aspect_ratio).is_none() {
        return Err(damaged(t.gallery_meta_unknown_ratio.into()));
    }
    let resolution = Resolution::from_megapixels(f.whole("resolution_mp", 4).map_err(damaged)?)
        .ok_or_else(|| damaged(t.gallery_meta_unknown_resolution.into()))?;
    Ok(ImageSettings {
        prompt,
        model,
        seed,
        aspect_ratio,
        resolution,
    })
}

/// CRC-32 (ISO-HDLC, PNG's), bit by bit: it runs over a few kilobytes of text
/// per download, and a table would only add to the wasm.
pub fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = !0u32;
    for part in parts {
        for &byte in *part {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    0xEDB8_8320 ^ (crc >> 1)
                } else {
                    crc >> 1
                };
            }
        }
    }
    !crc
}
