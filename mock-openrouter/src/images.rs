//! Deterministic picture generation and encoding, plus sizes and cost (§1.3, §10).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::config::{ImageMime, MegapixelUnit};

/// The documented aspect-ratio → pixel table (§1.3).
pub const ASPECT_TABLE: &[(&str, u32, u32)] = &[
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

/// Largest edge FLUX.2 produces (about 4 MP).
pub const MAX_EDGE: u32 = 2048;

/// Pixel size for an aspect ratio (`None`/`auto` = 1:1) and a size tier (`None` = 1K).
/// `None` when the ratio or tier is not supported.
pub fn dims_for(aspect: Option<&str>, tier: Option<&str>) -> Option<(u32, u32)> {
    let aspect = match aspect {
        None | Some("auto") => "1:1",
        Some(a) => a,
    };
    let &(_, w, h) = ASPECT_TABLE.iter().find(|(a, _, _)| *a == aspect)?;
    // Tier scaling is UNCONFIRMED for klein; scale the ~1 MP bucket and clamp to 4 MP.
    let (num, den) = match tier {
        None | Some("1K") => (1, 1),
        Some("512") | Some("0.5K") => (1, 2),
        Some("2K") | Some("4K") => (2, 1),
        Some(_) => return None,
    };
    let (w, h) = (w * num / den, h * num / den);
    let long = w.max(h);
    if long <= MAX_EDGE {
        return Some((w, h));
    }
    // Keep the ratio when clamping to the 4 MP ceiling; FLUX wants multiples of 16.
    let fit = |v: u32| (v * MAX_EDGE / long) / 16 * 16;
    Some((fit(w), fit(h)))
}

/// §10: first megapixel $0.014, each further (started) megapixel $0.001.
pub fn cost(w: u32, h: u32, unit: MegapixelUnit) -> f64 {
    let per_mp = match unit {
        MegapixelUnit::Mebi => 1_048_576.0,
        MegapixelUnit::Mega => 1_000_000.0,
    };
    let mp = f64::from(w) * f64::from(h) / per_mp;
    let extra = (mp.ceil() - 1.0).max(0.0);
    crate::round6(0.014 + 0.001 * extra)
}

/// Image "tokens" as OpenRouter's pricing hints (4096 per 1024² image).
pub fn image_tokens(w: u32, h: u32) -> u64 {
    u64::from(w) * u64::from(h) / 256
}

/// Why an input image was rejected; maps to `metadata.error_type`.
pub enum InputImageError {
    Invalid(String),
    Unsupported(String),
}

/// Accepts http(s) URLs (not fetched) and base64 data URLs of png/jpeg/webp/gif.
pub fn check_input_url(url: &str) -> Result<(), InputImageError> {
    if url.starts_with("https://") || url.starts_with("http://") {
        return Ok(());
    }
    let Some(rest) = url.strip_prefix("data:") else {
        return Err(InputImageError::Invalid(
            "Invalid image URL: expected an http(s) or data: URL".into(),
        ));
    };
    let Some((meta, payload)) = rest.split_once(',') else {
        return Err(InputImageError::Invalid(
            "Invalid data URL: missing ','".into(),
        ));
    };
    let Some(mime) = meta.strip_suffix(";base64") else {
        return Err(InputImageError::Invalid(
            "Invalid data URL: only base64 data URLs are supported".into(),
        ));
    };
    let mime = mime.to_ascii_lowercase();
    if !["image/png", "image/jpeg", "image/webp", "image/gif"].contains(&mime.as_str()) {
        return Err(InputImageError::Unsupported(format!(
            "Unsupported image format: {mime}. Supported formats: image/png, image/jpeg, image/webp, image/gif"
        )));
    }
    match STANDARD.decode(payload.trim()) {
        Ok(bytes) if !bytes.is_empty() => Ok(()),
        _ => Err(InputImageError::Invalid(
            "Invalid image: the data URL does not contain valid base64 image data".into(),
        )),
    }
}

/// What a picture is generated from. Equal inputs give byte-identical images.
pub struct ImageSpec<'a> {
    pub prompt: &'a str,
    pub seed: Option<i64>,
    pub references: &'a [String],
    pub width: u32,
    pub height: u32,
    pub mime: ImageMime,
    pub large: bool,
}

/// xorshift64*: deterministic noise, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn digest(spec: &ImageSpec<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(spec.prompt.as_bytes());
    h.update([0]);
    match spec.seed {
        Some(s) => h.update(s.to_le_bytes()),
        None => h.update(b"no-seed"),
    }
    for r in spec.references {
        h.update([0]);
        h.update(r.as_bytes());
    }
    h.finalize().into()
}

/// RGB pixels: a four-colour gradient with soft rings around a hash-chosen centre.
fn pixels(spec: &ImageSpec<'_>) -> Vec<u8> {
    let d = digest(spec);
    let colour = |i: usize| [f64::from(d[i]), f64::from(d[i + 1]), f64::from(d[i + 2])];
    let corners = [colour(0), colour(3), colour(6), colour(9)];
    let ring = colour(12);
    let (cx, cy) = (f64::from(d[15]) / 255.0, f64::from(d[16]) / 255.0);
    let freq = 3.0 + f64::from(d[17] % 8);
    let phase = f64::from(d[18]) / 255.0 * std::f64::consts::TAU;
    let mut rng =
        Rng(u64::from_le_bytes([d[20], d[21], d[22], d[23], d[24], d[25], d[26], d[27]]) | 1);
    let (w, h) = (spec.width as usize, spec.height as usize);
    let mut out = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        let v = y as f64 / h.max(2) as f64;
        for x in 0..w {
            let u = x as f64 / w.max(2) as f64;
            let dist = ((u - cx).powi(2) + (v - cy).powi(2)).sqrt();
            let t = 0.5 + 0.5 * (dist * freq * std::f64::consts::TAU + phase).sin();
            for c in 0..3 {
                let top = corners[0][c] * (1.0 - u) + corners[1][c] * u;
                let bottom = corners[2][c] * (1.0 - u) + corners[3][c] * u;
                let base = top * (1.0 - v) + bottom * v;
                let mut px = base * (1.0 - 0.35 * t) + ring[c] * 0.35 * t;
                if spec.large {
                    // Incompressible noise so the encoded file is multi-MB.
                    px += (rng.next() % 97) as f64 - 48.0;
                }
                out.push(px.clamp(0.0, 255.0) as u8);
            }
        }
    }
    out
}

/// Encodes the picture; returns the file bytes.
pub fn render(spec: &ImageSpec<'_>) -> Result<Vec<u8>, String> {
    let rgb = pixels(spec);
    let mut out = Vec::new();
    match spec.mime {
        ImageMime::Png => {
            let mut enc = png::Encoder::new(&mut out, spec.width, spec.height);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            enc.set_compression(if spec.large {
                png::Compression::NoCompression
            } else {
                png::Compression::Fast
            });
            let mut writer = enc.write_header().map_err(|e| e.to_string())?;
            writer.write_image_data(&rgb).map_err(|e| e.to_string())?;
            writer.finish().map_err(|e| e.to_string())?;
        }
        ImageMime::Jpeg => {
            let quality = if spec.large { 100 } else { 90 };
            let w = u16::try_from(spec.width).map_err(|e| e.to_string())?;
            let h = u16::try_from(spec.height).map_err(|e| e.to_string())?;
            jpeg_encoder::Encoder::new(&mut out, quality)
                .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(out)
}

/// Renders on the blocking pool (encoding a 4 MP image takes a while in debug builds).
pub async fn render_async(
    prompt: String,
    seed: Option<i64>,
    references: Vec<String>,
    (width, height): (u32, u32),
    mime: ImageMime,
    large: bool,
) -> Result<Vec<u8>, String> {
    tokio::task::spawn_blocking(move || {
        render(&ImageSpec {
            prompt: &prompt,
            seed,
            references: &references,
            width,
            height,
            mime,
            large,
        })
    })
    .await
    .map_err(|e| e.to_string())?
}

pub fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_rule() {
        assert_eq!(cost(1024, 1024, MegapixelUnit::Mebi), 0.014);
        assert_eq!(cost(1344, 768, MegapixelUnit::Mebi), 0.014);
        assert_eq!(cost(2048, 2048, MegapixelUnit::Mebi), 0.017);
        assert_eq!(cost(1024, 1024, MegapixelUnit::Mega), 0.015);
    }

    #[test]
    fn dims() {
        assert_eq!(dims_for(None, None), Some((1024, 1024)));
        assert_eq!(dims_for(Some("16:9"), None), Some((1344, 768)));
        assert_eq!(dims_for(Some("1:1"), Some("2K")), Some((2048, 2048)));
        assert_eq!(dims_for(Some("16:9"), Some("2K")), Some((2048, 1168)));
        assert_eq!(dims_for(Some("2:3"), Some("0.5K")), Some((416, 624)));
        assert_eq!(dims_for(Some("7:3"), None), None);
    }

    #[test]
    fn input_urls() {
        assert!(check_input_url("https://example.com/a.png").is_ok());
        assert!(check_input_url("data:image/png;base64,iVBORw0KGgo=").is_ok());
        assert!(matches!(
            check_input_url("data:image/tiff;base64,AAAA"),
            Err(InputImageError::Unsupported(_))
        ));
        assert!(matches!(
            check_input_url("data:image/png;base64,@@@"),
            Err(InputImageError::Invalid(_))
        ));
        assert!(matches!(
            check_input_url("ftp://x"),
            Err(InputImageError::Invalid(_))
        ));
    }
}
